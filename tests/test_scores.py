"""Typed scores: the metric dicts round-trip through the dataclasses unchanged, unknown keys are
ignored, missing numbers read as NaN, and a run saved before the scores were typed still loads."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from core.config import SCHEMA_VERSION, RunRequest
from core.evaluation.metrics import (
    classification_metrics,
    classification_scores,
    regression_metrics,
    regression_scores,
)
from core.json_values import json_ready, restore_nan
from core.runs.store import RunStore
from core.scores import (
    BaselineScores,
    ClassificationScores,
    NaiveScores,
    RegressionScores,
    RunScores,
    baselines_from_dict,
    baselines_to_dict,
)


def _regression(seed: int = 0) -> dict:
    generator = np.random.default_rng(seed)
    actual = generator.normal(10, 1, 40)
    return regression_metrics(actual, actual + generator.normal(0, 0.3, 40), actual - 0.1)


def _classification() -> dict:
    labels = [0, 1, 2, 2, 2, 1, 0, 2]
    return classification_metrics(labels, [2, 2, 2, 2, 1, 1, 2, 2])  # never says "down"


def _strict(values: dict) -> dict:
    """What a run file holds: strict JSON written and read back as the run store does."""
    return restore_nan(json.loads(json.dumps(json_ready(values), allow_nan=False)))


def _same(left, right) -> bool:
    """Equal, with NaN equal to NaN (json text compares them)."""
    return json.dumps(json_ready(left), sort_keys=True) == json.dumps(
        json_ready(right), sort_keys=True
    )


def test_regression_scores_round_trip_exactly():
    values = _regression()
    scores = RegressionScores.from_dict(values)
    assert scores.mse == values["mse"]
    assert scores.directional_accuracy == values["directional_accuracy"]
    assert scores.to_dict() == values
    assert list(scores.to_dict()) == list(values)  # same key order as regression_metrics


def test_classification_scores_round_trip_exactly():
    values = _classification()
    scores = ClassificationScores.from_dict(values)
    assert scores.never_predicted == ("down",)
    assert scores.per_class["up"].support == 4
    assert math.isnan(scores.per_class["down"].precision)
    assert scores.confusion[2] == (0, 1, 3)
    assert _same(scores.to_dict(), values)
    assert list(scores.to_dict()) == list(values)
    again = ClassificationScores.from_dict(_strict(scores.to_dict()))
    assert _same(again.to_dict(), values)


def test_run_scores_round_trip_for_both_tasks():
    regression = {
        "test": _regression(1),
        "test_scaled": _regression(2),
        "linear_part_mse": 0.25,
        "train": _regression(3),
    }
    scores = RunScores.from_dict(regression)
    assert isinstance(scores.test, RegressionScores) and scores.linear_part_mse == 0.25
    assert scores.in_units("test_scaled") == scores.test_scaled
    assert scores.to_dict() == regression
    assert list(scores.to_dict()) == list(regression)
    classification = {"test": _classification(), "train": _classification()}
    scores = RunScores.from_dict(classification)
    assert isinstance(scores.test, ClassificationScores)
    assert scores.test_scaled is None and scores.linear_part_mse is None
    assert _same(scores.to_dict(), classification)
    with pytest.raises(ValueError, match="units must be one of"):
        scores.in_units("train")


def test_baseline_scores_round_trip_and_keep_a_failure():
    baselines = {
        "naive": {"test": _regression(4), "test_scaled": _regression(5), "seconds": 0.002},
        "holt_winters": {"error": "ValueError: too few seasons"},
    }
    typed = baselines_from_dict(baselines)
    assert (
        not typed["naive"].failed and typed["naive"].test_mse == baselines["naive"]["test"]["mse"]
    )
    assert typed["holt_winters"].failed and typed["holt_winters"].test_mse is None
    assert typed["holt_winters"].in_units("test") is None
    assert baselines_to_dict(typed) == baselines


def test_the_metric_functions_have_typed_twins():
    actual, predicted = [1.0, 2.0, 3.0, 2.5], [1.1, 1.9, 2.7, 2.6]
    assert regression_scores(actual, predicted, [1.0, 1.0, 2.0, 3.0]) == RegressionScores(
        **regression_metrics(actual, predicted, [1.0, 1.0, 2.0, 3.0])
    )
    labels, guesses = [0, 1, 2, 2, 2, 1, 0, 2], [2, 2, 2, 2, 1, 1, 2, 2]
    typed = classification_scores(labels, guesses)
    assert _same(typed.to_dict(), classification_metrics(labels, guesses))


def test_unknown_keys_are_ignored_and_missing_numbers_read_as_nan():
    values = {**_regression(), "smape": 3.0}
    del values["directional_accuracy"]
    scores = RegressionScores.from_dict(values)
    assert math.isnan(scores.directional_accuracy)
    assert "smape" not in scores.to_dict()
    stored = {"mse": None, "rmse": 1.0, "mae": 1.0, "mape": None, "r2": 0.5}  # NaN as null
    assert math.isnan(RegressionScores.from_dict(stored).mse)
    older = {"accuracy": 0.5, "confusion": [[1, 0, 0], [0, 1, 0], [1, 0, 1]], "future": 1}
    scores = ClassificationScores.from_dict(older)
    assert scores.accuracy == 0.5 and math.isnan(scores.balanced_accuracy)
    assert scores.per_class == {} and scores.never_predicted == ()
    run = RunScores.from_dict({"test": _regression(), "train": _regression(), "extra": {}})
    assert "extra" not in run.to_dict()
    assert BaselineScores.from_dict({"test": _regression(), "note": "x"}).seconds is None


def test_a_search_s_persistence_reference_round_trips():
    stored = {"mse": 0.01, "mae": 0.08, "mse_original": 24.0, "mae_original": 3.9, "x": 1}
    naive = NaiveScores.from_dict(stored)
    assert naive.mse == 0.01 and naive.mae_original == 3.9
    assert naive.to_dict() == {key: stored[key] for key in stored if key != "x"}
    assert math.isnan(NaiveScores.from_dict({"mse": None}).mae)


def _write_old_run(root, key: str) -> tuple[dict, dict]:
    """A run folder as the store wrote it before the scores were typed (same JSON files)."""
    folder = root / key
    folder.mkdir(parents=True)
    (folder / "model.keras").write_bytes(b"not loaded by RunStore.load")
    (folder / "request.json").write_text(json.dumps(RunRequest().to_dict()))
    (folder / "history.json").write_text(json.dumps({"loss": [0.5, 0.4]}))
    metrics = {
        "test": {**_regression(6), "mape": float("nan")},
        "test_scaled": _regression(7),
        "train": _regression(8),
    }
    baselines = {
        "naive": {"test": _regression(9), "test_scaled": _regression(10), "seconds": 0.001},
        "holt_winters": {"error": "ValueError: too few seasons"},
    }
    stored = {"metrics": metrics, "baselines": baselines, "intervals": {}}
    (folder / "metrics.json").write_text(json.dumps(json_ready(stored), indent=1))
    dates = pd.date_range("2024-01-01", periods=3, name="date")
    pd.DataFrame({"part": "test", "actual": 1.0, "model": 1.0}, index=dates).to_csv(
        folder / "predictions.csv"
    )
    pd.DataFrame({"forecast": []}, index=pd.DatetimeIndex([], name="date")).to_csv(
        folder / "forecast.csv"
    )
    meta = {
        "schema": SCHEMA_VERSION,
        "key": key,
        "created_at": "2026-11-30T10:00:00Z",
        "train_seconds": 1.5,
        "epochs_run": 2,
        "best_epoch": 2,
        "stop_reason": "epochs",
        "noise_floor_mse": None,
        "series_info": {
            "name": "Synthetic",
            "source": "synthetic",
            "provider": "generator",
            "rows": 3,
            "first_date": "2024-01-01",
            "last_date": "2024-01-03",
        },
        "parameter_count": 10,
        "scaler": {"offset": 0.0, "span": 1.0},
    }
    (folder / "meta.json").write_text(json.dumps(meta))
    return metrics, baselines


def test_a_run_saved_before_the_scores_were_typed_loads(tmp_path):
    metrics, baselines = _write_old_run(tmp_path, "oldrun")
    store = RunStore(tmp_path)
    result = store.load("oldrun")
    assert result is not None, store.last_problem
    assert result.metrics.test.mse == metrics["test"]["mse"]
    assert math.isnan(result.metrics.test.mape)  # written as null, read back as NaN
    assert result.baselines["naive"].test.mae == baselines["naive"]["test"]["mae"]
    assert result.baselines["holt_winters"].error == "ValueError: too few seasons"
    # The CLI's --json summary keeps the stored shape.
    summary = result.summary()
    assert _same(summary["metrics"], metrics) and _same(summary["baselines"], baselines)
    (row,) = store.list_runs()
    assert row.test_mse == metrics["test"]["mse"] and row.accuracy is None
    assert row.naive_mse == baselines["naive"]["test"]["mse"]
