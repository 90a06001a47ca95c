"""Search trials on the Dask workers (core.runs.cluster): the runner's process asks the sampler
for a proposal, a worker (TensorFlow already imported) reopens the study and trains that trial,
writing its metrics and phase timings to the study storage; the runner then records the outcome.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import optuna

from core.adapters.optuna import reopen_trial, stored_user_attrs
from core.adapters.optuna import trial_id as stored_trial_id
from core.errors import TrainingCancelled
from core.runs import cluster
from core.tuning.budget import TrialCosts
from core.tuning.objective import TrialEnvironment, evaluate_trial
from core.tuning.settings import TuneConfig
from core.tuning.storage import open_storage
from core.tuning.strategies import get_strategy
from core.tuning.trials import FAILURE_ATTR, TIMING_ATTR

if TYPE_CHECKING:
    from core.data.series import Series

# One study's environment per worker process: the series and its prepared windows stay
# loaded between the trials a worker runs (the pool recycles workers, which frees them).
_environments: dict[tuple[str, str, str], TrialEnvironment] = {}


def evaluate_stored_trial(
    study_name: str,
    storage_url: str,
    trial_id: int,
    config: TuneConfig,
    series: Series,
    costs: TrialCosts,
    predictions_folder: str,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """In a pool worker: train and score the running trial `trial_id`, whose parameters the
    runner has already suggested from the study's `config`. The trial's time cap runs from
    here. Every path is explicit (a worker's environment variables are those it started
    with)."""
    started = time.perf_counter()
    study = optuna.load_study(
        study_name=study_name,
        storage=open_storage(storage_url),
        # The sampler already ran in the runner; this one is never asked for a value.
        sampler=optuna.samplers.RandomSampler(),
        pruner=get_strategy(config.strategy).make_pruner(config.train.epochs),
    )
    key = (storage_url, study_name, config.fingerprint())
    if key not in _environments:
        _environments.clear()
        _environments[key] = TrialEnvironment(config, series=series)
    trial = reopen_trial(study, trial_id)
    trial.set_user_attr("trained_by", os.getpid())
    return evaluate_trial(
        trial,
        _environments[key],
        study_name=study_name,
        costs=costs,
        started=started,
        should_stop=should_stop,
        predictions_folder=Path(predictions_folder),
    )


def worker_ready() -> None:
    """A task that returns as soon as a pool worker is up (TensorFlow imported and warm)."""
    return None


def run_in_pool(
    trial: optuna.Trial,
    environment: TrialEnvironment,
    *,
    study_name: str,
    storage_url: str,
    predictions_folder: Path,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """In the runner: hand the trial to the pool and wait for its {"value", "train_seconds"}.
    Pruned and failed trials raise as evaluate_trial does; a worker lost mid-trial raises
    TrainingError, a cancelled one TrainingCancelled. Either way the trial's measured phase
    costs (stored by the worker) update the environment's, for the next trial's budget."""

    try:
        return cluster.run(
            evaluate_stored_trial,
            study_name,
            storage_url,
            stored_trial_id(trial),
            environment.config,
            environment.series,
            environment.costs,
            str(predictions_folder),
            should_stop=should_stop,
            session=f"study-{study_name}",  # its trials take turns with other sessions' work
        )
    except (optuna.TrialPruned, TrainingCancelled):
        raise
    except Exception as error:
        # The worker records its own failures; a worker that died cannot, so record it here.
        trial.set_user_attr(FAILURE_ATTR, f"{type(error).__name__}: {error}"[:500])
        raise
    finally:
        attrs = stored_user_attrs(trial)
        environment.record_timing(attrs.get(TIMING_ATTR))


def wait_for_worker() -> None:
    """Block until a pool worker is ready, so the first trial's time is the trial's own."""

    cluster.run(worker_ready, lane=cluster.QUICK)


__all__ = ["evaluate_stored_trial", "run_in_pool", "wait_for_worker", "worker_ready"]
