"""Dask distributed runs every background task: trainings, sweep points, search trials, backtest
cut-offs, forecasts past the stored horizon, the inside view, head starts. The page server only
holds the client (it never imports TensorFlow; the workers do, once each, in core.runs.preload).

    from core.runs import cluster
    cluster.start()   # the server does it when it starts; returns at once
    result = cluster.run(function, *args, progress=callback, should_stop=is_set, session=...)

`run` blocks the calling thread until the task ends; `function` must be defined at module level
and its arguments and result must pickle. With `progress`, the task gets `progress=send` and
every `send(message)` reaches `callback(message)` on the calling thread before `run` returns.
With `should_stop`, the task gets `should_stop=check`, true within a fraction of a second of
`should_stop()` here (its Dask future is cancelled); a task still running CANCEL_GRACE_SECONDS
later has its worker restarted. Tasks wait in a fair queue (core.runs.fair_queue) and go to Dask
only when a worker thread is free, so every session sees its place and an estimate of its wait.

With no set-up an embedded LocalCluster starts (FORECAST_LAB_WORKERS processes of
FORECAST_LAB_WORKER_THREADS threads); FORECAST_LAB_SCHEDULER=tcp://host:8786 uses an existing
cluster instead. FORECAST_LAB_SCHEDULER_PORT (and _HOST) fix the embedded scheduler's address so
other machines can join it (README, "Serving a class").
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from distributed import Client
from distributed.scheduler import KilledWorker

from core.errors import TrainingCancelled, TrainingError
from core.runs.capacity import Cores
from core.runs.embedded import close_quietly, start_local
from core.runs.fair_queue import FairQueue, Ticket
from core.runs.preload import TOPIC, call
from core.runs.sharing import SharedFiles
from core.runs.warmth import WarmPlaces
from core.runs.worker_loss import LossWitness

logger = logging.getLogger(__name__)

SCHEDULER_ENV = "FORECAST_LAB_SCHEDULER"
WORKERS_ENV = "FORECAST_LAB_WORKERS"
THREADS_ENV = "FORECAST_LAB_WORKER_THREADS"
DEFAULT_WORKERS = 1  # commands (tune worker, benchmarks); the app starts APP_WORKERS
APP_WORKERS = 2  # single-threaded: faster than one worker of 2 threads (README, Measured choices)
DEFAULT_THREADS = 1
CANCEL_GRACE_SECONDS = 10.0
PROGRESS_WAIT_SECONDS = 5.0  # how long the last progress messages may trail the result
START_TIMEOUT_SECONDS = 300.0
QUICK, HEAD_START, WORK = "quick", "head start", "work"


@dataclass(eq=False)
class _Task:
    ticket: Ticket
    inbox: queue.Queue = field(default_factory=queue.Queue)
    lane: str = WORK
    adopted: bool = False  # a place taken by expect() that a run() has taken over
    submitted: threading.Event = field(default_factory=threading.Event)  # its turn has come
    future: Any = None
    worker: str | None = None
    warmth: str | None = None  # the network it traces or trains (core.runs.warmth)
    bound: str | None = None  # the free worker where that network is warm, sent there
    starts: int = 0
    completed: bool = False
    ended: threading.Event = field(default_factory=threading.Event)  # the worker let go of it


class Cluster:
    """The process-wide client with its fair queue (see the module docstring)."""

    def __init__(self, workers: int | None = None, threads: int | None = None) -> None:
        self.workers = max(1, int(workers or os.environ.get(WORKERS_ENV) or DEFAULT_WORKERS))
        self.threads = max(1, int(threads or os.environ.get(THREADS_ENV) or DEFAULT_THREADS))
        self.queue = FairQueue()
        self.shared = SharedFiles()  # files sent to the workers once for many tasks
        self._local: Any = None
        self._client: Any = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._tasks: dict[int, _Task] = {}
        self._stopping: dict[int, _Task] = {}  # cancelled, until their worker lets go
        self._tags: dict[str, int] = {}
        # Where tasks started, newest last: (session, kind, worker address, process id).
        self.placements: deque[tuple[str, str, str, int]] = deque(maxlen=1000)
        self._numbers = iter(range(1, 2**62))
        self._started = False
        self._closed = False
        self._slots, self._slots_at = 0, -1e9
        self._cores = Cores()  # each worker's machine's cores (asked once)
        self._witness = LossWitness()  # why a worker was lost (core.runs.worker_loss)
        self._warm = WarmPlaces()  # where each network was last traced or trained

    def start(self) -> None:
        """Connect (or start the embedded cluster) in the background; returns at once."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._connect, name="dask-connect", daemon=True).start()
        threading.Thread(target=self._dispatch, name="dask-dispatch", daemon=True).start()

    def ready(self) -> bool:
        """Whether the workers are up (the cluster started or was reached)."""
        return self._ready.is_set() and self._client is not None

    def client(self) -> Any:
        """The Dask client, once connected (waits for it)."""
        self.start()
        if self._closed:
            raise TrainingError("The Dask cluster was closed; restart the app.")
        if not self._ready.wait(START_TIMEOUT_SECONDS) or self._client is None:
            raise TrainingError(
                f"The Dask cluster could not be reached ({self._failure}); check "
                f"{SCHEDULER_ENV} or restart the app."
            )
        return self._client

    def run(
        self,
        function: Callable[..., Any],
        *args: Any,
        progress: Callable[[Any], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        session: str = "",
        lane: str = WORK,
        name: str | None = None,
        tag: str | None = None,
        size: float = 1.0,
        warmth: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run `function(*args, **kwargs)` on a worker and return its result. `lane`: WORK
        waits its session's turn; QUICK (short reads of a stored run) goes at once, ahead of
        anything waiting; HEAD_START runs only on an idle cluster, gives way to any work that
        arrives (its task sees should_stop) and returns None when it could not start. `tag`
        names the task for place_of while it waits (a place taken with expect is kept); `size`,
        its work relative to others of its kind (core.runs.costs); `warmth`, the network it
        traces or trains: it goes to the free worker where that network is warm, if any."""
        self.client()
        kind = name or getattr(function, "__name__", "task")
        with self._lock:
            expected = self._tasks.get(self._tags.get(tag, -1)) if tag is not None else None
            if expected is not None and lane == WORK and not expected.adopted:
                task = expected  # its place in line was taken when the job was submitted
                task.adopted, task.ticket.kind, task.ticket.size = True, kind, size
            else:
                ticket = Ticket(next(self._numbers), session or "anonymous", kind, size)
                task = _Task(ticket, lane=lane)
            task.warmth = warmth
            number = task.ticket.number
            if task is not expected:
                if lane == HEAD_START:
                    if self.queue.waiting_count() or self._free_slots() <= 0:
                        return None
                    task.ticket.yields = True
                    self.queue.hold(task.ticket, time.monotonic())  # takes a free slot
                    task.submitted.set()
                elif lane == QUICK:
                    task.submitted.set()
                else:
                    self.queue.add(task.ticket)
                    self._wake.notify_all()
            self._tasks[number] = task
            if tag is not None:
                self._tags[tag] = number
            self._start_free()
        try:
            return self._follow(task, function, args, kwargs, progress, should_stop)
        finally:
            with self._lock:
                self._tasks.pop(number, None)
                if tag is not None and self._tags.get(tag) == number:
                    del self._tags[tag]
                if lane == HEAD_START:
                    self.queue.gave_way(task.ticket, time.monotonic())
                if not self.queue.remove(task.ticket) and lane != QUICK:
                    measured = task.completed and task.starts == 1
                    self._log_end(task)
                    self.queue.finish(task.ticket, time.monotonic(), measured=measured)
                self._start_free()  # the thread it freed takes the next in line now
                self._wake.notify_all()

    def _log_end(self, task: _Task) -> None:
        """What the queue expected of a task that held a worker thread, and what it took."""
        if task.ticket.started_at is not None:
            expected = self.queue.expected(task.ticket)
            done = "completed" if task.completed else "not completed"
            logger.info("task ended: %s, %s", task.ticket.summary(time.monotonic(), expected), done)

    def expect(
        self, tag: str, session: str, kind: str = "train_request", size: float = 1.0
    ) -> None:
        """Take a place in line now for work that `run(..., tag=tag)` will bring shortly (a job
        submitted from a page shows its place at once); forget(tag) gives it up."""
        with self._lock:
            if tag in self._tags:
                return
            task = _Task(Ticket(next(self._numbers), session or "anonymous", kind, size), lane=WORK)
            self._tasks[task.ticket.number] = task
            self._tags[tag] = task.ticket.number
            self.queue.add(task.ticket)
            self._start_free()
            self._wake.notify_all()

    def forget(self, tag: str) -> None:
        """Give up a place taken with expect that no run() has adopted (e.g. a stored run)."""
        with self._lock:
            number = self._tags.get(tag)
            task = self._tasks.get(number) if number is not None else None
            if task is None or task.adopted:
                return
            del self._tags[tag]
            self._tasks.pop(number, None)
            if not self.queue.remove(task.ticket):
                self.queue.finish(task.ticket, time.monotonic(), measured=False)
            self._start_free()
            self._wake.notify_all()

    def place(self, number: int) -> tuple[int, float] | None:
        """A waiting task's (place in line, expected seconds to its start), else None."""
        task = self._tasks.get(number)
        if task is None:
            return None
        return self.queue.place(task.ticket, self.slots(), time.monotonic())

    def place_of(self, tag: str) -> tuple[int, float] | None:
        """place() of the task run with this tag, None unless it waits."""
        number = self._tags.get(tag)
        return None if number is None else self.place(number)

    def slots(self, fresh: bool = False) -> int:
        """Worker threads in the cluster (one task each), as the dispatcher last asked the
        scheduler (about once a second); `fresh` asks now."""
        if fresh:
            self._refresh_slots()
        if self._slots_at < 0:
            return self.workers * self.threads
        return self._slots

    def _refresh_slots(self) -> None:
        """Ask the scheduler (a round trip: never called with the lock held)."""
        client = self._client
        if client is None:
            return
        try:
            workers = client.scheduler_info(n_workers=-1)["workers"]
        except Exception:  # the scheduler is unreachable: keep the last count
            logger.warning("could not ask the Dask scheduler for its workers", exc_info=True)
            return
        self._witness.saw_workers(workers)  # their memory, should one be lost
        self._slots = sum(int(worker.get("nthreads", 1)) for worker in workers.values())
        self.queue.capacity = self._cores.usable(client, workers)
        self._slots_at = time.monotonic()

    def worker_pids(self) -> dict[str, int]:
        """Each worker's address and process id."""
        return self.client().run(os.getpid)

    def address(self) -> str:
        return self.client().scheduler.address

    def shutdown(self) -> None:
        """Close the client and the embedded cluster (tests and the command line)."""
        with self._lock:
            self._closed = True
            self._wake.notify_all()
        close_quietly(self._client, self._local)

    def _connect(self) -> None:
        try:
            address = os.environ.get(SCHEDULER_ENV, "").strip()
            if not address:
                self._local = start_local(self.workers, self.threads)
                address = self._local.scheduler_address
            client = Client(address, set_as_default=False)
            client.subscribe_topic(TOPIC, self._on_event)
            self._witness.attach(client)
            self._client = client
        except Exception as error:
            logger.exception("starting the Dask cluster failed")
            self._failure = error
        finally:
            self._ready.set()

    def _free_slots(self) -> int:
        return self.slots() - len(self.queue.running())

    def _dispatch(self) -> None:
        """Start waiting tasks, fairly, whenever a worker thread is free (one thread)."""
        self._ready.wait()
        refreshed = -1e9
        while not self._closed:
            if time.monotonic() - refreshed > 1.0:  # also notices workers that join or leave
                self._refresh_slots()
                refreshed = time.monotonic()
            with self._lock:
                self._start_free()
                if self.queue.waiting_count():
                    self._make_way()
                if not self._closed:
                    self._wake.wait(timeout=0.5)

    def _start_free(self) -> None:
        """Start waiting tasks, fairly, on the free worker threads (the lock held): called when
        a task arrives too, so work a free thread can take is never shown waiting in line
        until the dispatcher's next turn."""
        if not self._ready.is_set():
            return  # the workers are still starting: the dispatcher starts them once up
        while self.queue.waiting_count() and self._free_slots() > 0:
            ticket = self.queue.start_next(time.monotonic())
            task = self._tasks.get(ticket.number) if ticket else None
            if task is not None:
                task.submitted.set()  # the task's own thread submits it

    def _make_way(self) -> None:
        """Work is waiting: head starts give way (their task sees should_stop)."""
        self.queue.ask_to_give_way(time.monotonic())
        for task in self._tasks.values():
            if task.lane == HEAD_START and task.future is not None:
                task.future.cancel()

    def _follow(self, task: _Task, function, args, kwargs, progress, should_stop) -> Any:
        """Wait for the task's turn, submit it, relay its messages and the cancel."""
        lane = task.lane
        while not task.submitted.wait(timeout=0.1):
            if should_stop is not None and should_stop():
                with self._lock:
                    if self.queue.remove(task.ticket):
                        raise TrainingCancelled("Cancelled before it started; nothing was saved.")
        priority = {QUICK: 100, WORK: 0, HEAD_START: -100}[lane]
        with self._lock:  # where its network is warm, unless a task there holds the worker
            task.bound = self._warm.preferred(task.warmth, self._tasks, self._stopping)
        task.future = self._client.submit(
            call,
            task.ticket.number,
            function,
            args,
            self.shared.resolve(self._client, dict(kwargs)),  # files sent once (core.runs.sharing)
            progress is not None,
            should_stop is not None or lane == HEAD_START,
            key=f"{task.ticket.kind}-{task.ticket.number}-{uuid.uuid4().hex[:8]}",
            pure=False,
            priority=priority,
            workers=None if task.bound is None else [task.bound],
            allow_other_workers=task.bound is not None,  # it left meanwhile: any other
        )
        received = 0
        stop_asked_at: float | None = None
        while not task.future.done():
            received += self._relay(task, progress, timeout=0.1)
            if should_stop is not None and stop_asked_at is None and should_stop():
                stop_asked_at = time.monotonic()
                task.future.cancel()
                with self._lock:
                    self._stopping[task.ticket.number] = task
                threading.Thread(
                    target=self._hard_stop, args=(task,), name="dask-hard-stop", daemon=True
                ).start()
                raise TrainingCancelled("Cancelled by the user; nothing was saved.")
        if task.future.cancelled() or task.future.status == "cancelled":
            if lane == HEAD_START:
                self._let_go(task)
                return None
            # Not by us (that raised above): every worker keeping a file it needed was lost.
            raise TrainingError("The workers holding its data were lost; run it again.")

        try:
            result, sent = task.future.result()
        except KilledWorker as error:  # its worker died on every try: say how
            raise TrainingError(self._witness.explain(error)) from None
        task.completed = True
        deadline = time.monotonic() + PROGRESS_WAIT_SECONDS
        while received < sent and time.monotonic() < deadline:
            received += self._relay(task, progress, timeout=0.05)
        return result

    def _let_go(self, task: _Task) -> None:
        """A head start that gave way keeps its slot until its worker let go of it (so work finds
        a free thread and the time giving way took is learned); one never started ends now."""
        deadline, unstarted_by = time.monotonic() + CANCEL_GRACE_SECONDS, time.monotonic() + 1
        while not task.ended.wait(0.05) and time.monotonic() < deadline:
            if task.worker is None and time.monotonic() > unstarted_by:
                return

    def _relay(self, task: _Task, progress: Callable[[Any], None] | None, timeout: float) -> int:
        """Pass on one message from the task's inbox; 1 when it was a progress message."""
        try:
            message = task.inbox.get(timeout=timeout)
        except queue.Empty:
            return 0
        if message["kind"] == "started":
            task.starts += 1
            return 0
        update = pickle.loads(message["message"])
        if hasattr(update, "epoch") and hasattr(update, "max_epochs"):
            task.ticket.note_epoch(int(update.epoch), int(update.max_epochs), time.monotonic())
        if progress is not None:
            progress(update)
        return 1

    def _hard_stop(self, task: _Task) -> None:
        """A cancelled task that keeps running past the grace period: restart its worker."""
        try:
            if task.ended.wait(CANCEL_GRACE_SECONDS) or not task.worker:
                return
            logger.warning("task %s ignored its cancel; restarting %s", task.ticket, task.worker)
            self._client.restart_workers([task.worker])
        except Exception:
            logger.exception("restarting worker %s failed", task.worker)
        finally:
            with self._lock:
                self._stopping.pop(task.ticket.number, None)

    def _on_event(self, event: tuple[float, dict]) -> None:
        """Runs on the client's event loop: route a task's message to the thread following it."""
        message = event[1]
        number = message.get("task")
        task = self._tasks.get(number) or self._stopping.get(number)
        if task is None:
            return
        if message["kind"] == "ended":
            task.ended.set()
        elif message["kind"] == "started":
            task.worker = message["worker"]  # known at once, also to the hard stop
            self._warm.started(task.warmth, task.worker)
            ticket = task.ticket
            self.placements.append((ticket.session, ticket.kind, task.worker, message["pid"]))
            logger.info("task started: %s %s on %s", ticket.session[:8], ticket.kind, task.worker)
            task.inbox.put(message)
        else:
            task.inbox.put(message)


_cluster: Cluster | None = None
_cluster_lock = threading.Lock()


def get_cluster() -> Cluster:
    """The process-wide cluster (created on first use)."""
    global _cluster
    with _cluster_lock:
        if _cluster is None:
            _cluster = Cluster()
        return _cluster


def use(chosen: Cluster | None) -> None:
    """Make `chosen` the process-wide cluster (tests share one per session)."""
    global _cluster
    with _cluster_lock:
        _cluster = chosen


def prefer(workers: int) -> None:
    """Start this many workers if the process-wide cluster is made here (the env var wins)."""
    global _cluster
    with _cluster_lock:
        if _cluster is None and not os.environ.get(WORKERS_ENV):
            _cluster = Cluster(workers=workers)


def exists() -> bool:
    """Whether the process-wide cluster is made already (the caller's, e.g. a test session's)."""
    return _cluster is not None


def close() -> None:
    """Close the process-wide cluster (a command ending); the next task starts a new one."""
    global _cluster
    with _cluster_lock:
        closing, _cluster = _cluster, None
    if closing is not None:
        closing.shutdown()


def start() -> None:
    """Start (or connect to) the cluster now, so the first task does not wait for it."""
    get_cluster().start()


def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a module-level function on the process-wide cluster (see the module docstring)."""
    return get_cluster().run(function, *args, **kwargs)
