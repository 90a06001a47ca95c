"""A full disk under a search's journal (core.tuning.storage.JournalFile), through a patched
writer that writes half of what it is given and then fails with ENOSPC, as a disk filling up
mid-write does: the journal is left as it was, the search job ends with "the disk is full" in
one line, nothing stays running, Cancel answers, and the next search works once space is back."""

from __future__ import annotations

import errno
import os
import time

import optuna
import pytest
from optuna.trial import TrialState

from core.errors import DiskFullError
from core.tuning import runner, storage
from core.tuning.background import SearchBoard
from core.tuning.storage import STOP_ATTR, default_storage_url, open_storage, request_stop
from core.tuning.study import create_study, load_study, study_is_running
from core.tuning.tables import trials_frame
from tests.tuning.conftest import tiny_config

REAL_WRITER = storage._write_and_sync


class FullDisk:
    """The patched writer: while `full`, half of the bytes reach the file, then ENOSPC."""

    def __init__(self) -> None:
        self.full = False
        self.refused = 0

    def __call__(self, descriptor: int, data: bytes) -> None:
        if not self.full:
            REAL_WRITER(descriptor, data)
            return
        os.write(descriptor, data[: len(data) // 2])
        self.refused += 1
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def disk(monkeypatch) -> FullDisk:
    writer = FullDisk()
    monkeypatch.setattr(storage, "_write_and_sync", writer)
    return writer


def wait_until(condition, seconds: float = 180.0) -> bool:
    deadline = time.monotonic() + seconds  # a liveness bound, not a timing
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_refused_append_leaves_the_journal_as_it_was_and_says_the_disk_is_full(disk):
    study = optuna.create_study(study_name="plain", storage=open_storage())
    study.set_user_attr("kept", 1)
    journal = default_storage_url()
    before = open(journal, "rb").read()
    disk.full = True
    with pytest.raises(DiskFullError, match=r"^the disk is full: the search's journal \("):
        study.set_user_attr("lost", 2)
    assert disk.refused == 1
    assert open(journal, "rb").read() == before  # no half line to glue the next one to
    disk.full = False  # space is back
    study.set_user_attr("after", 3)
    fresh = optuna.storages.JournalStorage(storage.JournalFile(journal))
    reread = optuna.load_study(study_name="plain", storage=fresh)
    assert reread.user_attrs == {"kept": 1, "after": 3}


def test_a_search_whose_journal_fills_up_ends_plainly_and_the_next_one_works(disk, monkeypatch):
    create_study(tiny_config(max_trials=2), name="full")
    real_run_in_pool = runner.run_in_pool

    def train_then_fill_the_disk(*args, **kwargs):
        result = real_run_in_pool(*args, **kwargs)  # trains on a worker, which writes its scores
        disk.full = True  # then the disk fills: the runner cannot record the trial's end
        return result

    monkeypatch.setattr(runner, "run_in_pool", train_then_fill_the_disk)
    board = SearchBoard()
    worker = board.start("full")
    assert wait_until(lambda: not worker.running)
    assert worker.error.startswith("the disk is full: the search's journal (studies.journal)")
    assert "\n" not in worker.error and "Errno" not in worker.error and "Error" not in worker.error
    assert board.running("full") == 0
    # The trial the runner could not end is run by no one: not shown running, no polling.
    assert not study_is_running("full")
    assert list(trials_frame(load_study("full"))["state"]) == ["interrupted"]
    with pytest.raises(DiskFullError):  # Cancel while the disk is full: the plain message
        request_stop("full")

    disk.full = False  # space is back: Cancel works, and so does the next search
    monkeypatch.setattr(runner, "run_in_pool", real_run_in_pool)
    request_stop("full")
    load_study("full").set_user_attr(STOP_ATTR, False)  # what "Resume the search" does
    worker = board.start("full")
    assert wait_until(lambda: not worker.running)
    assert worker.error is None and worker.stop_reason == "trials"
    states = [trial.state for trial in load_study("full").trials]
    assert states == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
