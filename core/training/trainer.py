"""Fit one network on a Prepared series: seeded, with per-epoch progress, cooperative cancel,
early stopping with the best epoch's weights restored, a wall-time cap and divergence checks.

Keras/TensorFlow are imported inside train_model so that importing this module stays light.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from core.adapters.tensorflow import thread_environment
from core.config import ModelConfig, TrainConfig
from core.data.recipe import resolved_training
from core.errors import ConfigError, TrainingCancelled, TrainingError
from core.models.features import NetworkConstants, feature_statistics
from core.models.forecasters.linear_ar import fit_ridge_line
from core.models.registry import NUM_CLASSES, build_model
from core.training import warm_models
from core.training.supervision import EpochUpdate, RateSchedule, Supervisor, watch_from

if TYPE_CHECKING:
    import keras

    from core.data.prepare import Prepared

# Gradients are clipped to this norm: one bad batch cannot throw a recurrent net off course.
CLIP_NORM = 1.0


@dataclass(eq=False)
class TrainedModel:
    """A fitted network with its per-epoch history and why training stopped."""

    model: keras.Model
    history: dict[str, list[float]]
    epochs_run: int
    best_epoch: int  # 1-based epoch whose weights the model holds
    seconds: float
    stop_reason: str  # "completed" | "early_stopping" | "time_limit"


# TensorFlow's threads per op in this process; the embedded cluster gives each worker its share
# of the cores (core.runs.embedded: 2 workers on 2 cores, not 4 op threads taking turns).
THREADS_ENV = "FORECAST_LAB_TF_THREADS"


def op_thread_count() -> int:
    """TensorFlow threads per op here: THREADS_ENV, else every core."""
    return int(os.environ.get(THREADS_ENV) or os.cpu_count() or 1)


def configure_threads() -> None:
    """Run ops one at a time, each on op_thread_count() cores: best for small RNNs. Through
    TensorFlow's own environment variables, which its pools read at the process's first op
    (a Dask worker calls this as it starts, core.runs.preload): no import of TensorFlow, so
    none beside a worker's warm-up importing Keras (two such imports at once can deadlock on
    TensorFlow's modules). It overrides what a parent process left there: a worker started by
    a process that trains too inherits that process's figure, not its own share."""
    os.environ.update(thread_environment(op_thread_count()))


def _optimizer(config: TrainConfig):
    import keras  # lazy: TensorFlow loads only where a network is built

    rate = config.learning_rate
    if config.optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=rate, clipnorm=CLIP_NORM)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=rate, clipnorm=CLIP_NORM)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=rate, momentum=0.9, clipnorm=CLIP_NORM)
    raise ConfigError(f"optimizer '{config.optimizer}' is not one of adam, rmsprop, sgd.")


def _targets(prepared: Prepared, model_config: ModelConfig) -> tuple[np.ndarray, np.ndarray]:
    if model_config.task == "classification":
        if prepared.labels_train is None:
            raise ConfigError(
                "the classification task needs up/flat/down labels, but the data was prepared "
                "for regression; prepare it with the classification model settings."
            )
        return np.asarray(prepared.x_train, np.float32), np.asarray(prepared.labels_train, "int32")
    return np.asarray(prepared.x_train, np.float32), np.asarray(prepared.y_train, np.float32)


def _seed(seed: int) -> None:
    """Seed Python's and NumPy's generators: Keras draws initial weights and dropout seeds from
    Python's, the batch order comes from NumPy. Unlike keras.utils.set_random_seed this leaves
    TensorFlow's global seed alone: setting it clears TensorFlow's kernel caches, which made
    the first batch of every training slower (README, "Measured choices"), and nothing here
    draws from it."""
    random.seed(seed)
    np.random.seed(seed)


def balanced_weights(labels: np.ndarray, classes: int) -> np.ndarray:
    """Per-sample weights n / (classes * count of its class): every class weighs the same in
    the loss, so the classifier cannot win by always naming the most common class."""
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    per_class = np.where(counts > 0, len(labels) / (classes * np.maximum(counts, 1.0)), 0.0)
    return per_class[labels].astype(np.float32)


def model_constants(prepared: Prepared, model_config: ModelConfig) -> NetworkConstants:
    """Train-part constants the network is built with: feature statistics, the scaler offset
    and, for the linear shortcut, the ridge line it holds (fit_ridge_line)."""

    offset = prepared.scaler.offset / prepared.scaler.span
    statistics = feature_statistics(prepared.x_train, prepared.y_train, model_config, offset)
    constants = NetworkConstants(**statistics, offset=offset)
    if model_config.linear_skip and model_config.task == "regression":
        linear = fit_ridge_line(prepared)
        constants = replace(
            constants, coefficients=linear["coefficients"], intercept=float(linear["intercept"])
        )
    return constants


def _fit(
    model,
    fit_part: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    validation: tuple | None,
    batch_size: int,
    config: TrainConfig,
    schedule: RateSchedule,
    supervisor: Supervisor,
    monitor: str,
) -> dict[str, list[float]]:
    """The epochs: shuffled batches through the compiled training step (`train_on_batch`), one
    validation batch, then the supervisor's checks. A plain loop instead of `model.fit`, which
    builds a tf.data pipeline per call and runs its own validation loop per epoch: slower per
    epoch and before the first one (README, "Measured choices")."""
    x_fit, y_fit, weights = fit_part
    # One shuffled order, the same every epoch (as model.fit gave under a fixed TensorFlow
    # seed): it scored better than a new order each epoch (README, "Measured choices").
    # Whole batches only: a last, shorter one
    # would make TensorFlow trace the training step again (about a second for an LSTM).
    order = np.random.default_rng(int(config.seed)).permutation(len(x_fit))
    order = order[: len(order) - len(order) % batch_size]
    rate = model.optimizer.learning_rate
    history: dict[str, list[float]] = {}
    step = 0
    if supervisor.events is not None:
        supervisor.events("fit")
    for epoch in range(int(config.epochs)):
        totals: dict[str, float] = {}
        seen = 0
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            new_rate = schedule.before_batch(step)
            if new_rate is not None:
                rate.assign(new_rate)
            logs = model.train_on_batch(
                x_fit[rows],
                y_fit[rows],
                sample_weight=None if weights is None else weights[rows],
                return_dict=True,
            )
            step += 1
            seen += len(rows)
            for name, value in logs.items():  # epoch figures: means over windows, as fit's
                totals[name] = totals.get(name, 0.0) + float(value) * len(rows)
            supervisor.batch_end()
            if supervisor.stop:
                break
        if supervisor.cancelled:
            break
        epoch_logs = {name: total / max(seen, 1) for name, total in totals.items()}
        if validation is not None:
            scores = model.test_on_batch(*validation, return_dict=True)
            epoch_logs.update({f"val_{name}": float(value) for name, value in scores.items()})
        epoch_logs["learning_rate"] = float(rate.numpy())
        for name, value in epoch_logs.items():
            history.setdefault(name, []).append(value)
        supervisor.epoch_end(epoch, epoch_logs, monitor, model)
        if supervisor.stop:
            break
        new_rate = schedule.after_epoch(epoch_logs[monitor])
        if new_rate is not None:
            rate.assign(new_rate)
    return history


def _parts(prepared: Prepared, model_config: ModelConfig, train_config: TrainConfig):
    """The fit windows, targets and weights, the validation part (the last validation_fraction
    of the train windows, chronologically), the batch size and the training settings with the
    recipe's batch size and epochs."""

    x_all, y_all = _targets(prepared, model_config)
    if len(x_all) < 2:
        raise ConfigError(
            f"only {len(x_all)} training windows; lengthen the series, shorten the look-back "
            "window or shrink the test part."
        )
    validation_count = int(round(len(x_all) * prepared.split.validation_fraction))
    validation_count = min(validation_count, len(x_all) - 1)
    weights = (
        balanced_weights(y_all, NUM_CLASSES) if model_config.task == "classification" else None
    )
    validation: tuple | None = None
    x_fit, y_fit = x_all, y_all
    if validation_count > 0:
        x_fit, y_fit = x_all[:-validation_count], y_all[:-validation_count]
        validation = (x_all[-validation_count:], y_all[-validation_count:])
        if weights is not None:
            # Weighted like the fit part, so early stopping also ignores majority-only gains.
            validation = (*validation, weights[-validation_count:])
            weights = weights[:-validation_count]
    # The recipe (core.data.recipe): batch size from the windows, epochs from the step budget.
    resolved = resolved_training(train_config, len(x_fit))
    batch_size = int(min(resolved.batch_size, len(x_fit)))
    return x_fit, y_fit, weights, validation, batch_size, resolved


def _compiled(model, model_config: ModelConfig, train_config: TrainConfig, key: str):

    if model_config.task == "classification":
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    else:
        loss, metrics = "mse", ["mae"]
    model.compile(optimizer=_optimizer(train_config), loss=loss, metrics=metrics)
    warm_models.mark(model, key)
    return model


def warm_network(
    prepared: Prepared,
    model_config: ModelConfig,
    train_config: TrainConfig,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> bool:
    """Trace a network's training, validation and prediction steps before it is trained (one
    batch each: its weights do not matter, a training takes fresh seeded ones) and keep it warm
    (core.training.warm_models), so the training that follows starts at once. Gives way between
    steps once should_stop() is true. False when such a network was warm already."""
    configure_threads()

    parts = _parts(prepared, model_config, train_config)
    x_fit, y_fit, weights, validation, batch_size, train_config = parts
    constants = model_constants(prepared, model_config)
    key = warm_models.signature(model_config, prepared.lookback, constants.mode, train_config)
    if warm_models.has(key):
        return False
    model = build_model(model_config, prepared.lookback, constants=constants)
    model = _compiled(model, model_config, train_config, key)
    rows = slice(0, batch_size)
    steps = [
        lambda: model.train_on_batch(
            x_fit[rows], y_fit[rows], sample_weight=None if weights is None else weights[rows]
        ),
        lambda: validation is not None and model.test_on_batch(*validation),
        # Two window counts, as the evaluation's: the step is then traced for any count.
        lambda: model.predict_on_batch(np.asarray(prepared.x_test, np.float32)),
        lambda: model.predict_on_batch(np.asarray(prepared.x_train, np.float32)),
    ]
    for step in steps:
        if should_stop is not None and should_stop():
            break
        step()
    warm_models.release(model)
    return True


def train_model(
    prepared: Prepared,
    model_config: ModelConfig,
    train_config: TrainConfig,
    *,
    progress: Callable[[EpochUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    events: Callable[[str], None] | None = None,
) -> TrainedModel:
    """Build and fit the network on prepared's train windows; the last validation_fraction of
    them (chronologically) is held out for early stopping. Raises TrainingCancelled when
    should_stop() turns true and TrainingError when the loss diverges. `events`, when given, is
    told "fit" just before fitting starts and "batch" after every batch (for timing phases)."""
    configure_threads()

    parts = _parts(prepared, model_config, train_config)
    x_fit, y_fit, weights, validation, batch_size, train_config = parts
    _seed(int(train_config.seed))
    constants = model_constants(prepared, model_config)
    fresh = build_model(model_config, prepared.lookback, constants=constants)
    # A warm network of the same architecture has its training step traced already.
    key = warm_models.signature(model_config, prepared.lookback, constants.mode, train_config)
    model = warm_models.take(key, fresh, train_config.learning_rate)
    if model is None:
        model = _compiled(fresh, model_config, train_config, key)
    del fresh

    monitor = "val_loss" if validation is not None else "loss"
    supervisor = Supervisor(
        max_epochs=train_config.epochs,
        patience=train_config.patience,
        restore_best=train_config.restore_best,
        max_seconds=train_config.max_seconds,
        progress=progress,
        should_stop=should_stop,
        events=events,
        watch_from=watch_from(train_config),
    )
    batches = len(x_fit) // batch_size
    schedule = RateSchedule(train_config, batches * int(train_config.epochs))
    if should_stop is not None and should_stop():
        raise TrainingCancelled("training was cancelled before it started; nothing was saved.")
    history = _fit(
        model,
        (x_fit, y_fit, weights),
        validation,
        batch_size,
        train_config,
        schedule,
        supervisor,
        monitor,
    )
    seconds = supervisor.elapsed()
    if supervisor.cancelled:
        raise TrainingCancelled(
            f"training was cancelled after {supervisor.epochs_run} epochs; nothing was saved."
        )
    if supervisor.diverged_at is not None:
        raise TrainingError(
            f"training diverged at epoch {supervisor.diverged_at} (the loss became NaN or "
            f"infinite with learning rate {train_config.learning_rate:g} and the "
            f"{train_config.optimizer} optimizer); lower the learning rate (e.g. 10x) or switch "
            "to the adam optimizer."
        )
    if supervisor.best_weights is not None:
        model.set_weights(supervisor.best_weights)
    restored = train_config.restore_best and supervisor.best_weights is not None
    best_epoch = supervisor.best_epoch if restored else supervisor.epochs_run
    return TrainedModel(
        model=model,
        history=history,
        epochs_run=supervisor.epochs_run,
        best_epoch=max(best_epoch, 1),
        seconds=seconds,
        stop_reason=supervisor.stop_reason,
    )


__all__ = [
    "EpochUpdate",
    "TrainedModel",
    "balanced_weights",
    "model_constants",
    "train_model",
    "warm_network",
]
