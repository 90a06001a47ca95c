"""Optuna internals in one place. The shared grid sampler, the generator sampler, the stale-trial
sweep and the pool workers write to a trial's storage record directly (study._storage,
trial._trial_id) or read the grid sampler's own grid; Optuna offers no public call for these."""

from __future__ import annotations

from typing import Any

import optuna
from optuna.samplers import GridSampler
from optuna.trial import FrozenTrial, TrialState


def trial_id(trial: optuna.Trial | FrozenTrial) -> int:
    """The storage's id of a trial (unique across studies; the number is per study)."""
    return trial._trial_id


def set_system_attr(study: optuna.Study, trial: optuna.Trial | FrozenTrial, key: str, value: Any):
    """Store a system attribute on a trial (what samplers record about their proposal)."""
    study._storage.set_trial_system_attr(trial._trial_id, key, value)


def stored_user_attrs(trial: optuna.Trial) -> dict[str, Any]:
    """A running trial's user attributes as the storage holds them now (written by another
    process, which the trial object in this one has not seen)."""
    return trial.study._storage.get_trial_user_attrs(trial._trial_id)


def mark_failed(study: optuna.Study, trial: FrozenTrial) -> None:
    """End a trial some other process left running (its worker died) as failed."""
    study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)


def reopen_trial(study: optuna.Study, stored_id: int) -> optuna.Trial:
    """A running trial, by its storage id, as a Trial another process can report to."""
    return optuna.Trial(study, stored_id)


def grid_size(sampler: GridSampler) -> int:
    """How many points the grid sampler's grid has."""
    return len(sampler._all_grids)


def grid_search_space(sampler: GridSampler) -> dict[str, list[Any]]:
    """The grid sampler's space (parameter -> values), as it records it on each trial."""
    return sampler._search_space


__all__ = [
    "grid_search_space",
    "grid_size",
    "mark_failed",
    "reopen_trial",
    "set_system_attr",
    "stored_user_attrs",
    "trial_id",
]
