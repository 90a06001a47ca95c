"""The Forecaster contract, for every registered forecaster; seasons and smoothing variants
chosen on the validation part; a forecaster added to the registry reaches the pipeline, the
verdict and the charts with no other change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.data.prepare import prepare
from core.data.series import Series
from core.data.synthetic import generate_series
from core.models.forecasters import FORECASTERS, Forecaster
from core.models.forecasters.base import values_of


def monthly(values: np.ndarray) -> Series:
    dates = pd.date_range("2000-01-31", periods=len(values), freq="ME")
    return Series(dates=dates, values=np.asarray(values, float), name="monthly", source="csv")


@pytest.fixture(scope="module")
def seasonal():
    config = DataConfig(
        length=300,
        trend_slope=0.02,
        seasonal_periods=(7.0,),
        seasonal_amplitudes=(10.0,),
        noise_level=1.0,
        seed=5,
    )
    return prepare(generate_series(config), SplitConfig(test_size=40, lookback=10))


@pytest.mark.parametrize("name", sorted(FORECASTERS))
def test_every_forecaster_keeps_the_contract(name, seasonal):
    forecaster = FORECASTERS[name]()
    assert forecaster.name == name and forecaster.label and forecaster.explanation
    assert forecaster.fit(seasonal) is forecaster
    one_step = forecaster.predict_one_step(seasonal)
    assert one_step.shape == seasonal.test_index.shape and np.isfinite(one_step).all()
    recursive = forecaster.predict_recursive(seasonal, 5)
    assert recursive.shape == (5,) and np.isfinite(recursive).all()
    # a seasonal, trending series: every forecaster lands within the test part's range
    low, high = seasonal.values_test.min() - 20, seasonal.values_test.max() + 20
    assert low < recursive.mean() < high


@pytest.mark.parametrize("name", sorted(FORECASTERS))
def test_every_forecaster_learns_from_the_train_part_and_predicts_from_the_past(name, seasonal):
    """Changing test values after position k changes no one-step forecast up to k."""
    first = FORECASTERS[name]().fit(seasonal).predict_one_step(seasonal)
    values = values_of(seasonal).copy()
    k = seasonal.train_end + 10
    values[k:] += 50.0
    changed_series = Series(
        dates=seasonal.series.dates, values=values, name="changed", source="csv"
    )
    changed = prepare(changed_series, seasonal.split)
    second = FORECASTERS[name]().fit(changed).predict_one_step(changed)
    unchanged = k - seasonal.train_end + 1  # forecasts of positions up to k
    np.testing.assert_allclose(first[:unchanged], second[:unchanged])


def test_the_calendar_season_wins_over_a_wrong_detected_one():
    """A monthly series with a 12-month swing: told that the detector found 4, the seasonal
    baselines still try 12 (the calendar season) and keep it on the validation part."""
    steps = np.arange(144)
    rng = np.random.default_rng(0)
    values = 100 + 0.5 * steps + 20 * np.sin(2 * np.pi * steps / 12) + rng.normal(0, 1, 144)
    prepared = prepare(monthly(values), SplitConfig(test_size=24, lookback=12))
    prepared.__dict__["season_length"] = 4  # the cached detection, overridden
    naive = FORECASTERS["seasonal_naive"]().fit(prepared)
    assert naive.season == 12 and set(naive.scores) == {4, 12}
    smoothing = FORECASTERS["holt_winters"]().fit(prepared)
    assert smoothing.spec.season == 12


def test_automatic_smoothing_picks_multiplicative_for_a_swing_that_grows_with_the_level():
    steps = np.arange(144)
    level = 100 * np.exp(0.01 * steps)
    values = level * (1 + 0.3 * np.sin(2 * np.pi * steps / 12))
    prepared = prepare(monthly(values), SplitConfig(test_size=24, lookback=12))
    ets = FORECASTERS["ets"]().fit(prepared)
    assert ets.spec.seasonal == "mul" and ets.spec.season == 12


class Drift(Forecaster):
    """A new forecaster for the test: the last value plus the train part's mean step."""

    name = "drift"
    label = "Drift line"
    explanation = "drift: the last value plus the average step of the train part"

    def fit(self, prepared):
        train = values_of(prepared)[: prepared.train_end]
        self.step = float(np.mean(np.diff(train)))
        return self

    def predict_one_step(self, prepared):
        return values_of(prepared)[prepared.test_index - 1] + self.step

    def predict_recursive(self, prepared, horizon):
        return values_of(prepared)[-1] + self.step * np.arange(1, horizon + 1)


def test_a_forecaster_added_to_the_registry_reaches_pipeline_verdict_and_charts(monkeypatch):
    from core.charts.results import forecast_figure
    from core.evaluation.verdict import metrics_table, regression_verdict
    from core.runs.pipeline import run_experiment
    from core.runs.store import RunStore

    monkeypatch.setitem(FORECASTERS, "drift", Drift)
    request = RunRequest(
        data=DataConfig(length=300, seed=3, trend_slope=0.5, noise_level=0.1),
        split=SplitConfig(test_size=40, lookback=10),
        model=ModelConfig(units=4),
        train=TrainConfig(epochs=1, batch_size=32),
        horizon=3,
    )
    result = run_experiment(request, store=RunStore())
    assert "drift" in result.baselines and not result.baselines["drift"].failed
    assert result.predictions["drift"].notna().sum() == 40
    table = metrics_table("LSTM", result.metrics, result.baselines)
    assert "Drift line" in table.index
    peers = {name: result.baselines[name] for name in ("naive", "drift")}
    verdict = regression_verdict("LSTM", result.metrics.test, peers)
    assert any("Drift line" in line for line in (verdict.headline, *verdict.details))
    figure = forecast_figure(result.predictions, baselines=["drift"])
    assert "Drift line" in {trace.name for trace in figure.data}
