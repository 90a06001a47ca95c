"""Baselines: persistence, seasonal naive, least-squares AR and Holt-Winters on known series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.config import DataConfig, SplitConfig
from core.data.prepare import prepare
from core.data.series import Series
from core.data.synthetic import generate_series
from core.models.baselines import BASELINE_LABELS, BASELINES, fit_linear_ar


def make_series(values: np.ndarray) -> Series:
    dates = pd.date_range("2020-01-01", periods=len(values), freq="D")
    return Series(dates=dates, values=np.asarray(values, float), name="test", source="csv")


@pytest.fixture(scope="module")
def seasonal():
    config = DataConfig(
        length=400,
        trend_slope=0.02,
        seasonal_periods=(7.0,),
        seasonal_amplitudes=(10.0,),
        noise_level=1.0,
        seed=5,
    )
    return prepare(generate_series(config), SplitConfig(test_size=60, lookback=10))


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_baseline_returns_finite_predictions_aligned_with_the_test_targets(name, seasonal):
    predictions = BASELINES[name](seasonal)
    assert predictions.shape == seasonal.test_index.shape
    assert np.all(np.isfinite(predictions))
    assert name in BASELINE_LABELS


def test_naive_is_the_previous_value(seasonal):
    values = seasonal.series.values
    np.testing.assert_array_equal(BASELINES["naive"](seasonal), values[seasonal.test_index - 1])


def test_seasonal_naive_uses_the_value_one_season_ago(seasonal):
    assert seasonal.season_length == 7
    values = seasonal.series.values
    np.testing.assert_array_equal(
        BASELINES["seasonal_naive"](seasonal), values[seasonal.test_index - 7]
    )


def test_linear_ar_recovers_the_coefficients_of_an_ar2_process():
    rng = np.random.default_rng(0)
    values = np.zeros(3000)
    for step in range(2, len(values)):
        values[step] = 5.0 + 0.6 * values[step - 1] - 0.3 * values[step - 2] + rng.normal()
    prepared = prepare(
        make_series(values), SplitConfig(test_size=200, lookback=2, scaling_margin=1.0)
    )
    fit = fit_linear_ar(prepared)
    np.testing.assert_allclose(fit["coefficients"], [-0.3, 0.6], atol=0.05)  # oldest first
    predictions = BASELINES["linear_ar"](prepared)
    actual = prepared.values_test
    assert np.mean((predictions - actual) ** 2) < 1.3  # innovation variance 1


def test_holt_winters_beats_naive_on_a_seasonal_series(seasonal):
    actual = seasonal.values_test
    holt_winters = np.mean((BASELINES["holt_winters"](seasonal) - actual) ** 2)
    naive = np.mean((BASELINES["naive"](seasonal) - actual) ** 2)
    assert holt_winters < 0.5 * naive


def test_holt_winters_uses_only_the_past():
    values = np.sin(np.arange(300) * 2 * np.pi / 7) * 10 + np.arange(300) * 0.1
    changed = values.copy()
    changed[-10:] += 100.0  # a shock at the end must not move earlier forecasts
    split = SplitConfig(test_size=40, lookback=5)
    first = BASELINES["holt_winters"](prepare(make_series(values), split))
    second = BASELINES["holt_winters"](prepare(make_series(changed), split))
    np.testing.assert_allclose(first[:30], second[:30])
