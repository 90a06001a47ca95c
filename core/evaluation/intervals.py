"""Prediction intervals by split-conformal calibration on the validation part (never the test
part), with their measured coverage on the test part, for the network and every baseline.

No TensorFlow here: a model is anything core.evaluation.forecast.predict_next accepts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.data.prepare import make_windows
from core.evaluation.forecast import predict_next
from core.models.baselines import BASELINES

if TYPE_CHECKING:
    from core.data.prepare import Prepared

LEVELS = (0.8, 0.95)
# Recursive residuals are measured for this many steps at most (the validation part must hold
# several origins per step); further ahead the width grows like sqrt(steps) from the last one.
MAX_CALIBRATED_STEPS = 90
# The recursive bands' test coverage is measured from at most this many test origins, evenly
# spread: each one is a whole path of calibrated steps, and a model call's cost grows with the
# number of windows it forecasts.
COVERAGE_ORIGINS = 150
# The recursive residuals are calibrated from at most this many validation origins, evenly
# spread: on the 24,700-day S&P 500 every one of ~2,000 origins took the 90 model calls 20 s
# (load ~5); 300 keep the 95% rank well inside the sample.
CALIBRATION_ORIGINS = 300
METHOD = (
    "split-conformal: half-width = the conformal quantile (rank ceil((n+1) level)) of the absolute "
    "validation residuals; for the recursive forecast, the same per step ahead from recursive "
    "forecasts started inside the validation part (kept non-decreasing), and beyond the "
    "calibrated steps the last width times sqrt(step / calibrated steps); for a series that "
    "stays positive (prices) residuals are taken relative to the last known value, so a band "
    "scales with the price level"
)


def level_key(level: float) -> str:
    """0.8 -> "80" (the JSON and page key of a level)."""
    return str(int(round(level * 100)))


def validation_positions(prepared: Prepared) -> np.ndarray:
    """Target positions of the validation part: the last validation_fraction of the train
    windows, counted exactly as the trainer holds them out."""
    train_index = np.asarray(prepared.train_index)
    count = int(round(len(train_index) * prepared.split.validation_fraction))
    count = min(count, len(train_index) - 1)
    if count <= 0:
        return train_index[-max(1, len(train_index) // 10) :]
    return train_index[-count:]


def conformal_half_width(absolute_residuals: np.ndarray, level: float) -> float:
    """Split-conformal half-width: the ceil((n + 1) * level)-th smallest absolute residual
    (finite-sample valid for exchangeable errors); infinite when n is too small for the level."""
    values = np.sort(np.asarray(absolute_residuals, dtype=float)[np.isfinite(absolute_residuals)])
    rank = math.ceil((len(values) + 1) * level)
    if len(values) == 0 or rank > len(values):
        return float("inf")
    return float(values[rank - 1])


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside [lower, upper] (NaN rows skipped)."""
    actual, lower, upper = (np.asarray(item, dtype=float) for item in (actual, lower, upper))
    usable = np.isfinite(actual) & np.isfinite(lower) & np.isfinite(upper)
    if not usable.any():
        return float("nan")
    inside = (actual[usable] >= lower[usable]) & (actual[usable] <= upper[usable])
    return float(inside.mean())


def recursive_paths(
    model: Any, scaled: np.ndarray, origins: np.ndarray, lookback: int, steps: int
) -> np.ndarray:
    """(len(origins), steps) scaled recursive forecasts, one path per origin t started from the
    real window scaled[t - lookback : t]; all paths advance together, one batch call per step."""

    windows = make_windows(scaled, lookback, np.asarray(origins))[..., 0].astype(np.float32)
    paths = np.empty((len(windows), steps))
    step_function = getattr(model, "predict_on_batch", None)
    for step in range(steps):
        if step_function is not None:
            output = np.asarray(step_function(windows[..., np.newaxis]), dtype=float).reshape(-1)
        else:
            output = predict_next(model, windows[..., np.newaxis])
        paths[:, step] = output
        windows = np.concatenate([windows[:, 1:], output.astype(np.float32)[:, None]], axis=1)
    return paths


def step_residuals(
    paths: np.ndarray, actual: np.ndarray, origins: np.ndarray, end: int
) -> np.ndarray:
    """Residual matrix (origins, steps): actual[t + h] - path[h] where t + h < end, else NaN."""
    rows, steps = paths.shape
    targets = np.asarray(origins)[:, None] + np.arange(steps)[None, :]
    inside = targets < end
    residuals = np.full((rows, steps), np.nan)
    residuals[inside] = np.asarray(actual, dtype=float)[targets[inside]] - paths[inside]
    return residuals


def step_half_widths(residuals: np.ndarray, level: float) -> list[float]:
    """Conformal half-width per step ahead (columns of a residual matrix), non-decreasing:
    a later step is never surer than an earlier one."""
    widths = [conformal_half_width(np.abs(column), level) for column in residuals.T]
    return [float(value) for value in np.maximum.accumulate(np.asarray(widths, dtype=float))]


def horizon_half_widths(calibrated: list[float], horizon: int) -> np.ndarray:
    """Half-widths for steps 1..horizon: the calibrated ones, then sqrt growth past them."""
    calibrated = np.asarray(calibrated, dtype=float)
    if horizon <= len(calibrated):
        return calibrated[:horizon]
    if len(calibrated) == 0:
        return np.full(horizon, np.nan)
    extra = np.arange(len(calibrated) + 1, horizon + 1)
    grown = calibrated[-1] * np.sqrt(extra / len(calibrated))
    return np.concatenate([calibrated, grown])


def _spread(count: int, most: int) -> np.ndarray:
    """At most `most` positions of range(count), evenly spread, first and last included."""
    return np.unique(np.linspace(0, count - 1, min(count, most)).round()).astype(int)


def positions_view(prepared: Prepared, positions: np.ndarray) -> Prepared:
    """The same Prepared with other target positions as its 'test' part (for baselines, which
    forecast prepared.test_index from prepared.x_test)."""

    return dataclasses.replace(
        prepared,
        test_index=np.asarray(positions),
        x_test=make_windows(prepared.scaled, prepared.lookback, positions),
        y_test=prepared.scaled[positions].astype(np.float32),
    )


def _one_step_entry(
    val_residuals, test_actual, test_predicted, test_reference, levels
) -> dict[str, dict]:
    """val_residuals are already divided by their reference (1 for absolute widths)."""
    entry = {}
    for level in levels:
        width = conformal_half_width(np.abs(val_residuals), level)
        spread = width * test_reference
        entry[level_key(level)] = {
            "half_width": width,
            "coverage": coverage(test_actual, test_predicted - spread, test_predicted + spread),
        }
    return entry


def build_intervals(
    model: Any,
    prepared: Prepared,
    model_val_scaled: np.ndarray,
    model_test_scaled: np.ndarray,
    baselines: Mapping[str, Callable[[Prepared], np.ndarray]] | None = None,
    levels: tuple[float, ...] = LEVELS,
    baseline_test_predictions: Mapping[str, np.ndarray] | None = None,
    baseline_validation_predictions: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Intervals and their test coverage for a regression run (original units).

    model_val_scaled / model_test_scaled are the network's one-step predictions at the
    validation and test positions; baseline_test_predictions, the baselines' test forecasts
    and validation forecasts where they are known already (original units: core.runs.peers
    keeps them per data key). Only validation residuals set a width;
    test values are used for nothing but the coverage.
    """
    scaler = prepared.scaler
    values = np.asarray(prepared.series.values, dtype=float)
    validation = validation_positions(prepared)
    test = np.asarray(prepared.test_index)
    # Prices' errors grow with their level (Bitcoin doubled between calibration and test):
    # relative residuals keep the band's promise; a series that crosses zero stays absolute.
    relative = bool(np.all(values[: prepared.train_end] > 0))
    reference = np.abs(values) if relative else np.ones_like(values)
    val_residuals = (values[validation] - scaler.inverse(model_val_scaled)) / reference[
        validation - 1
    ]
    test_predicted = scaler.inverse(model_test_scaled)
    one_step = _one_step_entry(
        val_residuals, values[test], test_predicted, reference[test - 1], levels
    )

    steps = int(min(MAX_CALIBRATED_STEPS, max(1, len(validation) // 2)))
    # Validation and test paths advance in one batch: a model call costs about the same for
    # 200 windows as for 700, so one set of calls instead of two (about a second per run).
    test_origins = test[_spread(len(test), COVERAGE_ORIGINS)]
    val_origins = validation[_spread(len(validation), CALIBRATION_ORIGINS)]
    paths = scaler.inverse(
        recursive_paths(
            model,
            prepared.scaled,
            np.concatenate([val_origins, test_origins]),
            prepared.lookback,
            steps,
        )
    )
    val_paths = paths[: len(val_origins)]
    calibration = step_residuals(val_paths, values, val_origins, prepared.train_end)
    calibration /= reference[val_origins - 1][:, None]
    test_steps = min(steps, len(test))
    test_paths = paths[len(val_origins) :, :test_steps]
    test_residuals = step_residuals(test_paths, values, test_origins, len(values))
    test_residuals /= reference[test_origins - 1][:, None]
    recursive: dict[str, Any] = {
        "calibrated_steps": steps,
        "calibration_origins": int(len(val_origins)),
        "coverage_origins": int(len(test_origins)),
        "half_widths": {},
        "coverage": {},
    }
    for level in levels:
        widths = step_half_widths(calibration, level)
        recursive["half_widths"][level_key(level)] = widths
        inside = np.abs(test_residuals) <= np.asarray(widths[:test_steps])[None, :]
        counted = np.isfinite(test_residuals)
        recursive["coverage"][level_key(level)] = float(inside[counted].mean())

    baseline_entries: dict[str, dict] = {}
    if baselines:
        val_view = positions_view(prepared, validation)
        for name, baseline in baselines.items():
            try:
                known_val = (baseline_validation_predictions or {}).get(name)
                val_predicted = np.asarray(
                    baseline(val_view) if known_val is None else known_val, dtype=float
                )
                known = (baseline_test_predictions or {}).get(name)
                test_baseline = np.asarray(
                    baseline(prepared) if known is None else known, dtype=float
                )
            except Exception as error:  # one failing rule must not lose the network's bands
                baseline_entries[name] = {"error": f"{type(error).__name__}: {error}"}
                continue
            baseline_entries[name] = _one_step_entry(
                (values[validation] - val_predicted) / reference[validation - 1],
                values[test],
                test_baseline,
                reference[test - 1],
                levels,
            )

    dates = prepared.series.dates
    return {
        "method": METHOD,
        "scale": "relative" if relative else "absolute",
        "calibration": {
            "part": "validation",
            "windows": int(len(validation)),
            "first_date": pd.Timestamp(dates[validation[0]]).strftime("%Y-%m-%d"),
            "last_date": pd.Timestamp(dates[validation[-1]]).strftime("%Y-%m-%d"),
        },
        "levels": [level_key(level) for level in levels],
        "coverage": {key: entry["coverage"] for key, entry in one_step.items()},
        "one_step": one_step,
        "recursive": recursive,
        "baselines": baseline_entries,
    }


def intervals_for_run(
    model: Any,
    prepared: Prepared,
    *,
    train_scaled: np.ndarray | None = None,
    test_scaled: np.ndarray | None = None,
    baseline_test_predictions: Mapping[str, np.ndarray] | None = None,
    baseline_validation_predictions: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """build_intervals with the network's own predictions and every registered baseline.
    Predictions the evaluation made already (the network's on the train and test windows, in
    scaled units; the baselines' on the test part) are re-used, not computed again."""

    validation = validation_positions(prepared)
    if train_scaled is None:
        val_scaled = predict_next(model, positions_view(prepared, validation).x_test)
    else:  # the validation part is the tail of the train windows
        val_scaled = np.asarray(train_scaled)[-len(validation) :]
    return build_intervals(
        model,
        prepared,
        val_scaled,
        predict_next(model, prepared.x_test) if test_scaled is None else test_scaled,
        BASELINES,
        baseline_test_predictions=baseline_test_predictions,
        baseline_validation_predictions=baseline_validation_predictions,
    )


def band_frame(
    predicted: pd.Series,
    intervals: Mapping[str, Any],
    level_name: str,
    *,
    recursive: bool,
    reference: np.ndarray | float = 1.0,
) -> pd.DataFrame:
    """lower/upper columns around a forecast: one width for one-step forecasts, widening per
    step for a recursive forecast (empty when the run holds no intervals). With relative
    intervals, `reference` is the last known value before each forecast (one-step) or before
    the recursive forecast's start."""
    if not intervals or len(predicted) == 0:
        return pd.DataFrame({"lower": [], "upper": []})
    if recursive:
        calibrated = intervals["recursive"]["half_widths"].get(level_name, [])
        widths = horizon_half_widths(calibrated, len(predicted))
    else:
        widths = np.full(len(predicted), intervals["one_step"][level_name]["half_width"])
    if intervals.get("scale") == "relative":
        widths = widths * np.abs(np.asarray(reference, dtype=float))
    center = np.asarray(predicted, dtype=float)
    return pd.DataFrame({"lower": center - widths, "upper": center + widths}, index=predicted.index)


def coverage_sentence(intervals: Mapping[str, Any], level_name: str, step_word: str = "day") -> str:
    """'The 80% band held the real value 78% of the time on the test days (nominal 80%).'"""
    if not intervals or level_name not in intervals.get("coverage", {}):
        return ""
    held = intervals["coverage"][level_name]
    sentence = (
        f"The {level_name}% band held the real value {held:.0%} of the time on the test "
        f"{step_word}s"
    )
    recursive = intervals.get("recursive", {}).get("coverage", {}).get(level_name)
    if recursive is not None:
        steps = intervals["recursive"]["calibrated_steps"]
        sentence += (
            f"; forecasting up to {steps} {step_word}s ahead on its own guesses, it held "
            f"{recursive:.0%}"
        )
    gap = held * 100 - float(level_name)
    verdict = (
        "about as promised"
        if abs(gap) <= 5
        else (
            "too wide: it is more cautious than needed"
            if gap > 0
            else "too narrow: it is overconfident"
        )
    )
    return sentence + f". Promised: {level_name}%, so the band is {verdict}."


__all__ = [
    "LEVELS",
    "band_frame",
    "build_intervals",
    "conformal_half_width",
    "coverage",
    "coverage_sentence",
    "horizon_half_widths",
    "intervals_for_run",
    "level_key",
    "validation_positions",
]
