"""Job registry: dedupe, queue positions, cancel, failures in plain words, cached completion,
trainings on the Dask cluster, and interrupted jobs reported after the server is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.config import DataConfig, RunRequest, SplitConfig
from core.errors import ConfigError, TrainingCancelled
from core.runs.jobs import JobRegistry
from core.runs.store import RunStore
from core.training.trainer import EpochUpdate


def tiny_request(seed: int = 1) -> RunRequest:
    return RunRequest(
        data=DataConfig(length=300, seed=seed),
        split=SplitConfig(test_size=50, lookback=5),
    )


class FakeRunner:
    """Stands in for run_experiment: reports epochs (at most `epochs`) until released or
    cancelled."""

    def __init__(self, fail_with: Exception | None = None, epochs: int | None = None) -> None:
        self.release = threading.Event()
        self.calls: list[RunRequest] = []
        self.fail_with = fail_with
        self.epochs = epochs

    def __call__(self, request, *, store, progress, should_stop):
        self.calls.append(request)
        epoch = 0
        while not self.release.is_set():
            if should_stop():
                raise TrainingCancelled("cancelled")
            if self.epochs is not None and epoch == self.epochs:
                self.release.wait(0.01)
                continue
            epoch += 1
            progress(
                EpochUpdate(
                    epoch=epoch, max_epochs=60, loss=1.0 / epoch, val_loss=2.0 / epoch, seconds=0.01
                )
            )
            time.sleep(0.01)
        if self.fail_with is not None:
            raise self.fail_with
        return SimpleNamespace(
            name=f"result-for-{request.data.seed}", cached=False, history={}, epochs_run=epoch
        )


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and not condition():
        time.sleep(0.01)
    assert condition()


def test_identical_requests_share_one_job_and_report_progress(tmp_path):
    runner = FakeRunner(epochs=3)
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    first = registry.submit(tiny_request())
    second = registry.submit(tiny_request())
    assert first == second
    wait_until(lambda: registry.snapshot(first).epoch == 3)
    snapshot = registry.snapshot(first)
    assert snapshot.status == "running" and snapshot.max_epochs == tiny_request().train.epochs
    assert snapshot.history == {"loss": [1.0, 1 / 2, 1 / 3], "val_loss": [2.0, 1.0, 2 / 3]}
    runner.release.set()
    final = registry.wait(first)
    assert final.status == "done"
    assert registry.result(first).name == "result-for-1"
    assert len(runner.calls) == 1


def test_jobs_queue_beyond_the_limit_and_show_their_position(tmp_path):
    runner = FakeRunner()
    registry = JobRegistry(store=RunStore(tmp_path), max_concurrent=1, runner=runner)
    ids = [registry.submit(tiny_request(seed)) for seed in (1, 2, 3)]
    wait_until(lambda: registry.snapshot(ids[0]).status == "running")
    assert registry.snapshot(ids[1]).status == "queued"
    assert registry.snapshot(ids[1]).queue_position == 1
    assert registry.snapshot(ids[2]).queue_position == 2
    registry.cancel(ids[1])  # a queued job is dropped without running
    assert registry.snapshot(ids[1]).status == "cancelled"
    assert registry.snapshot(ids[2]).queue_position == 1
    runner.release.set()
    assert registry.wait(ids[2]).status == "done"
    assert [request.data.seed for request in runner.calls] == [1, 3]


def test_cancel_stops_a_running_job(tmp_path):
    runner = FakeRunner()
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    job_id = registry.submit(tiny_request())
    wait_until(lambda: registry.snapshot(job_id).epoch >= 1)
    registry.cancel(job_id)
    final = registry.wait(job_id)
    assert final.status == "cancelled"
    assert "Cancelled" in final.error
    assert registry.result(job_id) is None


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (ConfigError("window (400) must be shorter than the training part"), "window (400)"),
        (RuntimeError("out of memory"), "crashed unexpectedly (RuntimeError: out of memory)"),
    ],
)
def test_a_failed_job_reports_its_error_in_words(tmp_path, failure, expected):
    runner = FakeRunner(fail_with=failure)
    runner.release.set()
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    job_id = registry.submit(tiny_request())
    final = registry.wait(job_id)
    assert final.status == "failed"
    assert expected in final.error
    # the registry keeps working after a failure
    runner.fail_with = None
    assert registry.wait(registry.submit(tiny_request(seed=9))).status == "done"


def test_a_job_leaves_a_marker_only_while_it_runs(tmp_path):
    runner = FakeRunner()
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    job_id = registry.submit(tiny_request())
    marker = tmp_path / ".in-progress" / f"{job_id}.json"
    assert json.loads(marker.read_text())["key"] == job_id
    # the server that wrote it is alive (this process): not interrupted
    assert JobRegistry(store=RunStore(tmp_path), runner=runner).interrupted() == []
    runner.release.set()
    registry.wait(job_id)
    assert not marker.exists()
    assert RunStore(tmp_path).list_runs() == []  # markers never show up as runs


def test_a_marker_left_by_a_dead_server_is_reported_as_interrupted(tmp_path):
    request = tiny_request(seed=7)
    folder = tmp_path / ".in-progress"
    folder.mkdir()
    (folder / "abc123.json").write_text(
        json.dumps(
            {
                "key": "abc123",
                "label": "LSTM on synthetic",
                "request": request.to_dict(),
                "submitted_at": 1.0,
                "owner_pid": 999_999_999,
                "owner_started": 0.0,
            }
        )
    )
    runner = FakeRunner()
    runner.release.set()
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    [interrupted] = registry.interrupted()
    assert (interrupted.key, interrupted.request) == ("abc123", request)
    registry.dismiss_interrupted("abc123")
    assert registry.interrupted() == []
    assert JobRegistry(store=RunStore(tmp_path), runner=runner).interrupted() == []


def test_a_real_training_runs_in_a_worker_process_and_reports_epochs(tmp_path):
    from core.config import ModelConfig, TrainConfig

    request = RunRequest(
        data=DataConfig(length=300, seed=4, seasonal_periods=(30.0,), seasonal_amplitudes=(5.0,)),
        split=SplitConfig(test_size=50, lookback=5),
        model=ModelConfig(units=4),
        train=TrainConfig(epochs=2),
    )
    registry = JobRegistry(store=RunStore(tmp_path))
    job_id = registry.submit(request)
    final = registry.wait(job_id, timeout=240)
    assert final.status == "done", final.error
    assert not final.cached
    assert len(final.history["loss"]) == final.epoch >= 1
    assert registry.result(job_id).metrics.test.mse > 0
    again = JobRegistry(store=RunStore(tmp_path))
    assert again.snapshot(again.submit(request)).cached


def test_cancel_reaches_the_worker_process(tmp_path):
    from core.config import ModelConfig, TrainConfig

    request = RunRequest(
        data=DataConfig(length=600, seed=5),
        split=SplitConfig(test_size=100, lookback=10),
        model=ModelConfig(units=4),
        train=TrainConfig(epochs=500, patience=0),
    )
    registry = JobRegistry(store=RunStore(tmp_path))
    job_id = registry.submit(request)
    wait_until(lambda: registry.snapshot(job_id).epoch >= 1, timeout=120)
    registry.cancel(job_id)
    final = registry.wait(job_id, timeout=60)
    assert final.status == "cancelled"
    assert final.epoch < 500
    assert registry.result(job_id) is None
    assert RunStore(tmp_path).list_runs() == []


SERVER = """
import sys, time
from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.runs import cluster
from core.runs.jobs import JobRegistry
from core.runs.store import RunStore

request = RunRequest(
    data=DataConfig(length=600, seed=6),
    split=SplitConfig(test_size=100, lookback=10),
    model=ModelConfig(units=4),
    train=TrainConfig(epochs=500, patience=0),
)
registry = JobRegistry(store=RunStore(sys.argv[1]))
job_id = registry.submit(request)
while registry.snapshot(job_id).epoch < 1:
    time.sleep(0.05)
print(job_id, *cluster.get_cluster().worker_pids().values(), flush=True)
time.sleep(600)
"""


def test_killing_the_server_mid_training_stops_its_worker_and_reports_the_job(tmp_path):
    import psutil

    repo = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path)],
        cwd=repo,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    try:
        job_id, *worker_pids = server.stdout.readline().split()
        assert worker_pids, "the server printed no worker process id"
        workers = [psutil.Process(int(pid)) for pid in worker_pids]
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        _, alive = psutil.wait_procs(workers, timeout=10)  # liveness bound, not a timing
        assert alive == [], f"workers still running after their server died: {alive}"
    finally:
        if server.poll() is None:
            server.kill()
    registry = JobRegistry(store=RunStore(tmp_path), runner=FakeRunner())
    assert [job.key for job in registry.interrupted()] == [job_id]
    assert RunStore(tmp_path).list_runs() == []
    assert RunStore(tmp_path).load(job_id) is None


def test_prepare_warms_each_architecture_once_and_never_beside_a_training(tmp_path):
    prepared: list[RunRequest] = []
    done = threading.Event()

    def preparer(request):
        prepared.append(request)
        done.set()
        if request.data.seed == 9:
            raise RuntimeError("only a head start")  # swallowed: the training reports problems

    runner = FakeRunner()
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner, preparer=preparer)
    registry.prepare(tiny_request(1))
    wait_until(done.is_set)
    wait_until(lambda: not registry._preparing)
    registry.prepare(tiny_request(1))  # the same settings: warm already
    assert len(prepared) == 1
    job = registry.submit(tiny_request(2))
    registry.prepare(tiny_request(3))  # a training runs: nothing beside it
    assert len(prepared) == 1
    runner.release.set()
    registry.wait(job)
    done.clear()
    registry.prepare(tiny_request(9))
    wait_until(done.is_set)
    wait_until(lambda: not registry._preparing)
    assert [request.data.seed for request in prepared] == [1, 9]


def test_prepare_is_off_with_a_runner_of_its_own_or_when_switched_off(tmp_path, monkeypatch):
    assert JobRegistry(store=RunStore(tmp_path), runner=FakeRunner())._preparer is None
    monkeypatch.setenv("FORECAST_LAB_HEAD_START", "0")
    assert JobRegistry(store=RunStore(tmp_path))._preparer is None
    monkeypatch.delenv("FORECAST_LAB_HEAD_START")
    assert JobRegistry(store=RunStore(tmp_path))._preparer is not None
