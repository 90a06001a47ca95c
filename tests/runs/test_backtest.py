"""Walk-forward backtest: expanding cut-offs, each an ordinary cached run."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.data.sources import load_series
from core.runs.backtest import plan_backtest, run_backtest
from core.runs.store import RunStore


def tiny_request() -> RunRequest:
    return RunRequest(
        data=DataConfig(length=300, seed=3, seasonal_periods=(30.0,), seasonal_amplitudes=(5.0,)),
        split=SplitConfig(test_size=60, lookback=5),
        model=ModelConfig(units=4, family="gru"),
        train=TrainConfig(epochs=1, batch_size=32),
        horizon=5,
    )


def test_cutoffs_expand_and_shorter_synthetic_series_are_prefixes():
    folds = plan_backtest(tiny_request(), 3)
    assert [fold.train_rows for fold in folds] == [240, 260, 280]
    assert all(fold.test_rows == 20 for fold in folds)
    assert folds[0].cutoff < folds[1].cutoff < folds[2].cutoff
    full = load_series(tiny_request().data).values
    short = load_series(folds[0].request.data).values
    assert np.array_equal(short, full[: len(short)])


def test_a_second_backtest_trains_nothing_new(tmp_path):
    store = RunStore(tmp_path / "runs")
    first = run_backtest(tiny_request(), 2, store=store)
    assert first["trained"] == 2 and len(first["cutoffs"]) == 2
    assert {"network", "holt_winters", "linear_ar"} <= set(first["cutoffs"][0]["metrics"])
    for name, figures in first["summary"].items():  # mean and spread over the two cut-offs
        errors = [cutoff["metrics"][name]["mse"] for cutoff in first["cutoffs"]]
        assert figures["mean_mse"] == pytest.approx(np.mean(errors))
        assert figures["spread_mse"] == pytest.approx(np.std(errors))
    assert sum(figures["best_count"] for figures in first["summary"].values()) == 2
    second = run_backtest(tiny_request(), 2, store=store)
    assert second["trained"] == 0
    assert all(row["cached"] for row in second["cutoffs"])
    assert second["summary"]["network"]["mean_mse"] == pytest.approx(
        first["summary"]["network"]["mean_mse"]
    )
