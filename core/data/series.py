"""The Series every source returns (dates, values, provenance, what cleaning did) and the
detection of its frequency, which names its units, its calendar season and its next dates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from core.errors import DataSourceError

FREQUENCIES = ("daily", "business_days", "weekly", "monthly", "quarterly", "yearly", "irregular")
FREQUENCY_LABELS = {
    "daily": "daily",
    "business_days": "business days",
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "yearly": "yearly",
    "irregular": "irregular",
}
UNITS = {  # one step of the series: (singular, plural)
    "daily": ("day", "days"),
    "business_days": ("trading day", "trading days"),
    "weekly": ("week", "weeks"),
    "monthly": ("month", "months"),
    "quarterly": ("quarter", "quarters"),
    "yearly": ("year", "years"),
    "irregular": ("step", "steps"),
}
# The calendar season in steps, used when the data shows no season of its own; 1 = no season.
CALENDAR_SEASONS = {
    "daily": 7,
    "business_days": 5,
    "weekly": 52,
    "monthly": 12,
    "quarterly": 4,
    "yearly": 1,
    "irregular": 1,
}
# A sensible first look-back window: a month of days, a quarter of weeks, a year of months...
DEFAULT_LOOKBACKS = {
    "daily": 30,
    "business_days": 20,
    "weekly": 13,
    "monthly": 12,
    "quarterly": 8,
    "yearly": 5,
    "irregular": 10,
}
# Run keys and charts count time in nanoseconds, which reach from 1677 to 2262 only.
FIRST_DATE = pd.Timestamp.min.ceil("D")
LAST_DATE = pd.Timestamp.max.floor("D")
REGULAR_SHARE = 0.9  # a frequency holds when 90% of the steps fit it (gaps allowed)
_MONTHS_PER_STEP = {"monthly": 1, "quarterly": 3, "yearly": 12}


def check_calendar(dates: pd.DatetimeIndex | pd.Series, what: str) -> None:
    """DataSourceError unless every date lies between FIRST_DATE and LAST_DATE."""
    if len(dates) == 0:
        return
    first, last = dates.min(), dates.max()
    if pd.isna(first) or (FIRST_DATE <= first and last <= LAST_DATE):
        return
    raise DataSourceError(
        f"{what}: its dates run from {first:%Y-%m-%d} to {last:%Y-%m-%d}, but this app handles "
        f"dates from {FIRST_DATE:%Y-%m-%d} to {LAST_DATE:%Y-%m-%d} only; keep the dates inside "
        "that range."
    )


def unit(frequency: str, count: int = 2) -> str:
    """The word for `count` steps of a frequency: unit("weekly") == "weeks"."""
    singular, plural = UNITS.get(frequency, UNITS["irregular"])
    return singular if count == 1 else plural


def _month_numbers(index: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(index.year * 12 + index.month - 1, dtype=np.int64)


def detect_frequency(dates: pd.DatetimeIndex) -> str:
    """daily, business_days, weekly, monthly, quarterly, yearly or irregular.

    Judged on the steps between sorted unique dates: a frequency holds when at least 90% of the
    steps are whole multiples of its unit (so missing weeks or months still count as weekly or
    monthly). Daily dates without weekends are business days (trading days: holidays allowed).
    """
    index = pd.DatetimeIndex(dates).dropna().unique().sort_values()
    if len(index) < 3:
        return "irregular"
    if (index != index.normalize()).any():
        return "irregular"  # intraday timestamps: not a calendar frequency this app knows
    days = np.diff(_days(index))
    median = float(np.median(days))
    if median <= 1.5:
        weekend = index.dayofweek >= 5
        if weekend.mean() < 0.01 and np.mean(days <= 4) >= REGULAR_SHARE:
            return "business_days"
        return "daily"  # gaps of several days are missing days, filled like any gap
    if 6 <= median <= 8:
        return "weekly" if np.mean(days % 7 == 0) >= REGULAR_SHARE else "irregular"
    months = np.diff(_month_numbers(index))
    for name, size, low, high in (
        ("monthly", 1, 27, 32),
        ("quarterly", 3, 85, 95),
        ("yearly", 12, 355, 375),
    ):
        if low <= median <= high:
            fits = (months > 0) & (months % size == 0) & (np.abs(days - months * 30.44) <= 4 * size)
            return name if np.mean(fits) >= REGULAR_SHARE else "irregular"
    return "irregular"


def _days(index: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(index.as_unit("ns").asi8 // 86_400_000_000_000, dtype=np.int64)


def grid_positions(dates: pd.DatetimeIndex, frequency: str) -> np.ndarray | None:
    """Each date's step number from the first date on the frequency's regular grid (missing
    steps leave holes), or None where the grid is not defined (business days: holidays are not
    missing data; irregular)."""
    index = pd.DatetimeIndex(dates)
    if frequency == "daily":
        return _days(index) - _days(index[:1])[0]
    if frequency == "weekly":
        return np.rint((_days(index) - _days(index[:1])[0]) / 7).astype(np.int64)
    if frequency in _MONTHS_PER_STEP:
        months = _month_numbers(index) - _month_numbers(index[:1])[0]
        return np.rint(months / _MONTHS_PER_STEP[frequency]).astype(np.int64)
    return None


def step_offset(frequency: str, dates: pd.DatetimeIndex) -> pd.DateOffset | None:
    """The calendar offset of one step (month ends stay month ends), or None if irregular."""
    index = pd.DatetimeIndex(dates)
    if frequency == "daily":
        return pd.offsets.Day(1)
    if frequency == "business_days":
        return pd.offsets.BDay(1)
    if frequency == "weekly":
        return pd.offsets.Week(1)
    if frequency in _MONTHS_PER_STEP:
        months = _MONTHS_PER_STEP[frequency]
        if len(index) and index.is_month_end.all():
            return pd.offsets.MonthEnd(months)
        if len(index) and index.is_month_start.all():
            return pd.offsets.MonthBegin(months)
        return pd.DateOffset(months=months)
    return None


def next_dates(
    dates: pd.DatetimeIndex, horizon: int, frequency: str | None = None
) -> pd.DatetimeIndex:
    """The `horizon` dates after the last one, in the series' own frequency (irregular series
    continue with their median step)."""
    index = pd.DatetimeIndex(dates)
    frequency = frequency or detect_frequency(index)
    last = index[-1]
    offset = step_offset(frequency, index)
    if offset is None:
        steps = pd.Series(index).diff().dropna()
        step = steps.median() if len(steps) else pd.Timedelta(days=1)
        result = pd.DatetimeIndex([last + step * (number + 1) for number in range(horizon)])
    else:
        result = pd.DatetimeIndex([last + offset * (number + 1) for number in range(horizon)])
    return pd.DatetimeIndex(result, name="date")


@dataclass(frozen=True)
class Cleaning:
    """What loading did to the file: missing values found and how they were handled, repeated
    dates and the rule applied. `notes` are the sentences shown to the user."""

    missing: int = 0  # empty cells plus dates absent from the regular grid
    filled: int = 0  # missing values filled in (interpolated or carried forward)
    dropped: int = 0  # rows left out (missing values with fill 'drop', edges that can't be filled)
    repeated_dates: int = 0  # dates that appeared more than once
    fill: str = "interpolate"
    duplicates: str = "last"
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, eq=False)
class Series:
    """A univariate series in original units, sorted by date (daily, weekly, monthly, ...)."""

    dates: pd.DatetimeIndex
    values: np.ndarray  # float64, same length as dates
    name: str  # e.g. "Synthetic", "BTC-USD close"
    source: str  # synthetic | btc | sp500 | csv
    provider: str | None = None  # yahoo | cdd | snapshot | generator | upload
    fetched_at: pd.Timestamp | None = None  # when the data was downloaded (UTC)
    notice: str | None = None  # announced fallback, e.g. "offline: data as of 2026-11-20"
    signal: np.ndarray | None = None  # noise-free signal (synthetic only)
    cleaning: Cleaning | None = None  # uploads: what was filled, dropped or merged

    def __post_init__(self) -> None:
        check_calendar(self.dates, self.name)

    def __len__(self) -> int:
        return len(self.values)

    @cached_property
    def frequency(self) -> str:
        """daily, business_days, weekly, monthly, quarterly, yearly or irregular."""
        return detect_frequency(self.dates)

    @property
    def unit(self) -> str:
        """The plural word for its steps: days, trading days, weeks, months, quarters, years."""
        return unit(self.frequency)

    def fingerprint(self) -> str:
        """Content hash of dates and values: the data part of every run key."""
        digest = hashlib.sha256()
        # asi8 counts in the index's own unit (pandas 3 mixes s/ms/us/ns), so fix the unit first
        nanoseconds = pd.DatetimeIndex(self.dates).as_unit("ns").asi8
        digest.update(np.asarray(nanoseconds, dtype=np.int64).tobytes())
        digest.update(np.asarray(self.values, dtype=np.float64).tobytes())
        return digest.hexdigest()[:16]

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({"value": self.values}, index=self.dates)
        if self.signal is not None:
            frame["signal"] = self.signal
        frame.index.name = "date"
        return frame
