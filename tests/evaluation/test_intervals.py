"""Prediction intervals: conformal widths from the validation part only, coverage on test."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig, SplitConfig
from core.data.prepare import prepare
from core.data.sources import load_series
from core.evaluation.intervals import (
    band_frame,
    build_intervals,
    conformal_half_width,
    coverage,
    coverage_sentence,
    horizon_half_widths,
    validation_positions,
)
from core.models.baselines import BASELINES


def test_coverage_counts_values_inside_the_band_on_a_hand_example():
    actual = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    lower, upper = actual - 1, actual + 1
    upper[-1] = 9.0  # the last value falls outside
    assert coverage(actual, lower, upper) == pytest.approx(0.8)
    assert coverage([5.0], [5.0], [5.0]) == 1.0  # the edges count as inside


def test_conformal_half_width_takes_the_finite_sample_rank():
    residuals = np.arange(1, 10, dtype=float)  # 9 residuals: rank ceil(10 * 0.8) = 8
    assert conformal_half_width(residuals, 0.8) == 8.0
    assert conformal_half_width(residuals[:3], 0.95) == float("inf")  # too few for 95%


def test_horizon_widths_grow_with_sqrt_past_the_calibrated_steps():
    widths = horizon_half_widths([1.0, 2.0], 8)
    assert widths[:2].tolist() == [1.0, 2.0]
    assert widths[7] == pytest.approx(2.0 * np.sqrt(8 / 2))
    assert np.all(np.diff(widths) >= 0)


class LastValue:
    """A stand-in model: tomorrow = today (scaled)."""

    def __call__(self, windows):
        return np.asarray(windows)[:, -1, 0]


@pytest.fixture(scope="module")
def prepared():
    data = DataConfig(length=300, seasonal_periods=(30.0,), seasonal_amplitudes=(5.0,), seed=1)
    return prepare(load_series(data), SplitConfig(test_size=60, lookback=5))


def _intervals(prepared):
    model = LastValue()
    validation = validation_positions(prepared)
    return build_intervals(
        model,
        prepared,
        prepared.scaled[validation - 1],
        prepared.scaled[prepared.test_index - 1],
        BASELINES,
    )


def test_widths_use_validation_only_and_test_values_change_only_coverage(prepared):
    import dataclasses

    validation = validation_positions(prepared)
    assert validation.max() < prepared.train_end  # never the test part
    first = _intervals(prepared)
    values = prepared.series.values.copy()
    values[prepared.train_end :] += np.linspace(0, 40, len(values) - prepared.train_end)
    series = dataclasses.replace(prepared.series, values=values)
    changed = dataclasses.replace(prepared, series=series)
    second = _intervals(changed)
    for level in ("80", "95"):
        assert first["one_step"][level]["half_width"] == second["one_step"][level]["half_width"]
        assert first["recursive"]["half_widths"][level] == second["recursive"]["half_widths"][level]
        assert first["baselines"]["naive"][level]["half_width"] == pytest.approx(
            second["baselines"]["naive"][level]["half_width"]
        )
    assert first["coverage"]["80"] != second["coverage"]["80"]
    assert set(first["baselines"]) == set(BASELINES)


def test_band_frame_and_sentence_read_the_stored_intervals(prepared):
    import pandas as pd

    intervals = _intervals(prepared)
    forecast = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2030-01-01", periods=3))
    band = band_frame(forecast, intervals, "80", recursive=True)
    assert (band["upper"] - band["lower"]).is_monotonic_increasing
    sentence = coverage_sentence(intervals, "80")
    assert sentence.startswith("The 80% band held the real value ")
