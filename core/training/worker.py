"""Run one training in a fresh worker process: memory is returned when it ends, and Cancel can
become a hard stop if the cooperative one does not land within a grace period.

Keras/TensorFlow keep ~30 MB per trained model even after clear_session(), so a long-lived
server that trains in threads grows without bound; a process per job does not.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from core.config import RunRequest
from core.errors import ConfigError, DataSourceError, TrainingCancelled, TrainingError

if TYPE_CHECKING:
    from core.pipeline import RunResult
    from core.training.runs import RunStore
    from core.training.trainer import EpochUpdate

CANCEL_GRACE_SECONDS = 15.0  # after this, a cancelled worker that has not stopped is terminated
ERROR_TYPES = {
    "ConfigError": ConfigError,
    "DataSourceError": DataSourceError,
    "TrainingCancelled": TrainingCancelled,
}


def _child(request_values: dict, store_root: str, messages: Any, stop: Any) -> None:
    """Worker process body: train, save to the run store, report the key or the error."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from core.errors import ForecastLabError
    from core.pipeline import run_experiment
    from core.training.runs import RunStore

    def progress(update: Any) -> None:
        messages.put(("epoch", asdict(update)))

    try:
        result = run_experiment(
            RunRequest.from_dict(request_values),
            store=RunStore(store_root),
            progress=progress,
            should_stop=stop.is_set,
        )
        messages.put(("done", {"key": result.key, "notice": result.notice}))
    except ForecastLabError as error:
        messages.put(("error", {"type": type(error).__name__, "message": str(error)}))
    except Exception as error:  # reported to the parent, which shows it in plain words
        messages.put(("crash", {"message": f"{type(error).__name__}: {error}"}))


def run_in_process(
    request: RunRequest,
    *,
    store: RunStore,
    progress: Callable[[EpochUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RunResult:
    """Same contract as pipeline.run_experiment, with the training in a spawned process."""
    from core.training.trainer import EpochUpdate

    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    stop = context.Event()
    process = context.Process(
        target=_child,
        args=(request.to_dict(), str(store.root), messages, stop),
        name="forecast-lab-training",
        daemon=True,
    )
    process.start()
    cancel_asked_at: float | None = None
    outcome: tuple[str, dict] | None = None
    try:
        while outcome is None:
            if should_stop is not None and should_stop() and cancel_asked_at is None:
                stop.set()
                cancel_asked_at = time.time()
            if cancel_asked_at is not None and time.time() - cancel_asked_at > CANCEL_GRACE_SECONDS:
                process.terminate()
                raise TrainingCancelled("Cancelled by the user; the worker was stopped.")
            try:
                kind, payload = messages.get(timeout=0.2)
            except queue.Empty:
                if not process.is_alive():
                    try:  # the last message may arrive just after the process ends
                        kind, payload = messages.get(timeout=1.0)
                    except queue.Empty:
                        raise TrainingError(
                            f"The training process ended unexpectedly (exit code "
                            f"{process.exitcode}), probably out of memory; try fewer units, "
                            "a shorter window or a smaller batch."
                        ) from None
                else:
                    continue
            if kind == "epoch":
                if progress is not None:
                    progress(EpochUpdate(**payload))
            else:
                outcome = (kind, payload)
    finally:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()
    kind, payload = outcome
    if kind == "error":
        raise ERROR_TYPES.get(payload["type"], TrainingError)(payload["message"])
    if kind == "crash":
        raise RuntimeError(payload["message"])
    result = store.load(payload["key"])
    if result is None:
        raise TrainingError(
            "The trained run could not be read back from the run store; train it again."
        )
    result.cached = False  # trained just now, by the worker
    result.notice = payload.get("notice")
    return result
