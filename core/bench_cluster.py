"""Throughput benchmark of worker layouts (prints figures, asserts nothing): for each layout of the
embedded Dask cluster (workers x threads, optionally TensorFlow held to one thread per worker),
train the same batch at once (the default network with distinct seeds, then a mix of what-ifs)
and report the wall time and the cost per training. The README's default comes from it.
Run: python -m core.bench_cluster [--layouts 1x1,1x2,2x1,2x1/tf1] [--trainings 4]"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from core.config import RunRequest
from core.runs import cluster
from core.runs.store import RunStore
from core.runs.worker import run_in_pool


def batch(count: int, seed: int) -> list[tuple[str, RunRequest]]:
    """`count` default networks (distinct seeds, so none is a stored run) and a mix of what-ifs."""
    base = RunRequest()
    model = base.model
    default = [
        ("default", base.replace(train=base.train.replace(seed=seed + index)))
        for index in range(count)
    ]
    mix = [
        ("GRU", base.replace(model=model.replace(family="gru"))),
        ("Dense", base.replace(model=model.replace(family="dense"))),
        ("units 64", base.replace(model=model.replace(units=64))),
        ("window 60", base.replace(split=base.split.replace(lookback=60))),
    ][:count]
    return default + [
        (label, request.replace(train=request.train.replace(seed=seed))) for label, request in mix
    ]


def measure(layout: str, trainings: int, seed: int) -> dict:
    """Start a fresh cluster of this layout, warm it, train the batch at once, close it."""

    shape, _, limit = layout.partition("/")
    workers, threads = (int(part) for part in shape.split("x"))
    previous = os.environ.get("TF_NUM_INTRAOP_THREADS")
    if limit == "tf1":  # spawned workers inherit it: TensorFlow's own pool of one thread
        os.environ["TF_NUM_INTRAOP_THREADS"] = "1"
    shared = cluster.Cluster(workers=workers, threads=threads)
    cluster.use(shared)
    try:
        shared.client().wait_for_workers(workers, timeout=300)
        store = RunStore(Path(tempfile.mkdtemp(prefix="bench-cluster-")))
        # Each worker trains one small network first: TensorFlow loaded and warm everywhere.
        warm = [
            threading.Thread(
                target=run_in_pool,
                args=(
                    RunRequest().replace(train=RunRequest().train.replace(epochs=1, seed=900 + n)),
                ),
                kwargs={"store": store, "session": f"warm{n}"},
            )
            for n in range(workers * threads)
        ]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        durations: dict[str, list[float]] = {}
        started = time.monotonic()

        def train(label: str, request: RunRequest, index: int) -> None:
            began = time.monotonic()
            run_in_pool(request, store=store, session=f"student{index}")
            durations.setdefault(label, []).append(time.monotonic() - began)

        jobs = [
            threading.Thread(target=train, args=(label, request, index))
            for index, (label, request) in enumerate(batch(trainings, seed))
        ]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join()
        wall = time.monotonic() - started
        return {"layout": layout, "wall": wall, "count": len(jobs), "durations": durations}
    finally:
        shared.shutdown()
        cluster.use(None)
        if previous is None:
            os.environ.pop("TF_NUM_INTRAOP_THREADS", None)
        else:
            os.environ["TF_NUM_INTRAOP_THREADS"] = previous


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layouts", default="1x1,1x2,2x1,2x1/tf1")
    parser.add_argument("--trainings", type=int, default=4, help="default networks (and what-ifs)")
    parser.add_argument("--seed", type=int, default=100)
    options = parser.parse_args()
    print("Cluster throughput (one batch per layout, trained at once; shared machine: noisy)")
    print(f"{'layout':<10} {'trainings':>9} {'wall s':>8} {'s per training':>15}  median each")
    for layout in options.layouts.split(","):
        before = os.getloadavg()[0]
        row = measure(layout.strip(), options.trainings, options.seed)
        each = ", ".join(
            f"{label} {statistics.median(values):.1f}" for label, values in row["durations"].items()
        )
        print(
            f"{row['layout']:<10} {row['count']:>9} {row['wall']:>8.1f} "
            f"{row['wall'] / row['count']:>15.1f}  {each}  (load {before:.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
