"""The work the page server hands to the Dask workers (core.runs.cluster): train a request and
send the run's files home, warm its network ahead of the training, and forecast a stored run for
another horizon, so TensorFlow stays there. A worker may run on another machine: it trains into a
store of its own and the server writes the run into its run store (no shared file system).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from core.config import RunRequest
from core.data.shipped import shipped
from core.data.sources import load_series
from core.errors import TrainingError
from core.paths import home_dir
from core.runs import cluster
from core.runs.analysis import in_pool
from core.runs.costs import training_cost
from core.runs.peers import PeerCache, PeerForecasts, peers_key
from core.runs.pipeline import forecast_run, load_prepared, request_key, run_experiment
from core.runs.preload import task_cancelled, tensorflow_loaded
from core.runs.shipping import packed_upload, upload_of
from core.runs.steps import LOADING, StepUpdate
from core.runs.store import RunStore, unpacked
from core.runs.warmth import warmth_key
from core.training.trainer import warm_network

if TYPE_CHECKING:
    from core.results import RunResult
    from core.runs.store import RunStore
    from core.training.trainer import EpochUpdate


def train_request(
    request_values: dict,
    *,
    progress: Callable[[EpochUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    home: str | None = None,
    peers: bytes | None = None,
    steps: bool = False,
    upload: dict[str, bytes] | None = None,
) -> dict:
    """In a worker: train a request into a store of the worker's own and return the run's files
    ({"key", "files", "notice", "peers"}); the server writes them into its run store
    (receive_run).

    `home` is the submitting server's data home: downloads are read from there when this
    machine sees it, whatever home the (long-lived, shared) worker started with. `upload`: the
    uploaded file the request trains on ({content id: bytes}, core.data.shipped), sent along
    because a worker on another machine cannot read the server's uploads folder. `peers`: the
    simple rules' forecasts the server keeps for this data key (core.runs.peers; computed here
    during the epochs when None, and sent home). `steps`: the steps after the last epoch go to
    `progress` too (core.runs.steps.StepUpdate)."""

    if home and Path(home).is_dir():
        os.environ["FORECAST_LAB_HOME"] = home
    if steps and progress is not None and not tensorflow_loaded():
        progress(StepUpdate(LOADING))  # the page says what the first epoch waits for
    with shipped(upload), tempfile.TemporaryDirectory(prefix="forecast-lab-run-") as folder:
        store = RunStore(Path(folder))
        given = PeerForecasts.from_bytes(peers) if peers else None
        result = run_experiment(
            RunRequest.from_dict(request_values),
            store=store,
            progress=progress,
            should_stop=should_stop,
            on_step=progress if steps else None,
            peers=given,
        )
        cache = PeerCache(store.root)
        computed = [path.stem for path in cache.folder.glob("*.json")] if given is None else []
        return {
            "key": result.key,
            "files": store.pack(result.key),
            "notice": result.notice,
            "peers": {key: cache.read_bytes(key) for key in computed},
        }


def receive_run(store: RunStore, sent: dict) -> RunResult:
    """On the server: write a run a worker sent home into the run store, atomically."""

    cache = PeerCache(store.root)
    for key, data in (sent.get("peers") or {}).items():
        if data:
            cache.write_bytes(key, data)  # the next training on this data skips the fits
    result = store.unpack(sent["key"], sent["files"])
    if result is None:
        raise TrainingError(
            f"The trained run {sent['key']} arrived damaged ({store.last_problem}); train again."
        )
    result.cached, result.notice = False, sent.get("notice")
    return result


def run_in_pool(
    request: RunRequest,
    *,
    store: RunStore,
    progress: Callable[[EpochUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    session: str = "",
    tag: str | None = None,
    steps: bool = False,
) -> RunResult:
    """Same contract as pipeline.run_experiment, with the training on a Dask worker; its files
    come home and are written into `store` here. `steps`: `progress` hears the steps after the
    last epoch too (core.runs.steps.StepUpdate), bringing the run home included."""

    try:
        stored = _from_store(request, store)
    except BaseException:
        _give_up_place(tag)
        raise
    if stored is not None:
        _give_up_place(tag)  # the place the job took in line is not needed
        return stored
    kind, size = training_cost(request, len(load_series(request.data)))
    sent = cluster.run(
        train_request,
        request.to_dict(),
        name=kind,
        size=size,
        progress=progress,
        should_stop=should_stop,
        session=session,
        tag=tag,
        home=str(home_dir()),
        peers=_kept_peers(request, store),
        steps=steps,
        upload=upload_of(request.data),
        warmth=warmth_key(request),  # to the worker where its network is warm, when free
    )
    if steps and progress is not None:
        progress(StepUpdate("receiving"))
    return receive_run(store, sent)


def _kept_peers(request: RunRequest, store: RunStore) -> bytes | None:
    """The simple rules' forecasts the run store keeps for the request's data key, if any."""

    if request.model.task != "regression":
        return None
    return PeerCache(store.root).read_bytes(
        peers_key(request, load_series(request.data).fingerprint())
    )


def _give_up_place(tag: str | None) -> None:
    if tag is not None:
        cluster.get_cluster().forget(tag)


def _from_store(request: RunRequest, store: RunStore) -> RunResult | None:
    """A run trained before, with what a newer version adds computed on a worker."""

    key = request_key(request)
    cached = store.load(key) if store.has(key) else None
    if cached is None:
        return None
    if request.horizon != cached.request.horizon:
        cached.forecast = forecast_in_pool(store, key, request.horizon)
    if cached.task == "regression" and not cached.intervals:
        cached.intervals = in_pool("intervals", store, key)
    return cached


def warm_request(
    request_values: dict,
    home: str | None = None,
    upload: dict[str, bytes] | None = None,
    *,
    should_stop: Callable[[], bool] = task_cancelled,
) -> bool:
    """In a worker: trace the request's network ahead of its training (trainer.warm_network),
    giving way as soon as other work is waiting (`should_stop`: the cluster passes it to every
    head start). False when it was warm already."""

    if home and Path(home).is_dir():
        os.environ["FORECAST_LAB_HOME"] = home
    request = RunRequest.from_dict(request_values)
    with shipped(upload):
        prepared = load_prepared(request)
    return warm_network(prepared, request.model, request.train, should_stop=should_stop)


def warm_in_pool(request: RunRequest) -> bool | None:
    """Same as warm_request, from the page server, as a head start on an idle worker (None
    when every worker is busy: the head start is skipped)."""

    return cluster.run(
        warm_request,
        request.to_dict(),
        lane=cluster.HEAD_START,
        home=str(home_dir()),
        upload=upload_of(request.data),
        warmth=warmth_key(request),
    )


def forecast_stored(
    files: dict[str, bytes], key: str, horizon: int, upload: dict[str, bytes] | None = None
) -> pd.DataFrame:
    """In a worker: the recursive forecast of a run (its files, and its upload if it has one,
    sent along) for a horizon."""

    with unpacked(key, files, upload) as result:
        return forecast_run(result, horizon)


def forecast_in_pool(store: RunStore, key: str, horizon: int) -> pd.DataFrame:
    """The forecast of a stored run for a horizon, computed on a worker where the model loads
    (empty if the run is gone)."""

    if not store.has(key):
        return pd.DataFrame({"forecast": []}, index=pd.DatetimeIndex([], name="date"))
    files = store.pack(key)
    return cluster.run(
        forecast_stored, files, key, int(horizon), lane=cluster.QUICK, upload=packed_upload(files)
    )
