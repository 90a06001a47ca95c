"""Train-window statistics that fix the networks' input features and target scale (numpy only).

The model standardises its own inputs and target with these constants, so a saved .keras file
predicts from raw scaled windows and the statistics never see the test part.
"""

from __future__ import annotations

import numpy as np

from core.config import ModelConfig


def _spread(values: np.ndarray) -> float:
    spread = float(np.std(values)) if values.size else 0.0
    return spread if np.isfinite(spread) and spread > 1e-12 else 1.0


def feature_mode(config: ModelConfig, windows: np.ndarray, offset: float) -> str:
    """ "return" (log returns) for classification on positive prices, since its labels are
    relative moves; "change" when predicting the change; "level" otherwise."""
    if config.task == "classification":
        positive = windows.size > 0 and float(np.min(windows)) + offset > 0
        return "return" if positive else "change"
    return "change" if config.predict_change else "level"


def feature_statistics(
    x_train: np.ndarray, y_train: np.ndarray, config: ModelConfig, offset: float = 0.0
) -> dict:
    """Constants for WindowFeatures and CombineForecast from the train windows.

    offset is the scaler's minimum over its span (scaled + offset is proportional to the price),
    used by the "return" mode. Returns mode, mean, relative_scale (inputs) and
    target_mean, target_scale (the regression target: the change, or the level).
    """
    windows = np.asarray(x_train, dtype=np.float64).reshape(len(x_train), -1)
    mode = feature_mode(config, windows, offset)
    values = np.log(windows + offset) if mode == "return" else windows
    mean = float(values.mean()) if values.size else 0.0
    if mode == "level":
        relative = values - mean
    else:
        relative = values[:, :-1] - values[:, -1:]  # the last column is always 0
    statistics = {
        "mode": mode,
        "mean": mean,
        "relative_scale": _spread(relative),
        "target_mean": 0.0,
        "target_scale": 1.0,
    }
    if config.task == "regression" and len(windows):
        targets = np.asarray(y_train, dtype=np.float64).reshape(-1)
        if config.predict_change:
            targets = targets - windows[:, -1]
        statistics["target_mean"] = float(targets.mean())
        statistics["target_scale"] = _spread(targets)
    return statistics


__all__ = ["feature_mode", "feature_statistics"]
