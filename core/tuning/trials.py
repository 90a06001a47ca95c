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


def fail_stale_trials(study: optuna.Study) -> list[int]:
    """Mark RUNNING trials whose worker died as failed (interrupted); returns their numbers.

    RDB storages also do this from Optuna's heartbeat, but only after its grace period. A
    journal file has no heartbeat, so a trial is stale when its recorded worker process on this
    host no longer exists, or when it has no recorded worker and started long ago.
    """
    stale = []
    host = socket.gethostname()
    now = datetime.now()
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner = trial.user_attrs.get(WORKER_ATTR)
        if owner is None:
            started = trial.datetime_start
            dead = started is not None and (
                (now - started).total_seconds() > STALE_WITHOUT_OWNER_SECONDS
            )
        else:
            dead = owner.get("host") == host and not owner_alive(owner)
        if dead:
            mark_failed(study, trial)
            stale.append(trial.number)
    return stale


def counted_trials(study: optuna.Study) -> int:
    """How many trials use up the budget (see counts_toward_budget)."""
    return sum(counts_toward_budget(trial) for trial in study.get_trials(deepcopy=False))


def study_is_running(name: str, storage: str | None = None) -> bool:
    """True while any worker (on any machine) has a trial of the study running."""
    study = load_study(name, storage)
    return bool(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))


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
