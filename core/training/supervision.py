"""What watches a training while it runs (core.training.trainer's loop): progress after every
epoch, cancel, the time cap, divergence, early stopping with the best epoch's weights, and the
learning-rate schedule. No TensorFlow here: the network is only asked for its weights."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.config import TrainConfig

clock = time.perf_counter  # seconds; the time cap and the epochs' times read it (tests step it)

# "plateau" schedule: halve the rate when validation loss has not improved for this share of the
# early-stopping patience.
PLATEAU_FACTOR = 0.5
PLATEAU_SHARE = 0.5
PLATEAU_MIN_DELTA = 1e-4
MIN_LEARNING_RATE = 1e-5
# "cosine" schedule: a linear warm-up over this share of all steps lets Adam's moment estimates
# settle before the full rate, then a cosine decay to a tenth of it by the last epoch.
WARMUP_SHARE = 0.05
FINAL_RATE_SHARE = 0.1


@dataclass(frozen=True)
class EpochUpdate:
    """What a progress callback receives after every epoch."""

    epoch: int  # 1-based
    max_epochs: int
    loss: float
    val_loss: float | None
    seconds: float  # since training started


class Supervisor:
    """Progress, cancel, time cap, divergence, early stopping and best weights, checked after
    every batch and every epoch of the loop in train_model."""

    def __init__(
        self,
        *,
        max_epochs: int,
        patience: int,
        restore_best: bool,
        max_seconds: float | None,
        progress: Callable[[EpochUpdate], None] | None,
        should_stop: Callable[[], bool] | None,
        events: Callable[[str], None] | None,
        watch_from: int = 1,
    ) -> None:
        self.max_epochs = max_epochs
        self.watch_from = watch_from
        self.patience = patience
        self.restore_best = restore_best
        self.max_seconds = max_seconds
        self.progress = progress
        self.should_stop = should_stop
        self.events = events
        self.started = clock()
        self.stop = False
        self.cancelled = False
        self.diverged_at: int | None = None
        self.stop_reason = "completed"
        self.best_value = math.inf
        self.best_epoch = 0
        self.best_weights: list | None = None
        self.waited = 0
        self.epochs_run = 0

    def elapsed(self) -> float:
        return clock() - self.started

    def _check_cancel_and_time(self) -> None:
        if self.should_stop is not None and self.should_stop():
            self.cancelled = self.stop = True
        elif self.max_seconds is not None and self.elapsed() >= self.max_seconds:
            if self.stop_reason == "completed":
                self.stop_reason = "time_limit"
            self.stop = True

    def batch_end(self) -> None:
        if self.events is not None:
            self.events("batch")
        self._check_cancel_and_time()

    def epoch_end(self, epoch: int, logs: dict[str, float], monitor: str, model) -> None:
        self.epochs_run = epoch + 1
        loss, val_loss = logs["loss"], logs.get("val_loss")
        if not math.isfinite(loss) or (val_loss is not None and not math.isfinite(val_loss)):
            self.diverged_at = epoch + 1
            self.stop = True
            return
        if self.progress is not None:
            self.progress(EpochUpdate(epoch + 1, self.max_epochs, loss, val_loss, self.elapsed()))
        value = logs[monitor]
        if epoch + 1 < self.watch_from:
            pass  # still at a high learning rate: no best epoch, no patience counted yet
        elif value < self.best_value:
            self.best_value = value
            self.best_epoch = epoch + 1
            self.waited = 0
            if self.restore_best:
                self.best_weights = model.get_weights()
        else:
            self.waited += 1
            if self.patience > 0 and self.waited >= self.patience:
                self.stop_reason = "early_stopping"
                self.stop = True
        self._check_cancel_and_time()


class RateSchedule:
    """The learning rate per batch ("cosine": a linear warm-up over WARMUP_SHARE of all steps
    lets Adam's moment estimates settle, then a cosine decay to FINAL_RATE_SHARE of the peak)
    or per epoch ("plateau": halve it when the monitored loss has not improved for
    PLATEAU_SHARE of the patience; "constant": never change it)."""

    def __init__(self, config: TrainConfig, total_steps: int) -> None:
        self.kind = config.schedule
        self.peak = float(config.learning_rate)
        self.rate = self.peak
        self.total_steps = total_steps
        self.warmup = max(1, int(total_steps * WARMUP_SHARE))
        self.plateau_patience = max(1, int(config.patience * PLATEAU_SHARE))
        self.plateau_on = self.kind == "plateau" and config.patience > 1
        self.best = math.inf
        self.waited = 0

    def before_batch(self, step: int) -> float | None:
        """The rate to set before training step `step` (0-based), or None to keep it."""
        if self.kind != "cosine":
            return None
        if step < self.warmup:
            self.rate = self.peak * (step + 1) / self.warmup
        else:
            floor = self.peak * FINAL_RATE_SHARE
            progress = min(1.0, (step - self.warmup) / max(1, self.total_steps - self.warmup))
            self.rate = floor + 0.5 * (self.peak - floor) * (1.0 + math.cos(math.pi * progress))
        return self.rate

    def after_epoch(self, value: float) -> float | None:
        """The rate for the next epoch given this epoch's monitored loss, or None to keep it."""
        if not self.plateau_on:
            return None
        if value < self.best - PLATEAU_MIN_DELTA:
            self.best, self.waited = value, 0
            return None
        self.waited += 1
        if self.waited < self.plateau_patience or self.rate <= MIN_LEARNING_RATE:
            return None
        self.waited = 0
        self.rate = max(self.rate * PLATEAU_FACTOR, MIN_LEARNING_RATE)
        return self.rate


def watch_from(config: TrainConfig) -> int:
    """The first epoch (1-based) that may be the best one or count towards early stopping. With
    the cosine schedule, the middle one: at the high rate of the first half the error on the
    small validation part jumps about, and a lucky dip was restored or ended the training
    (README, "Measured choices")."""
    return config.epochs // 2 + 1 if config.schedule == "cosine" else 1


__all__ = ["EpochUpdate", "RateSchedule", "Supervisor", "watch_from"]
