"""Seasonal naive: the value one season earlier, the season picked on the validation part."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.models.forecasters.base import (
    Forecaster,
    best_on_validation,
    mse,
    season_candidates,
    validation_start,
    values_of,
)

if TYPE_CHECKING:
    from core.data.prepare import Prepared


def _one_step(values: np.ndarray, positions: np.ndarray, season: int) -> np.ndarray:
    return values[np.maximum(positions - season, 0)]


class SeasonalNaive(Forecaster):
    """Tries the calendar season(s) of the frequency and the detected one (1 = the previous
    value when none fits) and keeps the one with the lower error on the validation part."""

    name = "seasonal_naive"
    label = "Same day last season"
    explanation = "seasonal naive: the value one season (e.g. a week or a year) earlier"

    season: int = 1
    scores: dict | None = None

    def fit(self, prepared: Prepared) -> SeasonalNaive:
        values = values_of(prepared)
        start = validation_start(prepared.train_end)
        positions = np.arange(start, prepared.train_end)
        options = season_candidates(prepared, start)
        positions = positions[positions >= max(options)]
        if len(positions) == 0:
            self.season, self.scores = options[0], {}
            return self

        def score(season: object) -> float:
            return mse(_one_step(values, positions, int(season)), values[positions])

        season, self.scores = best_on_validation(options, score)
        self.season = int(season)
        return self

    def predict_one_step(self, prepared: Prepared) -> np.ndarray:
        return _one_step(values_of(prepared), np.asarray(prepared.test_index), self.season)

    def predict_recursive(self, prepared: Prepared, horizon: int) -> np.ndarray:
        values = values_of(prepared)
        last_season = values[-self.season :]
        return np.asarray([last_season[step % self.season] for step in range(int(horizon))])
