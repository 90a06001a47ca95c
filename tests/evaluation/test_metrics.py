"""Metrics against hand-computed values, plain numpy formulas and crafted confusion matrices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.evaluation.metrics import (
    classification_metrics,
    noise_floor_mse,
    regression_metrics,
    skill,
)


def test_regression_metrics_match_hand_computed_values():
    actual = [1.0, 2.0, 3.0, 4.0]
    predicted = [1.5, 2.0, 2.0, 5.0]  # errors -0.5, 0, 1, -1
    previous = [0.0, 1.0, 2.0, 3.0]
    result = regression_metrics(actual, predicted, previous)
    assert result["mse"] == pytest.approx(2.25 / 4)
    assert result["rmse"] == pytest.approx(math.sqrt(2.25 / 4))
    assert result["mae"] == pytest.approx(2.5 / 4)
    assert result["mape"] == pytest.approx((0.5 / 1 + 0 + 1 / 3 + 1 / 4) / 4 * 100)
    assert result["r2"] == pytest.approx(1 - 2.25 / 5.0)  # total sum of squares = 5
    # moves: actual all up; predicted up, up, flat (2 - 2 = 0), up -> 3 of 4 agree
    assert result["directional_accuracy"] == pytest.approx(0.75)
    assert set(result) == {"mse", "rmse", "mae", "mape", "r2", "directional_accuracy"}


def test_regression_metrics_agree_with_numpy_formulas_on_random_data():
    generator = np.random.default_rng(7)
    actual = generator.normal(50, 10, 300)
    predicted = actual + generator.normal(0.5, 3, 300)
    previous = np.concatenate([[actual[0]], actual[:-1]])
    result = regression_metrics(actual, predicted, previous)
    error = actual - predicted
    assert result["mse"] == pytest.approx(np.mean(error**2))
    assert result["mae"] == pytest.approx(np.mean(np.abs(error)))
    assert result["mape"] == pytest.approx(np.mean(np.abs(error / actual)) * 100)
    expected_r2 = 1 - np.sum(error**2) / np.sum((actual - actual.mean()) ** 2)
    assert result["r2"] == pytest.approx(expected_r2)
    agree = np.sign(actual - previous) == np.sign(predicted - previous)
    assert result["directional_accuracy"] == pytest.approx(agree.mean())


def test_directional_accuracy_of_copying_the_last_value_counts_only_flat_days():
    actual = np.array([10.0, 11.0, 11.0, 9.0, 12.0])
    previous = np.array([9.0, 10.0, 11.0, 11.0, 9.0])
    copy_last = previous.copy()  # predicts "no move" every day
    result = regression_metrics(actual, copy_last, previous)
    assert result["directional_accuracy"] == pytest.approx(1 / 5)  # only the flat day agrees
    perfect = regression_metrics(actual, actual, previous)
    assert perfect["directional_accuracy"] == 1.0
    assert perfect["mse"] == 0.0 and perfect["r2"] == 1.0


def test_mape_ignores_zero_actuals_and_is_nan_when_all_are_zero():
    result = regression_metrics([0.0, 2.0], [1.0, 1.0], [0.0, 0.0])
    assert result["mape"] == pytest.approx(50.0)
    all_zero = regression_metrics([0.0, 0.0], [1.0, 1.0], [0.0, 0.0])
    assert math.isnan(all_zero["mape"])
    assert math.isnan(all_zero["r2"])  # a constant series has no variance to explain
    assert all_zero["mse"] == 1.0


def test_directional_accuracy_is_nan_without_previous_values():
    assert math.isnan(regression_metrics([1.0, 2.0], [1.0, 2.0])["directional_accuracy"])


@pytest.mark.parametrize(
    ("actual", "predicted", "previous", "message"),
    [
        ([], [], None, "empty"),
        ([1.0, 2.0], [1.0], None, "same length"),
        ([1.0, 2.0], [1.0, 2.0], [1.0], "same length"),
        ([1.0, np.nan], [1.0, 2.0], None, "NaN"),
        (np.ones((2, 2)), np.ones((2, 2)), None, "one-dimensional"),
    ],
)
def test_regression_metrics_reject_bad_input_with_a_message(actual, predicted, previous, message):
    with pytest.raises(ValueError, match=message):
        regression_metrics(actual, predicted, previous)


def test_classification_metrics_on_a_crafted_confusion():
    # actual down x4, flat x2, up x4; the classifier says "up" far too often
    labels = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2]
    predicted = [0, 0, 2, 2, 1, 2, 2, 2, 2, 0]
    result = classification_metrics(labels, predicted)
    assert result["confusion"] == [[2, 0, 2], [0, 1, 1], [1, 0, 3]]
    assert result["accuracy"] == pytest.approx(6 / 10)
    down, flat, up = (result["per_class"][name] for name in ("down", "flat", "up"))
    assert down == {"accuracy": 0.5, "precision": 2 / 3, "recall": 0.5, "support": 4}
    assert flat == {"accuracy": 0.5, "precision": 1.0, "recall": 0.5, "support": 2}
    assert up["recall"] == pytest.approx(0.75) and up["accuracy"] == up["recall"]
    assert up["precision"] == pytest.approx(3 / 6)
    assert up["support"] == 4
    # down and up tie at 4; the tie goes to the first class
    assert result["majority_class"] == "down"
    assert result["majority_baseline_accuracy"] == pytest.approx(0.4)


def test_majority_baseline_and_undefined_per_class_scores():
    labels = [2, 2, 2, 1]
    predicted = [2, 2, 2, 2]  # a classifier stuck on one class
    result = classification_metrics(labels, predicted)
    assert result["majority_class"] == "up"
    assert result["majority_baseline_accuracy"] == pytest.approx(0.75)
    assert result["accuracy"] == pytest.approx(0.75)
    assert math.isnan(result["per_class"]["down"]["recall"])  # no down days at all
    assert math.isnan(result["per_class"]["flat"]["precision"])  # never predicted flat
    assert result["per_class"]["flat"]["recall"] == 0.0


def test_classification_metrics_accept_probabilities():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3]])
    result = classification_metrics([0, 2, 2], probabilities)
    assert result["confusion"] == [[1, 0, 0], [0, 0, 0], [0, 1, 1]]


def test_classification_metrics_reject_bad_input():
    with pytest.raises(ValueError, match="same length"):
        classification_metrics([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        classification_metrics([], [])
    with pytest.raises(ValueError, match="class numbers"):
        classification_metrics([0, 3], [0, 1])


def test_skill_relative_to_a_baseline():
    assert skill(0.5, 1.0) == pytest.approx(0.5)
    assert skill(1.0, 1.0) == pytest.approx(0.0)
    assert skill(2.0, 1.0) == pytest.approx(-1.0)
    assert math.isnan(skill(1.0, 0.0))
    assert math.isnan(skill(float("nan"), 1.0))


def test_noise_floor_is_the_mse_of_the_signal():
    signal = np.array([1.0, 2.0, 3.0])
    values = np.array([1.5, 1.0, 3.0])
    assert noise_floor_mse(signal, values) == pytest.approx((0.25 + 1.0) / 3)
    with pytest.raises(ValueError, match="same length"):
        noise_floor_mse(signal, values[:2])


def test_balanced_accuracy_on_a_hand_example():
    from core.evaluation.metrics import classification_metrics

    labels = [0, 0, 1, 2, 2, 2, 2, 2]
    predicted = [0, 2, 2, 2, 2, 2, 2, 0]
    result = classification_metrics(labels, predicted)
    # recalls: down 1/2, flat 0/1, up 4/5 -> mean 0.4333
    assert result["balanced_accuracy"] == pytest.approx((0.5 + 0.0 + 0.8) / 3)
    assert result["accuracy"] == pytest.approx(5 / 8)
    assert result["majority_balanced_accuracy"] == pytest.approx(1 / 3)
    assert result["never_predicted"] == ["flat"]
    always_up = classification_metrics(labels, [2] * 8)
    assert always_up["balanced_accuracy"] == pytest.approx(1 / 3)
    assert always_up["never_predicted"] == ["down", "flat"]
