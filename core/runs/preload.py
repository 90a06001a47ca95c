"""The worker side of the Dask cluster: the preload every worker runs when it starts (import
TensorFlow once, warm the default network, leave with its parent) and the wrapper every task
runs in (progress and cancel, a clean Keras state after each task).

Another machine joins a cluster with
    dask worker tcp://SERVER:8786 --nthreads 1 --preload core.runs.preload
from a copy of this project (the same requirements installed).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dask.system
from distributed import get_worker
from distributed.worker import thread_state

# Built here, before the warm-up thread starts importing Keras (see core/data/blas.py).
import core.data.blas  # noqa: F401, E402
from core.adapters.tensorflow import forget_custom_gradients
from core.config import RunRequest
from core.data.sources import load_series
from core.data.window import suggest_lookback
from core.models.baselines import BASELINES
from core.runs.pipeline import load_prepared
from core.training.trainer import configure_threads, warm_network

logger = logging.getLogger(__name__)
_tensorflow = threading.Event()  # set once this worker process has imported TensorFlow


def tensorflow_loaded() -> bool:
    """Whether this worker process has imported TensorFlow yet (its warm-up does, as it starts;
    a task that needs it meanwhile waits for that import)."""
    return _tensorflow.is_set()


TOPIC = "forecast-lab-tasks"  # the events a task sends home: started, progress
PARENT_POLL_SECONDS = 0.5


def dask_setup(worker: Any) -> None:
    """Dask calls this in each worker process as it starts (`--preload core.runs.preload`)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Before TensorFlow's first op here, whichever task runs it (a stored network loaded, a
    # search trial): this worker's share of the cores per op, not every core.
    configure_threads()
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True
    ).start()
    # The warm-up runs beside the worker's event loop, so the worker registers at once; it
    # gives way to the first task (_idle below) and only costs that task some speed.
    threading.Thread(target=_warm, args=(worker,), name="warm-up", daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    """A worker whose nanny (or the page server that holds it) is gone leaves at once, even in
    the middle of a training: nothing else would stop it after kill -9 of the server."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(70)


def _idle(worker: Any) -> bool:
    state = getattr(worker, "state", None)
    return state is None or (not state.executing_count and not state.ready)


# The workers of one cluster on one machine share its cores: a task holds a shared lock on a
# file of the cluster's while it runs, and a worker's warm-up waits (and gives way) while any
# task of its cluster runs on this machine, not only on its own worker (a fresh server's demo
# otherwise shares the cores with the other worker importing TensorFlow and tracing).
def busy_path(worker: Any) -> Path:
    """The machine-wide marker file of this worker's cluster."""
    scheduler = str(getattr(getattr(worker, "scheduler", None), "address", "") or "")
    digest = hashlib.sha1(scheduler.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"forecast-lab-tasks-{digest}.lock"


@contextlib.contextmanager
def running_task(path: Path) -> Iterator[None]:
    """Held while a task runs (a shared lock: any number of tasks at once)."""
    with path.open("a") as marker:
        fcntl.flock(marker, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(marker, fcntl.LOCK_UN)


def machine_busy(path: Path) -> bool:
    """Whether a task of this cluster runs on this machine (one holds `running_task`)."""
    try:
        with path.open("a") as marker:
            fcntl.flock(marker, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(marker, fcntl.LOCK_UN)
    except BlockingIOError:
        return True
    except OSError:  # no marker file can be made here: nothing to wait for
        return False
    return False


def _warm(worker: Any) -> None:
    """Trace the default network's steps and fit its Holt-Winters baseline, so the demo starts
    at once; the network stays warm (core.training.warm_models)."""

    busy = busy_path(worker)

    def give_way() -> bool:
        return not _idle(worker) or machine_busy(busy)

    try:
        while machine_busy(busy) and _idle(worker):  # a training runs on another worker
            time.sleep(PARENT_POLL_SECONDS)
        import keras  # noqa: F401 (imported before the freeze below)

        _tensorflow.set()

        request = RunRequest()
        # The demo's network: the default one with the window the default series suggests (Home).
        window = suggest_lookback(load_series(request.data), request.split).lookback
        request = request.replace(split=request.split.replace(lookback=window))
        prepared = load_prepared(request)
        # What the imports made lives as long as the worker: kept out of every later collection.
        gc.freeze()
        if give_way():
            return
        warm_network(prepared, request.model, request.train, should_stop=give_way)

        for baseline in BASELINES.values():  # the demo's baselines, fitted once per process
            if give_way():
                break
            baseline(prepared)
    except Exception:  # a failed warm-up only costs the first task its speed
        logger.exception("warming up TensorFlow in the worker failed")


def machine_cores() -> int:
    """The cores this worker's machine gives it (dask's count: its CPU affinity and container
    quota), asked once per worker by the page server's estimates (FairQueue.capacity)."""
    return int(dask.system.CPU_COUNT)


def _current_task() -> tuple[Any, Any]:
    return get_worker(), getattr(thread_state, "key", None)


def task_cancelled() -> bool:
    """In a task: whether the server cancelled it (its future was cancelled, or a head start
    was asked to give way). Read from the worker's own state: no round trip."""
    try:
        worker, key = _current_task()
    except ValueError:  # not in a worker (a direct call in a test)
        return False
    task = worker.state.tasks.get(key)
    return task is None or task.state in ("cancelled", "released", "forgotten")


def call(
    number: int,
    function: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    wants_progress: bool,
    wants_stop: bool,
) -> tuple[Any, int]:
    """Runs in a worker: one task, announced with a 'started' event; returns its result and the
    number of progress messages sent (the server waits for them all before returning)."""
    worker, _ = _current_task()
    sent = 0
    started = {"kind": "started", "task": number, "worker": worker.address, "pid": os.getpid()}
    worker.log_event(TOPIC, {**started, "function": getattr(function, "__name__", "task")})

    def send(message: Any) -> None:
        nonlocal sent
        sent += 1
        worker.log_event(
            TOPIC, {"kind": "progress", "task": number, "message": pickle.dumps(message)}
        )

    if wants_progress:
        kwargs["progress"] = send
    if wants_stop:
        kwargs["should_stop"] = task_cancelled
    try:
        with running_task(busy_path(worker)):
            return function(*args, **kwargs), sent
    finally:
        if "keras" in sys.modules:  # a task imported it (a warm-up that failed before)
            _tensorflow.set()
        if worker.state.executing_count <= 1:
            _forget_keras_state()  # the next task starts from a clean Keras session
        worker.log_event(TOPIC, {"kind": "ended", "task": number})


def _forget_keras_state() -> None:
    """Free what the last task left behind: TensorFlow's custom gradients (which hold the traced
    graphs of networks long gone; core.adapters.tensorflow) and garbage. Keras' clear_session
    is not called: it would also empty TensorFlow's kernel cache, which the warm networks
    (core.training.warm_models) re-use. Only when no other task runs on this worker."""

    forget_custom_gradients()
    gc.collect()
