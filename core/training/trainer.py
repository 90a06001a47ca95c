"""Fit one network on a Prepared series: seeded, with per-epoch progress, cooperative cancel,
early stopping with the best epoch's weights restored, a wall-time cap and divergence checks.

Keras/TensorFlow are imported inside train_model so that importing this module stays light.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.config import ModelConfig, TrainConfig
from core.errors import ConfigError, TrainingCancelled, TrainingError

if TYPE_CHECKING:
    import keras

    from core.data.prepare import Prepared

# "plateau" schedule: halve the rate when validation loss has not improved for this share of the
# early-stopping patience.
PLATEAU_FACTOR = 0.5
PLATEAU_SHARE = 0.5
MIN_LEARNING_RATE = 1e-5
# "cosine" schedule: a linear warm-up over this share of all steps lets Adam's moment estimates
# settle before the full rate, then a cosine decay to a tenth of it by the last epoch.
WARMUP_SHARE = 0.05
FINAL_RATE_SHARE = 0.1
# Gradients are clipped to this norm: one bad batch cannot throw a recurrent net off course.
CLIP_NORM = 1.0
TRIM_SHARE = 0.05


@dataclass(frozen=True)
class EpochUpdate:
    """What a progress callback receives after every epoch."""

    epoch: int  # 1-based
    max_epochs: int
    loss: float
    val_loss: float | None
    seconds: float  # since training started


@dataclass(eq=False)
class TrainedModel:
    """A fitted network with its per-epoch history and why training stopped."""

    model: keras.Model
    history: dict[str, list[float]]
    epochs_run: int
    best_epoch: int  # 1-based epoch whose weights the model holds
    seconds: float
    stop_reason: str  # "completed" | "early_stopping" | "time_limit"


_threads_configured = False


def _configure_threads() -> None:
    """Use every core for one op and run ops one at a time: best for small RNNs on few cores."""
    global _threads_configured
    if _threads_configured:
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(os.cpu_count() or 1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # TensorFlow already initialised its thread pools; keep its settings
    _threads_configured = True


def _optimizer(config: TrainConfig):
    import keras

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


def _make_callback(
    *,
    max_epochs: int,
    patience: int,
    restore_best: bool,
    max_seconds: float | None,
    monitor: str,
    progress: Callable[[EpochUpdate], None] | None,
    should_stop: Callable[[], bool] | None,
    events: Callable[[str], None] | None,
):
    import keras

    class Supervisor(keras.callbacks.Callback):
        """Progress, cancel, time cap, divergence, early stopping and best-weights in one pass."""

        def __init__(self) -> None:
            super().__init__()
            self.started = time.perf_counter()
            self.cancelled = False
            self.diverged_at: int | None = None
            self.stop_reason = "completed"
            self.best_value = math.inf
            self.best_epoch = 0
            self.best_weights: list | None = None
            self.waited = 0
            self.epochs_run = 0

        def elapsed(self) -> float:
            return time.perf_counter() - self.started

        def on_train_batch_end(self, batch, logs=None):
            if events is not None:
                events("batch")
            if should_stop is not None and should_stop():
                self.cancelled = True
                self.model.stop_training = True
            elif max_seconds is not None and self.elapsed() >= max_seconds:
                self.stop_reason = "time_limit"
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            self.epochs_run = epoch + 1
            loss = float(logs.get("loss", math.nan))
            val_loss = logs.get("val_loss")
            val_loss = None if val_loss is None else float(val_loss)
            if not math.isfinite(loss) or (val_loss is not None and not math.isfinite(val_loss)):
                self.diverged_at = epoch + 1
                self.model.stop_training = True
                return
            if progress is not None:
                progress(EpochUpdate(epoch + 1, max_epochs, loss, val_loss, self.elapsed()))
            value = float(logs.get(monitor, loss))
            if value < self.best_value:
                self.best_value = value
                self.best_epoch = epoch + 1
                self.waited = 0
                if restore_best:
                    self.best_weights = self.model.get_weights()
            else:
                self.waited += 1
                if patience > 0 and self.waited >= patience:
                    self.stop_reason = "early_stopping"
                    self.model.stop_training = True
            if should_stop is not None and should_stop():
                self.cancelled = True
                self.model.stop_training = True
            elif max_seconds is not None and self.elapsed() >= max_seconds:
                if self.stop_reason == "completed":
                    self.stop_reason = "time_limit"
                self.model.stop_training = True

    return Supervisor()


def _cosine_schedule(peak: float, total_steps: int):
    """Per-batch warm-up then cosine decay, as a callback (it must coexist with early stopping
    and the time cap, so it is a function of the step, not a compiled schedule object)."""
    import keras

    warmup = max(1, int(total_steps * WARMUP_SHARE))
    floor = peak * FINAL_RATE_SHARE

    class CosineSchedule(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.step = 0

        def on_train_batch_begin(self, batch, logs=None):
            if self.step < warmup:
                rate = peak * (self.step + 1) / warmup
            else:
                progress = min(1.0, (self.step - warmup) / max(1, total_steps - warmup))
                rate = floor + 0.5 * (peak - floor) * (1.0 + math.cos(math.pi * progress))
            self.model.optimizer.learning_rate.assign(rate)
            self.step += 1

        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs["learning_rate"] = float(self.model.optimizer.learning_rate.numpy())

    return CosineSchedule()


def balanced_weights(labels: np.ndarray, classes: int) -> np.ndarray:
    """Per-sample weights n / (classes * count of its class): every class weighs the same in
    the loss, so the classifier cannot win by always naming the most common class."""
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    per_class = np.where(counts > 0, len(labels) / (classes * np.maximum(counts, 1.0)), 0.0)
    return per_class[labels].astype(np.float32)


def model_constants(prepared: Prepared, model_config: ModelConfig) -> dict:
    """Train-part constants the network is built with: feature statistics, the scaler offset
    and, for the linear shortcut, the least-squares AR it starts from."""
    from core.models.baselines import fit_linear_ar
    from core.models.features import feature_statistics

    offset = prepared.scaler.offset / prepared.scaler.span
    constants = feature_statistics(prepared.x_train, prepared.y_train, model_config, offset)
    constants["offset"] = offset
    if model_config.linear_skip and model_config.task == "regression":
        linear = fit_linear_ar(prepared)
        constants["coefficients"] = linear["coefficients"]
        constants["intercept"] = linear["intercept"]
    return constants


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
    _configure_threads()
    import keras

    from core.models.registry import NUM_CLASSES, build_model
    from core.training import warm_models

    x_all, y_all = _targets(prepared, model_config)
    if len(x_all) < 2:
        raise ConfigError(
            f"only {len(x_all)} training windows; lengthen the series, shorten the look-back "
            "window or shrink the test part."
        )
    validation_count = int(round(len(x_all) * prepared.split.validation_fraction))
    validation_count = min(validation_count, len(x_all) - 1)
    classify = model_config.task == "classification"
    weights = balanced_weights(y_all, NUM_CLASSES) if classify else None
    if validation_count > 0:
        x_fit, y_fit = x_all[:-validation_count], y_all[:-validation_count]
        validation: tuple | None = (x_all[-validation_count:], y_all[-validation_count:])
        if weights is not None:
            # Weighted like the fit part, so early stopping also ignores majority-only gains.
            validation = (*validation, weights[-validation_count:])
            weights = weights[:-validation_count]
    else:
        x_fit, y_fit, validation = x_all, y_all, None

    keras.utils.set_random_seed(int(train_config.seed))
    constants = model_constants(prepared, model_config)
    fresh = build_model(model_config, prepared.lookback, linear_init=constants)
    # A warm network of the same architecture has its training step traced already.
    key = warm_models.signature(model_config, prepared.lookback, constants["mode"], train_config)
    model = warm_models.take(key, fresh, train_config.learning_rate)
    if model is None:
        model = fresh
        if classify:
            loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
        else:
            loss, metrics = "mse", ["mae"]
        model.compile(optimizer=_optimizer(train_config), loss=loss, metrics=metrics)
        warm_models.mark(model, key)
    del fresh

    monitor = "val_loss" if validation is not None else "loss"
    supervisor = _make_callback(
        max_epochs=train_config.epochs,
        patience=train_config.patience,
        restore_best=train_config.restore_best,
        max_seconds=train_config.max_seconds,
        monitor=monitor,
        progress=progress,
        should_stop=should_stop,
        events=events,
    )
    callbacks: list[Any] = [supervisor]
    batch_size = int(min(train_config.batch_size, len(x_fit)))
    # A last, shorter batch makes TensorFlow trace the training step a second time during the
    # first epoch (about half a second before the first point on the live chart); the oldest
    # few windows are left out instead when they are at most TRIM_SHARE of the data.
    remainder = len(x_fit) % batch_size
    if 0 < remainder <= TRIM_SHARE * len(x_fit):
        x_fit, y_fit = x_fit[remainder:], y_fit[remainder:]
        if weights is not None:
            weights = weights[remainder:]
    if train_config.schedule == "cosine":
        steps = math.ceil(len(x_fit) / batch_size) * int(train_config.epochs)
        callbacks.insert(0, _cosine_schedule(train_config.learning_rate, steps))
    elif train_config.schedule == "plateau" and train_config.patience > 1:
        callbacks.insert(
            0,
            keras.callbacks.ReduceLROnPlateau(
                monitor=monitor,
                factor=PLATEAU_FACTOR,
                patience=max(1, int(train_config.patience * PLATEAU_SHARE)),
                min_lr=MIN_LEARNING_RATE,
                verbose=0,
            ),
        )
    if should_stop is not None and should_stop():
        raise TrainingCancelled("training was cancelled before it started; nothing was saved.")
    if events is not None:
        events("fit")
    history = model.fit(
        x_fit,
        y_fit,
        sample_weight=weights,
        batch_size=batch_size,
        epochs=int(train_config.epochs),
        validation_data=validation,
        # One validation batch: one trace of the evaluation step, however many windows.
        validation_batch_size=None if validation is None else max(1, validation_count),
        shuffle=True,
        callbacks=callbacks,
        verbose=0,
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
    best_epoch = supervisor.best_epoch if train_config.restore_best else supervisor.epochs_run
    recorded = {key: [float(value) for value in values] for key, values in history.history.items()}
    return TrainedModel(
        model=model,
        history=recorded,
        epochs_run=supervisor.epochs_run,
        best_epoch=max(best_epoch, 1),
        seconds=seconds,
        stop_reason=supervisor.stop_reason,
    )


__all__ = ["EpochUpdate", "TrainedModel", "balanced_weights", "model_constants", "train_model"]
