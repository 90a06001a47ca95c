"""Long experiment work off the page's script thread: a sweep or a search runs in a server
thread that only coordinates; every training (sweep point, search trial) runs in the warm worker
pool. A search's state lives in Optuna storage, so a page reload reconnects and Cancel never
loses finished trials.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from core.errors import ForecastLabError
from core.tuning.runner import run_search
from core.tuning.sweep import SweepOutcome, SweepPlan, SweepPoint, run_sweep


@dataclass
class SweepTask:
    """One sweep running in a thread; the page polls `snapshot()`."""

    plan: SweepPlan
    task_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    status: str = "running"  # running | done | cancelled | failed
    done: int = 0
    current: str = ""
    epoch: int = 0
    max_epochs: int = 0
    error: str | None = None
    outcome: SweepOutcome = field(default_factory=SweepOutcome)
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    _cancel: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return self.plan.size

    @property
    def finished(self) -> bool:
        return self.status != "running"

    def cancel(self) -> None:
        """Stop after the current run (the run in progress is abandoned, finished runs stay)."""
        self._cancel.set()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "task_id": self.task_id,
                "status": self.status,
                "done": self.done,
                "total": self.total,
                "current": self.current,
                "epoch": self.epoch,
                "max_epochs": self.max_epochs,
                "error": self.error,
                "elapsed": (self.finished_at or time.time()) - self.started_at,
            }


class SweepBoard:
    """Thread-safe registry of sweep tasks (one per server, held by the page's cache)."""

    def __init__(self, store=None) -> None:
        self._store = store
        self._tasks: dict[str, SweepTask] = {}
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()  # sweeps share the CPU: run them in turn

    def start(self, plan: SweepPlan) -> str:
        task = SweepTask(plan)
        with self._lock:
            self._tasks[task.task_id] = task
        thread = threading.Thread(target=self._work, args=(task,), daemon=True)
        thread.start()
        return task.task_id

    def get(self, task_id: str | None) -> SweepTask | None:
        with self._lock:
            return self._tasks.get(task_id) if task_id else None

    def latest(self) -> SweepTask | None:
        with self._lock:
            tasks = sorted(self._tasks.values(), key=lambda task: task.started_at)
        return tasks[-1] if tasks else None

    def _work(self, task: SweepTask) -> None:

        def on_start(done: int, total: int, request) -> None:
            with task._lock:
                task.current = request.model.label
                task.epoch, task.max_epochs = 0, request.train.epochs

        def on_point(point: SweepPoint) -> None:
            with task._lock:
                task.done += 1
                task.outcome.points = list(task.outcome.points) + [point]

        def progress(update) -> None:
            with task._lock:
                task.epoch, task.max_epochs = update.epoch, update.max_epochs

        with self._one_at_a_time:
            try:
                outcome = run_sweep(
                    task.plan,
                    store=self._store,
                    on_start=on_start,
                    on_point=on_point,
                    progress=progress,
                    should_stop=task._cancel.is_set,
                )
                with task._lock:
                    task.outcome = outcome
                    task.status = "cancelled" if outcome.cancelled else "done"
            except ForecastLabError as error:
                with task._lock:
                    task.status, task.error = "failed", str(error)
            except Exception as error:  # a background thread must report, never die silently
                with task._lock:
                    task.status, task.error = "failed", f"{type(error).__name__}: {error}"
            finally:
                task.finished_at = time.time()


# ---------------------------------------------------------------- searches


@dataclass
class SearchWorker:
    """One runner of a study in a server thread (it joins the study like any other worker)."""

    study: str
    storage: str | None
    seed: int | None = None
    error: str | None = None
    stop_reason: str | None = None
    started_at: float = field(default_factory=time.time)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def terminate(self) -> None:
        """Stop now: the running trial is cancelled (hard after the pool's grace period) and
        recorded as interrupted; finished trials stay."""
        self._stop.set()

    def _work(self) -> None:

        try:
            outcome = run_search(
                self.study, self.storage, seed=self.seed, should_stop=self._stop.is_set
            )
            self.stop_reason = outcome.stop_reason
        except ForecastLabError as error:
            self.error = str(error)
        except Exception as error:  # a background thread must report, never die silently
            self.error = f"{type(error).__name__}: {error}"


class SearchBoard:
    """Starts and tracks this server's search runners per study (one board per server)."""

    def __init__(self) -> None:
        self._workers: dict[str, list[SearchWorker]] = {}
        self._lock = threading.Lock()

    def start(self, study: str, storage: str | None = None, seed: int | None = None):
        worker = SearchWorker(study, storage, seed)
        worker._thread = threading.Thread(target=worker._work, name=f"search-{study}", daemon=True)
        with self._lock:
            self._workers.setdefault(study, []).append(worker)
        worker._thread.start()
        return worker

    def workers(self, study: str) -> list[SearchWorker]:
        with self._lock:
            return list(self._workers.get(study, []))

    def running(self, study: str) -> int:
        return sum(worker.running for worker in self.workers(study))

    def terminate(self, study: str) -> None:
        for worker in self.workers(study):
            worker.terminate()


__all__ = ["SearchBoard", "SearchWorker", "SweepBoard", "SweepTask"]
