"""Who owns a trial and what it counts for: each running trial records its worker process, so
trials of dead workers are marked interrupted, and interrupted trials do not use up the budget.
"""

from __future__ import annotations

import math
import os
import socket
from datetime import datetime
from typing import Any

import optuna
import psutil
from optuna.trial import FrozenTrial, TrialState

from core.adapters.optuna import mark_failed
from core.tuning.storage import load_study
from core.tuning.trial_states import FAILURE_ATTR, counts_toward_budget, is_interrupted

WORKER_ATTR = "worker"
PRUNED_ATTR = "pruned_reason"  # why a pruned trial stopped (the pruner, or the time cap)
TIMING_ATTR = "timing"  # seconds per phase of the trial (core.tuning.budget)
STALE_WITHOUT_OWNER_SECONDS = 600.0
# (study, trial number) of trials a runner of this process gave up on while they were running
# (its storage refused the write that ends them, e.g. a full disk): no one runs them any more.
_ABANDONED: set[tuple[str, int]] = set()


def process_identity() -> dict[str, Any]:
    """Host, process id and start time: a process id alone is reused after the process ends."""
    return {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": psutil.Process().create_time(),
    }


def owner_alive(owner: dict[str, Any]) -> bool:
    """True while the recorded process (on this host) still runs."""
    try:
        process = psutil.Process(int(owner["pid"]))
        return abs(process.create_time() - float(owner["started"])) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied, KeyError, TypeError, ValueError):
        return False


def abandon(study_name: str, numbers: list[int]) -> None:
    """A runner of this process gives up these running trials (see _ABANDONED)."""
    _ABANDONED.update((study_name, number) for number in numbers)


def is_stale(study_name: str, trial: FrozenTrial) -> bool:
    """Whether a RUNNING trial is run by no one: abandoned here, its recorded worker process on
    this host is gone, or it has no recorded worker and started long ago."""
    if (study_name, trial.number) in _ABANDONED:
        return True
    owner = trial.user_attrs.get(WORKER_ATTR)
    if owner is None:
        started = trial.datetime_start
        return started is not None and (
            (datetime.now() - started).total_seconds() > STALE_WITHOUT_OWNER_SECONDS
        )
    return owner.get("host") == socket.gethostname() and not owner_alive(owner)


def fail_stale_trials(study: optuna.Study) -> list[int]:
    """Mark RUNNING trials no one runs (is_stale) as failed (interrupted); returns their
    numbers. RDB storages also do this from Optuna's heartbeat, but only after its grace
    period; a journal file has no heartbeat."""
    stale = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if is_stale(study.study_name, trial):
            mark_failed(study, trial)
            _ABANDONED.discard((study.study_name, trial.number))
            stale.append(trial.number)
    return stale


def counted_trials(study: optuna.Study) -> int:
    """How many trials use up the budget (see counts_toward_budget)."""
    return sum(counts_toward_budget(trial) for trial in study.get_trials(deepcopy=False))


def study_is_running(name: str, storage: str | None = None) -> bool:
    """True while any worker (on any machine) has a trial of the study running."""
    study = load_study(name, storage)
    running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    return any(not is_stale(name, trial) for trial in running)


def best_trial(study: optuna.Study) -> FrozenTrial | None:
    """The finished trial with the lowest finite objective, if any."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    finite = [trial for trial in complete if trial.value is not None and math.isfinite(trial.value)]
    return min(finite, key=lambda trial: trial.value) if finite else None


def worker_label(owner: dict[str, Any] | None) -> str:
    if not owner:
        return ""
    return f"{owner.get('host')}:{owner.get('pid')}"


__all__ = [
    "abandon",
    "is_stale",
    "FAILURE_ATTR",
    "PRUNED_ATTR",
    "TIMING_ATTR",
    "WORKER_ATTR",
    "best_trial",
    "counted_trials",
    "counts_toward_budget",
    "fail_stale_trials",
    "is_interrupted",
    "owner_alive",
    "process_identity",
    "study_is_running",
    "worker_label",
]
