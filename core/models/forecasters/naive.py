"""Persistence: tomorrow = today."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.models.forecasters.base import Forecaster, values_of

if TYPE_CHECKING:
    from core.data.prepare import Prepared


class Naive(Forecaster):
    name = "naive"
    label = "Naive (tomorrow = today)"
    explanation = "naive persistence: tomorrow's value = today's"

    def fit(self, prepared: Prepared) -> Naive:
        return self

    def predict_one_step(self, prepared: Prepared) -> np.ndarray:
        return values_of(prepared)[np.asarray(prepared.test_index) - 1]

    def predict_recursive(self, prepared: Prepared, horizon: int) -> np.ndarray:
        return np.full(int(horizon), values_of(prepared)[-1])
