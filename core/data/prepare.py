"""Preparation (SPEC 1.3): chronological split, min-max scaling with headroom fitted on the train
part, look-back windows and up/flat/down labels, bundled as one Prepared for training."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from core.config import ModelConfig, SplitConfig
from core.data.frequency import calendar_season
from core.data.recipe import log_scale_choice, season_of
from core.data.series import Series
from core.errors import ConfigError
from core.limits import check_memory

DOWN, FLAT, UP = 0, 1, 2
CLASS_NAMES = ("down", "flat", "up")
MIN_SEASON = 2
SEASON_PEAK_RATIO = 30.0  # a seasonal peak over its local background (white noise: rarely > 20)
SEASON_CANDIDATES = 10
MIN_CYCLES = 4  # a season must repeat at least this often in the train part


@dataclass(frozen=True)
class Scaler:
    """Min-max with headroom: scaled = (x - offset) / span, span = margin * (max - min); with
    log=True the same on log(x), so inverse() always gives back the series' own units."""

    offset: float
    span: float
    log: bool = False

    @classmethod
    def fit(cls, values: np.ndarray, margin: float, log: bool = False) -> Scaler:
        """Offset = minimum; span = margin * range (margin * |minimum|, else margin, if flat)."""
        values = np.asarray(values, dtype=np.float64)
        values = np.log(values) if log else values
        low, high = float(np.min(values)), float(np.max(values))
        span = margin * (high - low)
        if not np.isfinite(span) or span <= 0:
            span = margin * (abs(low) if low != 0 else 1.0)  # a constant part: no zero division
        return cls(offset=low, span=float(span), log=log)

    def transform(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=np.float64)
        return ((np.log(values) if self.log else values) - self.offset) / self.span

    def inverse(self, scaled: np.ndarray) -> np.ndarray:
        unscaled = np.asarray(scaled, dtype=np.float64) * self.span + self.offset
        # exp of a runaway value would overflow to inf: clipped to e^700, still finite
        return np.exp(np.minimum(unscaled, 700.0)) if self.log else unscaled

    def inverse_scale(self, scaled_error: np.ndarray) -> np.ndarray:
        """Differences (errors, residuals) back to original units: only the span applies
        (on the log scale, back to log units: a relative error)."""
        return np.asarray(scaled_error, dtype=np.float64) * self.span


def make_windows(values: np.ndarray, lookback: int, target_positions: np.ndarray) -> np.ndarray:
    """Windows values[t - lookback : t] for each target position t, as (n, lookback, 1) float32.

    A position may equal len(values): that window is the latest one, for forecasting.
    """
    values = np.asarray(values, dtype=np.float64)
    positions = np.asarray(target_positions, dtype=np.int64)
    if lookback < 1:
        raise ConfigError(f"look-back window ({lookback}) must be at least 1 step.")
    if len(positions) and (positions.min() < lookback or positions.max() > len(values)):
        raise ConfigError(
            f"target positions must lie in [{lookback}, {len(values)}] for a {lookback}-step "
            f"window over {len(values)} values; got {positions.min()}..{positions.max()}."
        )
    if len(values) < lookback:
        return np.empty((0, lookback, 1), dtype=np.float32)
    # Cast the values, not the windows: the gather then makes one float32 copy (a float64 one
    # first doubled the peak, README "Measured choices").
    windows = sliding_window_view(values.astype(np.float32), lookback)  # row i: values[i:i+lb]
    return windows[positions - lookback][..., np.newaxis]


def updown_labels(
    values: np.ndarray, target_positions: np.ndarray, horizon: int, threshold: float
) -> np.ndarray:
    """0 down / 1 flat / 2 up for each position t: mean(values[t : t + horizon]) / values[t - 1] - 1
    compared with -threshold and +threshold (SPEC 4).

    Positions without `horizon` future values (t + horizon > len(values)) or without a previous
    value (t < 1) are dropped, so callers filter positions the same way to stay aligned.
    """
    values = np.asarray(values, dtype=np.float64)
    positions = np.asarray(target_positions, dtype=np.int64)
    if horizon < 1:
        raise ConfigError(f"class horizon ({horizon}) must be at least 1 step.")
    positions = positions[(positions >= 1) & (positions + horizon <= len(values))]
    totals = np.concatenate([[0.0], np.cumsum(values)])
    future_mean = (totals[positions + horizon] - totals[positions]) / horizon
    with np.errstate(divide="ignore", invalid="ignore"):
        change = future_mean / values[positions - 1] - 1.0
    labels = np.full(len(positions), FLAT, dtype=np.int64)
    labels[change < -threshold] = DOWN
    labels[change > threshold] = UP
    return labels


def _truncate(series: Series, end: int) -> Series:
    if end == len(series):
        return series
    return Series(
        dates=series.dates[:end],
        values=series.values[:end],
        name=series.name,
        source=series.source,
        provider=series.provider,
        fetched_at=series.fetched_at,
        notice=series.notice,
        signal=None if series.signal is None else series.signal[:end],
        cleaning=series.cleaning,
    )


def split_point(series: Series, split: SplitConfig) -> tuple[Series, int]:
    """(series, train_end) for a split; calendar_year drops the rows after the test year."""
    count = len(series)
    if split.method == "last_n":
        if split.test_size >= count:
            raise ConfigError(
                f"test size ({split.test_size}) must be smaller than the series ({count} rows); "
                "lower the test size or lengthen the series."
            )
        return series, count - split.test_size
    if split.method == "fraction":
        test_count = max(1, int(round(count * split.test_fraction)))
        return series, count - test_count
    if split.method == "calendar_year":
        year = split.test_year
        dates = pd.DatetimeIndex(series.dates)
        train_end = int(dates.searchsorted(pd.Timestamp(year=year, month=1, day=1)))
        end = int(dates.searchsorted(pd.Timestamp(year=year + 1, month=1, day=1)))
        if end == train_end:
            raise ConfigError(
                f"the series has no rows in {year} (it covers {dates[0].date()} to "
                f"{dates[-1].date()}); pick a test year inside that range."
            )
        if train_end == 0:
            raise ConfigError(
                f"the series starts in {dates[0].year}, so nothing is left to train on before "
                f"{year}; pick a later test year or load earlier data."
            )
        return _truncate(series, end), train_end
    raise ConfigError(
        f"split method '{split.method}' is not one of last_n, fraction, calendar_year."
    )


def _local_background(power: np.ndarray, cycle: int) -> float:
    """Median periodogram power around a frequency bin, leaving out the peak and its leakage."""
    width = max(10, cycle // 2)
    neighbours = np.arange(max(2, cycle - width), min(len(power) - 1, cycle + width) + 1)
    neighbours = neighbours[np.abs(neighbours - cycle) > 2]
    return float(np.median(power[neighbours])) if len(neighbours) >= 4 else float("inf")


def _find_period(values: np.ndarray, fallback: int) -> int:
    """See dominant_period; the result may still lie outside the bounds."""
    values = np.asarray(values, dtype=np.float64)
    count = len(values)
    upper = count // 2
    if upper < 2 * MIN_SEASON:
        return fallback
    steps = np.linspace(-1.0, 1.0, count)
    residual = values - np.polyval(np.polyfit(steps, values, 2), steps)
    changes = np.diff(residual)
    length = len(changes)
    power = np.abs(np.fft.rfft(changes)) ** 2
    cycles = np.arange(len(power))
    with np.errstate(divide="ignore", invalid="ignore"):  # bin 0 is never used
        level_power = power / (4.0 * np.sin(np.pi * cycles / length) ** 2)  # undo the differencing
    usable = np.flatnonzero((cycles >= MIN_CYCLES) & (cycles <= length / MIN_SEASON))
    if len(usable) == 0 or not np.any(power[usable] > 0):
        return fallback
    strongest = usable[np.argsort(level_power[usable])[::-1][:SEASON_CANDIDATES]]
    seasonal = [k for k in strongest if power[k] > SEASON_PEAK_RATIO * _local_background(power, k)]
    if not seasonal:
        return fallback
    coarse = length / int(seasonal[0])
    padded = 1 << int(np.ceil(np.log2(2 * count)))  # zero padding: linear, not circular, ACF
    spectrum = np.fft.rfft(residual, n=padded)
    covariance = np.fft.irfft(np.abs(spectrum) ** 2, n=padded)[: upper + 1]
    covariance /= count - np.arange(upper + 1)  # unbiased: peaks sit at the true period
    low = max(MIN_SEASON, int(np.floor(coarse * 0.7)))
    high = max(low, min(upper, int(np.ceil(coarse * 1.3))))
    return int(low + np.argmax(covariance[low : high + 1]))


def dominant_period(values: np.ndarray, *, fallback: int = 7) -> int:
    """The strongest seasonal period of a series, in steps, bounded to [2, len(values) // 2].

    The series is detrended (quadratic fit) and differenced, which whitens random-walk prices.
    A frequency counts as seasonal only if it repeats at least MIN_CYCLES times and its
    periodogram peak stands well above the nearby background (a sharp peak, not the smooth
    spectrum of noise); among those, the one with the most power in the levels wins, and the
    (unbiased) autocorrelation refines its period to the best lag within +-30%.
    With no seasonal peak (noise, prices) `fallback` (a week) is returned.
    """
    upper = max(MIN_SEASON, len(values) // 2)
    return int(min(max(_find_period(values, fallback), MIN_SEASON), upper))


@dataclass(frozen=True, eq=False)
class Prepared:
    """A split, scaled and windowed series, ready for training and evaluation."""

    series: Series
    split: SplitConfig
    scaler: Scaler
    scaled: np.ndarray
    train_end: int
    lookback: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray
    labels_train: np.ndarray | None = None
    labels_test: np.ndarray | None = None

    @property
    def dates_train(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.series.dates[self.train_index])

    @property
    def dates_test(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.series.dates[self.test_index])

    @property
    def values_train(self) -> np.ndarray:
        return np.asarray(self.series.values, dtype=np.float64)[self.train_index]

    @property
    def values_test(self) -> np.ndarray:
        return np.asarray(self.series.values, dtype=np.float64)[self.test_index]

    @property
    def signal_test(self) -> np.ndarray | None:
        """The noise-free signal at the test targets (synthetic series only)."""
        if self.series.signal is None:
            return None
        return np.asarray(self.series.signal, dtype=np.float64)[self.test_index]

    @property
    def calendar_season(self) -> int:
        """The season the series' frequency suggests: 7 days, 5 trading days, 52 weeks,
        12 months, 4 quarters, 24 hours, 48 half-hours; 1 (no season) for yearly or irregular
        data (core.data.frequency.calendar_seasons lists every calendar cycle)."""
        return calendar_season(self.series.frequency)

    @cached_property
    def season_length(self) -> int:
        """Dominant period of the train part (see dominant_period); the calendar season when
        there is none (1 = no season, e.g. yearly data); the season set by hand when there is
        one (split.season)."""
        if self.split.season > 0:
            return int(self.split.season)
        train = self.series.values[: self.train_end]
        if self.calendar_season < MIN_SEASON:
            found = _find_period(train, 0)
            return dominant_period(train) if found else 1
        return dominant_period(train, fallback=self.calendar_season)


def prepare(series: Series, split: SplitConfig, model: ModelConfig | None = None) -> Prepared:
    """Split, scale and window a series; with a classification model also label up/flat/down.

    Train targets are the positions [lookback, train_end); test targets are [train_end, n), so
    the first test windows reach back into the train part (as a forecaster would at that time).
    Scaling is fitted on the train part only, unless split.scaling_scope is 'full_series'
    (study B), which leaks the test range into the scaling.
    """
    values = np.asarray(series.values, dtype=np.float64)
    missing = int(np.count_nonzero(~np.isfinite(values)))
    if missing:
        raise ConfigError(
            f"the series holds {missing} missing or infinite values; remove or fill them first."
        )
    series, train_end = split_point(series, split)
    values = np.asarray(series.values, dtype=np.float64)
    count = len(values)
    lookback = split.lookback
    if train_end <= 0:
        raise ConfigError(
            f"the split leaves no training part ({count} rows); lower the test size or fraction."
        )
    if train_end >= count:
        raise ConfigError(
            f"the split leaves an empty test part ({count} rows, all in train); raise the test "
            "size or fraction, or pick a test year inside the data."
        )
    if lookback >= train_end:
        raise ConfigError(
            f"window ({lookback}) must be shorter than the training part ({train_end} rows); "
            "lower the window or lengthen the series."
        )

    check_memory(count, lookback, model)  # before the windows are made: refused, not swapped
    fit_part = values if split.scaling_scope == "full_series" else values[:train_end]
    log = False
    season_of(series, train_end, split.season)  # a season set by hand must fit the train part
    if model is None or model.task == "regression":
        log = bool(log_scale_choice(series, split, train_end).value)
    scaler = Scaler.fit(fit_part, split.scaling_margin, log=log)
    scaled = scaler.transform(values)

    train_index = np.arange(lookback, train_end, dtype=np.int64)
    test_index = np.arange(train_end, count, dtype=np.int64)
    labels_train = labels_test = None
    if model is not None and model.task == "classification":
        horizon = model.class_horizon
        # A train label must not average values from the test part (that would leak it).
        train_index = train_index[train_index + horizon <= train_end]
        test_index = test_index[test_index + horizon <= count]
        if len(train_index) == 0:
            raise ConfigError(
                f"a class horizon of {horizon} days leaves no training windows "
                f"(train part {train_end} rows, window {lookback}); lower the horizon or window."
            )
        if len(test_index) == 0:
            raise ConfigError(
                f"a class horizon of {horizon} days leaves no test windows (test part "
                f"{count - train_end} rows); lower the horizon or enlarge the test part."
            )
        labels_train = updown_labels(values, train_index, horizon, model.class_threshold)
        labels_test = updown_labels(values, test_index, horizon, model.class_threshold)

    return Prepared(
        series=series,
        split=split,
        scaler=scaler,
        scaled=scaled,
        train_end=train_end,
        lookback=lookback,
        x_train=make_windows(scaled, lookback, train_index),
        y_train=scaled[train_index].astype(np.float32),
        x_test=make_windows(scaled, lookback, test_index),
        y_test=scaled[test_index].astype(np.float32),
        train_index=train_index,
        test_index=test_index,
        labels_train=labels_train,
        labels_test=labels_test,
    )


__all__ = [
    "CLASS_NAMES",
    "Prepared",
    "Scaler",
    "dominant_period",
    "make_windows",
    "prepare",
    "split_point",
    "updown_labels",
]
