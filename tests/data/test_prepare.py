"""Preparation: split sizes per method, train-only scaling, windows, labels, season and errors."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config import DataConfig, ModelConfig, SplitConfig
from core.data.market import filter_dates, parse_cdd_csv
from core.data.prepare import (
    Scaler,
    dominant_period,
    make_windows,
    prepare,
    updown_labels,
)
from core.data.series import Series
from core.data.synthetic import generate_series
from core.errors import ConfigError


def make_series(values, start: str = "2020-01-01", signal=None) -> Series:
    values = np.asarray(values, dtype=float)
    dates = pd.date_range(start, periods=len(values), freq="D")
    return Series(dates=dates, values=values, name="test", source="synthetic", signal=signal)


@functools.cache
def _parse_cdd(path: Path):
    return parse_cdd_csv(path.read_bytes())


@pytest.fixture
def cdd_bitcoin(datasets) -> Series:
    prices = _parse_cdd(datasets / "cdd_btcusd_daily.csv")
    return Series(
        dates=pd.DatetimeIndex(prices.index),
        values=prices.to_numpy(),
        name="BTC-USD close",
        source="btc",
        provider="cdd",
    )


# ----------------------------------------------------------------------------------------------
# Splits


def test_default_synthetic_split_has_465_test_targets():
    series = generate_series(DataConfig())
    prepared = prepare(series, SplitConfig())
    assert prepared.train_end == 7 * 365 - 465
    assert len(prepared.test_index) == 465 and prepared.x_test.shape == (465, 30, 1)
    assert prepared.x_train.shape == (prepared.train_end - 30, 30, 1)
    assert prepared.x_train.dtype == np.float32 and prepared.y_train.dtype == np.float32
    assert prepared.scaled.dtype == np.float64
    np.testing.assert_array_equal(prepared.train_index, np.arange(30, prepared.train_end))
    np.testing.assert_array_equal(prepared.test_index, np.arange(prepared.train_end, 2555))
    assert prepared.dates_test[0] == pd.Timestamp("2018-01-01") + pd.Timedelta(days=2090)
    np.testing.assert_array_equal(prepared.values_test, series.values[2090:])
    np.testing.assert_array_equal(prepared.signal_test, series.signal[2090:])
    assert prepared.labels_train is None and prepared.labels_test is None


def test_fraction_split():
    prepared = prepare(make_series(np.arange(1000.0) + 1), SplitConfig(method="fraction"))
    assert prepared.train_end == 800 and len(prepared.test_index) == 200


def test_calendar_year_2024_on_real_bitcoin_has_366_test_targets(cdd_bitcoin):
    series = filter_dates(cdd_bitcoin, "2023-10-28", None)  # the Bitcoin study's protocol, shorter
    study = SplitConfig(method="calendar_year", test_year=2024, scaling_margin=5.0)  # explicit
    prepared = prepare(series, study)
    assert len(prepared.test_index) == 366  # 2024 is a leap year
    assert prepared.dates_test[0] == pd.Timestamp("2024-01-01")
    assert prepared.dates_test[-1] == pd.Timestamp("2024-12-31")
    assert prepared.series.dates[-1] == pd.Timestamp("2024-12-31")  # 2025 rows are dropped
    assert len(prepared.series) == len(prepared.scaled) == prepared.train_end + 366
    assert prepared.series.dates[prepared.train_end - 1] == pd.Timestamp("2023-12-31")
    assert prepared.values_test[-1] == 93381.0
    # the Bitcoin study's margin of 5: the train maximum maps to 0.2; with only two months of
    # 2023 to train on (the fixture is a cut), 2024's doubling still stays inside the margin
    assert prepared.scaled[: prepared.train_end].max() == pytest.approx(0.2)
    assert prepared.y_test.max() < 5 * 0.2 * 2


def test_first_test_windows_reach_back_into_the_train_part():
    values = np.arange(200.0)
    prepared = prepare(make_series(values), SplitConfig(test_size=20, lookback=10))
    first_window = prepared.scaler.inverse(prepared.x_test[0, :, 0])
    np.testing.assert_allclose(first_window, values[170:180], atol=1e-3)
    assert prepared.y_test[0] == pytest.approx(prepared.scaler.transform(np.array([180.0]))[0])


# ----------------------------------------------------------------------------------------------
# Scaling


def test_scaler_is_fitted_on_the_train_part_only():
    values = np.concatenate([np.linspace(10.0, 20.0, 300), np.full(100, 1000.0)])
    split = SplitConfig(test_size=100, scaling_margin=1.5)
    prepared = prepare(make_series(values), split)
    assert prepared.scaler.offset == 10.0 and prepared.scaler.span == pytest.approx(15.0)
    assert prepared.scaled[:300].min() == 0.0
    assert prepared.scaled[:300].max() == pytest.approx(1 / 1.5)
    # changing only test values leaves the scaling (and every train window) untouched
    other = prepare(make_series(np.concatenate([values[:300], np.full(100, -5.0)])), split)
    assert other.scaler == prepared.scaler
    np.testing.assert_array_equal(other.x_train, prepared.x_train)


def test_full_series_scope_reproduces_the_tuning_paper_and_sees_the_test_range():
    values = np.concatenate([np.linspace(10.0, 20.0, 300), np.full(100, 40.0)])
    split = SplitConfig(test_size=100, scaling_scope="full_series", scaling_margin=1.0)
    prepared = prepare(make_series(values), split)
    assert split.leaks
    assert prepared.scaler.offset == 10.0 and prepared.scaler.span == pytest.approx(30.0)
    assert prepared.scaled.max() == pytest.approx(1.0)


def test_inverse_round_trip_and_error_scaling():
    scaler = Scaler.fit(np.array([3.0, 7.0, 5.0]), margin=2.0)
    assert (scaler.offset, scaler.span) == (3.0, 8.0)
    values = np.array([-10.0, 3.0, 7.0, 123.456])
    np.testing.assert_allclose(scaler.inverse(scaler.transform(values)), values, rtol=1e-12)
    np.testing.assert_allclose(scaler.inverse_scale(np.array([0.5, -0.25])), [4.0, -2.0])


def test_constant_train_part_never_divides_by_zero():
    scaler = Scaler.fit(np.full(50, 4.0), margin=1.5)
    assert scaler.span == pytest.approx(6.0)
    assert np.isfinite(scaler.transform(np.array([4.0, 10.0]))).all()
    assert Scaler.fit(np.zeros(10), margin=1.5).span == pytest.approx(1.5)


# ----------------------------------------------------------------------------------------------
# Windows and labels


def test_windows_equal_a_naive_loop():
    values = np.random.default_rng(0).normal(size=40)
    positions = np.array([5, 6, 17, 39, 40])
    windows = make_windows(values, 5, positions)
    expected = np.stack([values[t - 5 : t] for t in positions]).astype(np.float32)[..., None]
    assert windows.shape == (5, 5, 1) and windows.dtype == np.float32
    np.testing.assert_array_equal(windows, expected)
    assert windows.flags.writeable  # a real copy, not a read-only view


def test_windows_reject_positions_without_a_full_window():
    with pytest.raises(ConfigError, match="target positions"):
        make_windows(np.arange(10.0), 5, np.array([4]))
    with pytest.raises(ConfigError, match="target positions"):
        make_windows(np.arange(10.0), 5, np.array([11]))


def test_updown_labels_on_a_handcrafted_series():
    values = np.array([100.0, 100.0, 101.0, 103.0, 100.0, 99.0, 98.0, 98.0])
    # t=1: mean(100, 101) / 100 - 1 = +0.5%  -> up
    # t=2: mean(101, 103) / 100 - 1 = +2%    -> up
    # t=3: mean(103, 100) / 101 - 1 = +0.99% -> up
    # t=4: mean(100, 99) / 103 - 1 = -3.4%   -> down
    # t=5: mean(99, 98) / 100 - 1 = -1.5%    -> down
    # t=6: mean(98, 98) / 99 - 1 = -1.0%     -> down
    # t=7: no second future value -> dropped
    labels = updown_labels(values, np.arange(1, 8), horizon=2, threshold=0.0033)
    np.testing.assert_array_equal(labels, [2, 2, 2, 0, 0, 0])
    flat = updown_labels(np.array([100.0, 100.2, 99.9, 100.1]), np.array([1, 2]), 2, 0.0033)
    np.testing.assert_array_equal(flat, [1, 1])  # within +-0.33%
    wide = updown_labels(values, np.arange(1, 8), horizon=2, threshold=0.016)
    np.testing.assert_array_equal(wide, [1, 2, 1, 0, 1, 1])


def test_classification_prepare_keeps_labels_aligned_and_leak_free():
    series = generate_series(DataConfig(length=400))
    model = ModelConfig(task="classification", class_horizon=7)
    prepared = prepare(series, SplitConfig(test_size=100, lookback=20), model)
    assert len(prepared.labels_train) == len(prepared.train_index) == len(prepared.x_train)
    assert len(prepared.labels_test) == len(prepared.test_index) == len(prepared.x_test)
    assert prepared.train_index[-1] + 7 <= prepared.train_end  # labels never average test values
    assert prepared.test_index[-1] == 400 - 7
    expected = updown_labels(series.values, prepared.test_index, 7, 0.0033)
    np.testing.assert_array_equal(prepared.labels_test, expected)
    assert set(np.unique(prepared.labels_train)) <= {0, 1, 2}


# ----------------------------------------------------------------------------------------------
# Season length


def test_default_synthetic_season_is_about_a_year():
    prepared = prepare(generate_series(DataConfig()), SplitConfig())
    assert abs(prepared.season_length - 365) <= 5


@pytest.mark.parametrize(("period", "amplitude"), [(7.0, 5.0), (30.0, 10.0)])
def test_season_length_finds_the_dominant_period(period, amplitude):
    config = DataConfig(seasonal_periods=(period,), seasonal_amplitudes=(amplitude,))
    prepared = prepare(generate_series(config), SplitConfig())
    assert abs(prepared.season_length - period) <= 1


def test_no_season_in_random_walk_prices_falls_back_to_a_week(cdd_bitcoin):
    walk = np.cumsum(np.random.default_rng(1).normal(size=2000)) + 100.0
    assert dominant_period(walk) == 7
    assert dominant_period(cdd_bitcoin.values) == 7
    assert 2 <= dominant_period(np.arange(6.0)) <= 3


# ----------------------------------------------------------------------------------------------
# Errors


def test_window_longer_than_the_train_part():
    series = make_series(np.arange(465.0) + 1)
    with pytest.raises(ConfigError) as caught:
        prepare(series, SplitConfig(test_size=100, lookback=400))
    assert str(caught.value) == (
        "window (400) must be shorter than the training part (365 rows); "
        "lower the window or lengthen the series."
    )


def test_test_size_must_leave_a_train_part():
    with pytest.raises(ConfigError, match=r"test size \(465\) must be smaller"):
        prepare(make_series(np.arange(300.0)), SplitConfig())


def test_test_year_outside_the_data(cdd_bitcoin):
    with pytest.raises(ConfigError, match="no rows in 2030 .*covers 2023-10-01 to 2025-09-24"):
        prepare(cdd_bitcoin, SplitConfig(method="calendar_year", test_year=2030))
    with pytest.raises(ConfigError, match="nothing is left to train on"):
        prepare(cdd_bitcoin, SplitConfig(method="calendar_year", test_year=2023))


def test_missing_values_are_refused():
    values = np.arange(200.0)
    values[50] = np.nan
    with pytest.raises(ConfigError, match="1 missing or infinite"):
        prepare(make_series(values), SplitConfig(test_size=20))


def test_class_horizon_longer_than_the_test_part():
    model = ModelConfig(task="classification", class_horizon=30)
    with pytest.raises(ConfigError, match="no test windows"):
        prepare(make_series(np.arange(200.0) + 1), SplitConfig(test_size=20), model)


def test_long_sp500_style_windows_are_vectorised():
    values = np.cumsum(np.random.default_rng(2).normal(size=24_725)) + 1000.0
    split = SplitConfig(method="fraction", lookback=250, scaling_scope="full_series")
    prepared = prepare(make_series(values, start="1927-12-30"), split)
    assert prepared.x_train.shape == (prepared.train_end - 250, 250, 1)
    assert len(prepared.test_index) == round(24_725 * 0.2)
    np.testing.assert_allclose(
        prepared.x_test[-1, :, 0], prepared.scaled[-251:-1].astype(np.float32), rtol=0, atol=0
    )


def test_the_bitcoin_preset_tests_on_the_newest_year_of_what_was_loaded(cdd_bitcoin):
    from core.data.sources import SOURCE_REGISTRY, default_split_for

    data = SOURCE_REGISTRY["btc"].default_data()
    assert data.end_date is None  # nothing newer than the preset's end is left unused
    prepared = prepare(cdd_bitcoin, default_split_for(data))
    assert prepared.dates_test[-1] == cdd_bitcoin.dates[-1] == pd.Timestamp("2025-09-24")
    assert len(prepared.test_index) == 365
    assert prepared.dates_test[0] == pd.Timestamp("2024-09-25")
