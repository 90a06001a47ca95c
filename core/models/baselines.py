"""Baseline forecasters on the same test targets as the network: naive, seasonal naive,
least-squares linear AR on the same window, and Holt-Winters with parameters fitted on train.

Each baseline takes a Prepared and returns one-step-ahead test predictions in original units,
aligned with prepared.test_index. No TensorFlow here.
"""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from core.config import BASELINE_LABELS
from core.errors import ConfigError

if TYPE_CHECKING:
    from core.data.prepare import Prepared

FALLBACK_SEASON = 7
# Estimating every initial seasonal state is slow and overfits for long seasons (364 initial
# states on the default series: 1.22x the noise floor in ~2 s); the heuristic start takes 0.3 s.
ESTIMATED_START_MAX_SEASON = 52
# Holt-Winters fits remembered per process (series, train end, season): fitting takes 0.5-1 s
# on 2 cores and a run needs it twice (test forecasts, then the validation part of the
# intervals); a what-if that changes only the network needs it not at all.
FITTED_KEEP = 8
_fitted: OrderedDict[tuple, np.ndarray] = OrderedDict()
_fitted_lock = threading.Lock()


def naive_forecast(prepared: Prepared) -> np.ndarray:
    """Persistence: tomorrow = today."""
    values = np.asarray(prepared.series.values, dtype=float)
    return values[np.asarray(prepared.test_index) - 1]


def _season_for(prepared: Prepared) -> int:
    """prepared.season_length when the train part holds at least two seasons, else the calendar
    season of its frequency (7 days, 52 weeks, 12 months...) if that fits, else 1 (no season)."""
    season = int(getattr(prepared, "season_length", FALLBACK_SEASON) or FALLBACK_SEASON)
    if season < 2 or 2 * season > prepared.train_end:
        season = int(getattr(prepared, "calendar_season", FALLBACK_SEASON))
        if 2 * season > prepared.train_end:
            season = 1
    return season


def seasonal_naive_forecast(prepared: Prepared) -> np.ndarray:
    """The value one season ago (season = prepared.season_length; with no season, e.g. yearly
    data, the previous value)."""
    values = np.asarray(prepared.series.values, dtype=float)
    targets = np.asarray(prepared.test_index)
    season = _season_for(prepared)
    if targets.min() - season < 0:
        season = 1
    return values[np.maximum(targets - season, 0)]


def fit_linear_ar(prepared: Prepared) -> dict:
    """Least squares with intercept of the next scaled value on the scaled window (train windows).

    Returns {"coefficients": (lookback,), "intercept": float}; the networks' linear shortcut
    starts from (and keeps) this solution.
    """
    windows = np.asarray(prepared.x_train, dtype=float).reshape(len(prepared.x_train), -1)
    targets = np.asarray(prepared.y_train, dtype=float).reshape(-1)
    if len(windows) < 2:
        raise ConfigError(
            f"the linear AR baseline needs at least 2 training windows, got {len(windows)}; "
            "lengthen the series or shorten the look-back window."
        )
    design = np.hstack([windows, np.ones((len(windows), 1))])
    solution, *_ = np.linalg.lstsq(design, targets, rcond=None)
    return {"coefficients": solution[:-1], "intercept": float(solution[-1])}


def linear_ar_forecast(prepared: Prepared) -> np.ndarray:
    """Linear autoregression on the same look-back window, fitted on the train windows."""
    fit = fit_linear_ar(prepared)
    windows = np.asarray(prepared.x_test, dtype=float).reshape(len(prepared.x_test), -1)
    scaled = windows @ fit["coefficients"] + fit["intercept"]
    return np.asarray(prepared.scaler.inverse(scaled), dtype=float)


def _holt_winters_parameters(train: np.ndarray, season: int) -> dict:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if season < 2:  # no season (yearly data): Holt's linear trend, seasonal terms held at 0
        model = ExponentialSmoothing(train, trend="add", initialization_method="estimated")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            params = model.fit().params
        return {
            "alpha": float(params["smoothing_level"]),
            "beta": float(params["smoothing_trend"]),
            "gamma": 0.0,
            "level": float(params["initial_level"]),
            "trend": float(params["initial_trend"]),
            "seasons": np.zeros(1),
        }
    model = ExponentialSmoothing(
        train,
        trend="add",
        seasonal="add",
        seasonal_periods=season,
        initialization_method=(
            "estimated" if season <= ESTIMATED_START_MAX_SEASON else "heuristic"
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the fit is checked by the bench
        fitted = model.fit()
    params = fitted.params
    return {
        "alpha": float(params["smoothing_level"]),
        "beta": float(params["smoothing_trend"]),
        "gamma": float(params["smoothing_seasonal"]),
        "level": float(params["initial_level"]),
        "trend": float(params["initial_trend"]),
        "seasons": np.asarray(params["initial_seasons"], dtype=float),
    }


def holt_winters_one_step(values: np.ndarray, season: int, parameters: dict) -> np.ndarray:
    """One-step-ahead forecasts for every position of `values` with FIXED smoothing parameters
    (additive trend and season, statsmodels' recursions); forecast[t] uses values[:t] only."""
    alpha, beta, gamma = parameters["alpha"], parameters["beta"], parameters["gamma"]
    level, trend = parameters["level"], parameters["trend"]
    seasons = list(parameters["seasons"])  # seasons[t] = seasonal component used at step t
    forecasts = np.empty(len(values))
    for position, value in enumerate(np.asarray(values, dtype=float)):
        seasonal = seasons[position]
        forecasts[position] = level + trend + seasonal
        new_level = alpha * (value - seasonal) + (1 - alpha) * (level + trend)
        seasons.append(gamma * (value - level - trend) + (1 - gamma) * seasonal)
        trend = beta * (new_level - level) + (1 - beta) * trend
        level = new_level
    return forecasts


def holt_winters_all_steps(values: np.ndarray, train_end: int, season: int) -> np.ndarray:
    """One-step forecasts at every position of `values` by Holt-Winters with parameters fitted
    on values[:train_end]; the same series, split and season re-use the fit (read-only)."""
    values = np.ascontiguousarray(values, dtype=float)
    key = (hashlib.sha1(values.tobytes()).hexdigest(), int(train_end), int(season))
    with _fitted_lock:
        known = _fitted.get(key)
    if known is not None:
        return known
    parameters = _holt_winters_parameters(values[:train_end], season)
    forecasts = holt_winters_one_step(values, season, parameters)
    forecasts.setflags(write=False)
    with _fitted_lock:
        _fitted[key] = forecasts
        while len(_fitted) > FITTED_KEEP:
            _fitted.popitem(last=False)
    return forecasts


def holt_winters_forecast(prepared: Prepared) -> np.ndarray:
    """Holt-Winters (additive trend and season) fitted once on the train part, then run through
    the test part one step at a time with its fitted parameters held fixed."""
    forecasts = holt_winters_all_steps(
        prepared.series.values, prepared.train_end, _season_for(prepared)
    )
    return forecasts[np.asarray(prepared.test_index)]


BASELINES: dict[str, Callable[[Prepared], np.ndarray]] = {
    "naive": naive_forecast,
    "seasonal_naive": seasonal_naive_forecast,
    "linear_ar": linear_ar_forecast,
    "holt_winters": holt_winters_forecast,
}


__all__ = [
    "BASELINES",
    "BASELINE_LABELS",
    "fit_linear_ar",
    "holt_winters_all_steps",
    "holt_winters_one_step",
]
