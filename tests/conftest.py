"""Shared fixtures: an isolated FORECAST_LAB_HOME per test, the recorded market files that ship
with the tests (tests/fixtures: small cuts of real downloads, see tests/fixtures/README.md), and
one small Dask cluster for the whole session (2 embedded workers, plus one `dask worker` process
joining over loopback for the tests that ask for it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own data home, so downloads and runs never leak between tests."""
    home = tmp_path / "forecast-lab-home"
    monkeypatch.setenv("FORECAST_LAB_HOME", str(home))
    return home


@pytest.fixture
def datasets() -> Path:
    """The folder of recorded market files cut from real downloads (part of the repository)."""
    return FIXTURES


@pytest.fixture(autouse=True)
def _main_module_kept():
    """Streamlit's AppTest installs the script it runs as __main__ and leaves it there; a Dask
    worker started later (a fresh cluster, a restarted worker) is spawned by multiprocessing,
    which re-runs __main__'s file in the child: an AppTest.from_function script then fails there
    ("name '__args' is not defined") and the nanny never starts. Each test gets back the
    __main__ it started with."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session", autouse=True)
def _close_the_cluster():
    """The session's cluster has 2 embedded workers (commands the tests start in processes of
    their own keep the default); whatever test starts it, it is closed at the session's end."""
    from core.runs import cluster

    cluster.use(cluster.Cluster(workers=2))
    yield
    from core.runs import cluster

    cluster.close()


@pytest.fixture
def dask_cluster():
    """The session's embedded cluster (2 worker processes), started once and connected (commands
    run in this process keep it: they close only a cluster they started themselves)."""
    from core.runs import cluster

    shared = cluster.get_cluster()
    shared.client()
    return shared


@pytest.fixture
def session_scheduler(dask_cluster) -> dict[str, str]:
    """Environment for a command run in a process of its own that reaches the session's cluster
    (FORECAST_LAB_SCHEDULER) instead of starting one and loading TensorFlow into new workers: for
    tests about a command's output. One test per command still lets it start its own."""
    from core.runs.cluster import SCHEDULER_ENV

    return {SCHEDULER_ENV: dask_cluster.address()}


@pytest.fixture(scope="session")
def joined_worker():
    """A separate `dask worker` process joined to the session's cluster over loopback, as another
    machine joins (README); yields its process. Waits until it has registered."""
    from core.runs import cluster

    worker = start_joined_worker(cluster.get_cluster(), "joined")
    yield worker
    stop_process_group(worker)


def start_joined_worker(shared, name: str) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "distributed.cli.dask_worker", shared.address(),
        "--nthreads", "1", "--name", name, "--preload", "core.runs.preload",
        "--no-dashboard", "--memory-limit", "3GB",
    ]  # fmt: skip
    worker = subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120  # a liveness bound, not a timing
    while time.monotonic() < deadline:
        workers = shared.client().scheduler_info(n_workers=-1)["workers"].values()
        if any(info.get("name") == name for info in workers):
            return worker
        assert worker.poll() is None, "the joined dask worker exited"
        time.sleep(0.2)
    stop_process_group(worker)
    raise AssertionError(f"the dask worker {name} did not join within two minutes")


def stop_process_group(process: subprocess.Popen) -> None:
    import signal

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def wait_until(condition, timeout: float) -> None:
    """Poll `condition` until it holds; fail after `timeout` s (a liveness bound, not a timing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")
