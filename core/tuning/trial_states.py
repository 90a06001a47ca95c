"""What a finished or running trial counts for, read from the trial alone (no storage): the
grid sampler and the runner both ask it, so it sits below both."""

from __future__ import annotations

from optuna.trial import FrozenTrial, TrialState

FAILURE_ATTR = "failure"  # why a trial failed; a failed trial without it was interrupted


def is_interrupted(trial: FrozenTrial) -> bool:
    """A failed trial with no recorded reason was cut off (worker killed, cancelled)."""
    return trial.state == TrialState.FAIL and FAILURE_ATTR not in trial.user_attrs


def counts_toward_budget(trial: FrozenTrial) -> bool:
    """Finished trials (interrupted ones excluded) and running ones use up the budget."""
    if trial.state in (TrialState.RUNNING, TrialState.COMPLETE, TrialState.PRUNED):
        return True
    return trial.state == TrialState.FAIL and not is_interrupted(trial)


__all__ = ["FAILURE_ATTR", "counts_toward_budget", "is_interrupted"]
