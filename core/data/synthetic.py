"""Synthetic daily series (SPEC 1.1): level + trend + sine seasonality, or the chaotic
Mackey-Glass series, plus Gaussian or AR(1) noise, returned with the noise-free signal."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.config import DataConfig
from core.data.series import FIRST_DATE, LAST_DATE, Series
from core.errors import ConfigError


def make_signal(config: DataConfig) -> np.ndarray:
    """Noise-free part: level + slope t + curvature t^2 + sum of amplitude sin(2 pi t / period)."""
    steps = np.arange(config.length, dtype=np.float64)
    signal = config.level + config.trend_slope * steps + config.trend_curvature * steps**2
    for period, amplitude in zip(config.seasonal_periods, config.seasonal_amplitudes, strict=True):
        signal = signal + amplitude * np.sin(2.0 * np.pi * steps / period)
    return signal


# Mackey-Glass: dx/dt = BETA x(t - DELAY) / (1 + x(t - DELAY)^POWER) - GAMMA x(t), the standard
# chaotic setting (delay 17). Euler steps of 1 / SUBSTEPS time units, one sample per
# SAMPLE_EVERY time units: coarser sampling makes each step more nonlinear for a forecaster.
MACKEY_GLASS_BETA = 0.2
MACKEY_GLASS_GAMMA = 0.1
MACKEY_GLASS_POWER = 10
MACKEY_GLASS_DELAY = 17
MACKEY_GLASS_SUBSTEPS = 10
MACKEY_GLASS_SAMPLE_EVERY = 3  # sampled every time unit, a straight line already follows it
MACKEY_GLASS_BURN_IN = 500  # time units dropped so the series starts on the attractor


def mackey_glass_signal(length: int, seed: int) -> np.ndarray:
    """The noise-free chaotic series; the seed perturbs the starting history (x = 1.2 +- 0.1)."""
    rng = np.random.default_rng((seed, MACKEY_GLASS_DELAY))  # apart from the noise's stream
    delay = MACKEY_GLASS_DELAY * MACKEY_GLASS_SUBSTEPS
    per_sample = MACKEY_GLASS_SAMPLE_EVERY * MACKEY_GLASS_SUBSTEPS
    steps = (MACKEY_GLASS_BURN_IN * MACKEY_GLASS_SUBSTEPS) + length * per_sample
    history = np.empty(delay + steps + 1)
    history[: delay + 1] = 1.2 + 0.1 * rng.uniform(-1.0, 1.0, delay + 1)
    step = 1.0 / MACKEY_GLASS_SUBSTEPS
    values = history.tolist()  # Python floats: a plain loop is ~10x faster than numpy scalars
    for index in range(delay, delay + steps):
        lagged = values[index - delay]
        current = values[index]
        values[index + 1] = current + step * (
            MACKEY_GLASS_BETA * lagged / (1.0 + lagged**MACKEY_GLASS_POWER)
            - MACKEY_GLASS_GAMMA * current
        )
    path = np.asarray(values[delay + 1 + MACKEY_GLASS_BURN_IN * MACKEY_GLASS_SUBSTEPS :])
    return path[::per_sample][:length]


def make_noise(
    length: int, noise_level: float, kind: str, correlation: float, rng: np.random.Generator
) -> np.ndarray:
    """Zero-mean noise whose marginal standard deviation is noise_level.

    For AR(1) noise (e[t] = correlation * e[t-1] + innovation) the innovations are scaled by
    sqrt(1 - correlation**2) and the first value is drawn from the stationary distribution, so
    every step has the same spread as Gaussian noise of the same level.
    """
    draws = rng.standard_normal(length)
    if kind == "gaussian":
        return noise_level * draws
    if kind == "ar1":
        innovations = noise_level * np.sqrt(1.0 - correlation**2) * draws
        innovations[0] = noise_level * draws[0]
        noise = np.empty(length)
        previous = 0.0
        # A plain loop over Python floats: ~20 ms per 100k steps, cheaper than importing scipy.
        for step, innovation in enumerate(innovations.tolist()):
            previous = correlation * previous + innovation
            noise[step] = previous
        return noise
    raise ConfigError(f"noise kind '{kind}' is not one of gaussian, ar1; pick one of those.")


def _check_calendar(start: pd.Timestamp, length: int) -> None:
    """Refuse, before generating anything, a series whose days would leave pandas' calendar."""
    if not FIRST_DATE <= start <= LAST_DATE:
        raise ConfigError(
            f"start date {start:%Y-%m-%d} is outside {FIRST_DATE:%Y-%m-%d} to "
            f"{LAST_DATE:%Y-%m-%d}, the dates this app can handle; pick a start date in that range."
        )
    room = (LAST_DATE.date() - start.date()).days + 1  # dates: Timedelta stops at 292 years
    if length > room:
        raise ConfigError(
            f"a series of {length:,} days from {start:%Y-%m-%d} would end after "
            f"{LAST_DATE:%Y-%m-%d}, the last date this app can handle; lower the length to at "
            f"most {room:,} or pick an earlier start date."
        )


def generate_series(config: DataConfig) -> Series:
    """Generate the synthetic series a DataConfig describes; the same seed gives the same series."""
    try:
        start = pd.Timestamp(config.synthetic_start)
    except (ValueError, TypeError) as error:
        raise ConfigError(
            f"start date '{config.synthetic_start}' is not a date ({error}); "
            "use the YYYY-MM-DD form, e.g. 2018-01-01."
        ) from error
    if pd.isna(start):
        raise ConfigError("the synthetic series needs a start date; use e.g. 2018-01-01.")
    _check_calendar(start.normalize(), config.length)
    rng = np.random.default_rng(config.seed)
    if config.generator == "mackey_glass":
        signal = mackey_glass_signal(config.length, config.seed)
    else:
        signal = make_signal(config)
    noise = make_noise(
        config.length, config.noise_level, config.noise_kind, config.noise_correlation, rng
    )
    dates = pd.date_range(start=start.normalize(), periods=config.length, freq="D", name="date")
    return Series(
        dates=dates,
        values=signal + noise,
        name="Mackey-Glass (chaotic)" if config.generator == "mackey_glass" else "Synthetic",
        source="synthetic",
        provider="generator",
        signal=signal,
    )


__all__ = ["generate_series", "mackey_glass_signal", "make_noise", "make_signal"]
