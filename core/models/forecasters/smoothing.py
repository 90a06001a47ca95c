"""Exponential smoothing shared by the Holt-Winters and ETS forecasters: parameters fitted on
one part of the series (statsmodels), then run through the whole series with those parameters
held fixed, so each one-step forecast uses only the values before it."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.models.forecasters.base import (
    Forecaster,
    best_on_validation,
    mse,
    remembered,
    season_candidates,
    validation_start,
    values_of,
)

if TYPE_CHECKING:
    from core.data.prepare import Prepared

# Estimating every initial seasonal state is slow and overfits for long seasons (364 initial
# states on a daily series); the heuristic start is quick.
ESTIMATED_START_MAX_SEASON = 52
# On a long series the model is fitted on, and run from, the newest FIT_TAIL values (whole
# seasons) of the part it is fitted on: the optimiser's cost grows with the length, and on a
# 20,000-day series it took most of the minute after the last epoch. Earlier positions get no
# forecast (NaN); every caller reads positions after the fitted part's start.
FIT_TAIL = 2000


@dataclass(frozen=True)
class Smoothing:
    """One exponential-smoothing variant: trend (None or "add", damped or not) and season
    (None, "add" or "mul") with its length."""

    trend: str | None = "add"
    damped: bool = False
    seasonal: str | None = "add"
    season: int = 1

    def describe(self) -> str:
        trend = "no trend" if self.trend is None else ("damped trend" if self.damped else "trend")
        if self.seasonal is None:
            return trend
        kind = "multiplicative" if self.seasonal == "mul" else "additive"
        return f"{trend}, {kind} season of {self.season}"


def _model(values: np.ndarray, spec: Smoothing, **start):
    # statsmodels takes seconds to import: only the processes that fit a smoothing baseline pay
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = spec.seasonal if spec.season >= 2 else None
    if not start:
        long = seasonal is not None and spec.season > ESTIMATED_START_MAX_SEASON
        start = {"initialization_method": "heuristic" if long else "estimated"}
    return ExponentialSmoothing(
        values,
        trend=spec.trend,
        damped_trend=spec.damped if spec.trend else False,
        seasonal=seasonal,
        seasonal_periods=spec.season if seasonal else None,
        **start,
    )


def _fit_parameters(train: np.ndarray, spec: Smoothing) -> dict:
    """Fitted parameters and initial states (remembered per process). No brute-force search
    for starting values: it took most of the time and rarely changed the fit."""

    def compute() -> dict:
        start = fit_start(len(train), spec)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the bench checks the fits
            params = dict(_model(train[start:], spec).fit(use_brute=False).params)
        return {**params, "start": start}

    return remembered(("parameters", spec), train, compute)


def fit_start(length: int, spec: Smoothing) -> int:
    """Where the fitted part starts: 0 for a short series, else FIT_TAIL values (rounded down to
    whole seasons) before its end."""
    if length <= FIT_TAIL:
        return 0
    season = spec.season if spec.seasonal is not None and spec.season >= 2 else 1
    return length - max(FIT_TAIL - FIT_TAIL % season, 2 * season)


def run_fixed(values: np.ndarray, spec: Smoothing, params: dict):
    """The model run through `values` with fitted parameters held fixed, from the position its
    parameters were fitted from (statsmodels results: fittedvalues are the one-step forecasts
    from there, forecast(h) goes on past the end)."""
    values = values[int(params.get("start", 0)) :]
    seasonal = spec.seasonal is not None and spec.season >= 2
    start = {
        "initialization_method": "known",
        "initial_level": params["initial_level"],
        "initial_trend": params["initial_trend"] if spec.trend else None,
        "initial_seasonal": np.asarray(params["initial_seasons"]) if seasonal else None,
    }
    smoothing = {"smoothing_level": params["smoothing_level"]}
    if spec.trend:
        smoothing["smoothing_trend"] = params["smoothing_trend"]
        if spec.damped:
            smoothing["damping_trend"] = params["damping_trend"]
    if seasonal:
        smoothing["smoothing_seasonal"] = params["smoothing_seasonal"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _model(values, spec, **start).fit(optimized=False, **smoothing)


def one_step_all(values: np.ndarray, fit_end: int, spec: Smoothing) -> np.ndarray:
    """One-step forecasts at every position of `values` from the fitted part's start on (NaN
    before it), parameters fitted on values[:fit_end] (remembered per process, read-only)."""

    def compute() -> np.ndarray:
        params = _fit_parameters(np.ascontiguousarray(values[:fit_end]), spec)
        forecasts = np.full(len(values), np.nan)
        forecasts[params["start"] :] = np.asarray(run_fixed(values, spec, params).fittedvalues)
        forecasts.setflags(write=False)
        return forecasts

    return remembered(("smoothing", int(fit_end), spec), values, compute)


class SmoothingForecaster(Forecaster):
    """Fits each candidate variant on the train part less its validation part, keeps the one
    with the lowest one-step error there, and refits it on the whole train part."""

    spec: Smoothing | None = None
    scores: dict | None = None

    def candidates(self, prepared: Prepared, fit_end: int) -> tuple[Smoothing, ...]:
        raise NotImplementedError

    def fit(self, prepared: Prepared) -> SmoothingForecaster:
        values = values_of(prepared)
        start = validation_start(prepared.train_end)
        options = self.candidates(prepared, start)
        if len(options) == 1:
            self.spec, self.scores = options[0], {}
            return self
        positions = np.arange(start, prepared.train_end)
        train_values = values[: prepared.train_end]

        def score(spec: object) -> float:
            try:
                forecasts = one_step_all(train_values, start, spec)  # type: ignore[arg-type]
            except (ValueError, np.linalg.LinAlgError):
                return float("inf")
            return mse(forecasts[positions], values[positions])

        spec, self.scores = best_on_validation(options, score)
        self.spec = spec  # type: ignore[assignment]
        return self

    def predict_one_step(self, prepared: Prepared) -> np.ndarray:
        assert self.spec is not None, "fit first"
        forecasts = one_step_all(values_of(prepared), prepared.train_end, self.spec)
        return np.asarray(forecasts[np.asarray(prepared.test_index)], dtype=float)

    def predict_recursive(self, prepared: Prepared, horizon: int) -> np.ndarray:
        assert self.spec is not None, "fit first"
        values = values_of(prepared)
        params = _fit_parameters(values[: prepared.train_end], self.spec)
        return np.asarray(run_fixed(values, self.spec, params).forecast(int(horizon)), float)


def seasons_that_fit(prepared: Prepared, fit_end: int) -> tuple[int, ...]:
    """Candidate seasons with enough data for the smoothing's initial states."""
    return season_candidates(prepared, fit_end)


__all__ = ["Smoothing", "SmoothingForecaster", "one_step_all", "run_fixed", "seasons_that_fit"]
