"""The warm worker pool: results, progress, cooperative and hard cancel, crashed workers, real
trainings written to the run store, forecasts of stored runs."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.errors import ConfigError, TrainingCancelled, TrainingError
from core.runs.store import RunStore
from core.runs.worker import forecast_stored, train_request
from core.training import pool as pool_module
from core.training.pool import WorkerPool

TINY = RunRequest(
    data=DataConfig(length=300, seed=3),
    split=SplitConfig(test_size=50, lookback=5),
    model=ModelConfig(units=4),
    train=TrainConfig(epochs=2),
    horizon=5,
)
LONG = TINY.replace(data=DataConfig(length=600, seed=5), train=TrainConfig(epochs=500, patience=0))


# Tasks run in the worker, so they live at module level (pickled by reference).
def add(first: int, second: int) -> int:
    return first + second


def count_to(total: int, *, progress=None) -> int:
    for number in range(1, total + 1):
        progress(number)
    return total


def refuse(message: str) -> None:
    raise ConfigError(message)


def die() -> None:
    os._exit(3)


def ignore_cancel(seconds: float, *, should_stop=None) -> str:
    time.sleep(seconds)
    return "finished"


def worker_pid() -> int:
    return os.getpid()


def wait_for_another_task(seconds: float) -> bool:
    """True once a task was submitted after this one, False after `seconds` without."""
    from core.training.pool import another_task_waiting

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if another_task_waiting():
            return True
        time.sleep(0.02)
    return False


def traced_gradient_functions() -> int:
    """Custom gradient functions TensorFlow's global registry holds in this worker."""
    from tensorflow.python.framework import ops

    return sum(name.startswith("CustomGradient-") for name in ops._gradient_registry._registry)


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(workers=1)
    workers.warm_up()
    yield workers
    workers.shutdown()


def test_a_task_returns_its_result_and_raises_its_own_errors(pool):
    assert pool.run(add, 2, second=3) == 5
    with pytest.raises(ConfigError, match="window too long"):
        pool.run(refuse, "window too long")
    assert pool.run(add, 1, 1) == 2


def test_progress_arrives_in_order_before_the_result(pool):
    seen: list[int] = []
    assert pool.run(count_to, 50, progress=seen.append) == 50
    assert seen == list(range(1, 51))


def test_a_real_training_reports_epochs_and_lands_in_the_run_store(pool, tmp_path):
    epochs = []
    result = pool.run(
        train_request, TINY.to_dict(), str(tmp_path), progress=epochs.append, should_stop=bool
    )
    assert [update.epoch for update in epochs] == list(range(1, result.epochs_run + 1))
    assert RunStore(tmp_path).has(result.key)
    longer = pool.run(forecast_stored, str(tmp_path), result.key, 12)
    assert len(longer) == 12
    np.testing.assert_allclose(longer["forecast"].iloc[:5], result.forecast["forecast"], rtol=1e-6)


def test_cancel_stops_a_real_training_within_seconds_and_saves_nothing(pool, tmp_path):
    stop = threading.Event()
    epochs = []

    def progress(update) -> None:
        epochs.append(update.epoch)
        stop.set()

    started = time.monotonic()
    with pytest.raises(TrainingCancelled):
        pool.run(
            train_request,
            LONG.to_dict(),
            str(tmp_path),
            progress=progress,
            should_stop=stop.is_set,
        )
    assert epochs and max(epochs) < 50
    assert time.monotonic() - started < 120  # liveness only: 500 epochs would take far longer
    assert RunStore(tmp_path).list_runs() == []
    assert pool.run(add, 1, 2) == 3


def test_a_task_that_ignores_cancel_is_stopped_hard_and_the_pool_recovers(pool, monkeypatch):
    monkeypatch.setattr(pool_module, "CANCEL_GRACE_SECONDS", 1.0)
    before = pool.run(worker_pid)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    with pytest.raises(TrainingCancelled, match="stopped"):
        pool.run(ignore_cancel, 120.0, should_stop=stop.is_set)
    after = pool.run(worker_pid)
    assert after != before
    assert pool.run(add, 20, 22) == 42


def test_a_crashed_worker_gives_a_clear_error_and_the_next_task_runs(pool):
    with pytest.raises(TrainingError, match="(exited with code 3|ended unexpectedly)"):
        pool.run(die)
    assert pool.run(add, 4, 5) == 9


def killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # as `kill -9` from a shell, far from any memory limit


def test_a_worker_killed_from_outside_is_not_blamed_on_memory(pool):
    with pytest.raises(TrainingError) as lost:
        pool.run(killed)
    message = str(lost.value)
    assert "stopped from outside the app" in message and "out of memory" not in message
    assert "signal 9" in message or "ended unexpectedly" in message
    assert pool.run(add, 1, 2) == 3


def test_a_worker_lost_near_its_memory_limit_is_said_to_be_out_of_memory():
    from core.training.pool import worker_lost_message

    message = worker_lost_message(-9, peak_mb=1900, limit_mb=2000)
    assert "was killed (signal 9)" in message and "ran out of memory" in message
    assert "outside" in worker_lost_message(-9, peak_mb=400, limit_mb=2000)


def test_a_worker_above_the_memory_limit_is_replaced_after_its_task():
    small = WorkerPool(workers=1, memory_limit_mb=1)  # every worker is over 1 MB
    try:
        first = small.run(worker_pid)
        second = small.run(worker_pid)
        assert first != second
    finally:
        small.shutdown()


def test_a_task_learns_that_another_one_is_waiting(pool):
    assert pool.run(wait_for_another_task, 0.3) is False  # alone: nothing comes
    outcome = {}
    first = threading.Thread(
        target=lambda: outcome.update(first=pool.run(wait_for_another_task, 60.0))
    )
    first.start()
    time.sleep(0.5)
    assert pool.run(add, 1, 2) == 3  # waits in line behind the first task
    first.join()
    assert outcome["first"] is True


def test_a_network_warmed_in_a_worker_stays_warm_there(pool, tmp_path):
    from core.runs.worker import warm_request

    values = TINY.to_dict()
    assert pool.run(warm_request, values, home=str(tmp_path)) is True
    assert pool.run(warm_request, values, home=str(tmp_path)) is False


def test_a_training_leaves_no_traced_graph_behind_in_the_worker(pool, tmp_path):
    # Each traced training step registers a gradient function that holds its whole graph;
    # the worker empties the registry after every task (else +13 MB per new network).
    pool.run(train_request, TINY.replace(model=ModelConfig(units=5)).to_dict(), str(tmp_path))
    assert pool.run(traced_gradient_functions) == 0
