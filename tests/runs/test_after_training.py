"""The work after the last epoch: the simple rules are fitted once per data key (kept in the run
store, shared by every network on that data), the steps are reported one by one, and the
Train page's bar and words count the real time from the click (core.runs.steps)."""

from __future__ import annotations

import numpy as np
import pytest

import core.runs.peers as peers_module
import core.runs.pipeline as pipeline_module
from core.data.sources import load_series
from core.runs.peers import PeerCache, peers_key
from core.runs.pipeline import run_experiment
from core.runs.steps import EPOCHS_SHARE, STEP_ORDER, StepUpdate, done_words, job_progress
from core.runs.store import RunStore
from tests.runs.test_store import tiny_request


@pytest.fixture
def counted_fits(monkeypatch):
    """How many times the peers were fitted (each call fits every registered rule)."""
    calls = []
    original = peers_module.compute_peers

    def counting(key, prepared):
        calls.append(key)
        return original(key, prepared)

    monkeypatch.setattr(pipeline_module, "compute_peers", counting)
    return calls


def test_the_simple_rules_are_fitted_once_per_data_key_and_shared(tmp_path, counted_fits):
    store = RunStore(tmp_path / "runs")
    first = run_experiment(tiny_request(units=4), store=store)
    second = run_experiment(tiny_request(units=6, family="gru"), store=store)
    assert len(counted_fits) == 1, "a second network on the same data fitted the rules again"
    key = peers_key(tiny_request(), load_series(tiny_request().data).fingerprint())
    assert PeerCache(store.root).load(key) is not None
    for name, scores in first.baselines.items():
        assert second.baselines[name].test_mse == scores.test_mse
    assert second.intervals["baselines"] == first.intervals["baselines"]
    columns = [name for name in first.baselines if name in first.predictions]
    np.testing.assert_array_equal(
        first.predictions[columns].to_numpy(), second.predictions[columns].to_numpy()
    )
    # Another window is another data key (the straight line reads the window).
    other = tiny_request()
    other = other.replace(split=other.split.replace(lookback=12))
    run_experiment(other, store=store)
    assert len(counted_fits) == 2
    assert not list(store.root.glob(".peers/*.tmp"))


def test_the_steps_after_the_last_epoch_are_reported_in_order(tmp_path):
    heard = []
    run_experiment(
        tiny_request(units=5),
        store=RunStore(tmp_path / "runs"),
        on_step=lambda update: heard.append(update.step),
        progress=lambda update: heard.append("epoch"),
    )
    after = heard[heard.index(STEP_ORDER[0]) :]
    assert "epoch" not in after
    assert after == [step for step in STEP_ORDER if step != "receiving"]


def test_the_bar_is_not_full_at_the_last_epoch_and_counts_from_the_click():
    last_epoch = job_progress(epoch=2, max_epochs=2, step=None, seconds_since_click=63)
    assert last_epoch.fraction < 1.0
    assert "63 s since you pressed Train" in last_epoch.text
    fractions = []
    for step in STEP_ORDER:
        shown = job_progress(epoch=2, max_epochs=2, step=step, seconds_since_click=70)
        assert StepUpdate(step).words in shown.text
        assert "70 s since you pressed Train" in shown.text
        fractions.append(shown.fraction)
    assert fractions == sorted(fractions)
    assert EPOCHS_SHARE <= fractions[0] and fractions[-1] < 1.0
    words = done_words(total_seconds=63, epochs_run=2, epoch_seconds=8, after_seconds=5)
    assert words.startswith("Done in 63 s from the click") and "8 s" in words and "5 s" in words


def test_before_its_first_epoch_a_training_on_a_worker_still_loading_tensorflow_says_so(
    tmp_path, monkeypatch
):
    import core.runs.preload as preload_module
    from core.runs.steps import LOADING
    from core.runs.worker import train_request

    request = tiny_request(units=4).to_dict()
    for loaded in (False, True):
        heard = []
        monkeypatch.setattr(preload_module._tensorflow, "is_set", lambda loaded=loaded: loaded)
        monkeypatch.setenv("FORECAST_LAB_HOME", str(tmp_path / f"home-{loaded}"))
        train_request(request, progress=heard.append, steps=True)
        said = [update.step for update in heard if isinstance(update, StepUpdate)]
        assert (said[0] == LOADING) is (not loaded), said  # and never once it is loaded
        assert said.count(LOADING) == (0 if loaded else 1)
    shown = job_progress(epoch=0, max_epochs=2, step=LOADING, seconds_since_click=4)
    assert "TensorFlow loads once per worker" in shown.text and shown.fraction == 0.0
    assert "4 s since you pressed Train" in shown.text
