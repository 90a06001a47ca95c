"""The study runner shared by every strategy: run trials of a stored study until a stop rule
holds; safe to run in several processes or machines at once against one storage.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from core.errors import DiskFullError
from core.json_values import json_ready
from core.scores import NaiveScores
from core.tuning.objective import TEST_METRICS, TrialEnvironment, predictions_folder
from core.tuning.pooled_trial import run_in_pool, wait_for_worker
from core.tuning.settings import TuneConfig
from core.tuning.storage import (
    NAIVE_ATTR,
    STOP_ATTR,
    default_storage_url,
    load_study,
    open_storage,
    study_config,
)
from core.tuning.strategies import get_strategy, study_sampler
from core.tuning.trials import (
    FAILURE_ATTR,
    PRUNED_ATTR,
    WORKER_ATTR,
    abandon,
    best_trial,
    counted_trials,
    fail_stale_trials,
    process_identity,
)

STOP_MESSAGES = {
    "trials": "the number of trials is reached",
    "grid": "every grid point is done",
    "timeout": "the time budget is used up",
    "target": "the target objective is reached",
    "cancelled": "the search was cancelled",
}


@dataclass
class SearchOutcome:
    """What one run of the study runner did (the study itself holds every trial)."""

    study_name: str
    objective: str
    stop_reason: str
    trials_run: int
    wall_seconds: float
    best: dict[str, Any] | None
    naive: NaiveScores | None
    stale_trials: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study_name,
            "objective": self.objective,
            "stop_reason": self.stop_reason,
            "trials_run": self.trials_run,
            "wall_seconds": round(self.wall_seconds, 2),
            "best": self.best,
            "naive": None if self.naive is None else self.naive.to_dict(),
            "stale_trials": self.stale_trials,
        }


def stop_reason(study: optuna.Study, config: TuneConfig, started: float) -> str | None:
    """Which stop rule holds now, if any (checked before each trial, by every worker)."""
    if study.user_attrs.get(STOP_ATTR):
        return "cancelled"
    limit = config.trial_limit
    if counted_trials(study) >= limit:
        return "grid" if limit < config.max_trials else "trials"
    if config.target is not None:
        best = best_trial(study)
        if best is not None and best.value <= config.target:
            return "target"
    if config.timeout_seconds is not None and time.monotonic() - started >= config.timeout_seconds:
        return "timeout"
    return None


def describe_trial(trial: FrozenTrial) -> dict[str, Any]:
    """A JSON-ready row for one trial (CLI rows, the best trial line): its objective value,
    its validation MSE and its test metrics side by side."""
    return {
        "number": trial.number,
        "state": trial.state.name.lower(),
        "value": json_ready(trial.value),
        "validation_mse": trial.user_attrs.get("validation_mse"),
        "test_mse": trial.user_attrs.get("mse"),
        "params": trial.params,
        "seconds": trial.user_attrs.get("seconds"),
        "capped": bool(trial.user_attrs.get("capped", False)),
        "pruned_reason": trial.user_attrs.get(PRUNED_ATTR),
        "metrics": {key: trial.user_attrs[key] for key in TEST_METRICS if key in trial.user_attrs},
        "failure": trial.user_attrs.get(FAILURE_ATTR),
        "rss_mb": trial.user_attrs.get("rss_mb"),
    }


def best_summary(study: optuna.Study, naive: NaiveScores | None) -> dict[str, Any] | None:
    """The best trial's row; vs_naive compares its test MSE with persistence's."""
    best = best_trial(study)
    if best is None:
        return None
    row = describe_trial(best)
    if naive is not None and naive.mse > 0:
        row["vs_naive"] = best.user_attrs.get("mse", math.nan) / naive.mse
    return row


def run_search(
    name: str,
    storage: str | None = None,
    *,
    seed: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_trial: Callable[[FrozenTrial], None] | None = None,
) -> SearchOutcome:
    """Run trials of an existing study until a stop rule holds (trials, time budget, target,
    grid exhausted, a stop request in the study or should_stop()). Safe to run in several
    processes or machines at once against one storage: they share the study.

    `seed` seeds this worker's sampler (default: the study's seed; give each extra worker its
    own so random proposals differ). Grid order always follows the study's seed.

    The sampler runs here; each trial trains on a Dask worker (core.runs.cluster), so
    this process never imports TensorFlow and its memory stays flat (the nanny bounds each
    worker's memory). should_stop() also reaches the running trial: cooperatively, then hard.
    """
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = load_study(name, storage)
    config = study_config(study)
    stale = fail_stale_trials(study)
    strategy = get_strategy(config.strategy)
    sampler_seed = config.seed if (seed is None or config.strategy == "grid") else seed
    sampler = study_sampler(
        config.strategy, config.space, sampler_seed, len(study.get_trials(deepcopy=False))
    )
    study = optuna.load_study(
        study_name=name,
        storage=open_storage(storage),
        sampler=sampler,
        pruner=strategy.make_pruner(config.train.epochs),
    )
    environment = TrialEnvironment(config)
    stored = study.user_attrs.get(NAIVE_ATTR)
    if stored is None:
        naive = environment.naive_metrics()
        study.set_user_attr(NAIVE_ATTR, json_ready(naive.to_dict()))
    else:
        naive = NaiveScores.from_dict(stored)
    identity = process_identity()
    storage_url = storage or default_storage_url()
    folder = predictions_folder(name)
    trials_run = 0
    reason = None
    mine: list[int] = []  # numbers of the trials this runner started
    full_disk: list[DiskFullError] = []

    def objective(trial: optuna.Trial) -> float:
        mine.append(trial.number)
        try:
            trial.set_user_attr(WORKER_ATTR, identity)  # the runner owns the trial: it tells Optuna
            config.space.suggest(trial)  # the sampler proposes here; the pool worker reads them
            result = run_in_pool(
                trial,
                environment,
                study_name=name,
                storage_url=storage_url,
                predictions_folder=folder,
                should_stop=should_stop,
            )
        except DiskFullError as error:  # Optuna catches it as a failed trial: the search ends
            full_disk.append(error)
            raise
        return result["value"]

    if stop_reason(study, config, time.monotonic()) is None:
        wait_for_worker()  # a cold pool's start-up is not charged to the budget or a trial
    started = time.monotonic()

    try:
        while True:
            reason = stop_reason(study, config, started)
            if reason is None and should_stop is not None and should_stop():
                reason = "cancelled"
            if reason is not None:
                break
            stale += fail_stale_trials(study)
            study.optimize(objective, n_trials=1, catch=(Exception,))
            if full_disk:
                raise full_disk[0]
            trials_run += 1
            if on_trial is not None:
                on_trial(_latest_own_trial(study))
    except Exception as error:
        _give_up(study, mine)
        full = _full_disk_behind(error)
        if full is not None and full is not error:
            raise full from None
        raise
    return SearchOutcome(
        study_name=name,
        objective=config.objective,
        stop_reason=reason,
        trials_run=trials_run,
        wall_seconds=time.monotonic() - started,
        best=best_summary(study, naive),
        naive=naive,
        stale_trials=stale,
    )


def _full_disk_behind(error: BaseException) -> DiskFullError | None:
    """The full disk that caused `error`, if any. Optuna's own bookkeeping turns a failed
    write of a trial's end into AssertionError("Should not reach."), with the write's error
    as its context."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None or isinstance(seen, DiskFullError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _give_up(study: optuna.Study, mine: list[int]) -> None:
    """The runner stops on an error (a full disk): its trials still marked running are run by
    no one; they are marked interrupted now if the storage takes it, else at the next chance
    (the next search, or the page, sees them as interrupted meanwhile)."""
    running = {trial.number for trial in study.get_trials(states=(TrialState.RUNNING,))}
    abandon(study.study_name, [number for number in mine if number in running])
    try:
        fail_stale_trials(study)
    except DiskFullError:
        pass  # still full: the next search marks them


def _latest_own_trial(study: optuna.Study) -> FrozenTrial:
    """This process's latest finished trial (another worker's may be newer in the study)."""
    trials = study.get_trials(deepcopy=False)
    mine = [
        trial
        for trial in trials
        if trial.user_attrs.get(WORKER_ATTR, {}).get("pid") == os.getpid()
        and trial.state != TrialState.RUNNING
    ]
    return max(mine or trials, key=lambda trial: trial.number)


__all__ = [
    "STOP_MESSAGES",
    "SearchOutcome",
    "best_summary",
    "describe_trial",
    "run_search",
    "stop_reason",
]
