"""The forecaster registry: every statistical peer the pipeline scores beside the network, by
name. Adding one is a module in this folder (a Forecaster subclass) and one line below."""

from __future__ import annotations

from core.models.forecasters.base import Forecaster
from core.models.forecasters.ets import AutoETS
from core.models.forecasters.holt_winters import HoltWinters
from core.models.forecasters.linear_ar import LinearAR
from core.models.forecasters.naive import Naive
from core.models.forecasters.seasonal_naive import SeasonalNaive

FORECASTERS: dict[str, type[Forecaster]] = {
    forecaster.name: forecaster
    for forecaster in (Naive, SeasonalNaive, LinearAR, HoltWinters, AutoETS)
}

__all__ = ["FORECASTERS", "Forecaster"]
