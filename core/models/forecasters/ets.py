"""Automatic exponential smoothing: trend or not, additive or multiplicative season, the season
itself, all chosen on the validation part (statsmodels' Holt-Winters equations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.models.forecasters.smoothing import Smoothing, SmoothingForecaster, seasons_that_fit

if TYPE_CHECKING:
    from core.data.prepare import Prepared


# Longer seasons are tried additive only: each estimated fit of 52 initial states takes seconds.
MULTIPLICATIVE_MAX_SEASON = 24


class AutoETS(SmoothingForecaster):
    name = "ets"
    label = "Automatic smoothing"
    explanation = (
        "ETS: exponential smoothing whose trend (damped or none) and season (additive or "
        "multiplicative) are chosen on the validation part"
    )

    def candidates(self, prepared: Prepared, fit_end: int) -> tuple[Smoothing, ...]:
        positive = bool(np.all(np.asarray(prepared.series.values[:fit_end], dtype=float) > 0))
        options: list[Smoothing] = [
            Smoothing(trend="add", damped=True, seasonal=None),
            Smoothing(trend=None, seasonal=None),
        ]
        for season in seasons_that_fit(prepared, fit_end):
            if season < 2:
                continue
            options.append(Smoothing(trend="add", damped=True, seasonal="add", season=season))
            if positive and season <= MULTIPLICATIVE_MAX_SEASON:
                options.append(Smoothing(trend="add", damped=True, seasonal="mul", season=season))
        return tuple(options)
