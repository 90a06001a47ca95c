"""A `dask scheduler` of its own for the tests that need a cluster they alone use (one try per
task), and `dask worker` processes joined to it as other machines join."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.runs import cluster as cluster_module
from tests.conftest import REPO, stop_process_group, wait_until


@pytest.fixture
def lone_cluster(tmp_path, monkeypatch):
    """A `dask scheduler` process that gives up on a task at its first lost worker, and a
    Cluster client connected to it (no worker yet)."""
    address_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(address_file),
        ],  # fmt: skip
        cwd=REPO,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(address_file.exists, timeout=120)
        wait_until(lambda: "address" in address_file.read_text(), timeout=30)
        address = json.loads(address_file.read_text())["address"]
        monkeypatch.setenv(cluster_module.SCHEDULER_ENV, address)
        lone = cluster_module.Cluster(workers=1)
        lone.client()
        yield lone
        lone.shutdown()
    finally:
        stop_process_group(scheduler)


def join(
    lone,
    name: str,
    memory_limit: str,
    *,
    environment: dict[str, str] | None = None,
) -> subprocess.Popen:
    """A `dask worker` (nanny and worker process) joined to `lone`, once registered;
    `environment` adds to this process's."""
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            lone.address(),
            "--nthreads",
            "1",
            "--name",
            name,
            "--preload",
            "core.runs.preload",
            "--no-dashboard",
            "--memory-limit",
            memory_limit,
        ],  # fmt: skip
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(environment or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def joined() -> bool:
        assert worker.poll() is None, "the joined dask worker exited"
        return lone.slots(fresh=True) > 0

    wait_until(joined, timeout=180)
    return worker
