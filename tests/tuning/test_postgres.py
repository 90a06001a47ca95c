"""Multi-machine search on a real PostgreSQL server through its real driver: two `tune worker`
processes share one grid study; a killed worker loses only its running trial."""

from __future__ import annotations

import os
import signal
import time

import pytest
from optuna.trial import TrialState

from core.errors import ConfigError
from core.tuning.space import Parameter, SearchSpace
from core.tuning.storage import resolve_database_url
from core.tuning.study import create_study, load_study, run_search
from tests.tuning.conftest import tiny_config
from tests.tuning.test_workers import start_worker

GRID = SearchSpace(
    name="pg-grid",
    parameters=(
        Parameter("units", "categorical", choices=(2, 3, 4)),
        Parameter("lookback", "categorical", choices=(4, 6)),
    ),
)
POINTS = {(units, lookback) for units in (2, 3, 4) for lookback in (4, 6)}
# The killed-worker search: every trial runs to its time cap, so each point costs the survivor
# a cap; three points still hold the victim's, the survivor's first and one more.
SMALL_GRID = SearchSpace(
    name="pg-small-grid",
    parameters=(
        Parameter("units", "categorical", choices=(2, 3, 4)),
        Parameter("lookback", "categorical", choices=(4,)),
    ),
)
SMALL_POINTS = {(units, 4) for units in (2, 3, 4)}


def test_bare_postgresql_urls_get_the_installed_driver(monkeypatch):
    # The drivers "installed" are set here, so the test says the same on a machine without
    # psycopg (a fresh clone with requirements-dev.txt only) as on CI, which installs it.
    found = {"psycopg", "psycopg2"}
    monkeypatch.setattr(
        "importlib.util.find_spec", lambda name: object() if name in found else None
    )
    url = "postgresql://lab:secret@db.example:5432/studies"
    assert resolve_database_url(url) == "postgresql+psycopg://lab:secret@db.example:5432/studies"
    assert resolve_database_url("postgres://h/db") == "postgresql+psycopg://h/db"
    explicit = "postgresql+psycopg2://lab@h/db"
    assert resolve_database_url(explicit) == explicit
    assert resolve_database_url("sqlite:///x.db") == "sqlite:///x.db"
    found.discard("psycopg")
    assert resolve_database_url(url).startswith("postgresql+psycopg2://")
    found.clear()
    with pytest.raises(ConfigError, match=r"requirements-postgres.txt.*") as raised:
        resolve_database_url(url)
    assert "secret" not in str(raised.value)


def _points(trials) -> list[tuple[int, int]]:
    return [(trial.params["units"], trial.params["lookback"]) for trial in trials]


def test_two_workers_share_a_grid_on_postgresql(postgres_cluster, session_scheduler):
    storage = postgres_cluster.create_database("shared_grid")
    config = tiny_config(strategy="grid", space=GRID, max_trials=50)
    create_study(config, name="shared-grid", storage=storage)
    workers = [start_worker("shared-grid", storage, seed, session_scheduler) for seed in (1, 2)]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-2000:]
        assert "Traceback" not in err
        assert "every grid point is done" in out
    trials = load_study("shared-grid", storage).trials
    assert all(trial.state == TrialState.COMPLETE for trial in trials)
    assert sorted(_points(trials)) == sorted(POINTS)  # each point once: none lost, none twice
    owners = {trial.user_attrs["worker"]["pid"] for trial in trials}
    assert owners <= {worker.pid for worker in workers}


def test_a_killed_worker_loses_only_its_running_trial_on_postgresql(postgres_cluster):
    storage = postgres_cluster.create_database("killed_worker")
    config = tiny_config(strategy="grid", space=SMALL_GRID, max_trials=50, trial_seconds=6.0)
    config = config.replace(train=config.train.replace(epochs=5000))  # every trial hits the cap
    create_study(config, name="killed", storage=storage)
    workers = [start_worker("killed", storage, seed) for seed in (1, 2)]
    study = load_study("killed", storage)
    victim = workers[0]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        running = study.get_trials(states=(TrialState.RUNNING,))
        owners = {trial.user_attrs.get("worker", {}).get("pid") for trial in running}
        if victim.pid in owners:
            break
        time.sleep(0.3)
    else:
        for worker in workers:
            worker.kill()
        raise AssertionError("the first worker never started a trial")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    survivor_out, survivor_err = workers[1].communicate(timeout=300)
    assert workers[1].returncode == 0, survivor_err[-2000:]
    assert "every grid point is done" in survivor_out
    # The survivor marked the dead worker's trial interrupted and ran its point again.
    trials = load_study("killed", storage).trials
    failed = [trial for trial in trials if trial.state == TrialState.FAIL]
    complete = [trial for trial in trials if trial.state == TrialState.COMPLETE]
    assert len(failed) == 1 and "failure" not in failed[0].user_attrs
    assert failed[0].user_attrs["worker"]["pid"] == victim.pid
    assert sorted(_points(complete)) == sorted(SMALL_POINTS)
    assert len(trials) == len(SMALL_POINTS) + 1
    # A resumed search finds nothing left to do and nothing running.
    outcome = run_search("killed", storage)
    assert (outcome.stop_reason, outcome.trials_run) == ("grid", 0)
