"""Files as people have them: repeated dates merged by a stated rule, dates absent from a regular
series restored as gaps, and missing values filled (interpolate / carry forward) or dropped."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.data.frequency import (
    describe_frequency,
    describe_steps,
    detect_frequency,
    grid_positions,
    step_offset,
    unit,
)
from core.data.series import Cleaning

LONG_GAP_STEPS = 4  # a straight line across more missing steps than this is worth a warning
FILL_WORDS = {
    "interpolate": "filled by linear interpolation between their neighbours",
    "ffill": "filled by carrying the previous value forward",
    "drop": "left out (fill: drop)",
}
DUPLICATE_WORDS = {
    "last": "kept the last value given for each date",
    "mean": "used the mean of the values given for each date",
}


def _merge_repeated(
    dates: pd.DatetimeIndex, values: np.ndarray, rule: str
) -> tuple[pd.DatetimeIndex, np.ndarray, int]:
    """One row per date: the last non-empty value (file order) or the mean of them."""
    frame = pd.Series(values, index=dates)
    repeated = int(frame.index.duplicated(keep=False).sum() - frame.index.duplicated().sum())
    if not repeated:
        return dates, values, 0
    grouped = frame.groupby(level=0, sort=True)
    merged = grouped.last() if rule == "last" else grouped.mean()
    return pd.DatetimeIndex(merged.index), merged.to_numpy(dtype=np.float64), repeated


def _restore_absent_dates(
    dates: pd.DatetimeIndex, values: np.ndarray, frequency: str
) -> tuple[pd.DatetimeIndex, np.ndarray, int]:
    """Insert the steps a regular series skips (a missing week, month or year) as NaN rows."""
    positions = grid_positions(dates, frequency)
    if positions is None or len(positions) < 2 or np.any(np.diff(positions) <= 0):
        return dates, values, 0  # no grid, or two dates share a step: leave the dates alone
    absent = np.setdiff1d(np.arange(positions[-1] + 1), positions)
    if len(absent) == 0:
        return dates, values, 0
    offset = step_offset(frequency, dates)
    first = dates[0]
    if frequency == "weekly":
        new_dates = [first + pd.Timedelta(days=7 * int(step)) for step in absent]
    else:
        new_dates = [first + offset * int(step) for step in absent]
    frame = pd.concat(
        [pd.Series(values, index=dates), pd.Series(np.nan, index=pd.DatetimeIndex(new_dates))]
    ).sort_index(kind="stable")
    return pd.DatetimeIndex(frame.index), frame.to_numpy(dtype=np.float64), len(absent)


def _longest_run(mask: np.ndarray) -> int:
    longest = current = 0
    for flag in mask:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def clean_series(
    dates: pd.DatetimeIndex, values: np.ndarray, fill: str, duplicates: str
) -> tuple[pd.DatetimeIndex, np.ndarray, Cleaning]:
    """Sorted unique dates without missing values, and a Cleaning that says what was done.

    values may hold NaN for empty cells. Repeated dates are merged by `duplicates` (last |
    mean); a regular series (daily, weekly, monthly, quarterly, yearly) gets its absent steps
    back as missing values unless fill is 'drop'; missing values are then interpolated
    (straight line; the edges cannot be, so they are left out), carried forward, or dropped.
    """
    order = np.argsort(np.asarray(dates), kind="stable")
    dates = pd.DatetimeIndex(np.asarray(dates)[order])
    values = np.asarray(values, dtype=np.float64)[order]
    dates, values, repeated = _merge_repeated(dates, values, duplicates)
    frequency = detect_frequency(dates)
    blank = int(np.count_nonzero(np.isnan(values)))
    restored_dates, restored_values, absent = _restore_absent_dates(dates, values, frequency)
    if fill != "drop":
        dates, values = restored_dates, restored_values
    missing_mask = np.isnan(values)
    missing = int(missing_mask.sum())
    frame = pd.Series(values, index=dates)
    if fill == "interpolate":
        frame = frame.interpolate(method="linear", limit_area="inside")
    elif fill == "ffill":
        frame = frame.ffill()
    kept = frame.notna().to_numpy()
    filled = int(np.count_nonzero(missing_mask & kept))
    dropped = int(np.count_nonzero(~kept))
    frame = frame[kept]

    notes: list[str] = []
    if repeated:
        notes.append(
            f"{repeated} dates appeared more than once; {DUPLICATE_WORDS[duplicates]} "
            f"(duplicates rule: {duplicates})."
        )
    if missing:
        parts = []
        if blank:
            parts.append(f"{blank} empty or NA cells")
        if absent and fill != "drop":
            parts.append(f"{absent} {unit(frequency, absent)} absent from the dates")
        where = " and ".join(parts)
        if fill == "drop":
            notes.append(f"{missing} missing values ({where}) were {FILL_WORDS['drop']}.")
        else:
            count = f"{missing}" if filled == missing else f"{filled} of {missing}"
            notes.append(f"{count} missing values ({where}) were {FILL_WORDS[fill]}.")
            edge = missing - filled
            if edge:
                notes.append(
                    f"{edge} missing values at the start or end had no neighbour on both sides "
                    "and were left out."
                )
    if absent and fill == "drop":
        notes.append(
            f"Dates absent from the file stay absent with fill 'drop' ({absent} "
            f"{unit(frequency, absent)}), so some windows span a gap; pick 'interpolate' or "
            "'ffill' to fill them."
        )
    if missing and fill != "drop":
        longest = _longest_run(missing_mask)
        if fill == "interpolate" and longest > LONG_GAP_STEPS:
            notes.append(
                f"The longest gap is {longest} {unit(frequency, longest)}: a straight line across "
                "it hides what happened there. Pick fill 'drop', or a date range without it."
            )
    if frequency == "irregular" and len(frame) > 2:
        notes.append(
            f"The dates are irregular ({describe_steps(pd.DatetimeIndex(frame.index))}): windows "
            "count rows, not time, and future dates follow the median step. For calendar "
            "forecasts, save the data at a regular frequency (e.g. one value per hour, day, "
            "week or month) and upload that."
        )
    cleaning = Cleaning(
        missing=missing,
        filled=filled,
        dropped=dropped,
        repeated_dates=repeated,
        fill=fill,
        duplicates=duplicates,
        notes=tuple(notes),
    )
    return pd.DatetimeIndex(frame.index, name="date"), frame.to_numpy(np.float64), cleaning


__all__ = ["clean_series", "describe_frequency", "LONG_GAP_STEPS"]
