"""Searches started from the page run in a server thread with trials in the warm pool: they
finish on their stop rule, and Stop now cancels the running trial, which counts as interrupted."""

from __future__ import annotations

import time

from optuna.trial import TrialState

from core.tuning.background import SearchBoard
from core.tuning.study import create_study, load_study
from tests.tuning.conftest import tiny_config


def wait_until(condition, seconds: float = 180.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_a_search_runs_in_a_server_thread_until_its_stop_rule():
    create_study(tiny_config(max_trials=2), name="board")
    board = SearchBoard()
    worker = board.start("board")
    assert wait_until(lambda: not worker.running)
    assert worker.error is None and worker.stop_reason == "trials"
    assert board.running("board") == 0
    states = [trial.state for trial in load_study("board").trials]
    assert states == [TrialState.COMPLETE, TrialState.COMPLETE]


def test_stop_now_cancels_the_running_trial_and_keeps_the_study_resumable():
    config = tiny_config(max_trials=3)
    create_study(config.replace(train=config.train.replace(epochs=5000)), name="stop-now")
    board = SearchBoard()
    worker = board.start("stop-now")
    study = load_study("stop-now")
    # the trial is training once it has reported an epoch's validation loss
    assert wait_until(
        lambda: any(
            trial.intermediate_values for trial in study.get_trials(states=(TrialState.RUNNING,))
        )
    )
    board.terminate("stop-now")
    assert wait_until(lambda: not worker.running, 60.0)
    assert worker.error is None and worker.stop_reason == "cancelled"
    (trial,) = load_study("stop-now").trials
    assert trial.state == TrialState.FAIL and "failure" not in trial.user_attrs  # interrupted
