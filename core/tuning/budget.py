"""The per-trial time cap, kept honestly: a trial's clock starts when its worker takes it up, and
training gets only what is left once building, tracing and scoring a network of its size are
paid for, at the costs measured on earlier trials. A trial that cannot fit is pruned unbuilt.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from core.models.families import FAMILY_REGISTRY

# A trial's phases after its setup (worker start -> training called: the study reloaded, the
# windows prepared, measured as it happens), in order, and what their cost grows with:
#   build       training called -> fit starts (network built, compiled)     layers
#   trace       fit start -> first batch done, less one batch (tracing)     layers
#   batch       one training batch after the first                          work
#   finish      last batch -> trial end (the last validation pass, tracing   layers
#               and running the test prediction, scoring, storage writes)
PHASES = ("build", "trace", "batch", "finish")
PRUNING_PHASES = ("trace", "finish")
# Seconds per unit of size before a phase has been measured, from one 2-core machine with other
# work running (an LSTM layer: tracing its training step about 1.2 s, its validation and
# prediction steps about 0.45 s; a batch about 6e-7 s per layer, window step and sample).
PRIOR_RATES = {"build": 0.05, "trace": 1.3, "batch": 7e-7, "finish": 0.6}
# One batch costs about as much per window step as this many more samples in it would (the
# fixed cost of each recurrent step), and each batch as much again as this much work (the
# callbacks and the step's launch, about 0.03 s): work = layers x window x (batch + samples) +
# fixed work.
BATCH_OVERHEAD_SAMPLES = 256
BATCH_FIXED_WORK = 50_000
HISTORY = 8  # measured samples kept per phase; the costliest recent rate rules
ESTIMATE_MARGIN = 1.2  # what the training budget reserves, beyond the measured rate
OVERRUN_TOLERANCE = 0.10  # a trial may end this share after its cap (the stated target)
CAP_REASON = "over the time cap before training"  # how a trial pruned unbuilt says why


def network_depth(model_config: Any) -> int:
    """Layers with weights: the family's stack, the Dense front layers and the output head."""

    family = FAMILY_REGISTRY[model_config.family]
    stack = model_config.hidden_layers + family.layers_beyond_hidden
    return stack + model_config.dense_front_layers + 1


def batch_work(depth: int, lookback: int, batch_size: int) -> float:
    return float(depth * lookback * (batch_size + BATCH_OVERHEAD_SAMPLES) + BATCH_FIXED_WORK)


@dataclass
class TrialCosts:
    """Measured seconds per unit of size for each phase (the last HISTORY trials); it travels
    from the runner to the worker with every trial, so a recycled worker keeps what was
    learned."""

    rates: dict[str, list[float]] = field(default_factory=dict)

    def rate(self, phase: str, typical: bool = False) -> float:
        """The costliest recent rate (what a budget must reserve), or with `typical` the
        median one (what a trial most likely needs)."""
        measured = self.rates.get(phase)
        if not measured:
            return PRIOR_RATES[phase]
        return float(statistics.median(measured)) if typical else max(measured)

    def measured(self, phase: str) -> bool:
        return bool(self.rates.get(phase))

    def estimate(self, phase: str, size: float, typical: bool = False) -> float:
        return self.rate(phase, typical) * size

    def record(self, phase: str, seconds: float, size: float) -> None:
        if size <= 0 or seconds < 0:
            return
        history = self.rates.setdefault(phase, [])
        history.append(seconds / size)
        del history[:-HISTORY]

    def record_trial(self, timing: dict[str, Any] | None) -> None:
        """Learn from a trial's stored timing (see TrialClock.timing)."""
        if not timing:
            return
        sizes = {
            "build": timing.get("depth", 0),
            "trace": timing.get("depth", 0),
            "batch": timing.get("work", 0),
            "finish": timing.get("depth", 0),
        }
        for phase in PHASES:
            seconds = timing.get(phase)
            if seconds is not None:
                self.record(phase, float(seconds), float(sizes[phase]))


_shared: dict[str, TrialCosts] = {}


def shared_costs(family: str) -> TrialCosts:
    """The costs measured in this process for a model family: a new search (the server's
    next one, the bench's next space) starts from what earlier searches measured, not from
    the priors, so its first trials are budgeted and pruned on measurements too."""
    return _shared.setdefault(family, TrialCosts())


@dataclass(frozen=True)
class TrialPlan:
    """How a trial spends its cap: the training budget, or why it cannot run at all."""

    cap: float | None
    training_seconds: float | None  # TrainConfig.max_seconds; None = no cap
    minimum_seconds: float  # typical wall time with one epoch of training
    reason: str | None = None  # set when the trial must be pruned before it builds

    @property
    def fits(self) -> bool:
        return self.reason is None


class TrialClock:
    """Times one trial in the worker: started at its start, asked how to spend the rest of the
    cap, and told about fit progress by the trainer's events ("fit" before fitting, "batch" after
    each batch: `event`) and the epoch-end progress callback (`epoch_ended`)."""

    def __init__(self, cap: float | None, costs: TrialCosts, started: float | None = None):
        self.cap = cap
        self.costs = costs
        self.started = time.perf_counter() if started is None else started
        self.depth = 0
        self.work = 0.0
        self.training_called: float | None = None
        self.fit_started: float | None = None
        self.batch_ends: list[float] = []  # first batch end, then the latest one
        self.batches = 0
        self.epochs = 0
        self.finished: float | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def plan(
        self, depth: int, lookback: int, batch_size: int, batches_per_epoch: int = 1
    ) -> TrialPlan:
        """The training budget for a network of `depth` layers, from now to the cap: the cap
        less the costliest recent build, batch and finish costs (with a margin). A trial that
        typically could not build, trace, train one epoch and be scored within the cap is
        pruned: cut inside its first epoch, it would report a barely trained network."""
        self.depth, self.work = depth, batch_work(depth, lookback, batch_size)
        sizes = {"build": depth, "trace": depth, "batch": self.work, "finish": depth}
        typical = sum(
            self.costs.estimate(phase, size, typical=True) for phase, size in sizes.items()
        )
        typical += max(0, batches_per_epoch - 1) * self.costs.estimate(
            "batch", self.work, typical=True
        )
        minimum = self.elapsed() + typical
        if self.cap is None:
            return TrialPlan(None, None, minimum)
        # Only measured costs prune (tracing and scoring, the large ones): on prior guesses
        # alone a search could prune every trial and so never measure anything.
        if minimum > self.cap and all(self.costs.measured(phase) for phase in PRUNING_PHASES):
            reason = (
                f"{CAP_REASON}: a {depth}-layer network needs about "
                f"{minimum:.0f} s to build, trace, train one epoch and score here, and the cap "
                f"is {self.cap:g} s"
            )
            return TrialPlan(self.cap, None, minimum, reason)
        reserved = ESTIMATE_MARGIN * sum(
            self.costs.estimate(phase, sizes[phase]) for phase in ("build", "batch", "finish")
        )
        training = self.cap - self.elapsed() - reserved
        return TrialPlan(self.cap, max(1.0, training), minimum)

    def training_starts(self) -> None:
        self.training_called = time.perf_counter()

    def event(self, name: str) -> None:
        """The trainer's timing events: "fit" just before fitting, "batch" after each batch."""
        now = time.perf_counter()
        if name == "fit":
            self.fit_started = now
        elif name == "batch":
            self.batches += 1
            if len(self.batch_ends) < 2:
                self.batch_ends.append(now)
            else:
                self.batch_ends[1] = now

    def epoch_ended(self) -> None:
        self.epochs += 1

    def finish(self) -> None:
        self.finished = time.perf_counter()

    def timing(self) -> dict[str, Any]:
        """Seconds per phase (those the trial reached), with the sizes they are measured in."""
        timing: dict[str, Any] = {"depth": self.depth, "work": self.work}
        end = self.finished or time.perf_counter()
        timing["total"] = round(end - self.started, 3)
        if self.training_called is None:
            return timing
        timing["setup"] = round(self.training_called - self.started, 3)
        if self.fit_started is None:
            return timing
        timing["build"] = round(self.fit_started - self.training_called, 3)
        if not self.batch_ends:
            return timing
        first = self.batch_ends[0] - self.fit_started
        batch = None
        if self.batches > 1:
            batch = (self.batch_ends[-1] - self.batch_ends[0]) / (self.batches - 1)
            timing["batch"] = round(batch, 4)
        timing["trace"] = round(max(0.0, first - (batch or 0.0)), 3)
        timing["batches"] = self.batches
        timing["epochs"] = self.epochs
        if self.finished is not None:
            timing["finish"] = round(self.finished - self.batch_ends[-1], 3)
        return timing


__all__ = [
    "CAP_REASON",
    "OVERRUN_TOLERANCE",
    "PHASES",
    "TrialClock",
    "TrialCosts",
    "TrialPlan",
    "batch_work",
    "network_depth",
    "shared_costs",
]
