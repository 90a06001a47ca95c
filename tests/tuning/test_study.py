"""The study runner: every strategy end to end on tiny trials, stop rules, failed trials,
pruning, stale trials of dead workers, and the trial table the charts read."""

from __future__ import annotations

import os
import time

import optuna
import pandas as pd
import pytest
from optuna.distributions import IntDistribution
from optuna.trial import TrialState, create_trial

from core.errors import ConfigError
from core.tuning import strategies
from core.tuning.space import Parameter, SearchSpace
from core.tuning.study import (
    STOP_ATTR,
    counted_trials,
    create_study,
    fail_stale_trials,
    load_trial_predictions,
    parameter_importances,
    request_stop,
    run_search,
    stop_reason,
    study_config,
    trials_frame,
)
from tests.tuning.conftest import tiny_config


@pytest.mark.parametrize("strategy", list(strategies.STRATEGIES))
def test_each_strategy_runs_tiny_trials(strategy, no_jit):
    config = tiny_config(strategy=strategy, max_trials=2)
    study = create_study(config, name=f"tiny-{strategy}")
    outcome = run_search(study.study_name)
    assert outcome.stop_reason == "trials" and outcome.trials_run == 2
    assert outcome.best is not None and outcome.best["value"] > 0
    assert outcome.naive["mse"] > 0
    finished = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(finished) == 2
    for trial in finished:
        assert {"r2", "rmse", "mae", "mse_original", "seconds", "rss_mb"} <= set(trial.user_attrs)
        assert trial.value == pytest.approx(trial.user_attrs["mse"])
    frame = trials_frame(study)
    assert list(frame["number"]) == [0, 1]
    assert {"value", "best_so_far", "cumulative_seconds", "units", "r2"} <= set(frame.columns)
    predictions = load_trial_predictions(study.study_name, 0)
    assert predictions is not None and len(predictions) == 60
    assert predictions.index[-1] == pd.Timestamp("2018-01-01") + pd.Timedelta(days=299)


def test_failed_trial_is_recorded_and_the_search_goes_on(no_jit):
    space = SearchSpace(parameters=(Parameter("lookback", "categorical", choices=(5, 280)),))
    study = create_study(tiny_config(strategy="grid", space=space, max_trials=5), name="fails")
    outcome = run_search(study.study_name)
    assert outcome.stop_reason == "grid"  # both grid points were tried
    states = {trial.params["lookback"]: trial for trial in study.trials}
    assert states[280].state == TrialState.FAIL
    assert "window (280) must be shorter" in states[280].user_attrs["failure"]
    assert states[5].state == TrialState.COMPLETE


def test_hyperband_prunes_from_the_per_epoch_validation_loss(no_jit, monkeypatch):
    strategy = strategies.STRATEGIES["hyperband"]
    assert strategy.make_pruner(7)._max_resource == 7
    # A pruner that prunes whatever it sees: the runner must stop the trial after epoch 1.
    pruning = strategies.Strategy("always", "", strategy.make_sampler, prunes=True)
    monkeypatch.setattr(pruning.__class__, "make_pruner", lambda self, epochs: _AlwaysPrune())
    monkeypatch.setitem(strategies.STRATEGIES, "hyperband", pruning)
    config = tiny_config(strategy="hyperband", max_trials=1)
    config = config.replace(train=config.train.replace(epochs=5))
    study = create_study(config, name="prunes")
    run_search(study.study_name)
    trial = study.trials[0]
    assert trial.state == TrialState.PRUNED
    assert trial.intermediate_values.keys() == {1}
    assert trial.user_attrs["epochs_run"] == 1


class _AlwaysPrune(optuna.pruners.BasePruner):
    def prune(self, study, trial) -> bool:
        return bool(trial.intermediate_values)


def test_target_and_time_budget_stop_after_one_trial(no_jit):
    study = create_study(tiny_config(max_trials=5, target=10.0), name="target")
    outcome = run_search(study.study_name)
    assert (outcome.stop_reason, outcome.trials_run) == ("target", 1)
    study = create_study(tiny_config(max_trials=5, timeout_seconds=0.01), name="timeout")
    outcome = run_search(study.study_name)
    assert (outcome.stop_reason, outcome.trials_run) == ("timeout", 1)


def _finished(number: int, value: float, state=TrialState.COMPLETE, **attrs):
    return create_trial(
        state=state,
        value=value if state == TrialState.COMPLETE else None,
        params={"units": 3},
        distributions={"units": IntDistribution(2, 6)},
        user_attrs=attrs,
    )


def test_stop_rules_count_trials_and_skip_interrupted_ones():
    config = tiny_config(max_trials=3, target=0.01)
    study = create_study(config, name="rules")
    started = time.monotonic()
    study.add_trial(_finished(0, 0.5))
    study.add_trial(_finished(1, 0.0, TrialState.FAIL, failure="ConfigError: window"))
    study.add_trial(_finished(2, 0.0, TrialState.FAIL))  # interrupted: no reason recorded
    assert counted_trials(study) == 2
    assert stop_reason(study, config, started) is None
    study.add_trial(_finished(3, 0.005))
    assert stop_reason(study, config.replace(max_trials=10), started) == "target"
    assert stop_reason(study, config, started) == "trials"
    assert stop_reason(study, config.replace(max_trials=10, target=None), started - 99) is None
    timed = config.replace(max_trials=10, target=None, timeout_seconds=5)
    assert stop_reason(study, timed, started - 6) == "timeout"
    request_stop("rules")
    assert study.user_attrs[STOP_ATTR] is True
    assert stop_reason(study, config.replace(max_trials=10), started) == "cancelled"


def test_reopening_keeps_settings_and_takes_the_new_stop_rule():
    config = tiny_config(max_trials=2)
    create_study(config, name="again")
    study = create_study(config.replace(max_trials=7), name="again")
    assert study_config(study).max_trials == 7
    with pytest.raises(ConfigError, match="already exists with other settings"):
        create_study(config.replace(strategy="grid"), name="again")


def test_running_trials_of_dead_workers_are_failed_on_resume():
    study = create_study(tiny_config(), name="stale")
    dead = study.ask()
    dead.set_user_attr("worker", {"host": os.uname().nodename, "pid": 999_999, "started": 1.0})
    alive = study.ask()
    import psutil

    me = psutil.Process()
    alive.set_user_attr(
        "worker", {"host": os.uname().nodename, "pid": os.getpid(), "started": me.create_time()}
    )
    assert fail_stale_trials(study) == [dead.number]
    states = {trial.number: trial.state for trial in study.trials}
    assert states == {dead.number: TrialState.FAIL, alive.number: TrialState.RUNNING}
    assert counted_trials(study) == 1  # the interrupted trial does not use up the budget


def test_importances_need_a_few_finished_trials():
    study = create_study(tiny_config(), name="importance")
    assert parameter_importances(study) == {}
    for number, units in enumerate((2, 3, 4, 5, 6)):
        study.add_trial(
            create_trial(
                value=float(units),
                params={"units": units, "lookback": 3 + number % 2},
                distributions={"units": IntDistribution(2, 6), "lookback": IntDistribution(3, 8)},
            )
        )
    importances = parameter_importances(study)
    assert set(importances) == {"units", "lookback"}
    assert importances["units"] > importances["lookback"]


def test_memory_limit_hands_over_after_the_trial(no_jit):
    study = create_study(tiny_config(max_trials=3), name="recycle")
    outcome = run_search(study.study_name, max_rss_mb=1.0)
    assert (outcome.stop_reason, outcome.trials_run) == ("recycle", 1)
    assert study.trials[0].state == TrialState.COMPLETE
