"""Holt-Winters: additive trend and season, the season picked on the validation part."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.models.forecasters.smoothing import Smoothing, SmoothingForecaster, seasons_that_fit

if TYPE_CHECKING:
    from core.data.prepare import Prepared


class HoltWinters(SmoothingForecaster):
    """Tries the calendar season(s) and the detected one; with none that fits (yearly data),
    Holt's linear trend."""

    name = "holt_winters"
    label = "Trend + season smoothing"
    explanation = "Holt-Winters: exponential smoothing of level, trend and season"

    def candidates(self, prepared: Prepared, fit_end: int) -> tuple[Smoothing, ...]:
        return tuple(
            Smoothing(trend="add", seasonal="add" if season >= 2 else None, season=season)
            for season in seasons_that_fit(prepared, fit_end)
        )
