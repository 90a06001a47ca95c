"""The embedded LocalCluster the app starts when no FORECAST_LAB_SCHEDULER is set
(core.runs.cluster): its workers, their memory, lifetime and TensorFlow op threads, and the
address other machines join (README, "Serving a class").
"""

from __future__ import annotations

import logging
import os
from typing import Any

import dask
from distributed import LocalCluster

from core.training.trainer import THREADS_ENV

logger = logging.getLogger(__name__)

SCHEDULER_PORT_ENV = "FORECAST_LAB_SCHEDULER_PORT"
SCHEDULER_HOST_ENV = "FORECAST_LAB_SCHEDULER_HOST"
MEMORY_ENV = "FORECAST_LAB_WORKER_MEMORY_MB"
LIFETIME_ENV = "FORECAST_LAB_WORKER_LIFETIME"
DASHBOARD_ENV = "FORECAST_LAB_DASHBOARD"  # e.g. ":8787"; a free port otherwise
DEFAULT_MEMORY_MB = 4000  # the nanny restarts a worker above 95% of it
DEFAULT_LIFETIME = "2 hours"  # a worker is replaced (gracefully) after this long


def close_quietly(*parts: Any) -> None:
    """Close a Dask client and cluster: closing logs connection errors (with tracebacks) from
    every side, noise, not news; closing is best effort, as the process is ending."""
    quiet = logging.getLogger("distributed")
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        for part in parts:
            if part is not None:
                try:
                    part.close()
                except Exception:
                    logger.debug("closing %s failed", part, exc_info=True)
    finally:
        quiet.setLevel(level)


def op_threads(cores: int, worker_threads: int) -> int:
    """TensorFlow threads per op for each of `worker_threads` tasks sharing `cores`."""
    return max(1, cores // max(1, worker_threads))


def start_local(workers: int, threads: int) -> Any:
    """Start the embedded cluster: `workers` processes of `threads` threads, each importing
    TensorFlow once (core.runs.preload)."""
    lifetime = os.environ.get(LIFETIME_ENV, DEFAULT_LIFETIME)
    extra = {} if lifetime in ("", "0") else {"lifetime": lifetime, "lifetime_restart": True}
    # A worker whose task dies once is retried on another worker; twice is KilledWorker.
    dask.config.set({"distributed.scheduler.allowed-failures": 1})
    share = op_threads(os.cpu_count() or 1, workers * threads)
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=threads,
        processes=True,
        host=os.environ.get(SCHEDULER_HOST_ENV) or "127.0.0.1",
        scheduler_port=int(os.environ.get(SCHEDULER_PORT_ENV) or 0),
        dashboard_address=os.environ.get(DASHBOARD_ENV) or ":0",
        memory_limit=f"{int(os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_MB)}MB",
        preload=["core.runs.preload"],
        env={"TF_CPP_MIN_LOG_LEVEL": "2", THREADS_ENV: str(share)},
        silence_logs=logging.WARNING,
        **extra,
    )
