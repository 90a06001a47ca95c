"""A series' frequency, from yearly down to minutes, in one place: detection (pandas' own
inference, with room for gaps), and what follows from it: the pandas offset of one step, the
words for a step, the calendar seasons, the first look-back window and the next dates."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

REGULAR_SHARE = 0.9  # a frequency holds when 90% of the steps fit it (gaps allowed)
MIN_INTRADAY_COVER = 0.5  # intraday data with more than half its steps missing is irregular
NANOSECONDS_PER_MINUTE = 60_000_000_000
MINUTES_PER_DAY = 24 * 60
_MONTHS_PER_STEP = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class Frequency:
    """What one frequency means: its label, the words for one step and for several, the
    calendar seasons in steps (longest cycle last; () = none), and a first look-back window."""

    name: str  # daily, business_days, weekly, monthly, quarterly, yearly, hourly, half_hourly,
    # minutely, 15_minutes, 2_hours ... or irregular
    label: str
    singular: str
    plural: str
    seasons: tuple[int, ...]
    lookback: int
    minutes: int = 0  # the step of an intraday frequency in minutes; 0 = calendar frequency


CALENDAR_FREQUENCIES = {
    item.name: item
    for item in (
        Frequency("daily", "daily", "day", "days", (7,), 30),
        Frequency("business_days", "business days", "trading day", "trading days", (5,), 20),
        Frequency("weekly", "weekly", "week", "weeks", (52,), 13),
        # 13: the same month a year ago and the month before it, so a straight line can follow
        # a seasonal trend (measured in `python -m core bench --real`).
        Frequency("monthly", "monthly", "month", "months", (12,), 13),
        Frequency("quarterly", "quarterly", "quarter", "quarters", (4,), 8),
        Frequency("yearly", "yearly", "year", "years", (), 5),
        Frequency("irregular", "irregular", "step", "steps", (), 10),
    )
}
_INTRADAY_NAME = re.compile(r"(\d+)_(minutes|hours)")


def intraday_name(minutes: int) -> str:
    """The name of an intraday step: 60 -> hourly, 30 -> half_hourly, 15 -> 15_minutes."""
    named = {1: "minutely", 30: "half_hourly", 60: "hourly"}
    if minutes in named:
        return named[minutes]
    if minutes % 60 == 0:
        return f"{minutes // 60}_hours"
    return f"{minutes}_minutes"


def _intraday(minutes: int) -> Frequency:
    per_day = MINUTES_PER_DAY // minutes
    if minutes == 60:
        label, singular, plural = "hourly", "hour", "hours"
    elif minutes == 30:
        label, singular, plural = "half-hourly", "half-hour", "half-hours"
    elif minutes == 1:
        label, singular, plural = "every minute", "minute", "minutes"
    elif minutes == 15:
        label, singular, plural = "every 15 minutes", "quarter-hour", "quarter-hours"
    elif minutes % 60 == 0:
        hours = minutes // 60
        label, singular = f"every {hours} hours", f"{hours}-hour step"
        plural = f"{singular}s"
    else:
        label, singular = f"every {minutes} minutes", f"{minutes}-minute step"
        plural = f"{singular}s"
    if minutes == 1:
        seasons: tuple[int, ...] = (60, MINUTES_PER_DAY)  # an hour and a day of minutes
    else:
        seasons = tuple(size for size in (per_day, 7 * per_day) if size > 1)
    return Frequency(intraday_name(minutes), label, singular, plural, seasons, 2 * per_day, minutes)


def frequency_info(name: str) -> Frequency:
    """The Frequency a name stands for (unknown names: irregular)."""
    if name in CALENDAR_FREQUENCIES:
        return CALENDAR_FREQUENCIES[name]
    named = {"minutely": 1, "half_hourly": 30, "hourly": 60}
    if name in named:
        return _intraday(named[name])
    match = _INTRADAY_NAME.fullmatch(name)
    if match:
        minutes = int(match.group(1)) * (60 if match.group(2) == "hours" else 1)
        if 0 < minutes < MINUTES_PER_DAY and MINUTES_PER_DAY % minutes == 0:
            return _intraday(minutes)
    return CALENDAR_FREQUENCIES["irregular"]


def calendar_seasons(frequency: str) -> tuple[int, ...]:
    """The calendar's cycles in steps, shortest first: 24 and 168 for hourly data, 48 and 336
    for half-hourly, 7 for daily, 52 for weekly, 12 for monthly, 4 for quarterly, none for
    yearly or irregular data. The season comes from the frequency, not from the values."""
    return frequency_info(frequency).seasons


def calendar_season(frequency: str) -> int:
    """The first calendar season in steps (24 for hourly, 12 for monthly), 1 when there is none."""
    seasons = calendar_seasons(frequency)
    return seasons[0] if seasons else 1


def default_lookback(frequency: str) -> int:
    """A first look-back window: a month of days, a quarter of weeks, two days of hours..."""
    return frequency_info(frequency).lookback


def unit(frequency: str, count: int = 2) -> str:
    """The word for `count` steps of a frequency: unit("weekly") == "weeks"."""
    info = frequency_info(frequency)
    return info.singular if count == 1 else info.plural


def frequency_label(frequency: str) -> str:
    return frequency_info(frequency).label


def describe_frequency(frequency: str) -> str:
    """'weekly (one value per week)' and the like, for captions."""
    if frequency == "irregular":
        return "irregular (no steady spacing)"
    return f"{frequency_label(frequency)} (one value per {unit(frequency, 1)})"


# ----------------------------------------------------------------------------------------------
# Detection


def _nanoseconds(index: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(index).as_unit("ns").asi8, dtype=np.int64)


def _days(index: pd.DatetimeIndex) -> np.ndarray:
    return _nanoseconds(index) // (MINUTES_PER_DAY * NANOSECONDS_PER_MINUTE)


def _month_numbers(index: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(index.year * 12 + index.month - 1, dtype=np.int64)


def _name_of_offset(offset: pd.DateOffset) -> str | None:
    """The frequency name of a pandas offset, or None for steps this app does not model."""
    if isinstance(offset, pd.offsets.Tick) and not isinstance(offset, pd.offsets.Day):
        minutes, rest = divmod(int(offset.nanos), NANOSECONDS_PER_MINUTE)
        if rest == 0 and 0 < minutes < MINUTES_PER_DAY and MINUTES_PER_DAY % minutes == 0:
            return intraday_name(minutes)
        return None
    kinds = (
        (pd.offsets.Day, {1: "daily"}),
        (pd.offsets.BusinessDay, {1: "business_days"}),
        (pd.offsets.Week, {1: "weekly"}),
        (pd.offsets.MonthBegin, {1: "monthly", 3: "quarterly", 12: "yearly"}),
        (pd.offsets.MonthEnd, {1: "monthly", 3: "quarterly", 12: "yearly"}),
        (pd.offsets.QuarterBegin, {1: "quarterly"}),
        (pd.offsets.QuarterEnd, {1: "quarterly"}),
        (pd.offsets.YearBegin, {1: "yearly"}),
        (pd.offsets.YearEnd, {1: "yearly"}),
    )
    for kind, names in kinds:
        if isinstance(offset, kind):
            return names.get(offset.n)
    return None


def _inferred(index: pd.DatetimeIndex) -> str | None:
    """pandas' own inference (a perfectly regular index only)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alias = pd.infer_freq(index)
    except (TypeError, ValueError):
        return None
    if alias is None:
        return None
    offset = alias if isinstance(alias, pd.DateOffset) else to_offset(alias)
    return _name_of_offset(offset)


def _intraday_with_gaps(index: pd.DatetimeIndex) -> str:
    """Steps under a day: a whole number of minutes dividing a day, that 90% of the steps (and
    of the times, counted from the first) are multiples of; missing steps are gaps, as long as
    at least half the steps are there (else it is a few readings a day: irregular)."""
    steps = np.diff(_nanoseconds(index))
    median = float(np.median(steps))
    minutes = int(round(median / NANOSECONDS_PER_MINUTE))
    size = minutes * NANOSECONDS_PER_MINUTE
    if minutes < 1 or MINUTES_PER_DAY % minutes or abs(median - size) > 1e9:
        return "irregular"
    on_grid = (_nanoseconds(index) - _nanoseconds(index)[0]) % size == 0
    covered = len(index) / ((_nanoseconds(index)[-1] - _nanoseconds(index)[0]) // size + 1)
    fits = np.mean(steps % size == 0) >= REGULAR_SHARE and np.mean(on_grid) >= REGULAR_SHARE
    if fits and covered >= MIN_INTRADAY_COVER:
        return intraday_name(minutes)
    return "irregular"


def detect_frequency(dates: pd.DatetimeIndex) -> str:
    """The frequency name of a set of dates (see Frequency.name), or irregular.

    pandas infers it where the dates are perfectly regular; otherwise a frequency holds when at
    least 90% of the steps are whole multiples of its step (so missing hours, days, weeks or
    months still count, and are filled like any gap). Daily dates without weekends are
    business days (trading days: holidays allowed).
    """
    index = pd.DatetimeIndex(dates).dropna().unique().sort_values()
    if len(index) < 3:
        return "irregular"
    inferred = _inferred(index)
    if inferred is not None:
        return inferred
    nanoseconds = _nanoseconds(index)
    day = MINUTES_PER_DAY * NANOSECONDS_PER_MINUTE
    if np.median(np.diff(nanoseconds)) < 0.75 * day:
        return _intraday_with_gaps(index)
    if len(np.unique(nanoseconds % day)) > 1:
        return "irregular"  # a day or more apart, at changing times of day
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


def describe_steps(dates: pd.DatetimeIndex) -> str:
    """'steps from 1 to 3 hours, median 1 hour' in the dates' own units (minutes, hours, days)."""
    steps = np.diff(_nanoseconds(pd.DatetimeIndex(dates))) / NANOSECONDS_PER_MINUTE
    if len(steps) == 0:
        return "no steps"
    median = float(np.median(steps))
    if median < 60:
        size, word = 1, "minute"
    elif median < MINUTES_PER_DAY:
        size, word = 60, "hour"
    else:
        size, word = MINUTES_PER_DAY, "day"
    low, high, middle = steps.min() / size, steps.max() / size, median / size
    return f"steps from {low:g} to {high:g} {word}s, median {middle:g} {word}" + (
        "" if middle == 1 else "s"
    )


def date_format(dates: pd.DatetimeIndex) -> str:
    """'%Y-%m-%d', or '%Y-%m-%d %H:%M' when any of the dates has a time of day (hourly data)."""
    index = pd.DatetimeIndex(dates)
    timed = len(index) > 0 and bool((index != index.normalize()).any())
    return "%Y-%m-%d %H:%M" if timed else "%Y-%m-%d"


def date_texts(dates: pd.DatetimeIndex, reference: pd.DatetimeIndex | None = None) -> list[str]:
    """The dates as text in one format for all of them (that of `reference` when given, e.g.
    the whole series for its first and last date), so hours never vanish from labels."""
    index = pd.DatetimeIndex(dates)
    return list(index.strftime(date_format(index if reference is None else reference)))


# ----------------------------------------------------------------------------------------------
# Steps on the calendar


def grid_positions(dates: pd.DatetimeIndex, frequency: str) -> np.ndarray | None:
    """Each date's step number from the first date on the frequency's regular grid (missing
    steps leave holes), or None where the grid is not defined (business days: holidays are not
    missing data; irregular)."""
    index = pd.DatetimeIndex(dates)
    minutes = frequency_info(frequency).minutes
    if minutes:
        elapsed = _nanoseconds(index) - _nanoseconds(index[:1])[0]
        return np.rint(elapsed / (minutes * NANOSECONDS_PER_MINUTE)).astype(np.int64)
    if frequency == "daily":
        return _days(index) - _days(index[:1])[0]
    if frequency == "weekly":
        return np.rint((_days(index) - _days(index[:1])[0]) / 7).astype(np.int64)
    if frequency in _MONTHS_PER_STEP:
        months = _month_numbers(index) - _month_numbers(index[:1])[0]
        return np.rint(months / _MONTHS_PER_STEP[frequency]).astype(np.int64)
    return None


def step_offset(frequency: str, dates: pd.DatetimeIndex) -> pd.DateOffset | None:
    """The pandas offset of one step (month ends stay month ends), or None if irregular."""
    index = pd.DatetimeIndex(dates)
    minutes = frequency_info(frequency).minutes
    if minutes:
        return pd.offsets.Minute(minutes)
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


__all__ = [
    "CALENDAR_FREQUENCIES",
    "Frequency",
    "calendar_season",
    "calendar_seasons",
    "date_format",
    "date_texts",
    "default_lookback",
    "describe_frequency",
    "describe_steps",
    "detect_frequency",
    "frequency_info",
    "frequency_label",
    "grid_positions",
    "next_dates",
    "step_offset",
    "unit",
]
