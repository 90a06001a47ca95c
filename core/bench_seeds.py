"""Seed-to-seed spread per family: each family at its starting settings on one series, trained
with several seeds and nothing else changed; prints the spread of the test MSE and stores
it in core/evaluation/seed_spread.json, which Compare reads (noise is not news)."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from core.atomic import write_atomic
from core.config import FAMILIES, DataConfig, ModelConfig, SplitConfig, TrainConfig
from core.data.prepare import prepare
from core.data.synthetic import generate_series
from core.evaluation.forecast import predict_next
from core.evaluation.noise import SPREAD_FILE
from core.models.families import FAMILY_REGISTRY
from core.training.trainer import train_model

SEEDS = (0, 1, 2, 3, 4)
# A shorter default series keeps the bench at a few minutes on a shared machine; the training
# budget (gradient steps) is the app's own, so each run trains as much as in the app.
LENGTH = 1000


def _test_mse(prepared, model: ModelConfig, train: TrainConfig) -> float:
    trained = train_model(prepared, model, train)
    predicted = prepared.scaler.inverse(predict_next(trained.model, prepared.x_test))
    return float(np.mean((np.asarray(predicted, float) - prepared.values_test) ** 2))


def spread_of(errors: Iterable[float]) -> float:
    """How far two seeds' errors can lie apart: the largest over the smallest, minus one."""
    values = [float(value) for value in errors]
    return max(values) / min(values) - 1


def bench_seed_spread(
    out: Callable[[str], None] = print,
    families: Iterable[str] = FAMILIES,
    seeds: Iterable[int] = SEEDS,
    length: int = LENGTH,
) -> dict[str, Any]:
    """Train every family with each seed (its starting settings otherwise); print a table."""

    seeds = tuple(seeds)
    series = generate_series(DataConfig(length=length))
    prepared = prepare(series, SplitConfig())
    out(
        f"Seed spread: default synthetic series cut to {length} days ({len(prepared.values_test)}"
        f" test days, window {prepared.lookback}), each family at its starting settings, "
        f"training seeds {', '.join(map(str, seeds))}; load average "
        f"{os.getloadavg()[0]:.1f} at the start."
    )
    out(f"{'family':<11} | {'lowest MSE':>10} {'median':>10} {'highest':>10} | spread")
    measured: dict[str, Any] = {}
    for family in families:
        entry = FAMILY_REGISTRY[family]
        model = entry.starting_model(ModelConfig(family=family))
        start = entry.starting_training(TrainConfig())
        errors = [_test_mse(prepared, model, start.replace(seed=seed)) for seed in seeds]
        spread = spread_of(errors)
        measured[family] = {"test_mse": errors, "spread": spread}
        out(
            f"{family:<11} | {min(errors):>10.4g} {statistics.median(errors):>10.4g} "
            f"{max(errors):>10.4g} | ±{spread * 100:.0f}%"
        )
    out(f"load average {os.getloadavg()[0]:.1f} at the end.")
    return {
        "measured_on": (
            f"default synthetic series, {length} days, each family's starting settings, "
            f"training seeds {list(seeds)} (python -m core bench --seeds)"
        ),
        "date": dt.date.today().isoformat(),
        "families": {family: round(figures["spread"], 4) for family, figures in measured.items()},
        "test_mse": {family: figures["test_mse"] for family, figures in measured.items()},
    }


def write_spreads(report: dict[str, Any]) -> None:
    """Store the measured spreads where Compare reads them."""
    write_atomic(SPREAD_FILE, json.dumps(report, indent=2) + "\n")
