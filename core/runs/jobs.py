"""Background training jobs: dedupe identical requests, snapshots (with the place in line and the
expected wait while a job waits for a worker), and an in-progress marker per job on disk, so a
restart after a crash can say what was lost. Each job's thread hands its training to the Dask
cluster (core.runs.cluster), which serves sessions in turn; pages keep job ids and poll.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import RunRequest
from core.data.sources import SOURCE_REGISTRY, load_series
from core.errors import ForecastLabError, TrainingCancelled, disk_full
from core.evaluation.verdict import describe_model
from core.runs import cluster
from core.runs.costs import PRIOR_SECONDS, TRAINING, read_rates, training_cost, write_rates
from core.runs.markers import (
    MARKERS_FOLDER,
    InterruptedJob,
    read_interrupted,
    remove_marker,
    write_marker,
)
from core.runs.owners import RunOwners
from core.runs.pipeline import request_key
from core.runs.steps import AFTER_START, StepUpdate
from core.runs.store import RunStore
from core.runs.warmth import warmth_key
from core.runs.worker import run_in_pool, warm_in_pool

if TYPE_CHECKING:
    from core.results import RunResult
    from core.runs.store import RunStore
    from core.training.trainer import EpochUpdate

logger = logging.getLogger(__name__)

FINISHED = ("done", "failed", "cancelled")
KEEP_FINISHED = 50  # finished jobs kept in memory; their results live on in the run store
# "0" turns off warming a network while its settings are being chosen (JobRegistry.prepare).
HEAD_START_ENV = "FORECAST_LAB_HEAD_START"


STARTING_WORDS = f" ({AFTER_START})"


def wait_figure(seconds: float) -> str:
    """A wait in the words a person reads, rounded no more than the estimate deserves (rounding
    alone stays within about 15%): whole seconds under 10 s, 5 s steps under a minute, 10 s
    steps under 3 minutes, whole minutes after."""
    if seconds < 9.5:
        return f"{max(1, round(seconds))} s"
    if seconds < 57.5:
        return f"{round(seconds / 5) * 5} s"
    if seconds < 175:
        return f"{round(seconds / 10) * 10} s"
    return f"{round(seconds / 60)} min"


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state for a page to render."""

    job_id: str
    key: str
    label: str
    status: str
    queue_position: int | None
    epoch: int
    max_epochs: int
    history: dict[str, list[float]]
    submitted_at: float
    started_at: float | None
    finished_at: float | None
    error: str | None
    cached: bool
    owner: str | None = None
    wait_seconds: float | None = None  # while queued: the expected wait until it starts
    step: str | None = None  # past its last epoch: the step it is on (core.runs.steps)
    steps_started_at: float | None = None
    # While queued on a fresh server: no worker is up yet (wait_seconds is the line's part).
    workers_starting: bool = False

    @property
    def wait_words(self) -> str:
        """ ", about 40 s to wait" / ", about 3 min to wait"; empty without an estimate."""
        if self.workers_starting and (self.wait_seconds is None or self.wait_seconds < 1):
            return f", as soon as the workers are up{STARTING_WORDS}"
        if self.wait_seconds is None:
            return ""
        if self.workers_starting:  # the figure is the line's; the workers' start comes first
            return f", about {wait_figure(self.wait_seconds)} to wait once the workers are up" + (
                STARTING_WORDS
            )
        return f", about {wait_figure(self.wait_seconds)} to wait"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.time()) - self.started_at


@dataclass(eq=False)
class _Job:
    job_id: str
    request: RunRequest
    label: str
    status: str = "queued"
    epoch: int = 0
    history: dict[str, list[float]] = field(default_factory=lambda: {"loss": [], "val_loss": []})
    submitted_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    cached: bool = False
    session: str = ""
    result: RunResult | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    owner: str | None = None
    step: str | None = None  # the step after the last epoch it is on (core.runs.steps)
    steps_started_at: float | None = None  # when the work after the last epoch began
    cost: tuple[str, float] = ("train_request", 1.0)  # kind and size (core.runs.costs)


class JobRegistry:
    """Thread-safe registry of training jobs; one per server process."""

    def __init__(
        self,
        store: RunStore | None = None,
        max_concurrent: int | None = None,
        runner: Callable[..., RunResult] | None = None,
        preparer: Callable[[RunRequest], object] | None = None,
        session_of: Callable[[], str] | None = None,
    ) -> None:
        """`max_concurrent` None: every job goes to the cluster at once, which queues them
        fairly by session; `session_of` names the session submitting (on its thread)."""

        self.store = store or RunStore()
        self.max_concurrent = 10**6 if max_concurrent is None else max(1, int(max_concurrent))
        self._runner = runner or run_in_pool
        self._uses_cluster = runner is None
        self._session_of = session_of
        if preparer is None and runner is None and os.environ.get(HEAD_START_ENV) != "0":
            preparer = warm_in_pool
        self._preparer = preparer
        self._preparing = False
        self._prepared: str | None = None  # the last head start's network (warmth_key)
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._queue: deque[str] = deque()
        self._arriving: dict[str, threading.Event] = {}  # keys being submitted, not yet listed
        self._running: set[str] = set()
        self.owners = RunOwners(self.store.root)
        self._markers = self.store.root / MARKERS_FOLDER
        self._markers.mkdir(parents=True, exist_ok=True)
        if self._uses_cluster:
            _learn_costs(self.store.root)
        self._interrupted = read_interrupted(self._markers, _label)

    def submit(self, request: RunRequest, owner: str | None = None) -> str:
        """Start (or join) the job for a request and return its id (the run key). `owner` (a
        browser's owner id) owns the job and the run it makes, unless someone made it first."""

        key = request_key(request)
        while True:
            with self._lock:
                existing = self._jobs.get(key)
                if existing is not None and existing.status in ("queued", "running"):
                    return key
                arriving = self._arriving.get(key)
                if arriving is None:
                    self._arriving[key] = threading.Event()
                    break
            arriving.wait()  # the same settings, submitted a moment ago: that job, once listed
        try:
            return self._submit(key, request, owner)
        finally:
            with self._lock:
                self._arriving.pop(key).set()

    def _submit(self, key: str, request: RunRequest, owner: str | None) -> str:
        """submit()'s work, with no lock held while it reads and writes the disk: with a class
        pressing Train together, every page's poll waits for that lock (README, "Measured
        choices")."""
        session = self._session_of() if self._session_of is not None else ""
        job = _Job(
            job_id=key,
            request=request,
            label=_label(request),
            owner=owner,
            session=session or owner or "",
            cost=training_cost(request, len(load_series(request.data))),
        )
        # Finished before: loaded from the run store at once (stored but unreadable: trained again).
        result = self.store.load(key) if self.store.has(key) else None
        if result is None:
            # The marker first: a full disk refuses the job before it is in any list,
            # so nothing is left "waiting in line" forever.
            write_marker(self._markers, job.job_id, job.request, job.submitted_at, job.owner)
            self.owners.claim(key, owner)  # who trains it owns it; loading claims nothing
        with self._lock:
            self._jobs[key] = job
            self._interrupted.pop(key, None)
            if result is not None:
                job.status, job.cached, job.result = "done", True, result
                job.history = {name: list(v) for name, v in result.history.items()}
                job.epoch = result.epochs_run
                job.started_at = job.finished_at = time.time()
                self._forget_old()
                return key
            self._queue.append(key)
            starting = self._start_waiting()
        _start(starting)
        return key

    def prepare(self, request: RunRequest) -> None:
        """Give the request's training a head start while its settings are being chosen: the
        pool traces its network (core.runs.worker.warm_request), so a what-if's first
        epoch comes at once. Only when no training runs or waits, one at a time, once per
        architecture; it gives way to any training submitted meanwhile. Returns at once."""
        network = warmth_key(request)  # as the cluster routes it (core.runs.warmth)
        with self._lock:
            if self._preparer is None or self._preparing or self._running or self._queue:
                return
            if network == self._prepared:
                return
            self._preparing, self._prepared = True, network
        threading.Thread(target=self._prepare, args=(request,), name="prepare", daemon=True).start()

    def _prepare(self, request: RunRequest) -> None:
        try:
            self._preparer(request)
        except Exception as failure:  # only a head start: the training reports real problems
            logger.info("warming the network ahead of its training failed: %s", failure)
        finally:
            with self._lock:
                self._preparing = False

    def snapshot(self, job_id: str) -> JobSnapshot | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            position, wait, status, starting = None, None, job.status, False
            if job.status == "queued":
                position = list(self._queue).index(job_id) + 1 if job_id in self._queue else None
            elif job.status == "running" and self._uses_cluster:
                shared = cluster.get_cluster()
                waiting = shared.place_of(job_id)
                if waiting is not None:  # handed to the cluster, still waiting for a worker
                    status, (position, wait) = "queued", waiting
                    starting = not shared.ready()  # the wait is the line's alone
            return JobSnapshot(
                job_id=job.job_id,
                key=job.job_id,
                label=job.label,
                status=status,
                queue_position=position,
                wait_seconds=wait,
                epoch=job.epoch,
                max_epochs=job.request.train.epochs,
                history={name: list(values) for name, values in job.history.items()},
                submitted_at=job.submitted_at,
                started_at=job.started_at,
                finished_at=job.finished_at,
                error=job.error,
                cached=job.cached,
                owner=job.owner,
                step=job.step,
                steps_started_at=job.steps_started_at,
                workers_starting=starting,
            )

    def result(self, job_id: str) -> RunResult | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else job.result

    def cancel(self, job_id: str) -> None:
        """Ask a job to stop: a queued job is dropped, a running one stops after its batch."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.status not in ("queued", "running"):
                return
            job.cancel_event.set()
            if job.status == "queued":
                if job_id in self._queue:  # Cancel always works, whatever state it is in
                    self._queue.remove(job_id)
                job.status, job.finished_at = "cancelled", time.time()
                job.error = "Cancelled before it started."
                remove_marker(self._markers, job_id)

    def interrupted(self) -> list[InterruptedJob]:
        """Jobs a previous server process was running or queueing when it died, newest first."""
        with self._lock:
            jobs = list(self._interrupted.values())
        return sorted(jobs, key=lambda job: job.started_at, reverse=True)

    def dismiss_interrupted(self, key: str) -> None:
        """Forget an interrupted job (its marker is removed; nothing else was left behind)."""
        with self._lock:
            if self._interrupted.pop(key, None) is not None:
                remove_marker(self._markers, key)

    def jobs(self) -> list[JobSnapshot]:
        with self._lock:
            ids = list(self._jobs)
        snapshots = [self.snapshot(job_id) for job_id in ids]
        return sorted(
            (s for s in snapshots if s is not None), key=lambda s: s.submitted_at, reverse=True
        )

    def wait(self, job_id: str, timeout: float = 600.0) -> JobSnapshot | None:
        """Block until a job finishes (for the CLI and tests; pages poll instead)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            snapshot = self.snapshot(job_id)
            if snapshot is None or snapshot.finished:
                return snapshot
            time.sleep(0.05)
        return self.snapshot(job_id)

    # -- internals (called with self._lock held unless noted) --

    def _start_waiting(self) -> list[threading.Thread]:
        """Jobs that may run now, marked running: their threads, for the caller to start once
        the lock is released (a thread's start waits for it to run)."""
        threads = []
        while self._queue and len(self._running) < self.max_concurrent:
            job_id = self._queue.popleft()
            job = self._jobs[job_id]
            if self._uses_cluster:  # its place in the cluster's line, before its thread starts
                cluster.get_cluster().expect(job_id, job.session, *job.cost)
            job.status, job.started_at = "running", time.time()
            self._running.add(job_id)
            threads.append(
                threading.Thread(
                    target=self._work, args=(job,), name=f"train-{job_id[:8]}", daemon=True
                )
            )
        return threads

    def _work(self, job: _Job) -> None:
        """Worker thread body (no lock held while training)."""

        def progress(update: EpochUpdate | StepUpdate) -> None:
            with self._lock:
                if isinstance(update, StepUpdate):
                    job.step = update.step
                    job.steps_started_at = job.steps_started_at or time.time()
                    return
                job.step = job.steps_started_at = None
                if update.epoch <= job.epoch:  # its worker was lost: the retry starts over
                    job.history = {"loss": [], "val_loss": []}
                job.epoch = update.epoch
                job.history["loss"].append(float(update.loss))
                if update.val_loss is not None:
                    job.history["val_loss"].append(float(update.val_loss))

        status, error, result = "done", None, None
        extra = (
            {"session": job.session, "tag": job.job_id, "steps": True} if self._uses_cluster else {}
        )
        try:
            result = self._runner(
                job.request,
                store=self.store,
                progress=progress,
                should_stop=job.cancel_event.is_set,
                **extra,
            )
        except TrainingCancelled:
            status, error = "cancelled", "Cancelled by the user; nothing was saved."
        except ForecastLabError as failure:
            status, error = "failed", str(failure)
        except Exception as failure:  # the worker must always report, never die silently
            logger.exception("training job %s crashed", job.job_id)
            status = "failed"
            full = disk_full(failure, "the trained run")
            error = (
                str(full)
                if full is not None
                else (
                    f"The training crashed unexpectedly ({type(failure).__name__}: {failure}). "
                    "Try again; if it persists, report it with the server's log."
                )
            )
        with self._lock:
            job.status, job.error, job.result = status, error, result
            job.finished_at, job.step = time.time(), None
            if result is not None:
                job.cached = result.cached
                job.history = {name: list(v) for name, v in result.history.items()}
                job.epoch = result.epochs_run
            self._running.discard(job.job_id)
            remove_marker(self._markers, job.job_id)
            self._forget_old()
            starting = self._start_waiting()
        if self._uses_cluster and status == "done" and not job.cached:
            _keep_costs(self.store.root)
        _start(starting)

    def _forget_old(self) -> None:
        finished = [job for job in self._jobs.values() if job.status in FINISHED]
        finished.sort(key=lambda job: job.finished_at or 0)
        for job in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job.job_id]


def _start(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()


def _learn_costs(store_root: Path) -> None:
    """The cluster's queue starts from the costs measured before (core.runs.costs)."""

    queue = cluster.get_cluster().queue
    queue.priors.setdefault(TRAINING, PRIOR_SECONDS)
    queue.learn(read_rates(store_root))


def _keep_costs(store_root: Path) -> None:
    write_rates(store_root, cluster.get_cluster().queue.rates())


def _label(request: RunRequest) -> str:
    """The words the sidebar and the Train page use: "LSTM, 2 layers of 32 units on <data>"."""

    data = SOURCE_REGISTRY[request.data.source].summarize(request.data)
    return f"{describe_model(request.model)} on {data}"
