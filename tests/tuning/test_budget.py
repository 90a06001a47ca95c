"""The per-trial time cap: the whole trial stays inside it (tiny networks, in this process),
a trial that cannot fit is pruned before it builds and says why, and the clock learns each
phase's cost from the trainer's own checks."""

from __future__ import annotations

import time

import optuna
import pytest

from core.tuning.budget import (
    CAP_REASON,
    ESTIMATE_MARGIN,
    PRIOR_RATES,
    TrialClock,
    TrialCosts,
    batch_work,
    shared_costs,
)
from core.tuning.objective import TrialEnvironment, evaluate_trial
from tests.tuning.conftest import tiny_config


def _trial(tmp_path, config, costs: TrialCosts) -> optuna.trial.FrozenTrial:
    """Run one trial of `config` in this process; return it as stored."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    trial = study.ask()
    environment = TrialEnvironment(config)
    try:
        evaluate_trial(
            trial, environment, study_name="cap", costs=costs, predictions_folder=tmp_path
        )
        study.tell(trial, state=optuna.trial.TrialState.COMPLETE, values=0.0)
    except optuna.TrialPruned:
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    return study.trials[-1]


@pytest.fixture(scope="module")
def warm_process(tmp_path_factory):
    """One uncapped tiny trial first: TensorFlow's first use in a process (imports, thread
    pools) is paid by the pool's warm-up in a real search, never by a trial."""
    _trial(tmp_path_factory.mktemp("warm"), tiny_config(), TrialCosts())


def test_a_capped_trial_ends_within_its_cap_and_says_so(tmp_path, warm_process):
    config = tiny_config(trial_seconds=3.0)
    config = config.replace(train=config.train.replace(epochs=5000))  # only the cap stops it
    trial = _trial(tmp_path, config, TrialCosts())
    assert trial.state == optuna.trial.TrialState.COMPLETE
    assert trial.user_attrs["capped"] is True
    assert trial.user_attrs["stop_reason"] == "time_limit"
    assert trial.user_attrs["training_budget_seconds"] < config.trial_seconds
    # how far past its cap a trial ends is timing: python -m core.bench_tuning prints it
    # (longest_trial_vs_cap, trials_over_cap_tolerance)
    timing = trial.user_attrs["timing"]
    assert {"setup", "build", "trace", "finish"} <= set(timing)
    assert timing["batches"] >= 1 and timing["epochs"] >= 1


def test_a_trial_that_cannot_fit_its_cap_is_pruned_before_it_builds(tmp_path):
    costs = TrialCosts()
    for phase in PRIOR_RATES:
        costs.record(phase, seconds=60.0, size=1.0)  # measured: a minute per layer
    trial = _trial(tmp_path, tiny_config(trial_seconds=5.0), costs)
    assert trial.state == optuna.trial.TrialState.PRUNED
    assert trial.user_attrs["pruned_reason"].startswith(CAP_REASON)
    assert "mse" not in trial.user_attrs and "build" not in trial.user_attrs["timing"]


def test_prior_guesses_alone_never_prune():
    # Nothing measured yet: even a cap far below the priors' estimate lets the trial run (so
    # the search measures), with the smallest training budget the trainer takes.
    plan = TrialClock(1.0, TrialCosts()).plan(depth=40, lookback=250, batch_size=2048)
    assert plan.fits and plan.training_seconds == 1.0


def test_training_gets_the_cap_less_the_costliest_recent_costs():
    costs = TrialCosts()
    for seconds in (0.2, 0.6, 0.4):  # three trials' finish per layer: the costliest rules
        costs.record("finish", seconds=seconds * 3, size=3)
    costs.record("build", seconds=0.3, size=3)
    costs.record("batch", seconds=0.01, size=batch_work(3, 10, 32))
    costs.record("trace", seconds=1.5, size=3)
    clock = TrialClock(20.0, costs)
    plan = clock.plan(depth=3, lookback=10, batch_size=32)
    reserved = 0.6 * 3 + 0.1 * 3 + costs.rate("batch") * batch_work(3, 10, 32)
    assert plan.fits
    assert plan.training_seconds == pytest.approx(20.0 - ESTIMATE_MARGIN * reserved, abs=0.05)
    assert TrialClock(None, costs).plan(3, 10, 32).training_seconds is None  # no cap, no limit


def test_the_clock_times_each_phase_from_the_trainers_events():
    clock = TrialClock(10.0, TrialCosts())
    clock.plan(depth=2, lookback=5, batch_size=16)
    clock.training_starts()
    clock.event("fit")
    time.sleep(0.05)  # tracing the first batch
    for _ in range(2):
        clock.event("batch")
    clock.epoch_ended()
    clock.event("batch")
    clock.finish()
    timing = clock.timing()
    assert (timing["batches"], timing["epochs"]) == (3, 1)
    assert timing["trace"] >= 0.04 > timing["batch"]
    learned = TrialCosts()
    learned.record_trial(timing)
    assert learned.rate("trace") == pytest.approx(timing["trace"] / 2)
    assert learned.measured("finish") and not TrialCosts().measured("finish")


def test_a_network_that_cannot_train_one_epoch_in_its_cap_is_pruned():
    costs = TrialCosts()
    for phase in ("build", "trace", "finish"):
        costs.record(phase, seconds=0.1, size=1.0)
    work = batch_work(3, 10, 32)
    costs.record("batch", seconds=0.5, size=work)  # half a second per batch
    clock = TrialClock(10.0, costs)
    assert clock.plan(depth=3, lookback=10, batch_size=32, batches_per_epoch=4).fits
    plan = clock.plan(depth=3, lookback=10, batch_size=32, batches_per_epoch=40)
    assert not plan.fits and "one epoch" in plan.reason


def test_a_new_search_starts_from_the_costs_measured_in_this_process(monkeypatch):
    from core.tuning import budget

    monkeypatch.setattr(budget, "_shared", {})  # other tests' searches keep their own
    config = tiny_config()
    first, second = TrialEnvironment(config), TrialEnvironment(config.replace(seed=5))
    first.record_timing({"depth": 2, "work": 1.0, "trace": 0.4, "finish": 0.2})
    assert second.costs.measured("trace") and second.costs.measured("finish")
    assert shared_costs(config.model.family) is second.costs
    assert shared_costs("some other family") is not second.costs
