"""A lost Dask worker is explained by what really happened (core.runs.worker_loss): killed from
outside (SIGKILL on a real worker of the test cluster), out of memory (the nanny's memory limit
on a worker of 1.2 GB; the kernel's OOM killer, its counter simulated), or its machine gone (a
joined worker's nanny and worker killed together). The task is still tried again once."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import deque
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.errors import TrainingError
from core.runs import worker_loss
from core.runs.worker_loss import WorkerLoss, describe
from tests.conftest import stop_process_group, wait_until
from tests.runs.conftest import join

MEGABYTE = 2**20


# Tasks run in the workers, so they live at module level (pickled by reference).
def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def add(first: int, second: int) -> int:
    return first + second


def hog_memory(step_megabytes: int, most_megabytes: int) -> int:
    """Touch memory step by step (as a too-big window would) until stopped."""
    held = []
    for _ in range(most_megabytes // step_megabytes):
        held.append(bytearray(b"\x01") * (step_megabytes * MEGABYTE))
        time.sleep(0.05)
    time.sleep(600)
    return len(held)


def all_workers_back(cluster) -> None:
    """Leave the session's cluster as found: every killed worker restarted and registered."""
    full = cluster.workers * cluster.threads
    wait_until(lambda: cluster.slots(fresh=True) >= full, timeout=300)


def run_in_thread(cluster, function, *args) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def go() -> None:
        try:
            outcome["result"] = cluster.run(function, *args, session="lost")
        except TrainingError as error:
            outcome["error"] = str(error)

    thread = threading.Thread(target=go)
    thread.start()
    return thread, outcome


def kill_each_try(cluster, tries: int, before_kill=lambda: None) -> list[int]:
    """SIGKILL the worker process of each try of the task run by session "lost"."""
    killed: list[int] = []
    seen = len(cluster.placements)
    for _ in range(tries):
        wait_until(lambda count=seen: len(cluster.placements) > count, timeout=180)
        seen = len(cluster.placements)
        session, _kind, _worker, pid = cluster.placements[-1]
        assert session == "lost"
        before_kill()
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)
    return killed


# -- the words, from the evidence --


@pytest.mark.parametrize(
    ("loss", "words"),
    [
        (
            WorkerLoss("10.0.0.2", exit_code=-15, memory_kill=3900 * MEGABYTE, memory_limit=2**32),
            "ran out of memory: it held 3.8 GB of its 4.0 GB limit, so Dask stopped it",
        ),
        (
            WorkerLoss("10.0.0.2", exit_code=-9, oom_killer=True, memory=900 * MEGABYTE),
            "the operating system's out-of-memory killer stopped it (it held 900 MB)",
        ),
        (
            WorkerLoss("10.0.0.2", exit_code=-9, oom_killer=False, memory=900 * MEGABYTE),
            "was killed from outside the app (signal SIGKILL, 9) while it held 900 MB",
        ),
        (
            WorkerLoss("10.0.0.2", exit_code=3),
            "crashed: its process ended with exit status 3",
        ),
        (
            WorkerLoss("10.0.0.2"),
            "was lost with its machine (10.0.0.2): the connection to it dropped",
        ),
        (  # no OOM counter to read: a SIGKILL at its limit is taken for the OOM killer
            WorkerLoss("10.0.0.2", exit_code=-9, memory=1000, memory_limit=1050),
            "the operating system's out-of-memory killer",
        ),
    ],
)
def test_each_kind_of_loss_has_its_own_words(loss, words):
    message = describe(loss, tries=2)
    assert words in message
    assert "It was tried 2 times; nothing was saved." in message
    others = {
        "ran out of memory": "memory" in loss.cause,
        "killed from outside": loss.cause == worker_loss.SIGNALLED,
        "lost with its machine": loss.cause == worker_loss.LOST,
    }
    for phrase, expected in others.items():
        assert (phrase in message) == expected, phrase


def _exit_report(samples: list[tuple[float, int]], counter_now: int, monkeypatch) -> dict:
    """What ExitReport says of a worker killed by SIGKILL, given its samples (seconds before
    the end, the OOM counter read while the worker looked alive) and the counter at its end."""
    events: list[dict] = []
    report = worker_loss.ExitReport()
    report._nanny = SimpleNamespace(
        log_event=lambda _topic, message: events.append(message),
        worker_address="tcp://10.0.0.2:1",
        memory_manager=SimpleNamespace(memory_limit=2**30),
    )
    report._address, report._pid, report._memory = "tcp://10.0.0.2:1", 1, 900 * MEGABYTE
    now = time.monotonic()
    report._counters = deque((now - ago, counter) for ago, counter in samples)
    monkeypatch.setattr(worker_loss, "oom_kills", lambda: counter_now)
    report._report(-9)
    return events[-1]


def test_the_oom_killer_counts_even_when_a_sample_saw_the_dying_worker_alive(monkeypatch):
    # The kernel counted the kill 0.1 s before the end, and a sample in between still found the
    # process alive (it has to be scheduled to die): the full suite's loaded runs failed so.
    assert _exit_report([(10.0, 0), (0.1, 1)], counter_now=1, monkeypatch=monkeypatch)["oom_killer"]
    # A rise long before the end (another process's OOM kill) is not this worker's.
    assert not _exit_report([(20.0, 0), (10.0, 1), (0.1, 1)], 1, monkeypatch)["oom_killer"]


def test_a_loss_is_never_explained_by_an_earlier_process_at_the_same_address():
    witness = worker_loss.LossWitness()
    address = "tcp://10.0.0.2:40000"

    def ended(pid: int | None, exit_code: int, oom_killer: bool) -> None:
        report = {"worker": address, "pid": pid, "exit_code": exit_code, "oom_killer": oom_killer}
        witness._on_exit((time.time(), report))

    ended(pid=101, exit_code=-9, oom_killer=False)  # an earlier worker there, killed from outside
    ended(pid=None, exit_code=-9, oom_killer=False)  # one that ended before its nanny saw it
    # The worker process 202 now at that address: no report on it yet, so none of those.
    assert witness.loss(address, pid=202, wait=0).cause == worker_loss.LOST
    assert witness.loss(address, pid=None, wait=0).cause == worker_loss.LOST
    # Its own report, arriving after the scheduler's news of the loss, is the one used.
    threading.Timer(0.2, ended, kwargs={"pid": 202, "exit_code": -9, "oom_killer": True}).start()
    assert witness.loss(address, pid=202, wait=30).cause == worker_loss.SYSTEM_MEMORY
    assert witness.loss(address, pid=101, wait=0).cause == worker_loss.SIGNALLED


def test_a_nanny_reports_only_the_process_it_saw_with_the_address_it_had():
    events: list[dict] = []
    process = SimpleNamespace(
        process=SimpleNamespace(pid=os.getpid()),
        status=worker_loss.Status.running,
        worker_address="tcp://10.0.0.2:1",
    )
    report = worker_loss.ExitReport()
    report._nanny = SimpleNamespace(
        process=process,
        log_event=lambda _topic, message: events.append(message),
        worker_address="tcp://10.0.0.2:1",
        memory_manager=SimpleNamespace(memory_limit=2**30),
    )
    report._pid, report._address, report._memory = None, None, 0
    report._counters = deque([(time.monotonic(), 0)])
    report._sample()
    report._report(-9)
    assert (events[-1]["worker"], events[-1]["pid"]) == ("tcp://10.0.0.2:1", os.getpid())
    # Its successor starts (a new pid; the nanny still holds the old address until it
    # connects) and ends before connecting: neither the old address nor the old pid is used.
    process.process.pid, process.status = os.getppid(), worker_loss.Status.starting
    report._sample()
    report._report(-9)
    assert (events[-1]["worker"], events[-1]["pid"]) == (None, os.getppid())
    # One that ended before the nanny's sampler saw it at all goes without pid.
    report._report(-9)
    assert events[-1]["pid"] is None


# -- real workers of the test cluster --


def test_a_worker_killed_from_outside_on_each_try_is_reported_as_killed(dask_cluster):
    thread, outcome = run_in_thread(dask_cluster, sleep_for, 300.0)
    killed = kill_each_try(dask_cluster, tries=2)  # the task was tried again after the first
    thread.join()
    assert len(set(killed)) == 2
    assert "was killed from outside the app (signal SIGKILL, 9)" in outcome["error"]
    assert "not for lack of memory" in outcome["error"]
    assert "It was tried 2 times; nothing was saved." in outcome["error"]
    all_workers_back(dask_cluster)
    assert dask_cluster.run(add, 4, 5) == 9


KERNEL_OOM_KILLS = worker_loss.oom_kills


def _count_in(path: str) -> int:
    return int(Path(path).read_text())


def count_oom_kills_from(path: str | None) -> None:
    """In a nanny: read the kernel's OOM counter from the file `path` (None: /proc/vmstat)."""
    worker_loss.oom_kills = KERNEL_OOM_KILLS if path is None else partial(_count_in, path)


def reads_the_simulated_counter() -> bool:
    return isinstance(worker_loss.oom_kills, partial)


def test_a_worker_the_kernel_killed_for_memory_is_reported_out_of_memory(
    dask_cluster, joined_worker, tmp_path
):
    # The counter is the machine's: every nanny reads it, the embedded ones (in this process)
    # and a joined worker's (its own process: a try may land there; with a counter patched in
    # this process only, it said "killed from outside", 1 run in 4). So every nanny reads it
    # from one file here, going on from the machine's own count, which earlier samples kept.
    everyone = dask_cluster.workers * dask_cluster.threads + 1  # the joined worker's thread
    wait_until(lambda: dask_cluster.slots(fresh=True) >= everyone, timeout=300)
    counter = tmp_path / "oom_kill"
    counter.write_text(str(KERNEL_OOM_KILLS() or 0))
    client = dask_cluster.client()

    def as_the_kernel_would() -> None:
        counter.write_text(str(_count_in(str(counter)) + 1))

    try:
        client.run(count_oom_kills_from, str(counter), nanny=True)
        reading = client.run(reads_the_simulated_counter, nanny=True)
        assert len(reading) == len(client.scheduler_info(n_workers=-1)["workers"]) >= 3
        assert all(reading.values()), reading  # every worker's nanny, the joined one's too
        thread, outcome = run_in_thread(dask_cluster, sleep_for, 300.0)
        kill_each_try(dask_cluster, tries=2, before_kill=as_the_kernel_would)
        thread.join()
    finally:
        client.run(count_oom_kills_from, None, nanny=True)
        count_oom_kills_from(None)  # the embedded nannies' module, whichever nanny was reached
    assert "ran out of memory: the machine had none left" in outcome["error"]
    assert "killed from outside" not in outcome["error"]
    all_workers_back(dask_cluster)
    assert dask_cluster.run(add, 1, 1) == 2


# -- a scheduler of its own (one try: allowed-failures 0) with one joined worker --
# (lone_cluster and join: tests/runs/conftest.py)


def test_a_worker_over_its_memory_limit_is_reported_out_of_memory(lone_cluster):
    worker = join(lone_cluster, "small", memory_limit="1200MB")
    try:
        thread, outcome = run_in_thread(lone_cluster, hog_memory, 32, 4096)
        thread.join()
    finally:
        stop_process_group(worker)
    assert re.search(r"ran out of memory: it held [0-9.]+ GB of its 1.1 GB limit", outcome["error"])
    assert "so Dask stopped it" in outcome["error"]
    assert "Lower the look-back window" in outcome["error"]


def test_a_joined_machine_reports_a_kill_and_its_loss_apart(lone_cluster):
    worker = join(lone_cluster, "machine", memory_limit="3GB")
    try:
        # Its worker process killed, its nanny alive: the nanny on that machine reports it.
        thread, killed = run_in_thread(lone_cluster, sleep_for, 300.0)
        kill_each_try(lone_cluster, tries=1)
        thread.join()
        # The nanny restarts the worker; then nanny and worker go at once, as with a machine.
        wait_until(lambda: lone_cluster.slots(fresh=True) > 0, timeout=180)
        seen = len(lone_cluster.placements)
        thread, lost = run_in_thread(lone_cluster, sleep_for, 300.0)
        wait_until(lambda: len(lone_cluster.placements) > seen, timeout=120)
        stop_process_group(worker)
        thread.join()
    finally:
        stop_process_group(worker)
    assert "was killed from outside the app (signal SIGKILL, 9)" in killed["error"]
    assert "was lost with its machine (127.0.0.1)" in lost["error"]
    assert "Nothing was saved." in lost["error"]
