"""Train-window statistics that fix the networks' input features and target scale (numpy only).

The model standardises its own inputs and target with these constants, so a saved .keras file
predicts from raw scaled windows and the statistics never see the test part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.config import ModelConfig


@dataclass(frozen=True)
class NetworkConstants:
    """Train-part constants a network is built with (never from the test part): how its
    WindowFeatures layer reads a window, how CombineForecast rescales the forecast, and the
    least-squares AR its linear shortcut starts from."""

    mode: str  # "level", "change" or "return" (feature_mode)
    mean: float = 0.0
    relative_scale: float = 1.0
    offset: float = 0.0  # the scaler's minimum over its span ("return" mode)
    target_mean: float = 0.0
    target_scale: float = 1.0
    coefficients: np.ndarray | None = None  # the shortcut's AR, oldest lag first
    intercept: float = 0.0

    @classmethod
    def neutral(cls, config: ModelConfig) -> NetworkConstants:
        """Identity-like constants, for a network built without train statistics."""
        changes = config.predict_change or config.task == "classification"
        return cls(mode="change" if changes else "level")


def _spread(values: np.ndarray) -> float:
    spread = float(np.std(values)) if values.size else 0.0
    return spread if np.isfinite(spread) and spread > 1e-12 else 1.0


BLOCK_ROWS = 4096  # windows read at a time: float64 temporaries stay a few MB, not 3x the windows


def _blocks(x_train: np.ndarray, offset: float, log: bool):
    for start in range(0, len(x_train), BLOCK_ROWS):
        block = np.asarray(x_train[start : start + BLOCK_ROWS], dtype=np.float64)
        block = block.reshape(len(block), -1)
        yield np.log(block + offset) if log else block


def _spread_of(blocks, count: int, relative) -> float:
    """The standard deviation of relative(block) over every block, in two passes of blocks."""
    if count == 0:
        return 1.0
    total = sum(float(relative(block).sum()) for block in blocks())
    mean = total / count
    squares = sum(float(np.square(relative(block) - mean).sum()) for block in blocks())
    spread = float(np.sqrt(squares / count))
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
    Read in blocks of windows, so long windows cost no float64 copies of them all.
    """
    x_train = np.asarray(x_train)
    windows = x_train.reshape(len(x_train), -1)  # a view: the float32 windows themselves
    mode = feature_mode(config, windows, offset)
    log = mode == "return"

    def blocks():
        return _blocks(x_train, offset, log)

    size = windows.size
    mean = sum(float(block.sum()) for block in blocks()) / size if size else 0.0
    if mode == "level":
        relative_scale = _spread_of(blocks, size, lambda block: block - mean)
    else:  # the last column is always 0
        count = len(windows) * (windows.shape[1] - 1)
        relative_scale = _spread_of(blocks, count, lambda block: block[:, :-1] - block[:, -1:])
    statistics = {
        "mode": mode,
        "mean": mean,
        "relative_scale": relative_scale,
        "target_mean": 0.0,
        "target_scale": 1.0,
    }
    if config.task == "regression" and len(windows):
        targets = np.asarray(y_train, dtype=np.float64).reshape(-1)
        if config.predict_change:
            targets = targets - np.asarray(windows[:, -1], dtype=np.float64)
        statistics["target_mean"] = float(targets.mean())
        statistics["target_scale"] = _spread(targets)
    return statistics


__all__ = ["NetworkConstants", "feature_mode", "feature_statistics"]
