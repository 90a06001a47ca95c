"""Every background task on Dask (core.runs.cluster): results, progress, trainings from two sessions
on different workers landing in the run store, a worker joined over loopback, cancel (cooperative
and hard), killed workers, head starts that give way, identical requests trained once, a network
sent to the free worker where it is warm."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import dask.system
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.errors import ConfigError, TrainingCancelled, TrainingError
from core.runs import cluster as cluster_module
from core.runs.embedded import op_threads
from core.runs.jobs import JobRegistry
from core.runs.store import RunStore
from core.runs.worker import forecast_in_pool, run_in_pool, warm_in_pool
from tests.conftest import start_joined_worker, stop_process_group, wait_until

TINY = RunRequest(
    data=DataConfig(length=300, seed=3),
    split=SplitConfig(test_size=50, lookback=5),
    model=ModelConfig(units=4),
    train=TrainConfig(epochs=2),
    horizon=5,
)
LONG = TINY.replace(data=DataConfig(length=600, seed=5), train=TrainConfig(epochs=500, patience=0))


# Tasks run in the workers, so they live at module level (pickled by reference).
def add(first: int, second: int) -> int:
    return first + second


def count_to(total: int, *, progress=None) -> int:
    for number in range(1, total + 1):
        progress(number)
    return total


def refuse(message: str) -> None:
    raise ConfigError(message)


def where_am_i(seconds: float) -> str:
    from distributed import get_worker

    time.sleep(seconds)
    return get_worker().address


def hold_until(started: str, release: str) -> str:
    """Say it started (a file), then keep its worker until `release` exists."""
    from distributed import get_worker

    Path(started).write_text("started")
    while not os.path.exists(release):
        time.sleep(0.05)
    return get_worker().address


def die_the_first_time(marker: str) -> str:
    if not os.path.exists(marker):
        Path(marker).write_text("died once")
        os._exit(3)
    return "second try"


def die() -> None:
    os._exit(3)


def ignore_cancel(seconds: float, *, should_stop=None) -> str:
    time.sleep(seconds)
    return "finished"


def wait_to_give_way(seconds: float, *, should_stop=None) -> bool:
    """A head start: True once told to give way, False after `seconds` without."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if should_stop():
            return True
        time.sleep(0.05)
    return False


def tensorflow_thread_settings() -> dict[str, str | None]:
    """In a worker: the thread settings TensorFlow's pools will read at its first op."""
    from core.adapters.tensorflow import INTER_OP_ENV, INTRA_OP_ENV

    return {name: os.environ.get(name) for name in (INTRA_OP_ENV, INTER_OP_ENV)}


def test_embedded_workers_share_the_cores_between_their_tensorflow_op_threads(dask_cluster):
    # 2 single-threaded workers on this machine: each gets its share, not every core (4 op
    # threads on 2 cores take turns and burn CPU waiting for each other), set from the worker's
    # start, whatever task runs TensorFlow's first op (tests/test_adapters.py: it reads them).
    from core.adapters.tensorflow import thread_environment

    settings = dask_cluster.client().run(tensorflow_thread_settings)
    embedded = [found for address, found in settings.items() if address in _embedded(dask_cluster)]
    share = max(1, (os.cpu_count() or 1) // 2)
    assert embedded and all(found == thread_environment(share) for found in embedded), settings
    assert op_threads(8, 2) == 4 and op_threads(2, 4) == 1


def busy_seen_by_a_task() -> tuple[bool, str]:
    """In a task: whether its cluster counts as busy on this machine, and the marker's path."""
    from distributed import get_worker

    from core.runs.preload import busy_path, machine_busy

    path = busy_path(get_worker())
    return machine_busy(path), str(path)


def test_a_running_task_makes_the_other_workers_warm_ups_wait_and_only_while_it_runs(
    dask_cluster,
):
    from core.runs.preload import machine_busy

    busy, path = dask_cluster.run(busy_seen_by_a_task)
    assert busy  # a warm-up on any worker of this cluster on this machine gives way now
    assert not machine_busy(Path(path))  # the task has ended: warm-ups may go on


def _embedded(shared) -> set[str]:
    return set(shared._local.scheduler_info["workers"]) if shared._local is not None else set()


def test_a_task_returns_its_result_its_progress_in_order_and_its_own_errors(dask_cluster):
    assert dask_cluster.run(add, 2, second=3) == 5
    seen: list[int] = []
    assert dask_cluster.run(count_to, 50, progress=seen.append) == 50
    assert seen == list(range(1, 51))
    with pytest.raises(ConfigError, match="window too long"):
        dask_cluster.run(refuse, "window too long")


def test_trainings_from_two_sessions_run_on_different_workers_and_land_in_the_store(
    dask_cluster, tmp_path
):
    store = RunStore(tmp_path / "runs")
    results, epochs = {}, {"a": [], "b": []}

    def train(session: str, seed: int) -> None:
        request = TINY.replace(data=DataConfig(length=300, seed=seed))
        results[session] = run_in_pool(
            request, store=store, progress=epochs[session].append, session=session
        )

    threads = [threading.Thread(target=train, args=pair) for pair in (("a", 11), ("b", 12))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {"a", "b"}
    for session, result in results.items():
        assert not result.cached and store.has(result.key)  # written here, by the server
        assert [update.epoch for update in epochs[session]] == [1, 2]
    ran = {
        s: worker
        for s, kind, worker, _ in dask_cluster.placements
        if kind.startswith("train_request")
    }
    assert ran["a"] != ran["b"]
    assert len(forecast_in_pool(store, results["a"].key, 12)) == 12  # past the stored 5 days
    assert not any(name.startswith(".tmp") for name in os.listdir(store.root))


def test_a_worker_joined_over_loopback_takes_its_share(dask_cluster, joined_worker):
    addresses: list[str] = []
    threads = [
        threading.Thread(target=lambda: addresses.append(dask_cluster.run(where_am_i, 1.5)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = {
        address: info.get("name")
        for address, info in dask_cluster.client().scheduler_info(n_workers=-1)["workers"].items()
    }
    assert len(set(addresses)) == 3  # three workers, one task each, at the same time
    assert "joined" in {names[address] for address in addresses}
    # All three on this machine: the waits count its cores, not three (core.runs.capacity).
    dask_cluster.slots(fresh=True)
    assert dask_cluster.queue.capacity == min(3, dask.system.CPU_COUNT)


def test_cancel_stops_a_real_training_within_seconds_and_saves_nothing(dask_cluster, tmp_path):
    registry = JobRegistry(store=RunStore(tmp_path / "runs"))
    job_id = registry.submit(LONG)
    wait_until(lambda: registry.snapshot(job_id).epoch >= 1, timeout=180)
    registry.cancel(job_id)
    final = registry.wait(job_id, timeout=60)
    assert final.status == "cancelled" and final.epoch < 500
    assert registry.result(job_id) is None
    assert RunStore(tmp_path / "runs").list_runs() == []
    assert dask_cluster.run(add, 1, 2) == 3


def test_a_task_that_ignores_cancel_has_its_worker_restarted(dask_cluster, monkeypatch):
    import psutil

    monkeypatch.setattr(cluster_module, "CANCEL_GRACE_SECONDS", 1.0)
    stop = threading.Event()
    outcome: dict = {}

    def go() -> None:
        try:
            dask_cluster.run(ignore_cancel, 300.0, should_stop=stop.is_set, session="stubborn")
        except TrainingCancelled as error:
            outcome["error"] = error

    thread = threading.Thread(target=go)
    thread.start()
    wait_until(lambda: any(p[0] == "stubborn" for p in dask_cluster.placements), timeout=60)
    pid = next(p[3] for p in reversed(dask_cluster.placements) if p[0] == "stubborn")
    stop.set()
    thread.join()
    assert "error" in outcome
    wait_until(lambda: not psutil.pid_exists(pid), timeout=60)
    assert dask_cluster.run(add, 20, 22) == 42


def test_a_worker_killed_mid_task_is_retried_once_then_reported_in_words(dask_cluster, tmp_path):
    assert dask_cluster.run(die_the_first_time, str(tmp_path / "marker")) == "second try"
    with pytest.raises(TrainingError, match="crashed: its process ended with exit status 3"):
        dask_cluster.run(die)
    assert dask_cluster.run(add, 4, 5) == 9


def test_a_joined_worker_that_disappears_costs_only_its_running_task(dask_cluster):
    leaving = start_joined_worker(dask_cluster, "leaving")
    try:
        answers: list[str] = []
        before = len(dask_cluster.placements)
        threads = [
            threading.Thread(target=lambda: answers.append(dask_cluster.run(where_am_i, 4.0)))
            for _ in range(dask_cluster.slots(fresh=True))
        ]
        for thread in threads:
            thread.start()
        wait_until(lambda: len(dask_cluster.placements) - before == len(threads), timeout=60)
        stop_process_group(leaving)  # the machine goes away mid-task
        for thread in threads:
            thread.join()
        assert len(answers) == len(threads)  # its task ran again elsewhere; nothing else lost
    finally:
        stop_process_group(leaving)


def test_a_head_start_gives_way_when_work_arrives(dask_cluster):
    outcome: dict = {}
    held = threading.Thread(
        target=lambda: outcome.update(
            head=dask_cluster.run(wait_to_give_way, 120.0, lane=cluster_module.HEAD_START)
        )
    )
    held.start()
    wait_until(lambda: dask_cluster.queue.running(), timeout=30)
    blockers = [
        threading.Thread(target=dask_cluster.run, args=(where_am_i, 1.0))
        for _ in range(dask_cluster.slots())
    ]
    for blocker in blockers:
        blocker.start()
    held.join()
    for blocker in blockers:
        blocker.join()
    assert outcome["head"] is None  # it gave way: nothing came back
    # On an idle cluster a head start runs and is not asked to stop.
    assert dask_cluster.run(wait_to_give_way, 0.1, lane=cluster_module.HEAD_START) is False
    # The app's own head start traces a network there (it had failed at once: TypeError).
    warm = TINY.replace(model=TINY.model.replace(units=7))
    assert warm_in_pool(warm) is True  # traced: it was not warm on any worker


def test_identical_requests_from_two_sessions_are_one_training(dask_cluster, tmp_path):
    sessions = iter(["first", "second"])
    registry = JobRegistry(store=RunStore(tmp_path / "runs"), session_of=lambda: next(sessions))
    request = TINY.replace(data=DataConfig(length=300, seed=21))
    before = sum(1 for p in dask_cluster.placements if p[1].startswith("train_request"))
    first, second = registry.submit(request), registry.submit(request)
    assert first == second
    assert registry.wait(first, timeout=240).status == "done"
    after = sum(1 for p in dask_cluster.placements if p[1].startswith("train_request"))
    assert after - before == 1


def test_a_network_goes_to_the_free_worker_where_it_is_warm_and_never_waits_for_it(
    dask_cluster, tmp_path
):
    network = "a network"
    home = dask_cluster.run(where_am_i, 0.0, warmth=network)
    # On an idle cluster Dask alone deals tasks out in turn; each of these goes where it is warm.
    assert [dask_cluster.run(where_am_i, 0.0, warmth=network) for _ in range(4)] == [home] * 4
    # That worker busy: the next goes to a free one at once, not into that worker's line.
    started, release = tmp_path / "started", tmp_path / "release"
    held: list[str] = []
    holder = threading.Thread(
        target=lambda: held.append(
            dask_cluster.run(hold_until, str(started), str(release), warmth=network)
        )
    )
    holder.start()
    try:
        wait_until(started.exists, timeout=60)
        elsewhere = dask_cluster.run(where_am_i, 0.0, warmth=network)
    finally:
        release.write_text("go")
        holder.join()
    assert held == [home] and elsewhere != home
    # The app's head start and the training after it: the training goes where it was traced.
    request = TINY.replace(model=TINY.model.replace(units=6, family="gru"))
    assert warm_in_pool(request) is True
    run_in_pool(
        request.replace(train=request.train.replace(seed=5)),
        store=RunStore(tmp_path / "runs"),
        session="what-if",
    )
    warmed, trained = list(dask_cluster.placements)[-2:]
    assert (warmed[1], trained[1]) == ("warm_request", "train_request:gru")
    assert trained[2] == warmed[2]
