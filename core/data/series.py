"""The Series every source returns (dates, values, provenance, what cleaning did) and the
detection of its frequency, which names its units, its calendar season and its next dates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from core.data.frequency import (  # noqa: F401  (re-exported: the frequency lives there)
    CALENDAR_FREQUENCIES,
    REGULAR_SHARE,
    calendar_season,
    calendar_seasons,
    default_lookback,
    detect_frequency,
    frequency_info,
    frequency_label,
    grid_positions,
    next_dates,
    step_offset,
    unit,
)
from core.errors import DataSourceError

# Intraday frequencies (hourly, half_hourly, 15_minutes, minutely ...) are named on the fly;
# core.data.frequency.frequency_info knows each. These tables list the common names only.
FREQUENCIES = (
    "daily", "business_days", "weekly", "monthly", "quarterly", "yearly",
    "hourly", "half_hourly", "15_minutes", "minutely", "irregular",
)  # fmt: skip
FREQUENCY_LABELS = {name: frequency_label(name) for name in FREQUENCIES}
UNITS = {name: (unit(name, 1), unit(name)) for name in FREQUENCIES}
# The first calendar season in steps; 1 = no season (see calendar_seasons for all of them).
CALENDAR_SEASONS = {name: calendar_season(name) for name in FREQUENCIES}
DEFAULT_LOOKBACKS = {name: default_lookback(name) for name in FREQUENCIES}
# Run keys and charts count time in nanoseconds, which reach from 1677 to 2262 only.
FIRST_DATE = pd.Timestamp.min.ceil("D")
LAST_DATE = pd.Timestamp.max.floor("D")


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
        """daily, business_days, weekly, monthly, quarterly, yearly, hourly, half_hourly,
        15_minutes ... or irregular (see core.data.frequency)."""
        return detect_frequency(self.dates)

    @property
    def unit(self) -> str:
        """The plural word for its steps: hours, days, trading days, weeks, months, years..."""
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
