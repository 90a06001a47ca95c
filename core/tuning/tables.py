"""Tables of a study's trials for the charts: one row per trial with its objective, running
best, timing, parameters and metrics; parameter importances; where the best was reached.
"""

from __future__ import annotations

import math
from typing import Any

import optuna
import pandas as pd
from optuna.trial import TrialState

from core.tuning.objective import TEST_METRICS
from core.tuning.trials import (
    FAILURE_ATTR,
    PRUNED_ATTR,
    WORKER_ATTR,
    is_interrupted,
    is_stale,
    worker_label,
)


def _interrupted(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
    """Ended without a result, or still marked running though no one runs it."""
    if trial.state == TrialState.RUNNING:
        return is_stale(study.study_name, trial)
    return is_interrupted(trial)


def trials_frame(study: optuna.Study) -> pd.DataFrame:
    """One row per trial: state, objective, running best, smoothed objective, seconds,
    cumulative seconds, each parameter, validation MSE and the test metrics (what the charts
    plot; test metrics are shown, the objective is what chose)."""
    rows = []
    for trial in sorted(study.get_trials(deepcopy=False), key=lambda item: item.number):
        row: dict[str, Any] = {
            "number": trial.number,
            "state": "interrupted" if _interrupted(study, trial) else trial.state.name.lower(),
            "value": trial.value if trial.state == TrialState.COMPLETE else math.nan,
            "seconds": trial.user_attrs.get("seconds", math.nan),
            "epochs_run": trial.user_attrs.get("epochs_run", math.nan),
            # Training stopped by the trial's time cap (scored as far as it trained).
            "capped": bool(trial.user_attrs.get("capped", False)),
            "pruned_reason": trial.user_attrs.get(PRUNED_ATTR),
            "failure": trial.user_attrs.get(FAILURE_ATTR),
            "worker": worker_label(trial.user_attrs.get(WORKER_ATTR)),
            "rss_mb": trial.user_attrs.get("rss_mb", math.nan),
        }
        for key in (*TEST_METRICS, "validation_mse"):
            value = trial.user_attrs.get(key)
            row[key] = math.nan if value is None else value
        row.update(trial.params)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["value"] = frame["value"].astype(float)
    frame["best_so_far"] = frame["value"].cummin()
    frame["smoothed"] = frame["value"].rolling(5, min_periods=1).median()
    frame["cumulative_seconds"] = frame["seconds"].astype(float).fillna(0.0).cumsum()
    return frame


def parameter_importances(study: optuna.Study) -> dict[str, float]:
    """fANOVA-style importances (Optuna's default evaluator) once enough trials finished."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < 4:
        return {}
    try:
        return optuna.importance.get_param_importances(study)
    except (RuntimeError, ValueError, ZeroDivisionError):
        return {}  # too few distinct values to tell parameters apart


def reached_at(frame: pd.DataFrame) -> int | None:
    """The trial number at which the best value was first reached."""
    if frame.empty or frame["value"].isna().all():
        return None
    return int(frame.loc[frame["value"].idxmin(), "number"])


__all__ = ["parameter_importances", "reached_at", "trials_frame"]
