"""One warm pool of worker processes for all background work (trainings, sweeps, search trials,
forecasts): each worker imports TensorFlow once at start, so a task begins at once and the page
server never imports it.

    from core.training import pool
    pool.warm_up()   # start the workers now (the server does it when it starts)
    result = pool.run(function, *args, progress=callback, should_stop=is_set, **kwargs)

`run` blocks the calling thread (any thread) until the task ends. `function` must be defined at
module level, and its arguments and result must pickle. With `progress`, the worker calls
`function(..., progress=send)` and every `send(message)` reaches `callback(message)` on the
calling thread, in order, before `run` returns. With `should_stop`, the worker calls
`function(..., should_stop=check)`; `check()` turns true within a fraction of a second of
`should_stop()` in the caller, and a task still going CANCEL_GRACE_SECONDS later is stopped
hard (its worker is killed) and raises TrainingCancelled. A worker that dies in a task raises
TrainingError; errors raised by `function` come back as they are. The pool replaces dead
workers by itself. FORECAST_LAB_WORKERS sets the number of workers (default 1: one training
already uses both cores); each is recycled after TASKS_PER_WORKER tasks or above
FORECAST_LAB_WORKER_MEMORY_MB, and exits within about a second when the server process dies.
Workers are spawned, so they import the main script again: keep its work under
`if __name__ == "__main__":` (app.py does).
"""

from __future__ import annotations

import functools
import gc
import itertools
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from core.adapters.python import register_before_thread_joins
from core.adapters.tensorflow import forget_custom_gradients
from core.errors import TrainingCancelled, TrainingError

logger = logging.getLogger(__name__)

WORKERS_ENV = "FORECAST_LAB_WORKERS"
MEMORY_ENV = "FORECAST_LAB_WORKER_MEMORY_MB"
DEFAULT_MEMORY_MB = 2000
TASKS_PER_WORKER = 20
CANCEL_GRACE_SECONDS = 10.0
PARENT_POLL_SECONDS = 0.5
CANCEL_SLOTS = 4096  # cancelled task numbers live in a ring this long (far more than run at once)
SUBMITTED = CANCEL_SLOTS  # the ring's extra last entry counts the tasks submitted so far
RESUBMIT_LIMIT = 2  # a task whose worker was lost before it started is tried this often again


# --- the worker side ----------------------------------------------------------------------------
_worker: dict[str, Any] = {}


def _initialize_worker(messages: Any, cancelled: Any, parent_pid: int) -> None:
    """Runs once in each new worker: watch the parent, import and warm up TensorFlow/Keras."""
    # Tasks submitted so far: the warm-up below gives way once another one arrives.
    _worker.update(messages=messages, cancelled=cancelled, task_submitted=cancelled[SUBMITTED])
    # The executor's own shutdown needs a living parent; after kill -9 of the server nothing
    # else would stop a worker that is in the middle of a long training.
    threading.Thread(
        target=_exit_with_parent, args=(parent_pid,), name="parent-watchdog", daemon=True
    ).start()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        _warm_keras()
        _forget_keras_state()
    except Exception:  # a failed warm-up only costs the first task its speed
        logger.exception("warming up TensorFlow in the worker failed")


def _exit_with_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(70)


def _warm_keras() -> None:
    """Trace the default network's steps (core.training.trainer.warm_network) and fit its
    Holt-Winters baseline: imports, thread pools, traced steps and that fit are paid here, and
    the network stays warm (core.training.warm_models), so the user's first training of it (the
    demo) starts at once. Each step gives way to a task that arrives meanwhile."""
    import gc

    import keras  # noqa: F401 (imported here so the freeze below covers it)

    from core.config import RunRequest
    from core.data.sources import load_series
    from core.data.window import suggest_lookback
    from core.runs.pipeline import load_prepared
    from core.training.trainer import warm_network

    request = RunRequest()
    # The demo's network: the default one with the window the default series suggests (Home).
    window = suggest_lookback(load_series(request.data), request.split).lookback
    request = request.replace(split=request.split.replace(lookback=window))
    prepared = load_prepared(request)
    # What the imports made lives as long as the worker: kept out of every later collection,
    # the collection after each task takes about a fifth of the time (measured 0.56 -> 0.12 s).
    gc.freeze()
    warm_network(prepared, request.model, request.train, should_stop=another_task_waiting)
    from core.models.baselines import BASELINES

    for baseline in BASELINES.values():  # the demo's baselines, fitted once per process
        if another_task_waiting():
            break
        baseline(prepared)


def another_task_waiting() -> bool:
    """In a worker, during a task or the warm-up: whether a task was submitted after it (work
    done only as a head start, such as core.runs.worker.warm_request, then gives way)."""
    return _worker["cancelled"][SUBMITTED] != _worker.get("task_submitted")


def _forget_keras_state() -> None:
    """Free what the last task left behind: TensorFlow's custom gradients (which hold the traced
    graphs of networks long gone; core.adapters.tensorflow) and garbage. Keras' clear_session
    is not called: it would also empty TensorFlow's kernel cache, which the warm networks
    (core.training.warm_models) re-use, so a warm network's first batch would be slow again."""
    forget_custom_gradients()
    gc.collect()


def _send(task_number: int, message: Any) -> None:
    _worker["messages"].put(("progress", task_number, message))


def _is_cancelled(task_number: int) -> bool:
    return _worker["cancelled"][task_number % CANCEL_SLOTS] == task_number


def _resident_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _call(
    task_number: int,
    function: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    wants_progress: bool,
    wants_stop: bool,
    submitted: int = 0,
) -> Any:
    """Runs in a worker: one task, bracketed by 'started' and 'ended' messages. `submitted`
    counts the tasks submitted up to this one (another_task_waiting compares with it)."""
    _worker["task_submitted"] = submitted
    messages = _worker["messages"]
    messages.put(("started", task_number, os.getpid()))
    if wants_progress:
        kwargs["progress"] = functools.partial(_send, task_number)
    if wants_stop:
        kwargs["should_stop"] = functools.partial(_is_cancelled, task_number)
    try:
        return function(*args, **kwargs)
    finally:
        _forget_keras_state()  # the next task starts from a clean Keras session
        messages.put(("ended", task_number, _resident_mb()))


def _ready() -> int:
    return os.getpid()


# --- the server side ----------------------------------------------------------------------------
def _resident_mb_of(pid: int) -> float:
    import psutil

    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.Error:
        return 0.0


NEAR_LIMIT = 0.8  # a worker this close to its memory limit (or to the machine's) when it died


def worker_lost_message(exit_code: int | None, peak_mb: float, limit_mb: float) -> str:
    """What happened to a worker that died in a task, from what is known: its exit code (a
    negative one is the signal that ended it) and the most memory it was seen holding."""
    import psutil

    how = (
        f"was killed (signal {-exit_code})"
        if exit_code is not None and exit_code < 0
        else (f"exited with code {exit_code}" if exit_code is not None else "ended unexpectedly")
    )
    machine = psutil.virtual_memory()
    short_of_memory = peak_mb >= NEAR_LIMIT * limit_mb or machine.available < 0.05 * machine.total
    if short_of_memory:
        return (
            f"The worker process running this training {how} while holding {peak_mb:,.0f} MB "
            f"(its limit is {limit_mb:,.0f} MB): it ran out of memory. Try a shorter window, "
            "fewer rows, fewer units or a smaller batch."
        )
    return (
        f"The worker process running this training {how}, holding {peak_mb:,.0f} MB, far from "
        f"its {limit_mb:,.0f} MB limit: it was stopped from outside the app (by the system or "
        "a person), not for lack of memory. Nothing was saved; start the training again."
    )


@dataclass(eq=False)
class _Generation:
    """One executor with its message queue and cancel ring; replaced as a whole when broken."""

    executor: ProcessPoolExecutor
    messages: Any
    cancelled: Any
    broken: bool = False
    pids: set[int] = field(default_factory=set)  # its workers, as they report in
    killed_pids: set[int] = field(default_factory=set)


@dataclass(eq=False)
class _Task:
    number: int
    generation: _Generation
    inbox: queue.Queue = field(default_factory=queue.Queue)
    pid: int | None = None
    started_at: float | None = None
    ended: bool = False
    peak_mb: float = 0.0  # the worker's largest resident memory seen while it ran this task


class WorkerPool:
    """The process-wide pool behind `run` and `warm_up` (see the module docstring)."""

    def __init__(self, workers: int | None = None, memory_limit_mb: float | None = None) -> None:
        self.workers = max(1, int(workers or os.environ.get(WORKERS_ENV) or 1))
        self.memory_limit_mb = float(
            memory_limit_mb or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_MB
        )
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._generation: _Generation | None = None
        self._tasks: dict[int, _Task] = {}
        self._numbers = itertools.count(1)
        # At interpreter exit concurrent.futures waits for running tasks (its hook is registered
        # with threading's exit hooks, which run before atexit's), so a server stopped with
        # Ctrl-C mid-training would hang until the training ended. Hooks run newest first: this
        # one stops the workers before that wait.
        register_before_thread_joins(self.shutdown)

    # -- public --

    def warm_up(self) -> None:
        """Start the workers now (they import TensorFlow in the background); returns at once."""
        with self._lock:
            generation = self._current()
            for _ in range(self.workers):
                future = generation.executor.submit(_ready)
                future.add_done_callback(functools.partial(_note_pid, generation))

    def run(
        self,
        function: Callable[..., Any],
        *args: Any,
        progress: Callable[[Any], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run `function(*args, **kwargs)` in a worker and return its result."""
        for _ in range(RESUBMIT_LIMIT + 1):
            task, future = self._submit(function, args, kwargs, progress, should_stop)
            try:
                self._follow(task, future, progress, should_stop)
                outcome = self._outcome(task, future)
            finally:
                with self._lock:
                    self._tasks.pop(task.number, None)
            if outcome is not _LOST_BEFORE_START:
                return outcome
        raise TrainingError(
            "The worker process kept stopping before it could start this task; "
            "restart the app, and if it persists, report it."
        )

    def worker_pids(self) -> set[int]:
        """Process ids of the live generation's workers that have reported in."""
        with self._lock:
            generation = self._generation
            return set() if generation is None else set(generation.pids)

    def shutdown(self) -> None:
        """Stop every worker now (tests and command-line tools; the server never needs it)."""
        with self._lock:
            generation, self._generation = self._generation, None
            if generation is not None:
                generation.broken = True
        if generation is not None:
            for pid in generation.pids:
                self._kill(generation, pid)
            self._retire(generation)

    # -- internals --

    def _current(self) -> _Generation:
        """The live generation, made on first use or after the last one broke (lock held)."""
        if self._generation is None or self._generation.broken:
            messages = self._context.SimpleQueue()
            cancelled = self._context.RawArray("q", CANCEL_SLOTS + 1)
            executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=self._context,
                initializer=_initialize_worker,
                initargs=(messages, cancelled, os.getpid()),
                max_tasks_per_child=TASKS_PER_WORKER,
            )
            generation = _Generation(executor, messages, cancelled)
            threading.Thread(
                target=self._dispatch, args=(generation,), name="pool-messages", daemon=True
            ).start()
            self._generation = generation
        return self._generation

    def _submit(self, function, args, kwargs, progress, should_stop) -> tuple[_Task, Any]:
        with self._lock:
            for _ in range(2):
                generation = self._current()
                task = _Task(next(self._numbers), generation)
                self._tasks[task.number] = task
                generation.cancelled[SUBMITTED] += 1
                try:
                    future = generation.executor.submit(
                        _call,
                        task.number,
                        function,
                        args,
                        dict(kwargs),
                        progress is not None,
                        should_stop is not None,
                        generation.cancelled[SUBMITTED],
                    )
                    return task, future
                except BrokenProcessPool:  # a worker died since the last task; start afresh
                    self._tasks.pop(task.number, None)
                    self._mark_broken(generation)
            raise TrainingError("The worker pool could not start a worker process.")

    def _follow(self, task: _Task, future, progress, should_stop) -> None:
        """Relay messages and the cancel until the task has ended (or its worker is gone)."""
        stop_asked_at: float | None = None
        done_at: float | None = None
        while not task.ended:
            if future.done():
                # The result can overtake the task's last messages; a dead worker sends none.
                done_at = done_at or time.monotonic()
                if time.monotonic() - done_at > 2.0:
                    return
            try:
                kind, payload = task.inbox.get(timeout=0.1)
            except queue.Empty:
                kind, payload = None, None
            if task.pid is not None and not task.ended:  # for the message if it dies
                task.peak_mb = max(task.peak_mb, _resident_mb_of(task.pid))
            if kind == "started":
                task.pid, task.started_at = payload, time.monotonic()
            elif kind == "progress" and progress is not None:
                progress(payload)
            elif kind == "ended":
                task.ended = True
                if payload > self.memory_limit_mb:
                    self._recycle(task.generation, payload)
            if should_stop is None or task.ended or done_at is not None:
                continue
            if stop_asked_at is None and should_stop():
                stop_asked_at = time.monotonic()
                task.generation.cancelled[task.number % CANCEL_SLOTS] = task.number
                if future.cancel():  # still waiting for a worker: it never runs
                    raise TrainingCancelled("Cancelled before it started; nothing was saved.")
            if stop_asked_at is not None and task.started_at is not None:
                # A task queued behind another one gets its grace period once it starts.
                since = max(stop_asked_at, task.started_at)
                if time.monotonic() - since > CANCEL_GRACE_SECONDS:
                    self._hard_stop(task)
                    raise TrainingCancelled("Cancelled by the user; the worker was stopped.")

    def _outcome(self, task: _Task, future) -> Any:
        try:
            return future.result()
        except BrokenProcessPool:
            generation = task.generation
            with self._lock:
                self._mark_broken(generation)
            lost_to_another = generation.killed_pids and task.pid not in generation.killed_pids
            if task.pid is None or lost_to_another:
                return _LOST_BEFORE_START  # never ran, or lost to another task's hard stop
            process = (getattr(generation.executor, "_processes", None) or {}).get(task.pid)
            exit_code = getattr(process, "exitcode", None)
            raise TrainingError(
                worker_lost_message(exit_code, task.peak_mb, self.memory_limit_mb)
            ) from None

    def _dispatch(self, generation: _Generation) -> None:
        """Route the workers' messages to the tasks waiting for them (one thread per executor)."""
        while True:
            try:
                message = generation.messages.get()
            except (EOFError, OSError):
                return
            if message is None:
                return
            kind, number, payload = message
            with self._lock:
                if kind == "started":
                    generation.pids.add(payload)
                task = self._tasks.get(number)
            if task is not None:
                task.inbox.put((kind, payload))

    def _hard_stop(self, task: _Task) -> None:
        logger.warning("task %s ignored its cancel; killing worker %s", task.number, task.pid)
        self._kill(task.generation, task.pid)
        with self._lock:
            self._mark_broken(task.generation)
        self.warm_up()

    @staticmethod
    def _kill(generation: _Generation, pid: int) -> None:
        children = {process.pid for process in multiprocessing.active_children()}
        if pid in children:  # never signal a process id that is not (any more) our worker
            generation.killed_pids.add(pid)
            os.kill(pid, signal.SIGKILL)

    def _recycle(self, generation: _Generation, resident_mb: float) -> None:
        """A worker above the memory limit: new tasks go to fresh workers, old ones finish."""
        with self._lock:
            if generation.broken:
                return
            logger.info(
                "a worker holds %.0f MB (limit %.0f): recycling", resident_mb, self.memory_limit_mb
            )
            self._mark_broken(generation)
        self.warm_up()

    def _mark_broken(self, generation: _Generation) -> None:
        """Take a generation out of service (lock held); its executor winds down in the back."""
        if generation.broken:
            return
        generation.broken = True
        threading.Thread(
            target=self._retire, args=(generation,), name="pool-retire", daemon=True
        ).start()

    @staticmethod
    def _retire(generation: _Generation) -> None:
        try:
            generation.executor.shutdown(wait=True)
        finally:
            generation.messages.put(None)  # ends its dispatcher after the last message


def _note_pid(generation: _Generation, future) -> None:
    if not future.cancelled() and future.exception() is None:
        generation.pids.add(future.result())


_LOST_BEFORE_START = object()
_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def get_pool() -> WorkerPool:
    """The process-wide pool (created on first use; workers start on the first task)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = WorkerPool()
        return _pool


def warm_up() -> None:
    """Start the process-wide pool's workers now, so the first task does not wait for them."""
    get_pool().warm_up()


def run(
    function: Callable[..., Any],
    *args: Any,
    progress: Callable[[Any], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    **kwargs: Any,
) -> Any:
    """Run a module-level function in the process-wide pool (see the module docstring)."""
    return get_pool().run(function, *args, progress=progress, should_stop=should_stop, **kwargs)
