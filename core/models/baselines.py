"""The statistical peers as the pipeline, the intervals and the bench call them: one function
per registered forecaster (core/models/forecasters/) from a Prepared to its one-step test
forecasts in original units, aligned with prepared.test_index. No TensorFlow here."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

import numpy as np

from core.models.baseline_labels import BASELINE_LABELS, BASELINE_TERMS
from core.models.forecasters import FORECASTERS, Forecaster
from core.models.forecasters.linear_ar import fit_linear_ar
from core.models.forecasters.smoothing import Smoothing, one_step_all

if TYPE_CHECKING:
    from core.data.prepare import Prepared


def fitted(name: str, prepared: Prepared) -> Forecaster:
    """The registered forecaster `name`, fitted on prepared's train part."""
    return FORECASTERS[name]().fit(prepared)


def _one_step(name: str) -> Callable[[Prepared], np.ndarray]:
    def forecast(prepared: Prepared) -> np.ndarray:
        return fitted(name, prepared).predict_one_step(prepared)

    forecast.__name__ = f"{name}_forecast"
    forecast.__doc__ = FORECASTERS[name].explanation
    return forecast


class _OneStepForecasts(Mapping[str, Callable[..., np.ndarray]]):
    """name -> one-step test forecasts of every registered forecaster, always current."""

    def __getitem__(self, name: str) -> Callable[[Prepared], np.ndarray]:
        if name not in FORECASTERS:
            raise KeyError(name)
        return _one_step(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(FORECASTERS))

    def __len__(self) -> int:
        return len(FORECASTERS)


BASELINES: Mapping[str, Callable[[Prepared], np.ndarray]] = _OneStepForecasts()


def holt_winters_all_steps(values: np.ndarray, train_end: int, season: int) -> np.ndarray:
    """One-step forecasts at every position by additive Holt-Winters with a given season,
    parameters fitted on values[:train_end]."""
    spec = Smoothing(trend="add", seasonal="add" if season >= 2 else None, season=int(season))
    return one_step_all(np.asarray(values, dtype=float), int(train_end), spec)


def holt_winters_forecast(prepared: Prepared) -> np.ndarray:
    return BASELINES["holt_winters"](prepared)


__all__ = [
    "BASELINES",
    "BASELINE_LABELS",
    "BASELINE_TERMS",
    "fit_linear_ar",
    "fitted",
    "holt_winters_all_steps",
    "holt_winters_forecast",
]
