"""Run store and pipeline: train once, load instantly, detect damage, never half-load."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.models.forecasters import FORECASTERS
from core.runs.jobs import JobRegistry
from core.runs.pipeline import forecast_run, run_experiment
from core.runs.store import RunStore
from core.scores import ClassificationScores, RegressionScores


def tiny_request(**model_changes) -> RunRequest:
    model_changes = {"units": 4, **model_changes}
    return RunRequest(
        data=DataConfig(length=400, seed=3, seasonal_periods=(50.0,), seasonal_amplitudes=(10.0,)),
        split=SplitConfig(test_size=60, lookback=10),
        model=ModelConfig(**model_changes),
        train=TrainConfig(epochs=2, batch_size=32),
        horizon=12,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    store = RunStore(tmp_path_factory.mktemp("runs"))
    return store, run_experiment(tiny_request(), store=store)


def copy_of(trained, folder) -> RunStore:
    """A store of its own at `folder` holding a copy of the module's trained run (a test that
    damages or deletes a run needs a run, not a training)."""
    import shutil

    store, result = trained
    copy = RunStore(folder)
    shutil.copytree(store.folder(result.key), copy.folder(result.key))
    return copy


def test_a_run_is_evaluated_against_every_baseline(trained):
    _, result = trained
    assert not result.cached
    assert result.epochs_run >= 1
    for part in (result.metrics.test, result.metrics.test_scaled, result.metrics.train):
        assert isinstance(part, RegressionScores)
        assert np.isfinite([part.mse, part.rmse, part.mae, part.r2]).all()
    assert set(result.baselines) == set(FORECASTERS)
    test_rows = result.predictions[result.predictions["part"] == "test"]
    assert len(test_rows) == 60
    assert test_rows["naive"].notna().all()
    assert result.noise_floor_mse == pytest.approx(
        float(np.mean((test_rows["signal"] - test_rows["actual"]) ** 2))
    )
    assert len(result.forecast) == 12
    assert result.forecast.index[0] > result.predictions.index[-1]
    assert result.parameter_count > 0
    # scaled and original metrics agree through the scaler's span
    span = result.scaler["span"]
    assert result.metrics.test.mse == pytest.approx(
        result.metrics.test_scaled.mse * span**2, rel=1e-4
    )


def test_the_same_request_loads_from_the_store(trained):
    store, first = trained
    again = run_experiment(tiny_request(), store=store)
    assert again.cached
    assert again.key == first.key
    assert again.metrics == first.metrics
    assert again.baselines == first.baselines
    np.testing.assert_allclose(again.predictions["model"], first.predictions["model"], rtol=1e-6)
    assert again.history == first.history
    assert [summary.key for summary in store.list_runs()] == [first.key]


def test_a_new_horizon_reforecasts_without_retraining(trained):
    store, first = trained
    longer = forecast_run(first, 20)
    assert len(longer) == 20
    np.testing.assert_allclose(
        longer["forecast"].to_numpy()[:12], first.forecast["forecast"].to_numpy(), rtol=1e-4
    )


def test_a_damaged_run_is_detected_set_aside_and_retrained(trained, tmp_path):
    store, first = copy_of(trained, tmp_path), trained[1]
    (store.folder(first.key) / "metrics.json").write_text("{not json")
    again = run_experiment(tiny_request(), store=store)
    assert any((store.root / ".damaged").iterdir())
    assert not again.cached
    assert again.notice and "damaged" in again.notice
    assert store.load(again.key) is not None


def test_loading_a_damaged_run_reports_it_and_sets_it_aside(trained, tmp_path):
    store, first = copy_of(trained, tmp_path), trained[1]
    assert store.load(first.key) is not None  # intact before
    (store.folder(first.key) / "model.keras").write_bytes(b"")
    assert store.load(first.key) is None
    assert "damaged" in store.last_problem
    assert not store.folder(first.key).exists()


def test_an_unfinished_write_is_never_loaded(tmp_path):
    store = RunStore(tmp_path)
    partial = store.folder("abc")
    partial.mkdir()
    (partial / "request.json").write_text(json.dumps(tiny_request().to_dict()))
    assert store.load("abc") is None
    assert store.list_runs() == []


def test_delete_removes_a_run(trained, tmp_path):
    store, result = copy_of(trained, tmp_path), trained[1]
    assert store.load(result.key) is not None
    store.delete(result.key)
    assert store.load(result.key) is None


def test_classification_run_reports_accuracy_against_the_majority_class(tmp_path):
    request = tiny_request(task="classification")
    result = run_experiment(request, store=RunStore(tmp_path))
    test = result.metrics.test
    assert isinstance(test, ClassificationScores)
    assert 0.0 <= test.accuracy <= 1.0
    assert set(test.per_class) == {"down", "flat", "up"}
    assert np.array(test.confusion).sum() == (result.predictions["part"] == "test").sum()
    assert result.metrics.test_scaled is None and result.baselines == {}
    assert result.forecast.empty
    loaded = RunStore(tmp_path).load(result.key)
    assert loaded.metrics.test.accuracy == pytest.approx(test.accuracy)
    assert loaded.metrics.to_dict().keys() == result.metrics.to_dict().keys()


def test_the_job_registry_serves_a_finished_run_from_the_store(trained):
    store, first = trained
    registry = JobRegistry(store=store)
    job_id = registry.submit(tiny_request())
    snapshot = registry.snapshot(job_id)
    assert snapshot.status == "done" and snapshot.cached
    assert registry.result(job_id).key == first.key


def test_runs_of_another_schema_are_not_listed(trained, tmp_path):
    other, result = copy_of(trained, tmp_path), trained[1]
    assert [summary.key for summary in other.list_runs()] == [result.key]
    meta_file = other.folder(result.key) / "meta.json"
    meta = json.loads(meta_file.read_text())
    meta_file.write_text(json.dumps({**meta, "schema": meta["schema"] - 1}))
    assert other.list_runs() == []  # older code's run: retrained when asked for, not shown
