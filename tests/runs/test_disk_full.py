"""A full disk (a patched writer raising ENOSPC) fails that one action with "the disk is full":
no job is left waiting forever, nothing is half-written, Cancel works, and the next action
succeeds once space is back."""

from __future__ import annotations

import errno
import tempfile

import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.data.upload import save_upload
from core.errors import DiskFullError
from core.paths import sub_dir
from core.runs.jobs import JobRegistry
from core.runs.pipeline import run_experiment
from core.runs.store import RunStore
from tests.runs.test_jobs import FakeRunner, tiny_request, wait_until


def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_training_submitted_on_a_full_disk_is_refused_and_leaves_no_job(tmp_path, monkeypatch):
    runner = FakeRunner()
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "mkstemp", _full)
        with pytest.raises(DiskFullError, match="the disk is full"):
            registry.submit(tiny_request())
    assert registry.jobs() == [] and runner.calls == []
    registry.cancel(tiny_request().data.content_hash())  # nothing to cancel: no error either
    job_id = registry.submit(tiny_request())  # space is back: the next one works
    wait_until(lambda: registry.snapshot(job_id).status == "running")
    registry.cancel(job_id)
    wait_until(lambda: registry.snapshot(job_id).status == "cancelled")


def test_a_full_disk_while_saving_the_run_says_so(tmp_path):
    runner = FakeRunner(fail_with=OSError(errno.ENOSPC, "No space left on device"))
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    job_id = registry.submit(tiny_request())
    runner.release.set()
    wait_until(lambda: registry.snapshot(job_id).finished)
    snapshot = registry.snapshot(job_id)
    assert snapshot.status == "failed" and snapshot.error.startswith("the disk is full")
    assert "units" not in snapshot.error
    assert list((tmp_path / ".in-progress").glob("*.json")) == []  # no marker left behind


class _Model:
    def __init__(self, full: bool) -> None:
        self.full = full

    def save(self, path) -> None:
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        path.write_bytes(b"model")


def test_the_run_store_leaves_nothing_half_written_on_a_full_disk(tmp_path):
    request = RunRequest(
        data=DataConfig(length=200, seasonal_periods=(), seasonal_amplitudes=()),
        split=SplitConfig(test_size=40, lookback=5),
        model=ModelConfig(units=4),
        train=TrainConfig(epochs=1),
        horizon=3,
    )
    result = run_experiment(request, store=RunStore(tmp_path / "first"))
    store = RunStore(tmp_path / "second")
    with pytest.raises(DiskFullError, match="the disk is full: the trained run"):
        store.save(result, _Model(full=True))
    assert not store.has(result.key)
    assert [path.name for path in store.root.iterdir() if path.name.startswith(".tmp")] == []
    store.save(result, _Model(full=False))
    assert store.has(result.key)


def test_an_upload_on_a_full_disk_stores_nothing(monkeypatch):
    monkeypatch.setattr("core.atomic.os.fdopen", _full)
    with pytest.raises(DiskFullError, match="the disk is full"):
        save_upload(b"date,value\n2020-01-01,1\n", "prices.csv")
    assert list(sub_dir("uploads").iterdir()) == []
