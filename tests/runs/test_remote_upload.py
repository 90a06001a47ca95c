"""A training on an uploaded file runs on a worker of another machine (issue 19, "Results come
home"): the upload travels with the task (core.data.shipped), the run comes home into the
server's run store under the same key, and the next identical request is found there."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.data.shipped import shipped, shipped_bytes
from core.data.sources import load_series
from core.data.upload import existing_upload, save_upload
from core.errors import DataSourceError
from core.runs import cluster as cluster_module
from core.runs import worker as worker_module
from core.runs.pipeline import request_key
from core.runs.store import RunStore
from core.runs.worker import forecast_in_pool, run_in_pool
from tests.conftest import FIXTURES, stop_process_group
from tests.runs.conftest import join


def test_a_training_on_an_upload_runs_on_a_worker_that_cannot_read_the_servers_uploads(
    lone_cluster, isolated_home, tmp_path, monkeypatch
):
    # A worker on the same machine would read the server's home, which every task names
    # (downloads are shared that way). Named as a folder this machine does not have, the
    # worker keeps a home of its own, as on another machine, and sees none of the server's files.
    monkeypatch.setattr(worker_module, "home_dir", lambda: tmp_path / "on-another-machine")
    upload = save_upload((FIXTURES / "sp500_monthly_close.csv").read_bytes(), "monthly.csv")
    worker_home = tmp_path / "elsewhere-home"
    worker = join(
        lone_cluster,
        "elsewhere",
        memory_limit="3GB",
        environment={"FORECAST_LAB_HOME": str(worker_home)},
    )
    previous = cluster_module.get_cluster()
    cluster_module.use(lone_cluster)
    try:
        # The only worker has a home of its own, as on another machine: the upload's name finds
        # nothing in its uploads folder, but this process finds the file.
        seen = lone_cluster.client().run(existing_upload, upload.name)
        assert list(seen.values()) == [None] and existing_upload(upload.name) == upload.resolve()
        request = RunRequest(
            data=DataConfig(source="csv", csv_path=upload.name),
            split=SplitConfig(method="fraction", test_fraction=0.2, lookback=6),
            model=ModelConfig(units=4),
            train=TrainConfig(epochs=1),
            horizon=3,
        )
        store = RunStore(isolated_home / "runs")
        result = run_in_pool(request, store=store, session="remote")
        again = run_in_pool(request, store=store, session="another")
        longer = forecast_in_pool(store, result.key, 6)  # past the stored 3 steps, there too
    finally:
        cluster_module.use(previous)
        stop_process_group(worker)
    started = [p for p in lone_cluster.placements if p[1].startswith("train_request")]
    assert [session for session, *_ in started] == ["remote"]  # one training, on that worker
    assert result.key == request_key(request) and store.has(result.key) and not result.cached
    stored = store.load(result.key)
    series = load_series(request.data)  # what the server reads in its own upload
    info = stored.series_info
    assert (info.fingerprint, info.rows) == (series.fingerprint(), len(series))
    predicted = stored.predictions
    tested = predicted[predicted["part"] == "test"]
    assert len(tested) == round(0.2 * len(series))
    actual = series.to_frame()["value"].reindex(predicted.index)
    assert np.allclose(predicted["actual"], actual)  # scored against the upload's own values
    assert np.isfinite(predicted["model"]).all() and len(stored.forecast) == 3
    assert again.cached and again.key == result.key  # identical request: found in the store
    assert len(longer) == 6 and np.isfinite(longer["forecast"]).all()
    assert not (worker_home / "uploads").exists() or not any((worker_home / "uploads").iterdir())


def shipped_sizes(*, upload: dict[str, bytes] | None = None) -> dict[str, int]:
    """In a worker: the bytes each upload it was sent holds (they arrive as bytes)."""
    return {name: len(content) for name, content in (upload or {}).items()}


def test_an_upload_is_read_and_sent_to_the_workers_once_for_all_the_tasks_of_a_run(
    dask_cluster, isolated_home, monkeypatch
):
    from core.runs import shipping

    data = (FIXTURES / "sp500_monthly_close.csv").read_bytes()
    upload = save_upload(data, "monthly.csv")
    reads = []
    monkeypatch.setattr(shipping, "read_bounded", lambda path: reads.append(path) or data)
    sent = dask_cluster.shared.sent
    config = DataConfig(source="csv", csv_path=upload.name)
    # A run's tasks (sweep points, cut-offs, forecasts) each name the same upload.
    sizes = [
        dask_cluster.run(shipped_sizes, session="sweep", upload=shipping.upload_of(config))
        for _ in range(3)
    ]
    assert sizes == [{upload.name: len(data)}] * 3  # each task got the bytes themselves
    assert len(reads) == 1 and dask_cluster.shared.sent == sent + 1  # read and sent once


def test_a_shipped_upload_is_read_by_its_name_only_while_its_task_runs_and_only_if_intact():
    data = (FIXTURES / "sp500_monthly_close.csv").read_bytes()
    name = f"{hashlib.sha256(data).hexdigest()[:16]}_monthly.csv"
    with shipped({name: data}), shipped({name: data}):  # two tasks on one worker
        assert shipped_bytes(name) == data
    assert shipped_bytes(name) is None
    with pytest.raises(DataSourceError, match="arrived damaged"):
        with shipped({name: data + b"1999-12-31,1\n"}):
            pass
