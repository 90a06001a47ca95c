"""The Bitcoin study's sweeps: layers x activation at fixed units (one family or all), then
units on each family's best. Every point is an ordinary run (trained in the warm worker pool),
so the run store caches it and re-running a sweep only trains what is new.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from core.config import (
    ACTIVATIONS,
    FAMILIES,
    FAMILY_LABELS,
    DataConfig,
    ModelConfig,
    RunRequest,
    TrainConfig,
)
from core.data.sources import default_split_for
from core.errors import ConfigError, TrainingCancelled
from core.models.families import FAMILY_REGISTRY
from core.runs.pipeline import request_key
from core.runs.store import RunStore
from core.runs.worker import run_in_pool

if TYPE_CHECKING:
    from core.results import RunResult
    from core.runs.store import RunStore

BITCOIN_STUDY_UNITS = (25, 50, 100, 150, 200, 250)


@dataclass(frozen=True)
class SweepPlan:
    """Which runs a sweep makes; `base` supplies data, split, training and the other model
    settings (linear skip, predict change, dropout)."""

    base: RunRequest = field(default_factory=RunRequest)
    families: tuple[str, ...] = ("lstm",)
    layers: tuple[int, ...] = (2, 3, 4, 5)  # the family's own layers, as the Model page counts
    activations: tuple[str, ...] = ("tanh", "relu")
    units: int = 50
    units_sweep: tuple[int, ...] = BITCOIN_STUDY_UNITS

    def __post_init__(self) -> None:
        if not self.families or not self.layers or not self.activations:
            raise ConfigError(
                "a sweep needs at least one family, one number of layers and one activation."
            )
        for family in self.families:
            if family not in FAMILIES:
                raise ConfigError(f"family '{family}' is unknown; pick from {', '.join(FAMILIES)}.")
        for activation in self.activations:
            if activation not in ACTIVATIONS:
                raise ConfigError(
                    f"activation '{activation}' is unknown; pick from {', '.join(ACTIVATIONS)}."
                )
        for count in self.layers:
            if not 1 <= count <= 12:
                raise ConfigError(f"{count} layers is out of range; use 1 to 12 layers.")
        if not self.architecture_points():
            lowest = min(FAMILY_REGISTRY[family].layers_beyond_hidden for family in self.families)
            raise ConfigError(
                f"no family can be built with {', '.join(map(str, self.layers))} layers; "
                f"use at least {lowest}."
            )
        for units in (self.units, *self.units_sweep):
            if not 1 <= units <= 2048:
                raise ConfigError(f"units {units} is out of range; use 1 to 2048.")

    @classmethod
    def for_data(
        cls,
        data: DataConfig,
        *,
        families: tuple[str, ...] = ("lstm",),
        layers: tuple[int, ...] = (2, 3, 4, 5),
        activations: tuple[str, ...] = ("tanh", "relu"),
        units: int = 50,
        units_sweep: tuple[int, ...] = BITCOIN_STUDY_UNITS,
        lookback: int | None = None,
        epochs: int | None = None,
        seed: int = 0,
    ) -> SweepPlan:
        """A plan on the study preset split for `data` and the default training recipe."""
        split = default_split_for(data)
        if lookback is not None:
            split = split.replace(lookback=lookback)
        train = TrainConfig(seed=seed)
        if epochs is not None:
            train = train.replace(epochs=epochs)
        base = RunRequest(data=data, split=split, model=ModelConfig(), train=train)
        return cls(
            base=base,
            families=families,
            layers=layers,
            activations=activations,
            units=units,
            units_sweep=units_sweep,
        )

    def request(self, family: str, layers: int, activation: str, units: int) -> RunRequest:
        """The run of `layers` of the family's own layers (the Model page's count)."""
        model = self.base.model.replace(family=family, activation=activation, units=units)
        return self.base.replace(model=model.with_layers(layers))

    def architecture_points(self) -> list[tuple[str, int, str, int]]:
        return [
            (family, count, activation, self.units)
            for family in self.families
            for count in self.layers
            if count >= FAMILY_REGISTRY[family].layers_beyond_hidden
            for activation in self.activations
        ]

    @property
    def size(self) -> int:
        """Runs in the sweep (units points that repeat an architecture point count once)."""
        extra = len([units for units in self.units_sweep if units != self.units])
        return len(self.architecture_points()) + extra * len(self.families)


@dataclass(eq=False)
class SweepPoint:
    """One run of a sweep."""

    stage: str  # "architecture" | "units"
    family: str
    layers: int  # the family's own layers, as the Model page counts them
    activation: str
    units: int
    result: RunResult

    @property
    def validation_loss(self) -> float:
        history = self.result.history
        values = history.get("val_loss") or history.get("loss") or [math.nan]
        finite = [value for value in values if math.isfinite(value)]
        return min(finite) if finite else math.nan

    def row(self) -> dict[str, Any]:
        test, scaled = self.result.metrics.test, self.result.metrics.test_scaled
        naive = self.result.baselines.get("naive")
        naive_mse = None if naive is None else naive.test_mse
        return {
            "stage": self.stage,
            "family": self.family,
            "family_label": FAMILY_LABELS[self.family],
            "layers": self.layers,
            "units": self.units,
            "activation": self.activation,
            "test_mae_scaled": math.nan if scaled is None else scaled.mae,
            "test_mse_scaled": math.nan if scaled is None else scaled.mse,
            "test_mae": test.mae,
            "test_mse": test.mse,
            "vs_naive": test.mse / naive_mse if naive_mse else math.nan,
            "validation_mse": self.validation_loss,
            "seconds": self.result.train_seconds,
            "cached": self.result.cached,
            "run_key": self.result.key,
        }


@dataclass(eq=False)
class SweepOutcome:
    points: list[SweepPoint] = field(default_factory=list)
    cancelled: bool = False
    wall_seconds: float = 0.0

    @property
    def trained(self) -> int:
        return len({point.result.key for point in self.points if not point.result.cached})

    @property
    def cached(self) -> int:
        keys = {point.result.key for point in self.points}
        return len(keys) - self.trained

    def best_for(self, family: str, stage: str | None = None) -> SweepPoint | None:
        """Lowest validation loss (the Bitcoin study's selection rule) among a family's points."""
        candidates = [
            point
            for point in self.points
            if point.family == family
            and (stage is None or point.stage == stage)
            and math.isfinite(point.validation_loss)
        ]
        return min(candidates, key=lambda point: point.validation_loss) if candidates else None

    @property
    def best(self) -> SweepPoint | None:
        candidates = [point for point in self.points if math.isfinite(point.validation_loss)]
        return min(candidates, key=lambda point: point.validation_loss) if candidates else None


def run_sweep(
    plan: SweepPlan,
    *,
    store: RunStore | None = None,
    on_point: Callable[[SweepPoint], None] | None = None,
    on_start: Callable[[int, int, RunRequest], None] | None = None,
    progress: Callable[[Any], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SweepOutcome:
    """Run the architecture sweep, then the units sweep on each family's best layers/activation.

    Cancel (should_stop) ends the sweep after the current run; finished runs stay in the store.
    Each point trains in the warm worker pool (TensorFlow stays out of the calling process).
    """

    store = store or RunStore()

    outcome = SweepOutcome()
    session = f"sweep-{id(outcome)}"  # its points take turns with other sessions' work
    started = time.monotonic()
    total = plan.size
    done = 0

    def run(stage: str, family: str, layers: int, activation: str, units: int) -> bool:
        nonlocal done
        if should_stop is not None and should_stop():
            outcome.cancelled = True
            return False
        request = plan.request(family, layers, activation, units)
        if on_start is not None:
            on_start(done, total, request)
        try:
            result = run_in_pool(
                request, store=store, progress=progress, should_stop=should_stop, session=session
            )
        except TrainingCancelled:
            outcome.cancelled = True
            return False
        point = SweepPoint(stage, family, layers, activation, units, result)
        outcome.points.append(point)
        done += 1
        if on_point is not None:
            on_point(point)
        return True

    for family, layers, activation, units in plan.architecture_points():
        if not run("architecture", family, layers, activation, units):
            break
    if not outcome.cancelled:
        for family in plan.families:
            best = outcome.best_for(family, "architecture")
            if best is None:
                continue
            for units in plan.units_sweep:
                if units == best.units:
                    outcome.points.append(
                        SweepPoint(
                            "units", family, best.layers, best.activation, units, best.result
                        )
                    )
                    continue
                if not run("units", family, best.layers, best.activation, units):
                    break
            if outcome.cancelled:
                break
    outcome.wall_seconds = time.monotonic() - started
    return outcome


def sweep_table(outcome: SweepOutcome) -> pd.DataFrame:
    """The leaderboard: one row per distinct run, best first, plus naive persistence's row."""
    rows = []
    seen = set()
    for point in outcome.points:
        if point.result.key in seen:
            continue
        seen.add(point.result.key)
        rows.append(point.row())
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.sort_values("test_mse").reset_index(drop=True)
    first = outcome.points[0].result
    naive = first.baselines.get("naive")
    if naive is not None and not naive.failed:
        test, scaled = naive.test, naive.test_scaled
        naive_row = {
            "stage": "baseline",
            "family": "naive",
            "family_label": "Naive persistence",
            "layers": math.nan,
            "units": math.nan,
            "activation": "",
            "test_mae_scaled": math.nan if scaled is None else scaled.mae,
            "test_mse_scaled": math.nan if scaled is None else scaled.mse,
            "test_mae": math.nan if test is None else test.mae,
            "test_mse": math.nan if test is None else test.mse,
            "vs_naive": 1.0,
            "validation_mse": math.nan,
            "seconds": 0.0,
            "cached": True,
            "run_key": "",
        }
        frame = pd.concat([frame, pd.DataFrame([naive_row])], ignore_index=True)
        frame = frame.sort_values("test_mse", kind="stable").reset_index(drop=True)
    return frame


def layers_activation_grid(outcome: SweepOutcome, family: str, value: str = "test_mae_scaled"):
    """Layers (rows) x activation (columns) of one family's architecture points."""
    rows = [
        point.row()
        for point in outcome.points
        if point.family == family and point.stage == "architecture"
    ]
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    return frame.pivot_table(index="layers", columns="activation", values=value, aggfunc="min")


def units_curve(outcome: SweepOutcome) -> pd.DataFrame:
    """Test MAE (scaled and original) against units for each family's units sweep."""
    rows = [point.row() for point in outcome.points if point.stage == "units"]
    if not rows:
        return pd.DataFrame(columns=["family", "units", "test_mae_scaled", "test_mae"])
    frame = pd.DataFrame(rows).sort_values(["family", "units"])
    return frame[["family", "family_label", "units", "test_mae_scaled", "test_mae"]].reset_index(
        drop=True
    )


def cached_outcome(plan: SweepPlan, store: RunStore | None = None) -> SweepOutcome:
    """The sweep's runs that are already in the run store (nothing is trained): what a page
    shows after a reload."""

    store = store or RunStore()
    outcome = SweepOutcome()
    for family, layers, activation, units in plan.architecture_points():
        result = store.load(request_key(plan.request(family, layers, activation, units)))
        if result is not None:
            outcome.points.append(
                SweepPoint("architecture", family, layers, activation, units, result)
            )
    for family in plan.families:
        best = outcome.best_for(family, "architecture")
        if best is None:
            continue
        for units in plan.units_sweep:
            result = store.load(
                request_key(plan.request(family, best.layers, best.activation, units))
            )
            if result is not None:
                outcome.points.append(
                    SweepPoint("units", family, best.layers, best.activation, units, result)
                )
    return outcome


__all__ = [
    "BITCOIN_STUDY_UNITS",
    "SweepOutcome",
    "SweepPlan",
    "SweepPoint",
    "cached_outcome",
    "layers_activation_grid",
    "run_sweep",
    "sweep_table",
    "units_curve",
]
