"""The one contract every forecaster keeps, statistical or neural: fit on the train part, then
predict one step ahead at the test positions and recursively past the last value, in the
series' own units; a plain label and a one-line explanation for the pages."""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, ClassVar, TypeVar

import numpy as np

from core.data.frequency import calendar_seasons
from core.errors import ConfigError

if TYPE_CHECKING:
    from core.data.prepare import Prepared

# A validation part of at least this share (and MIN_VALIDATION steps) of the train part picks
# the season and the smoothing variant.
VALIDATION_SHARE = 0.15
MIN_VALIDATION = 4
# Fits remembered per process: a run needs each twice (test forecasts, then the validation
# part of the intervals) and a what-if that changes only the network needs none again.
FITTED_KEEP = 32
_fitted: OrderedDict[Hashable, object] = OrderedDict()
_fitted_lock = threading.Lock()
Fit = TypeVar("Fit")


class Forecaster(ABC):
    """fit(prepared) learns from prepared.series.values[:prepared.train_end] only; then
    predict_one_step(prepared) gives one forecast per prepared.test_index (each from the values
    before it) and predict_recursive(prepared, horizon) the next `horizon` values after the
    series' end, both in original units."""

    name: ClassVar[str]
    label: ClassVar[str]  # plain words for everyone
    explanation: ClassVar[str]  # the exact term, one line, for tooltips

    @abstractmethod
    def fit(self, prepared: Prepared) -> Forecaster:
        """Learn from the train part; returns self."""

    @abstractmethod
    def predict_one_step(self, prepared: Prepared) -> np.ndarray:
        """One-step-ahead forecasts at prepared.test_index."""

    @abstractmethod
    def predict_recursive(self, prepared: Prepared, horizon: int) -> np.ndarray:
        """`horizon` forecasts past the last value, each step fed the previous forecasts."""


def values_of(prepared: Prepared) -> np.ndarray:
    return np.asarray(prepared.series.values, dtype=float)


def remembered(key: tuple, values: np.ndarray, compute: Callable[[], Fit]) -> Fit:
    """compute() once per (forecaster key, series content) and process (read-only results)."""
    digest = hashlib.sha1(np.ascontiguousarray(values, dtype=float).tobytes()).hexdigest()
    full_key = (digest, *key)
    with _fitted_lock:
        if full_key in _fitted:
            _fitted.move_to_end(full_key)
            return _fitted[full_key]  # type: ignore[return-value]
    result = compute()
    with _fitted_lock:
        _fitted[full_key] = result
        while len(_fitted) > FITTED_KEEP:
            _fitted.popitem(last=False)
    return result


def validation_start(train_end: int) -> int:
    """Where the validation part of the train part begins (its last VALIDATION_SHARE)."""
    size = max(MIN_VALIDATION, int(round(train_end * VALIDATION_SHARE)))
    return max(1, train_end - size)


def season_candidates(prepared: Prepared, fit_end: int) -> tuple[int, ...]:
    """The calendar season(s) of the frequency and the one the detector found, each kept when
    the part it is fitted on holds at least two of them; (1,) (no season) when none fits.
    A season set by hand (split.season) is the only candidate."""
    chosen = int(prepared.split.season)
    if chosen > 0:
        if 2 * chosen > fit_end:
            raise ConfigError(
                f"the season ({chosen} steps) must fit twice into the part the seasonal "
                f"baselines are fitted on ({fit_end} rows); lower the season or set it to 0 "
                "(auto)."
            )
        return (chosen,)
    calendar = calendar_seasons(prepared.series.frequency)
    found = (*calendar, prepared.season_length)
    seasons = sorted({int(s) for s in found if int(s) >= 2 and 2 * int(s) <= fit_end})
    return tuple(seasons) or (1,)


def mse(predicted: np.ndarray, actual: np.ndarray) -> float:
    error = np.asarray(predicted, dtype=float) - np.asarray(actual, dtype=float)
    value = float(np.mean(error**2)) if error.size else float("inf")
    return value if np.isfinite(value) else float("inf")


def best_on_validation(
    options: tuple, score: Callable[[object], float]
) -> tuple[object, dict[object, float]]:
    """The option with the lowest validation score (the first one on ties) and every score."""
    scores = {option: score(option) for option in options}
    return min(options, key=lambda option: scores[option]), scores


__all__ = [
    "Forecaster",
    "best_on_validation",
    "mse",
    "remembered",
    "season_candidates",
    "validation_start",
    "values_of",
]
