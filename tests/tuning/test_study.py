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

from core.config import SplitConfig
from core.errors import ConfigError
from core.tuning import strategies
from core.tuning.space import Parameter, SearchSpace
from core.tuning.study import (
    STOP_ATTR,
    TuneConfig,
    counted_trials,
    create_study,
    default_objective,
    fail_stale_trials,
    load_trial_predictions,
    open_storage,
    parameter_importances,
    request_stop,
    run_search,
    stop_reason,
    study_config,
    trials_frame,
    tuning_paper_config,
)
from tests.tuning.conftest import tiny_config


@pytest.mark.parametrize("strategy", list(strategies.STRATEGIES))
def test_each_strategy_runs_tiny_trials(strategy):
    config = tiny_config(strategy=strategy, max_trials=2)
    study = create_study(config, name=f"tiny-{strategy}")
    outcome = run_search(study.study_name)
    assert outcome.stop_reason == "trials" and outcome.trials_run == 2
    assert outcome.objective == "validation_mse"
    assert outcome.best is not None and outcome.best["value"] > 0
    assert outcome.naive.mse > 0
    finished = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(finished) == 2
    for trial in finished:
        assert {"r2", "rmse", "mae", "mse_original", "seconds", "rss_mb"} <= set(trial.user_attrs)
        assert trial.value == pytest.approx(trial.user_attrs["validation_mse"])
        assert trial.value != pytest.approx(trial.user_attrs["mse"])  # test MSE kept apart
    frame = trials_frame(study)
    assert list(frame["number"]) == [0, 1]
    assert {"value", "best_so_far", "cumulative_seconds", "units", "r2", "mse"} <= set(frame)
    predictions = load_trial_predictions(study.study_name, 0)
    assert predictions is not None and len(predictions) == 60
    assert predictions.index[-1] == pd.Timestamp("2018-01-01") + pd.Timedelta(days=299)


def test_the_best_trial_is_chosen_on_validation_never_on_test():
    study = create_study(tiny_config(max_trials=4), name="honest")
    outcome = run_search(study.study_name)
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    by_validation = min(complete, key=lambda trial: trial.user_attrs["validation_mse"])
    assert outcome.best["number"] == by_validation.number
    assert outcome.best["validation_mse"] == pytest.approx(outcome.best["value"])
    assert outcome.best["test_mse"] == pytest.approx(by_validation.user_attrs["mse"])


def test_only_the_tuning_paper_preset_selects_on_test():
    assert TuneConfig().objective == "validation_mse"
    assert tuning_paper_config().objective == "test_mse"
    assert default_objective("study-b") == "test_mse"
    assert default_objective("default") == "validation_mse"
    with pytest.raises(ConfigError, match="needs a validation part"):
        tiny_config(split=SplitConfig(test_size=60, lookback=5, validation_fraction=0.0))
    assert tiny_config(objective="test_mse").objective == "test_mse"


def test_settings_round_trip_through_the_stored_form():
    config = tuning_paper_config("bayes", max_trials=7).replace(trial_seconds=30.0, target=0.01)
    assert TuneConfig.from_dict(config.to_dict()) == config
    assert config.to_dict()["space"] == config.space.to_dict()
    assert len(config.fingerprint()) == 8
    assert config.fingerprint() != config.replace(objective="validation_mse").fingerprint()


def test_failed_trial_is_recorded_and_the_search_goes_on():
    space = SearchSpace(parameters=(Parameter("lookback", "categorical", choices=(5, 280)),))
    study = create_study(tiny_config(strategy="grid", space=space, max_trials=5), name="fails")
    outcome = run_search(study.study_name)
    assert outcome.stop_reason == "grid"  # both grid points were tried
    states = {trial.params["lookback"]: trial for trial in study.trials}
    assert states[280].state == TrialState.FAIL
    assert "window (280) must be shorter" in states[280].user_attrs["failure"]
    assert states[5].state == TrialState.COMPLETE


def test_hyperband_prunes_a_trial_far_worse_than_its_bracket():
    # Earlier trials (asked, reported and told through Optuna's public API, as a worker would)
    # reached a tiny validation loss at every epoch; the real Hyperband pruner must stop a new
    # trial whose per-epoch validation loss is orders of magnitude worse before its last epoch.
    config = tiny_config(strategy="hyperband", max_trials=21)
    config = config.replace(train=config.train.replace(epochs=9))
    study = create_study(config, name="prunes")
    reporting = optuna.load_study(
        study_name="prunes",
        storage=open_storage(),
        sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=strategies.STRATEGIES["hyperband"].make_pruner(9),
    )
    for _ in range(20):
        trial = reporting.ask(config.space.distributions())
        for epoch in range(1, 10):
            trial.report(1e-9 * epoch, epoch)
            trial.should_prune()
        reporting.tell(trial, 9e-9)
    run_search("prunes")
    trial = study.trials[-1]
    assert trial.state == TrialState.PRUNED
    assert max(trial.intermediate_values) < 9
    assert trial.user_attrs["epochs_run"] == max(trial.intermediate_values)
    assert "validation loss" in trial.user_attrs["pruned_reason"]  # says what pruned it


def test_target_and_time_budget_stop_after_one_trial():
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


def test_trials_train_in_warm_cluster_workers_and_stop_at_their_cap():
    from core.runs import cluster

    # A cap well above a tiny network's build and trace (about 1-2 s, up to 3 s on a loaded
    # 2-core machine), so no trial is pruned unbuilt and the cap is what stops each one.
    # Two trials (each costs its whole cap) show both: trained in standing workers, capped.
    config = tiny_config(max_trials=2, trial_seconds=6.0)
    config = config.replace(train=config.train.replace(epochs=5000))  # only the cap stops it
    study = create_study(config, name="pooled")
    outcome = run_search(study.study_name)
    assert outcome.trials_run == 2
    trials = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(trials) == 2
    trainers = {trial.user_attrs["trained_by"] for trial in trials}
    assert os.getpid() not in trainers  # trials train in the cluster's workers
    assert trainers <= set(cluster.get_cluster().worker_pids().values())  # no process per trial
    for trial in trials:
        assert trial.user_attrs["worker"]["pid"] == os.getpid()  # the runner owns the trial
        assert trial.user_attrs["stop_reason"] == "time_limit"
        assert trial.user_attrs["capped"] is True
        # The training's share of the cap leaves room for the rest of the trial (build, trace,
        # validation, prediction, storage); how close trials end to their cap is timing, which
        # python -m core.bench_tuning prints (longest_trial_vs_cap).
        assert 0 < trial.user_attrs["training_budget_seconds"] < config.trial_seconds
