"""The network does the learning: the shortcut's share is reported only when it is on, and the
up/flat/down classifier trains on recorded Bitcoin closes with balanced classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.evaluation.verdict import linear_share_sentence
from core.models.forecasters.linear_ar import fit_ridge_line
from core.runs.pipeline import load_prepared, run_experiment
from core.runs.store import RunStore

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "btc_close_2020_2024.csv"


def tiny_request(**model_changes) -> RunRequest:
    return RunRequest(
        data=DataConfig(length=300, seed=3, seasonal_periods=(30.0,), seasonal_amplitudes=(8.0,)),
        split=SplitConfig(test_size=50, lookback=10),
        model=ModelConfig(family="dense", units=4, **model_changes),
        train=TrainConfig(epochs=2, batch_size=32),
        horizon=0,
    )


def test_linear_part_mse_is_reported_only_with_the_shortcut(tmp_path):
    store = RunStore(tmp_path)
    plain = run_experiment(tiny_request(linear_skip=False), store=store)
    assert plain.metrics.linear_part_mse is None
    shortcut = run_experiment(tiny_request(linear_skip=True), store=store)
    linear = shortcut.metrics.linear_part_mse
    # the frozen shortcut is the cross-validated ridge line, so its part alone scores what that
    # line does on the test windows (not the least-squares peer's figure)
    prepared = load_prepared(tiny_request(linear_skip=True))
    ridge = fit_ridge_line(prepared)
    windows = np.asarray(prepared.x_test, float).reshape(len(prepared.x_test), -1)
    predicted = prepared.scaler.inverse(windows @ ridge["coefficients"] + ridge["intercept"])
    ridge_mse = float(np.mean((predicted - prepared.values_test) ** 2))
    assert linear == pytest.approx(ridge_mse, rel=1e-4)
    assert linear != pytest.approx(shortcut.baselines["linear_ar"].test.mse, rel=1e-4)
    assert linear != pytest.approx(shortcut.metrics.test.mse, rel=1e-3)
    assert "straight-line part alone" in linear_share_sentence(shortcut)
    assert linear_share_sentence(plain) is None


@pytest.fixture
def bitcoin_data() -> DataConfig:
    from core.data.upload import import_file

    return DataConfig(source="csv", csv_path=import_file(FIXTURE), start_date="2023-01-01")


def test_classifier_on_recorded_bitcoin_reports_balanced_accuracy(tmp_path, bitcoin_data):
    request = RunRequest(
        data=bitcoin_data,
        split=SplitConfig(method="calendar_year", test_year=2024, scaling_margin=5.0, lookback=10),
        model=ModelConfig(family="lstm", task="classification", units=4),
        train=TrainConfig(epochs=2, batch_size=64),
        horizon=0,
    )
    result = run_experiment(request, store=RunStore(tmp_path))
    test = result.metrics.test
    assert 0.0 <= test.balanced_accuracy <= 1.0
    assert test.majority_class == "up"  # 2024 rose more often than not
    assert set(test.never_predicted) <= {"down", "flat", "up"}
    assert result.predictions["part"].eq("test").sum() == sum(
        test.per_class[name].support for name in ("down", "flat", "up")
    )


def test_classifier_features_are_returns_for_prices(bitcoin_data):
    from core.data.prepare import prepare
    from core.data.sources import load_series
    from core.training.trainer import model_constants

    model = ModelConfig(task="classification")
    prepared = prepare(load_series(bitcoin_data), SplitConfig(method="calendar_year"), model)
    assert model_constants(prepared, model).mode == "return"
    assert model_constants(prepared, ModelConfig()).mode == "change"
