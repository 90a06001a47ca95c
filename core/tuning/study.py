"""The search's public names in one import: settings, storage, trial ownership, the objective,
the runner and chart tables each live in their own module and are gathered here.
"""

from __future__ import annotations

from core.tuning.objective import TrialEnvironment, evaluate_trial, load_trial_predictions
from core.tuning.runner import (
    STOP_MESSAGES,
    SearchOutcome,
    best_summary,
    describe_trial,
    run_search,
    stop_reason,
)
from core.tuning.settings import (
    OBJECTIVES,
    TUNING_PAPER_END_DATE,
    TUNING_PAPER_REFERENCE,
    TuneConfig,
    default_objective,
    tuning_paper_config,
)
from core.tuning.storage import (
    STOP_ATTR,
    create_study,
    default_storage_url,
    default_study_name,
    delete_study,
    list_studies,
    load_study,
    open_storage,
    request_stop,
    study_config,
)
from core.tuning.tables import parameter_importances, reached_at, trials_frame
from core.tuning.trials import (
    best_trial,
    counted_trials,
    fail_stale_trials,
    is_interrupted,
    study_is_running,
)

__all__ = [
    "OBJECTIVES",
    "STOP_ATTR",
    "STOP_MESSAGES",
    "TUNING_PAPER_END_DATE",
    "TUNING_PAPER_REFERENCE",
    "SearchOutcome",
    "TrialEnvironment",
    "TuneConfig",
    "best_summary",
    "best_trial",
    "counted_trials",
    "create_study",
    "default_objective",
    "default_storage_url",
    "default_study_name",
    "delete_study",
    "describe_trial",
    "evaluate_trial",
    "fail_stale_trials",
    "is_interrupted",
    "list_studies",
    "load_study",
    "load_trial_predictions",
    "open_storage",
    "parameter_importances",
    "reached_at",
    "request_stop",
    "run_search",
    "stop_reason",
    "tuning_paper_config",
    "study_config",
    "study_is_running",
    "trials_frame",
]
