"""The job registry's lock is held for bookkeeping only: a submit reads and writes the disk and
starts its thread with the lock free (every page's poll waits for that lock, so a class pressing
Train together would queue behind each other's disk writes), and identical settings submitted
at the same moment still make one job."""

from __future__ import annotations

import sys
import threading

import core.runs.jobs as jobs
from core.runs.jobs import JobRegistry
from core.runs.store import RunStore
from tests.runs.test_jobs import FakeRunner, tiny_request, wait_until


def test_a_submit_writes_its_marker_and_starts_its_thread_with_the_lock_free(tmp_path, monkeypatch):
    runner = FakeRunner(epochs=1)
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    held = []
    write_marker, has, start = jobs.write_marker, registry.store.has, threading.Thread.start

    def watched(function):
        def call(*args, **kwargs):
            held.append((function.__name__, registry._lock.locked()))
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(jobs, "write_marker", watched(write_marker))
    monkeypatch.setattr(registry.store, "has", watched(has))
    monkeypatch.setattr(threading.Thread, "start", watched(start))
    key = registry.submit(tiny_request())
    wait_until(lambda: registry.snapshot(key).epoch == 1)
    assert {name for name, _ in held} >= {"write_marker", "has", "start"}
    assert [name for name, locked in held if locked] == []
    runner.release.set()
    assert registry.wait(key).status == "done"


def _waiting(thread: threading.Thread) -> bool:
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == "submit" and "arriving" in frame.f_locals:
            return frame.f_locals["arriving"] is not None
        frame = frame.f_back
    return False


def test_identical_settings_submitted_together_make_one_job_and_one_marker(tmp_path, monkeypatch):
    runner = FakeRunner(epochs=1)
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    writing, go_on, markers = threading.Event(), threading.Event(), []
    write_marker = jobs.write_marker

    def slow_marker(*args, **kwargs):
        markers.append(args[1])
        writing.set()
        go_on.wait()
        return write_marker(*args, **kwargs)

    monkeypatch.setattr(jobs, "write_marker", slow_marker)
    keys = []
    first = threading.Thread(target=lambda: keys.append(registry.submit(tiny_request())))
    first.start()
    writing.wait()
    second = threading.Thread(target=lambda: keys.append(registry.submit(tiny_request())))
    second.start()
    wait_until(lambda: _waiting(second))  # it waits for the first to be listed
    # Meanwhile the registry answers: the lock is not held through the first's disk write.
    assert registry.jobs() == [] and registry.snapshot(jobs.request_key(tiny_request())) is None
    go_on.set()
    first.join()
    second.join()
    assert len(set(keys)) == 1 and len(markers) == 1
    wait_until(lambda: registry.snapshot(keys[0]).epoch == 1)
    runner.release.set()
    assert registry.wait(keys[0]).status == "done" and len(runner.calls) == 1
