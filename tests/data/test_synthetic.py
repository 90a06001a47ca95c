"""Synthetic generator: determinism per seed, the signal formula, noise spread and AR(1) memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.config import DataConfig
from core.data.sources import load_series
from core.data.synthetic import generate_series, make_noise
from core.errors import ConfigError


def test_same_seed_same_series_and_other_seed_differs():
    first = generate_series(DataConfig(seed=7))
    second = generate_series(DataConfig(seed=7))
    other = generate_series(DataConfig(seed=8))
    np.testing.assert_array_equal(first.values, second.values)
    assert first.fingerprint() == second.fingerprint()
    assert first.fingerprint() != other.fingerprint()
    np.testing.assert_array_equal(first.signal, other.signal)  # the seed only moves the noise


def test_length_start_date_and_provenance():
    series = generate_series(DataConfig(length=400, synthetic_start="2020-02-27"))
    assert len(series) == 400 and len(series.dates) == 400 and len(series.signal) == 400
    assert series.dates[0] == pd.Timestamp("2020-02-27")
    assert series.dates[-1] == pd.Timestamp("2020-02-27") + pd.Timedelta(days=399)
    assert (np.diff(series.dates) == pd.Timedelta(days=1)).all()  # daily, through the leap day
    assert series.source == "synthetic" and series.provider == "generator"
    assert series.values.dtype == np.float64


def test_default_series_is_seven_years_through_the_registry():
    series = load_series(DataConfig())
    assert len(series) == 7 * 365
    assert series.dates[0] == pd.Timestamp("2018-01-01")


def test_signal_without_noise_equals_the_formula():
    config = DataConfig(
        length=500,
        level=3.0,
        trend_slope=0.2,
        trend_curvature=0.001,
        seasonal_periods=(50.0, 7.0),
        seasonal_amplitudes=(4.0, 1.5),
        noise_level=0.0,
    )
    series = generate_series(config)
    steps = np.arange(500)
    expected = (
        3.0
        + 0.2 * steps
        + 0.001 * steps**2
        + 4.0 * np.sin(2 * np.pi * steps / 50.0)
        + 1.5 * np.sin(2 * np.pi * steps / 7.0)
    )
    np.testing.assert_allclose(series.signal, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(series.values, expected, rtol=0, atol=1e-9)


def test_values_are_signal_plus_gaussian_noise_of_the_set_level():
    series = generate_series(DataConfig(length=20_000, noise_level=2.5, seed=3))
    noise = series.values - series.signal
    assert noise.std() == pytest.approx(2.5, rel=0.03)
    assert abs(noise.mean()) < 0.1
    assert abs(np.corrcoef(noise[1:], noise[:-1])[0, 1]) < 0.03  # Gaussian noise has no memory


@pytest.mark.parametrize("correlation", [0.5, 0.9, -0.4])
def test_ar1_noise_has_the_set_lag_one_correlation_and_marginal_spread(correlation):
    series = generate_series(
        DataConfig(length=40_000, noise_kind="ar1", noise_correlation=correlation, noise_level=3.0)
    )
    noise = series.values - series.signal
    assert np.corrcoef(noise[1:], noise[:-1])[0, 1] == pytest.approx(correlation, abs=0.03)
    assert noise.std() == pytest.approx(3.0, rel=0.06)


def test_make_noise_is_zero_for_level_zero_and_rejects_unknown_kinds():
    rng = np.random.default_rng(0)
    assert not make_noise(100, 0.0, "ar1", 0.5, rng).any()
    with pytest.raises(ConfigError, match="noise kind"):
        make_noise(100, 1.0, "pink", 0.0, rng)


def test_bad_start_date_is_a_config_error():
    with pytest.raises(ConfigError, match="not a date"):
        generate_series(DataConfig(synthetic_start="yesterday-ish"))


MACKEY_GLASS = DataConfig(generator="mackey_glass", length=400, noise_level=0.01, seed=5)


def test_mackey_glass_returns_its_signal_and_is_deterministic_by_seed():
    series = generate_series(MACKEY_GLASS)
    assert series.signal is not None and len(series.signal) == 400
    assert 0.2 < series.signal.min() < series.signal.max() < 1.6  # the chaotic attractor's range
    assert np.std(series.values - series.signal) == pytest.approx(0.01, rel=0.2)
    again = generate_series(MACKEY_GLASS)
    np.testing.assert_array_equal(series.values, again.values)
    other = generate_series(MACKEY_GLASS.replace(seed=6))
    assert np.abs(other.signal - series.signal).max() > 0.1


def test_mackey_glass_is_nonlinear():
    """Squares and products of the recent values predict the noise-free next step far better
    than a straight line on the same values: what a linear AR cannot capture."""
    signal = generate_series(MACKEY_GLASS.replace(length=1200)).signal
    lags = 8
    windows = np.lib.stride_tricks.sliding_window_view(signal[:-1], lags)
    targets = signal[lags:]
    linear = np.hstack([windows, np.ones((len(windows), 1))])
    pairs = np.stack(
        [windows[:, i] * windows[:, j] for i in range(lags) for j in range(i, lags)], 1
    )
    quadratic = np.hstack([linear, pairs])

    def residual(design: np.ndarray) -> float:
        fit, *_ = np.linalg.lstsq(design, targets, rcond=None)
        return float(np.mean((design @ fit - targets) ** 2))

    assert residual(quadratic) < 0.5 * residual(linear)


def test_the_default_generator_keeps_its_run_key():
    """Keys of sine-generator runs (season auto) are hashed as before the generator and season
    settings existed."""
    import hashlib
    import json

    from core.config import SCHEMA_VERSION, RunRequest, run_key

    payload = RunRequest().to_dict()
    payload.pop("horizon")
    assert payload["data"].pop("generator") == "sine"
    assert payload["split"].pop("season") == 0
    text = json.dumps({"schema": SCHEMA_VERSION, "data": "fp", "request": payload}, sort_keys=True)
    assert run_key(RunRequest(), "fp") == hashlib.sha256(text.encode()).hexdigest()[:20]
    assert run_key(RunRequest(data=MACKEY_GLASS), "fp") != run_key(RunRequest(), "fp")


def test_unknown_generator_is_a_config_error():
    with pytest.raises(ConfigError, match="Kind of series"):
        DataConfig(generator="lorenz")


def test_nonlinear_demo_request_uses_the_chaotic_preset():
    from core.data.sources.synthetic import nonlinear_demo_request

    request = nonlinear_demo_request()
    assert request.data.generator == "mackey_glass"
    assert request.split.lookback == 30 and request.model.linear_skip is False
    assert generate_series(request.data.replace(length=200)).name.startswith("Mackey-Glass")
