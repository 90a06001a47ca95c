"""The work the page server hands to the warm worker pool (core.training.pool): train a request
into the run store, warm its network ahead of the training, and forecast a stored run for
another horizon, so TensorFlow stays there.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from core.config import RunRequest

if TYPE_CHECKING:
    from core.results import RunResult
    from core.runs.store import RunStore
    from core.training.trainer import EpochUpdate


def train_request(
    request_values: dict,
    store_root: str,
    *,
    progress: Callable[[EpochUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    home: str | None = None,
) -> RunResult:
    """In a worker: train (or load) a request and save it to the run store atomically.

    `home` is the submitting server's data home: uploads and downloads are read from there,
    whatever home the (long-lived, shared) worker started with."""
    from core.runs.pipeline import run_experiment
    from core.runs.store import RunStore

    if home:
        os.environ["FORECAST_LAB_HOME"] = home
    return run_experiment(
        RunRequest.from_dict(request_values),
        store=RunStore(Path(store_root)),
        progress=progress,
        should_stop=should_stop,
    )


def run_in_pool(
    request: RunRequest,
    *,
    store: RunStore,
    progress: Callable[[EpochUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RunResult:
    """Same contract as pipeline.run_experiment, with the training in a warm pool worker."""
    from core.paths import home_dir
    from core.training import pool

    return pool.run(
        train_request,
        request.to_dict(),
        str(store.root),
        progress=progress,
        should_stop=should_stop,
        home=str(home_dir()),
    )


def warm_request(request_values: dict, home: str | None = None) -> bool:
    """In a worker: trace the request's network ahead of its training (trainer.warm_network),
    giving way as soon as another task is waiting. False when it was warm already."""
    from core.runs.pipeline import load_prepared
    from core.training.pool import another_task_waiting
    from core.training.trainer import warm_network

    if home:
        os.environ["FORECAST_LAB_HOME"] = home
    request = RunRequest.from_dict(request_values)
    return warm_network(
        load_prepared(request), request.model, request.train, should_stop=another_task_waiting
    )


def warm_in_pool(request: RunRequest) -> bool:
    """Same as warm_request, from the page server, in the pool."""
    from core.paths import home_dir
    from core.training import pool

    return pool.run(warm_request, request.to_dict(), home=str(home_dir()))


def forecast_stored(store_root: str, key: str, horizon: int) -> pd.DataFrame:
    """In a worker: the recursive forecast of a stored run for a horizon (empty if it is gone)."""
    from core.runs.pipeline import forecast_run
    from core.runs.store import RunStore

    result = RunStore(Path(store_root)).load(key)
    if result is None:
        return pd.DataFrame({"forecast": []}, index=pd.DatetimeIndex([], name="date"))
    return forecast_run(result, horizon)


def forecast_in_pool(store: RunStore, key: str, horizon: int) -> pd.DataFrame:
    """The forecast of a stored run for a horizon, computed in the pool where the model loads."""
    from core.training import pool

    return pool.run(forecast_stored, str(store.root), key, int(horizon))
