"""What one request may cost, checked before any work starts: the size and rows of an upload,
the room all uploads may take, and the memory a training's series, windows and network need.

Each limit is a setting (an environment variable) with a default sized for the machine."""

from __future__ import annotations

import os
from dataclasses import dataclass

import psutil

from core.errors import ConfigError
from core.models.families import FAMILY_REGISTRY
from core.models.registry import count_parameters, reading_block

MEGABYTE = 2**20
UPLOAD_MEGABYTES_ENV = "FORECAST_LAB_MAX_UPLOAD_MB"
UPLOAD_ROWS_ENV = "FORECAST_LAB_MAX_UPLOAD_ROWS"
UPLOADS_QUOTA_ENV = "FORECAST_LAB_UPLOADS_QUOTA_MB"
MEMORY_BUDGET_ENV = "FORECAST_LAB_MEMORY_BUDGET_MB"

DEFAULT_UPLOAD_MEGABYTES = 50  # as .streamlit/config.toml's maxUploadSize
DEFAULT_UPLOAD_ROWS = 200_000  # the longest synthetic series (DataConfig.length's high)
DEFAULT_UPLOADS_QUOTA_MEGABYTES = 500


def _number_from_env(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


def max_upload_bytes() -> int:
    """The largest file an upload (or a --csv on the command line) may be."""
    return int(_number_from_env(UPLOAD_MEGABYTES_ENV, DEFAULT_UPLOAD_MEGABYTES) * MEGABYTE)


def max_upload_rows() -> int:
    """The most lines an uploaded file may hold."""
    return int(_number_from_env(UPLOAD_ROWS_ENV, DEFAULT_UPLOAD_ROWS))


def uploads_quota_bytes() -> int:
    """The room every stored upload together may take in the uploads folder."""
    return int(_number_from_env(UPLOADS_QUOTA_ENV, DEFAULT_UPLOADS_QUOTA_MEGABYTES) * MEGABYTE)


# Memory: what a training's worker holds at its peak, beside TensorFlow itself, in copies of
# the windows' bytes (tests/bench_memory.py prints today's peaks; README, "Measured choices";
# TensorFlow copies the windows it predicts on once more).
WINDOW_COPIES = 2.5
SERIES_COPIES = 8  # values, dates, scaled values, signal, targets, labels, forecasts, charts
TRAINING_ACTIVATIONS = 8  # a recurrent layer keeps its gates' values per step for the gradient
INFERENCE_ACTIVATIONS = 1  # predicting on every window keeps each inner layer's sequence
TRAINING_OVERHEAD = 256 * MEGABYTE  # TensorFlow's growth while training (traced steps, pools)
WEIGHT_COPIES = 5  # weights, gradients, two optimizer moments, the best epoch's weights
FLOAT_BYTES = 4
MACHINE_SHARE = 16  # default budget: a sixteenth of the machine's memory...
BUDGET_CEILING_MEGABYTES = 1536  # ...at most 1.5 GB, which keeps a worker under its 2 GB limit
BUDGET_FLOOR_MEGABYTES = 256


def memory_budget() -> int:
    """Bytes one training (or one page's preparation of it) may need; FORECAST_LAB_MEMORY_BUDGET_MB
    sets it, else a sixteenth of this machine's memory, capped at 1.5 GB."""

    share = psutil.virtual_memory().total / MACHINE_SHARE / MEGABYTE
    default = max(BUDGET_FLOOR_MEGABYTES, min(BUDGET_CEILING_MEGABYTES, share))
    return int(_number_from_env(MEMORY_BUDGET_ENV, default) * MEGABYTE)


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a training needs at its peak, by part (TensorFlow's own code not counted)."""

    series: int
    windows: int
    network: int

    @property
    def total(self) -> int:
        return self.series + self.windows + self.network


def estimate_memory(rows: int, lookback: int, model=None, batch_size: int = 0) -> MemoryEstimate:
    """What a series of `rows` values, its `lookback`-step windows and (given a ModelConfig)
    the network's weights and activations need; arithmetic only, nothing is allocated."""
    windows = int(WINDOW_COPIES * rows * lookback * FLOAT_BYTES)
    network = 0
    if model is not None:
        steps = max(1, lookback // reading_block(model, lookback))
        layers = model.hidden_layers + FAMILY_REGISTRY[model.family].layers_beyond_hidden
        inner = model.hidden_layers + model.dense_front_layers  # layers passing on sequences
        per_layer = steps * model.units * FLOAT_BYTES
        batch_size = min(batch_size, rows)  # a batch holds at most every window
        activations = max(
            TRAINING_ACTIVATIONS * batch_size * per_layer * (layers + model.dense_front_layers),
            INFERENCE_ACTIVATIONS * rows * per_layer * inner,
        )
        weights = WEIGHT_COPIES * count_parameters(model, lookback) * FLOAT_BYTES
        network = int(activations + weights + TRAINING_OVERHEAD)
    return MemoryEstimate(series=SERIES_COPIES * rows * 8, windows=windows, network=network)


def check_memory(rows: int, lookback: int, model=None, batch_size: int = 0) -> MemoryEstimate:
    """The estimate, or a ConfigError saying what it needs, what is allowed and what to lower."""
    budget = memory_budget()
    needed = estimate_memory(rows, lookback, model, batch_size)
    if needed.total <= budget:
        return needed

    def fits(**change) -> bool:
        settings = {"rows": rows, "lookback": lookback, "batch_size": batch_size, **change}
        return estimate_memory(model=model, **settings).total <= budget

    remedies = []
    window = _largest(lambda value: fits(lookback=value), lookback)
    if window:
        remedies.append(f"a look-back window of at most {window:,} steps")
    length = _largest(lambda value: fits(rows=value), rows)
    if length:
        remedies.append(f"at most {length:,} rows of data (a shorter series or date range)")
    if model is not None and needed.network > needed.windows:
        remedies.append(f"fewer units than {model.units} or fewer layers")
    if batch_size and fits(batch_size=1) and not fits(batch_size=batch_size):
        remedies.append(f"a smaller batch than {batch_size}")
    remedy = "; lower it: " + ", or ".join(remedies) if remedies else "; lower the settings"
    raise ConfigError(
        f"these settings need about {megabytes(needed.total)} of memory ({rows:,} rows in "
        f"{lookback:,}-step windows: {megabytes(needed.windows)}; network: "
        f"{megabytes(needed.network)}), more than the {megabytes(budget)} one training may use "
        f"on this server{remedy}."
    )


def _largest(fits, current: int) -> int:
    """The largest value in 1..current for which fits(value) holds (0 if none): a bisection."""
    low, high = 0, current
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def megabytes(count: float) -> str:
    """A byte count for people: '50 MB', '1.4 GB'."""
    if count >= 1024 * MEGABYTE:
        return f"{count / (1024 * MEGABYTE):.1f} GB"
    return f"{count / MEGABYTE:.0f} MB"


__all__ = [
    "MemoryEstimate",
    "check_memory",
    "estimate_memory",
    "memory_budget",
    "max_upload_bytes",
    "max_upload_rows",
    "megabytes",
    "uploads_quota_bytes",
]
