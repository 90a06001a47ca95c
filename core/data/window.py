"""Suggest a look-back window from the data: leave-one-out score of a least-squares linear model
over candidate windows on the train part, cheap enough (well under a second) for the Data page."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.config import SplitConfig
from core.data.prepare import dominant_period, split_point
from core.data.series import Series
from core.errors import ConfigError

CANDIDATES = (7, 14, 30, 60, 90, 182, 365)
# A longer window must beat the best shorter one by this share to be worth its cost: it trains
# slower and, on the default series, longer windows only win by noise-level margins.
LONGER_WINDOW_GAIN = 0.02
# Each candidate needs this many train windows per window step, so the fit is not starved.
WINDOWS_PER_STEP = 4
# Ridge strength relative to the mean diagonal of X'X: keeps long windows from being scored on
# an overfitted fit (an unregularised 365-step fit on ~2000 windows mostly fits noise).
RIDGE_SHARE = 1e-3


@dataclass(frozen=True)
class LookbackSuggestion:
    """A suggested look-back window, why, and the score of every candidate tried."""

    lookback: int
    reason: str
    scores: dict[int, float]  # candidate window -> leave-one-out MSE in the series' units
    season: int  # dominant season of the train part, in steps


def _leave_one_out_mse(train: np.ndarray, lookback: int) -> float:
    """Leave-one-out MSE of a ridge linear AR on the train windows (closed form via the hat
    matrix diagonal: each error as if its window had been left out of the fit)."""
    windows = np.lib.stride_tricks.sliding_window_view(train[:-1], lookback)
    targets = train[lookback:]
    design = np.hstack([windows - windows[:, -1:], np.ones((len(windows), 1))])
    changes = targets - windows[:, -1]  # relative to the last value, as the networks see it
    gram = design.T @ design
    ridge = RIDGE_SHARE * float(np.trace(gram)) / len(gram)
    gram[np.diag_indices_from(gram)] += ridge
    inverse = np.linalg.inv(gram)
    coefficients = inverse @ (design.T @ changes)
    residuals = changes - design @ coefficients
    leverage = np.sum((design @ inverse) * design, axis=1)
    return float(np.mean((residuals / np.clip(1.0 - leverage, 1e-6, None)) ** 2))


def suggest_lookback(series: Series, split: SplitConfig) -> LookbackSuggestion:
    """Score candidate windows (7 days to a year, capped by the train length) with a linear
    model fitted on the train part only, and suggest the shortest one within LONGER_WINDOW_GAIN
    of the best score. The test part is never looked at."""
    series, train_end = split_point(series, split)
    train = np.asarray(series.values[:train_end], dtype=np.float64)
    if not np.all(np.isfinite(train)):
        raise ConfigError("the train part holds missing values; fill or remove them first.")
    season = dominant_period(train)
    candidates = sorted({*CANDIDATES, season})
    usable = [size for size in candidates if train_end - size >= WINDOWS_PER_STEP * (size + 1)]
    if not usable:
        raise ConfigError(
            f"the train part ({train_end} rows) is too short to compare windows; lengthen the "
            "series or shrink the test part."
        )
    scores = {size: _leave_one_out_mse(train, size) for size in usable}
    best = min(scores, key=scores.get)
    chosen = next(
        size for size in usable if scores[size] <= scores[best] * (1 + LONGER_WINDOW_GAIN)
    )
    reason = (
        f"A straight-line model that looks back {chosen} steps predicted the next value best on "
        f"the training part (error {scores[chosen]:.3g}"
    )
    if chosen != best:
        reason += f"; {best} steps scored {scores[best]:.3g}, too little better to be worth it"
    reason += f"). Windows tried: {', '.join(str(size) for size in usable)}."
    if season in usable and season != chosen:
        reason += f" The strongest season repeats every {season} steps."
    return LookbackSuggestion(lookback=chosen, reason=reason, scores=scores, season=season)


__all__ = ["CANDIDATES", "LookbackSuggestion", "suggest_lookback"]
