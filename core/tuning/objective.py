"""One trial's work: train the proposal, score it on validation (the objective unless the study
selects on test), record test metrics and predictions, keep the whole trial inside its time cap.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna
import pandas as pd
import psutil

from core.config import SplitConfig
from core.data.market import filter_dates
from core.data.prepare import prepare
from core.data.sources import load_series
from core.errors import ForecastLabError, TrainingCancelled
from core.evaluation.forecast import predict_next
from core.evaluation.metrics import regression_scores
from core.json_values import json_ready
from core.models.registry import count_parameters
from core.paths import sub_dir
from core.scores import NaiveScores
from core.training.trainer import train_model
from core.tuning.budget import TrialClock, TrialCosts, network_depth, shared_costs
from core.tuning.settings import TuneConfig
from core.tuning.strategies import get_strategy
from core.tuning.trials import FAILURE_ATTR, PRUNED_ATTR, TIMING_ATTR

if TYPE_CHECKING:
    from core.data.prepare import Prepared
    from core.data.series import Series

# Prepared windows kept per process, keyed by look-back window. Preparing takes milliseconds,
# and searches rarely repeat a window, so keeping many only holds memory (up to tens of MB each).
PREPARED_CACHE_SIZE = 2
# The test windows are predicted in one batch up to this many: one traced prediction step.
PREDICT_BATCH_LIMIT = 8192
TEST_METRICS = ("mse", "rmse", "mae", "r2", "mse_original", "mae_original")


class TrialEnvironment:
    """Per-process state of a search: the series (loaded once), prepared windows cached per
    look-back window (the rest of the split never changes within a study), naive persistence,
    and the measured costs of a trial's phases (core.tuning.budget), which set the budgets."""

    def __init__(self, config: TuneConfig, series: Series | None = None) -> None:

        self.config = config
        if series is None:
            series = load_series(config.data)
            if config.data.source == "csv" and (config.data.start_date or config.data.end_date):
                # The CSV loader keeps every row; apply the date range here.
                series = filter_dates(series, config.data.start_date, config.data.end_date)
        self.series: Series = series
        self._prepared: OrderedDict[int, Prepared] = OrderedDict()
        self.costs = shared_costs(config.model.family)

    def prepared(self, split: SplitConfig) -> Prepared:

        key = split.lookback
        if key in self._prepared:
            self._prepared.move_to_end(key)
            return self._prepared[key]
        prepared = prepare(self.series, split, self.config.model)
        self._prepared[key] = prepared
        while len(self._prepared) > PREPARED_CACHE_SIZE:
            self._prepared.popitem(last=False)
        return prepared

    def naive_metrics(self) -> NaiveScores:
        """Persistence (tomorrow = today) on the same test targets, scaled and original units."""

        prepared = self.prepared(self.config.split.replace(lookback=1))
        previous = prepared.scaled[prepared.test_index - 1]
        scaled = regression_scores(prepared.y_test, previous, previous)
        original = regression_scores(
            prepared.values_test, prepared.series.values[prepared.test_index - 1]
        )
        return NaiveScores(
            mse=scaled.mse,
            mae=scaled.mae,
            mse_original=original.mse,
            mae_original=original.mae,
        )

    def record_timing(self, timing: dict[str, Any] | None) -> None:
        """Learn a finished trial's phase costs (its stored "timing"), for the next budgets."""
        self.costs.record_trial(timing)


def evaluate_trial(
    trial: optuna.Trial,
    environment: TrialEnvironment,
    *,
    study_name: str,
    costs: TrialCosts | None = None,
    started: float | None = None,
    should_stop: Callable[[], bool] | None = None,
    predictions_folder: Path | None = None,
) -> dict[str, Any]:
    """Train the trial's proposal and score it; returns {"value", "train_seconds"}.

    The objective is the best validation MSE (scaled), or the test MSE where the study selects
    on test (the tuning paper); test metrics are always stored in the trial's user attrs, never
    used to choose otherwise. With a cap (TuneConfig.trial_seconds) the whole trial, from `started`
    (default: now) to its last storage write, is kept inside it: training gets what the
    measured `costs` of building, tracing and scoring leave (core.tuning.budget), a trial that
    cannot fit is pruned before it builds, and a capped trial says so ("capped").
    Raises optuna.TrialPruned when the pruner or the cap stops it; other failures are
    recorded as the trial's failure reason and re-raised; a cancel leaves no reason, so the
    trial counts as interrupted.
    """

    config = environment.config
    strategy = get_strategy(config.strategy)
    clock = TrialClock(config.trial_seconds, costs or environment.costs, started)
    model = trained = None
    try:
        params = config.space.suggest(trial)
        model_config, train_config, split = config.space.apply(
            params, config.model, config.train, config.split
        )
        prepared = environment.prepared(split)
        trial.set_user_attr("parameter_count", count_parameters(model_config, split.lookback))
        windows = len(prepared.x_train)
        fitted = max(1, windows - int(round(windows * split.validation_fraction)))
        batch_size = min(train_config.batch_size, fitted)
        depth = network_depth(model_config)
        plan = clock.plan(depth, split.lookback, batch_size, math.ceil(fitted / batch_size))
        if not plan.fits:
            trial.set_user_attr(PRUNED_ATTR, plan.reason)
            raise optuna.TrialPruned(plan.reason)
        if plan.training_seconds is not None:
            train_config = train_config.replace(max_seconds=plan.training_seconds)
            trial.set_user_attr("training_budget_seconds", round(plan.training_seconds, 2))

        def progress(update) -> None:
            clock.epoch_ended()
            if update.val_loss is None:
                return
            trial.report(update.val_loss, update.epoch)
            # After the last epoch the training is paid for: score it rather than prune it.
            last = update.epoch >= update.max_epochs
            if strategy.prunes and not last and trial.should_prune():
                reason = f"validation loss {update.val_loss:.3g} after {update.epoch} epochs"
                trial.set_user_attr("epochs_run", update.epoch)
                trial.set_user_attr(PRUNED_ATTR, reason)
                raise optuna.TrialPruned(reason)

        clock.training_starts()
        trained = train_model(
            prepared,
            model_config,
            train_config,
            progress=progress,
            should_stop=should_stop,
            events=clock.event,
        )
        model = trained.model
        # One batch: one traced prediction step (a second, shorter batch would trace again).
        batch = min(max(1, len(prepared.x_test)), PREDICT_BATCH_LIMIT)
        predicted = predict_next(model, prepared.x_test, batch_size=batch)
        model = None
        if not np.all(np.isfinite(predicted)):
            raise ForecastLabError(
                "the model's test predictions are not finite (the training diverged); a lower "
                "learning rate usually fixes it."
            )
        previous = prepared.scaled[prepared.test_index - 1]
        scaled = regression_scores(prepared.y_test, predicted, previous)
        predicted_original = prepared.scaler.inverse(predicted)
        original = regression_scores(prepared.values_test, predicted_original)
        validation = [value for value in trained.history.get("val_loss", []) if value == value]
        attrs = {
            "mse": scaled.mse,
            "rmse": scaled.rmse,
            "mae": scaled.mae,
            "r2": scaled.r2,
            "directional_accuracy": scaled.directional_accuracy,
            "mse_original": original.mse,
            "mae_original": original.mae,
            # The restored best weights score this on the validation windows (the loss is MSE).
            "validation_mse": min(validation) if validation else math.nan,
            "epochs_run": trained.epochs_run,
            "train_seconds": trained.seconds,
            "stop_reason": trained.stop_reason,
            # Stopped by the trial's time cap: the network is scored as far as it trained.
            "capped": trained.stop_reason == "time_limit",
        }
        for key, value in attrs.items():
            trial.set_user_attr(key, json_ready(value))
        path = predictions_file(study_name, trial.number, predictions_folder)
        _save_predictions(path, prepared, predicted_original)
        value = attrs["mse"] if config.objective == "test_mse" else attrs["validation_mse"]
        if not math.isfinite(value):
            raise ForecastLabError(
                f"the objective ({config.objective}) is not finite; the trial diverged or had "
                "no validation part."
            )
        clock.finish()
        return {"value": float(value), "train_seconds": float(trained.seconds)}
    except optuna.TrialPruned:
        raise
    except TrainingCancelled:
        raise  # no failure reason: counted as interrupted, the point can be tried again
    except Exception as error:  # config, divergence, memory and TensorFlow's own errors (OOM)
        trial.set_user_attr(FAILURE_ATTR, f"{type(error).__name__}: {error}"[:500])
        raise
    finally:
        model = trained = None  # the pool frees Keras' memory after the task, once
        timing = clock.timing()
        trial.set_user_attr(TIMING_ATTR, timing)
        trial.set_user_attr("seconds", round(clock.elapsed(), 3))
        trial.set_user_attr("rss_mb", round(resident_megabytes(), 1))


def _save_predictions(path: Path, prepared, predicted: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        dates=np.asarray(prepared.dates_test.values, dtype="datetime64[ns]"),
        actual=np.asarray(prepared.values_test, dtype=np.float64),
        predicted=np.asarray(predicted, dtype=np.float64),
    )


def resident_megabytes() -> float:

    return psutil.Process().memory_info().rss / 2**20


def _safe_name(name: str) -> str:
    # one plain folder name: no separators, and no "." or ".." that would climb out of studies/
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80].strip(".") or "study"


def predictions_file(study_name: str, number: int, folder: Path | None = None) -> Path:
    """Where a worker keeps a trial's test predictions (original units) on its own disk:
    `folder` (default: the study's folder under the data home)."""
    folder = folder or predictions_folder(study_name)
    return folder / f"trial_{number:05d}.npz"


def predictions_folder(study_name: str) -> Path:
    return sub_dir("studies") / _safe_name(study_name)


def load_trial_predictions(study_name: str, number: int) -> pd.DataFrame | None:
    """Test dates, actual and predicted values of a trial, when this machine ran it."""
    path = predictions_file(study_name, number)
    if not path.is_file():
        return None
    with np.load(path) as stored:
        frame = pd.DataFrame(
            {"actual": stored["actual"], "model": stored["predicted"]},
            index=pd.DatetimeIndex(stored["dates"], name="date"),
        )
    frame["part"] = "test"
    return frame


__all__ = [
    "TEST_METRICS",
    "TrialEnvironment",
    "evaluate_trial",
    "load_trial_predictions",
    "predictions_file",
    "predictions_folder",
    "resident_megabytes",
]
