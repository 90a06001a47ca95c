"""Trainer behaviour on a tiny series: progress, cancel, early stop, divergence, seeds, time cap."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, SplitConfig, TrainConfig
from core.data.prepare import prepare
from core.data.synthetic import generate_series
from core.errors import TrainingCancelled, TrainingError
from core.training.trainer import EpochUpdate, train_model

TINY_DATA = DataConfig(length=300, seasonal_periods=(30.0,), seasonal_amplitudes=(5.0,), seed=1)
TINY_MODEL = ModelConfig(family="dense", units=4, linear_skip=False)  # fastest to trace
FAST = TrainConfig(epochs=3, batch_size=32, patience=0)


@pytest.fixture(scope="module")
def tiny():
    return prepare(generate_series(TINY_DATA), SplitConfig(test_size=50, lookback=10))


def test_progress_is_reported_once_per_epoch(tiny):
    updates: list[EpochUpdate] = []
    trained = train_model(tiny, TINY_MODEL, FAST, progress=updates.append)
    assert [update.epoch for update in updates] == [1, 2, 3]
    assert all(update.max_epochs == 3 and update.val_loss is not None for update in updates)
    assert trained.epochs_run == 3 and trained.stop_reason == "completed"
    assert len(trained.history["loss"]) == len(trained.history["val_loss"]) == 3
    assert "mae" in trained.history
    assert 1 <= trained.best_epoch <= 3
    best = int(np.argmin(trained.history["val_loss"])) + 1
    assert trained.best_epoch == best
    assert trained.model.predict(tiny.x_test, verbose=0).shape == (len(tiny.x_test), 1)


def test_events_say_when_fitting_starts_and_each_batch_ends(tiny):
    events: list[str] = []
    train_model(tiny, TINY_MODEL, FAST, events=events.append)
    windows = len(tiny.x_train) - int(round(len(tiny.x_train) * tiny.split.validation_fraction))
    batches_per_epoch = -(-windows // FAST.batch_size)  # at most; a short last batch may be cut
    assert events[0] == "fit" and events.count("fit") == 1
    batches = events.count("batch")
    assert FAST.epochs * (batches_per_epoch - 1) <= batches <= FAST.epochs * batches_per_epoch


def test_best_epoch_weights_are_restored(tiny):
    trained = train_model(tiny, TINY_MODEL, FAST.replace(epochs=4, learning_rate=0.05))
    split = int(round(len(tiny.x_train) * tiny.split.validation_fraction))
    x_val, y_val = tiny.x_train[-split:], tiny.y_train[-split:]
    val_loss = float(np.mean((trained.model.predict(x_val, verbose=0).reshape(-1) - y_val) ** 2))
    assert val_loss == pytest.approx(min(trained.history["val_loss"]), rel=1e-3)


def test_cancel_raises_promptly(tiny):
    """The training stops at the first batch end after the user asked (counted in batches)."""
    batches: list[str] = []

    def should_stop() -> bool:
        return len(batches) >= 3  # asked after the third batch of the first epoch

    updates: list[EpochUpdate] = []
    with pytest.raises(TrainingCancelled):
        train_model(
            tiny, TINY_MODEL, FAST.replace(epochs=500, batch_size=8), progress=updates.append,
            should_stop=should_stop, events=lambda name: name == "batch" and batches.append(name),
        )  # fmt: skip
    assert len(batches) == 3
    assert updates == []


def test_early_stopping_ends_before_max_epochs_on_a_flat_series():
    flat = DataConfig(
        length=300, trend_slope=0.0, seasonal_periods=(), seasonal_amplitudes=(), seed=2
    )
    prepared = prepare(generate_series(flat), SplitConfig(test_size=50, lookback=10))
    trained = train_model(
        prepared, TINY_MODEL, TrainConfig(epochs=60, patience=2, batch_size=64, learning_rate=0.01)
    )
    assert trained.stop_reason == "early_stopping"
    assert trained.epochs_run < 60
    assert trained.best_epoch <= trained.epochs_run - 2


def test_divergence_is_a_training_error_with_a_fix(tiny):
    exploding = dataclasses.replace(tiny, y_train=tiny.y_train * np.float32(1e30))
    with pytest.raises(TrainingError, match="lower the learning rate"):
        train_model(exploding, TINY_MODEL, FAST.replace(epochs=2))


def test_same_seed_same_weights_and_losses(tiny):
    first = train_model(tiny, TINY_MODEL, FAST.replace(epochs=2, seed=7))
    second = train_model(tiny, TINY_MODEL, FAST.replace(epochs=2, seed=7))
    assert first.history["loss"] == second.history["loss"]
    for left, right in zip(first.model.get_weights(), second.model.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    other = train_model(tiny, TINY_MODEL, FAST.replace(epochs=2, seed=8))
    assert other.history["loss"] != first.history["loss"]


def test_time_limit_stops_training(tiny, monkeypatch):
    from core.training import supervision

    ticks = iter(range(1_000_000))  # a clock that moves one second each time it is read
    monkeypatch.setattr(supervision, "clock", lambda: float(next(ticks)))
    trained = train_model(
        tiny, TINY_MODEL, TrainConfig(epochs=5000, patience=0, batch_size=8, max_seconds=3)
    )
    assert trained.stop_reason == "time_limit"
    # started at 0; batches read 1, 2, 3: the cap is reached in the first epoch, which ends
    assert trained.epochs_run == 1 and trained.seconds >= 3


def test_classification_tracks_accuracy(tiny):
    model = ModelConfig(family="lstm", task="classification", units=4)
    prepared = prepare(generate_series(TINY_DATA), SplitConfig(test_size=50, lookback=10), model)
    trained = train_model(prepared, model, FAST.replace(epochs=2))
    assert "accuracy" in trained.history and "val_accuracy" in trained.history
    probabilities = trained.model.predict(prepared.x_test, verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_every_choice_changes_the_trained_predictions(tiny):
    fast = FAST.replace(epochs=2)
    variants = {
        "dense": TINY_MODEL,
        "gru": TINY_MODEL.replace(family="gru"),
        "deeper": TINY_MODEL.replace(hidden_layers=1),
        "wider": TINY_MODEL.replace(units=8),
        "relu": TINY_MODEL.replace(activation="relu"),
    }
    predictions = {
        name: train_model(tiny, config, fast).model.predict(tiny.x_test, verbose=0).reshape(-1)
        for name, config in variants.items()
    }
    for name, values in predictions.items():
        if name != "dense":
            assert np.abs(values - predictions["dense"]).max() > 1e-4, name


def test_balanced_weights_make_every_class_weigh_the_same():
    from core.training.trainer import balanced_weights

    labels = np.array([2, 2, 2, 2, 1, 0])
    weights = balanced_weights(labels, 3)
    np.testing.assert_allclose(weights, [0.5, 0.5, 0.5, 0.5, 2.0, 2.0])
    totals = [weights[labels == label].sum() for label in (0, 1, 2)]
    np.testing.assert_allclose(totals, [2.0, 2.0, 2.0])


def test_cosine_schedule_warms_up_then_decays(tiny):
    trained = train_model(tiny, TINY_MODEL, FAST.replace(epochs=3, learning_rate=0.01))
    rates = trained.history["learning_rate"]
    assert len(rates) == 3
    assert rates[-1] < max(rates) <= 0.01
    constant = train_model(tiny, TINY_MODEL, FAST.replace(epochs=2, schedule="constant"))
    assert constant.history.get("learning_rate", [0.01, 0.01]) == pytest.approx([0.01, 0.01])


def test_with_the_cosine_schedule_the_best_epoch_is_one_of_the_second_half(tiny):
    # A dip of the validation error at the first half's high rate is neither restored nor a
    # reason to stop: the best epoch is looked for, and patience counted, from the middle on.
    trained = train_model(tiny, TINY_MODEL, FAST.replace(epochs=8, patience=1))
    assert trained.best_epoch >= 5 and trained.epochs_run >= 5
    constant = train_model(tiny, TINY_MODEL, FAST.replace(epochs=8, schedule="constant"))
    val = constant.history["val_loss"]
    assert constant.best_epoch == int(np.argmin(val)) + 1  # any epoch counts without it


# A Dask worker's warm-up imports Keras as the worker starts; a task arriving then (a click on a
# fresh server, a worker just restarted) configures TensorFlow's threads in its own thread.
BOTH_AT_ONCE = """
import threading
from core.training.trainer import configure_threads
errors = []
def run(step):
    try:
        step()
    except BaseException as error:
        errors.append(repr(error)[:200])
warm_up = threading.Thread(target=run, args=(lambda: __import__("keras"),))
task = threading.Thread(target=run, args=(configure_threads,))
warm_up.start(); task.start(); warm_up.join(); task.join()
print(errors)
"""


def test_a_task_configuring_threads_while_the_warm_up_imports_keras_does_not_deadlock():
    finished = subprocess.run(
        [sys.executable, "-c", BOTH_AT_ONCE],
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert finished.stdout.strip().splitlines()[-1] == "[]", finished.stdout
