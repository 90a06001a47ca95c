"""Suggest a look-back window from the data: cross-validated score of a ridge linear model over
candidate windows on the train part, cheap enough (well under a second) for the Data page."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.config import SplitConfig
from core.data.blas import one_blas_thread
from core.data.frequency import calendar_seasons
from core.data.prepare import dominant_period, split_point
from core.data.ridge import cross_validated_squares, fold_moments, relative_design
from core.data.series import Series
from core.errors import ConfigError
from core.limits import megabytes, memory_budget
from core.units import currency_of, typical_error

CANDIDATES = (7, 14, 30, 60, 90, 182, 365)
# A longer window must beat the best shorter one by this share to be worth its cost: it trains
# slower (long windows are read in blocks of whole weeks, core.models.registry.reading_block, so
# a year costs a network about what half a year does). On the default series a year scores 3.2%
# better than 182 steps.
LONGER_WINDOW_GAIN = 0.02
# Each candidate needs this many train windows per window step, so the fit is not starved (a
# year-long window needs four years of training data; fewer and it mostly fits noise). This also
# keeps the comparison cheap: its cost grows with the square of the longest window.
WINDOWS_PER_STEP = 4
DESIGN_COPIES = 3
# The comparison reads the latest this-many targets of the training part: a year-long window
# needs 1,464 of them (WINDOWS_PER_STEP), and 10,000 rows are scored in about a third of the
# time of all of them (see `python -m core bench --window`).
MAX_TARGETS = 4000


@dataclass(frozen=True)
class LookbackSuggestion:
    """A suggested look-back window, why, and the score of every candidate tried."""

    lookback: int
    reason: str
    scores: dict[int, float]  # candidate window -> cross-validated MSE, the series' units
    season: int  # dominant season of the train part, in steps


def _cross_validated_mse(train: np.ndarray, sizes: list[int]) -> dict[int, float]:
    """Blocked cross-validation MSE of a ridge linear model per window size, on the same targets,
    with the ridge strength (of RIDGE_SHARES) that scores best for that size.

    The targets are every train step with the longest window behind it; the design is each
    target's window relative to its last value (as the networks see it). One set of per-fold
    Gram matrices serves every size (a size's design is the last columns of the longest), so
    the whole comparison costs one matrix product: cheap enough for a page.
    """
    longest = max(sizes)
    train = train[-(MAX_TARGETS + longest) :]  # the latest steps: enough, and a page stays fast
    windows = np.lib.stride_tricks.sliding_window_view(train[:-1], longest)
    design, last = relative_design(windows)
    targets = train[longest:] - last
    moments = fold_moments(design, targets)
    scores = {}
    for size in sizes:
        columns = np.r_[longest - size : longest + 1]  # the last `size` steps and the intercept
        squared = cross_validated_squares(moments, columns, size)
        scores[size] = float(squared.min()) / len(targets)
    return scores


def _comparison_bytes(rows: int, longest: int) -> int:
    """What _cross_validated_mse holds for windows up to `longest`: the design matrix (float64,
    one row per target), its relative copy and the fold slices (measured: about 3 designs)."""
    return DESIGN_COPIES * rows * (longest + 2) * 8


def suggest_lookback(series: Series, split: SplitConfig) -> LookbackSuggestion:
    """Score candidate windows (7 days to a year, capped by the train length) with a linear
    model fitted on the train part only, and suggest the shortest one within LONGER_WINDOW_GAIN
    of the best score. The test part is never looked at."""
    series, train_end = split_point(series, split)
    train = np.asarray(series.values[:train_end], dtype=np.float64)
    if not np.all(np.isfinite(train)):
        raise ConfigError("the train part holds missing values; fill or remove them first.")
    season = dominant_period(train)
    near_season = any(abs(size - season) <= 0.05 * season for size in CANDIDATES)
    calendar = calendar_seasons(series.frequency)  # 24 and 168 hours, 48 and 336 half-hours
    candidates = sorted({*CANDIDATES, *calendar, *(() if near_season else (season,))})
    usable = [size for size in candidates if train_end - size >= WINDOWS_PER_STEP * (size + 1)]
    budget = memory_budget()
    affordable = [size for size in usable if _comparison_bytes(train_end, size) <= budget]
    if usable and not affordable:
        raise ConfigError(
            f"comparing windows on {train_end:,} training rows would need about "
            f"{megabytes(_comparison_bytes(train_end, usable[0]))} of memory, more than the "
            f"{megabytes(budget)} allowed; use a shorter series or date range."
        )
    usable = affordable
    if not usable:
        raise ConfigError(
            f"the train part ({train_end} rows) is too short to compare windows; lengthen the "
            "series or shrink the test part."
        )
    # One BLAS thread: these small matrices gain nothing from more, and on a busy machine
    # (training in the background) threads waiting for each other made it 2-5x slower.
    with one_blas_thread():
        scores = _cross_validated_mse(train, usable)
    best = min(scores, key=scores.get)
    chosen = next(
        size for size in usable if scores[size] <= scores[best] * (1 + LONGER_WINDOW_GAIN)
    )
    # Errors as typical sizes (RMSE) in the series' own units, "$828" on prices: the scores
    # are squared errors ("6.86e+05" squared dollars said nothing to a reader).
    currency = currency_of(series.source)
    if chosen == best:
        reason = (
            f"A straight-line model looking back {chosen} steps, smoothed as much as the training "
            "part supports, predicted the next value best on the training part (typical "
            f"cross-validated error {typical_error(scores[chosen], currency)})"
        )
    else:
        reason = (
            f"A straight-line model looking back {chosen} steps, smoothed as much as the training "
            "part supports, predicted the next value almost as well as the best window tried, "
            f"{best} steps (typical error {typical_error(scores[chosen], currency)} against "
            f"{typical_error(scores[best], currency)}), and a shorter window trains faster"
        )
    reason += f". Windows tried: {', '.join(str(size) for size in usable)}."
    if season in usable and season != chosen:
        reason += f" The strongest season repeats every {season} steps."
    return LookbackSuggestion(lookback=chosen, reason=reason, scores=scores, season=season)


def with_suggested_lookback(
    series: Series, split: SplitConfig
) -> tuple[SplitConfig, LookbackSuggestion | None]:
    """The split with the suggested look-back window (the default wherever the user has not
    fixed one), and the suggestion; the split unchanged and None where the data is too short
    to compare windows."""
    try:
        suggestion = suggest_lookback(series, split)
    except ConfigError:
        return split, None
    return split.replace(lookback=suggestion.lookback), suggestion


__all__ = ["CANDIDATES", "LookbackSuggestion", "suggest_lookback", "with_suggested_lookback"]
