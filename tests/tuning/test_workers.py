"""Several worker processes share one study through the local journal storage; a killed worker
loses only its running trial and the study resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from optuna.trial import TrialState

from core.tuning.space import Parameter, SearchSpace
from core.tuning.study import create_study, default_storage_url, load_study, run_search
from tests.tuning.conftest import tiny_config

REPO = Path(__file__).resolve().parents[2]


def start_worker(
    study: str, storage: str, seed: int, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """`python -m core tune worker` in a process of its own (`env`: extra variables, e.g. the
    session's scheduler; a worker that is killed keeps a cluster of its own, which dies with it)."""
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}
    environment.update(env or {})
    command = [sys.executable, "-m", "core", "tune", "worker", "--study", study]
    command += ["--storage", storage, "--seed", str(seed)]
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_share_a_grid_without_duplicates(session_scheduler):
    space = SearchSpace(
        parameters=(
            Parameter("units", "categorical", choices=(2, 3)),
            Parameter("lookback", "categorical", choices=(4, 6)),
        )
    )
    config = tiny_config(strategy="grid", space=space, max_trials=50)
    study = create_study(config, name="shared-grid")
    storage = default_storage_url()
    workers = [start_worker("shared-grid", storage, seed, session_scheduler) for seed in (1, 2)]
    outputs = [worker.communicate(timeout=240) for worker in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-2000:]
        assert "Traceback" not in err
        assert "every grid point is done" in out
    trials = load_study("shared-grid", storage).trials
    complete = [trial for trial in trials if trial.state == TrialState.COMPLETE]
    points = [(trial.params["units"], trial.params["lookback"]) for trial in complete]
    assert sorted(points) == sorted({(u, w) for u in (2, 3) for w in (4, 6)})
    assert len(trials) == 4  # nothing lost, nothing repeated
    assert study.study_name == "shared-grid"


def test_killed_worker_loses_only_its_running_trial():
    config = tiny_config(max_trials=2)
    config = config.replace(train=config.train.replace(epochs=400))  # long enough to kill
    create_study(config, name="killed")
    storage = default_storage_url()
    worker = start_worker("killed", storage, 1)
    deadline = time.monotonic() + 120
    study = load_study("killed", storage)
    while time.monotonic() < deadline:
        running = study.get_trials(states=(TrialState.RUNNING,))
        if running and "worker" in running[0].user_attrs:
            break
        time.sleep(0.5)
    else:
        worker.kill()
        raise AssertionError("the worker never started a trial")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    assert len(study.get_trials(states=(TrialState.RUNNING,))) == 1  # left behind
    study.set_user_attr("config", config.replace(train=config.train.replace(epochs=1)).to_dict())
    outcome = run_search("killed", storage)
    assert outcome.stale_trials == [0]
    states = [trial.state for trial in load_study("killed", storage).trials]
    assert states == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
