"""Forecast quality numbers: regression and up/flat/down classification metrics, skill, noise floor.

Every function validates its input and raises ValueError on empty or mismatched arrays; a metric
that is undefined for the data (MAPE with all-zero actuals, R^2 of a constant series) is NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from core.scores import ClassificationScores, RegressionScores

CLASS_NAMES: tuple[str, str, str] = ("down", "flat", "up")

REGRESSION_METRIC_LABELS: dict[str, str] = {
    "mse": "MSE",
    "rmse": "RMSE",
    "mae": "MAE",
    "mape": "MAPE (%)",
    "r2": "R²",
    "directional_accuracy": "Directional accuracy",
}


def _as_vector(name: str, values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim == 2 and 1 in array.shape:
        array = array.reshape(-1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; received shape {array.shape}.")
    if array.size == 0:
        raise ValueError(f"{name} is empty; metrics need at least one value.")
    bad = int(np.count_nonzero(~np.isfinite(array)))
    if bad:
        raise ValueError(
            f"{name} holds {bad} NaN or infinite value(s) out of {array.size}; "
            "drop or fill them before computing metrics."
        )
    return array


def _check_same_length(**arrays: np.ndarray) -> None:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listing = ", ".join(f"{name} has {length}" for name, length in lengths.items())
        raise ValueError(f"inputs must have the same length: {listing}; align them first.")


def regression_metrics(
    actual: ArrayLike, predicted: ArrayLike, previous: ArrayLike | None = None
) -> dict[str, float]:
    """MSE, RMSE, MAE, MAPE (percent, zero actuals ignored), R^2 and directional accuracy.

    `previous` is the last known actual value before each target; directional accuracy is the
    share of targets where the predicted move (predicted - previous) has the same sign as the
    actual move (actual - previous). Without `previous` it is NaN.
    """
    actual_values = _as_vector("actual", actual)
    predicted_values = _as_vector("predicted", predicted)
    _check_same_length(actual=actual_values, predicted=predicted_values)

    error = actual_values - predicted_values
    mse = float(np.mean(error**2))
    nonzero = actual_values != 0
    if nonzero.any():
        mape = float(np.mean(np.abs(error[nonzero] / actual_values[nonzero])) * 100.0)
    else:
        mape = float("nan")
    total = float(np.sum((actual_values - actual_values.mean()) ** 2))
    r2 = 1.0 - float(np.sum(error**2)) / total if total > 0 else float("nan")

    if previous is None:
        directional = float("nan")
    else:
        previous_values = _as_vector("previous", previous)
        _check_same_length(actual=actual_values, previous=previous_values)
        actual_move = np.sign(actual_values - previous_values)
        predicted_move = np.sign(predicted_values - previous_values)
        directional = float(np.mean(actual_move == predicted_move))

    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(np.mean(np.abs(error))),
        "mape": mape,
        "r2": r2,
        "directional_accuracy": directional,
    }


def regression_scores(
    actual: ArrayLike, predicted: ArrayLike, previous: ArrayLike | None = None
) -> RegressionScores:
    """regression_metrics as a RegressionScores (core.scores), read by attribute."""
    return RegressionScores.from_dict(regression_metrics(actual, predicted, previous))


def _as_labels(name: str, values: ArrayLike) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == len(CLASS_NAMES):
        array = array.argmax(axis=1)  # class probabilities -> most likely class
    array = _as_vector(name, array)
    if not np.all(np.isin(array, (0, 1, 2))):
        found = sorted({float(value) for value in np.unique(array)} - {0.0, 1.0, 2.0})[:5]
        raise ValueError(
            f"{name} must hold class numbers 0 (down), 1 (flat) or 2 (up); found {found}."
        )
    return array.astype(int)


def classification_metrics(labels: ArrayLike, predicted: ArrayLike) -> dict[str, Any]:
    """Accuracy, balanced accuracy, per-class accuracy/precision/recall/support, the classes
    never predicted, confusion and majority baseline.

    Classes are 0 down, 1 flat, 2 up. `predicted` may be class numbers or (n, 3) probabilities.
    Per-class accuracy is the recall of that class (share of its days classified correctly);
    precision is NaN for a class never predicted, recall NaN for a class absent from `labels`.
    The majority baseline always predicts the most frequent class of `labels`; its balanced
    accuracy is 1 / (number of classes present).
    """
    actual_labels = _as_labels("labels", labels)
    predicted_labels = _as_labels("predicted", predicted)
    _check_same_length(labels=actual_labels, predicted=predicted_labels)

    count = len(CLASS_NAMES)
    confusion = np.zeros((count, count), dtype=int)
    np.add.at(confusion, (actual_labels, predicted_labels), 1)

    per_class: dict[str, dict[str, float | int]] = {}
    for position, name in enumerate(CLASS_NAMES):
        correct = int(confusion[position, position])
        support = int(confusion[position, :].sum())
        predicted_count = int(confusion[:, position].sum())
        recall = correct / support if support else float("nan")
        precision = correct / predicted_count if predicted_count else float("nan")
        per_class[name] = {
            "accuracy": recall,
            "precision": precision,
            "recall": recall,
            "support": support,
        }

    supports = confusion.sum(axis=1)
    majority = int(np.argmax(supports))  # ties go to the lower class number
    present = [values["recall"] for values in per_class.values() if values["support"] > 0]
    return {
        "accuracy": float(np.trace(confusion) / len(actual_labels)),
        # Mean recall over the classes present: always naming one class scores 1 / classes,
        # however common that class is, so a collapsed classifier cannot look good here.
        "balanced_accuracy": float(np.mean(present)),
        "majority_balanced_accuracy": 1.0 / len(present),
        "per_class": per_class,
        "never_predicted": [
            name for position, name in enumerate(CLASS_NAMES) if confusion[:, position].sum() == 0
        ],
        "confusion": confusion.tolist(),
        "majority_baseline_accuracy": float(supports[majority] / len(actual_labels)),
        "majority_class": CLASS_NAMES[majority],
    }


def classification_scores(labels: ArrayLike, predicted: ArrayLike) -> ClassificationScores:
    """classification_metrics as a ClassificationScores (core.scores), read by attribute."""
    return ClassificationScores.from_dict(classification_metrics(labels, predicted))


def skill(model_mse: float, baseline_mse: float) -> float:
    """Skill score 1 - model/baseline: 0 = as good as the baseline, 1 = perfect, < 0 = worse.

    NaN when the baseline error is zero or either error is not a finite number.
    """
    model_value, baseline_value = float(model_mse), float(baseline_mse)
    if not (np.isfinite(model_value) and np.isfinite(baseline_value)) or baseline_value <= 0:
        return float("nan")
    return 1.0 - model_value / baseline_value


def noise_floor_mse(signal: ArrayLike, values: ArrayLike) -> float:
    """MSE of the noise-free signal against the noisy values: the best any forecaster can reach."""
    signal_values = _as_vector("signal", signal)
    observed = _as_vector("values", values)
    _check_same_length(signal=signal_values, values=observed)
    return float(np.mean((observed - signal_values) ** 2))
