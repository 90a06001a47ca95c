"""The markers of accepted jobs (core.runs.jobs): one file per job in the run store, written
when it is accepted and removed when it ends, so a leftover is a job a dead server cut short."""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from core.atomic import write_atomic
from core.config import RunRequest

logger = logging.getLogger(__name__)

MARKERS_FOLDER = ".in-progress"  # inside the run store; dotted, so never listed as a run


@dataclass(frozen=True)
class InterruptedJob:
    """A job that was queued or training when its server process died (nothing was saved)."""

    key: str
    label: str
    request: RunRequest
    started_at: float
    owner: str | None = None  # the browser that started it (core/runs/owners.py)


def _this_process() -> dict[str, float]:
    return {"owner_pid": os.getpid(), "owner_started": _started(os.getpid())}


@functools.cache
def _started(pid: int) -> float:
    """A process's start time, read once (every marker of a server carries its own)."""
    return psutil.Process(pid).create_time()


def _owner_alive(marker: dict) -> bool:
    """Whether the process that wrote a marker still runs (a reused process id does not count)."""

    try:
        owner = psutil.Process(int(marker["owner_pid"]))
        return abs(owner.create_time() - float(marker["owner_started"])) < 1.0
    except (psutil.Error, KeyError, TypeError, ValueError):
        return False


def write_marker(
    folder: Path, key: str, request: RunRequest, submitted_at: float, owner: str | None
) -> None:
    """Written when a job is accepted, removed when it ends: a leftover means it was cut short."""
    marker = {
        "key": key,
        "request": request.to_dict(),
        "submitted_at": submitted_at,
        "owner": owner,
        **_this_process(),
    }
    write_atomic(folder / f"{key}.json", json.dumps(marker))  # never half a marker


def remove_marker(folder: Path, key: str) -> None:
    (folder / f"{key}.json").unlink(missing_ok=True)


def read_interrupted(folder: Path, label: Callable[[RunRequest], str]) -> dict[str, InterruptedJob]:
    """The markers no live process owns, as jobs to offer again; `label` words a request."""
    interrupted = {}
    for path in folder.glob("*.json"):
        try:
            marker = json.loads(path.read_text())
            if _owner_alive(marker):
                continue  # another live server (or this one) still owns that job
            request = RunRequest.from_dict(marker["request"])
            job = InterruptedJob(
                key=marker["key"],
                label=label(request),  # today's words, whatever version wrote the marker
                request=request,
                started_at=float(marker["submitted_at"]),
                owner=marker.get("owner"),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.warning("ignoring unreadable job marker %s: %s", path.name, error)
            path.unlink(missing_ok=True)
            continue
        interrupted[job.key] = job
    return interrupted
