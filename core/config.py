"""Frozen, validated configuration dataclasses; their content hash is part of every run key."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from core.data.sources import SOURCE_REGISTRY
from core.errors import ConfigError
from core.models.families import FAMILY_REGISTRY

# 2: networks learn on standardised change features (linear shortcut optional); older stored
# runs were trained by another recipe, so they are retrained rather than shown.
SCHEMA_VERSION = 2

SOURCES = tuple(SOURCE_REGISTRY)  # one module per source in core/data/sources/
PROVIDERS = ("yahoo", "cdd")
NOISE_KINDS = ("gaussian", "ar1")
GENERATORS = ("sine", "mackey_glass")
FILL_METHODS = ("interpolate", "ffill", "drop")  # missing values in an uploaded file
DUPLICATE_RULES = ("last", "mean")  # a date that appears more than once
SPLIT_METHODS = ("last_n", "fraction", "calendar_year")
SCALING_SCOPES = ("train", "full_series")
FAMILIES = tuple(FAMILY_REGISTRY)  # one module per family in core/models/families/
ACTIVATIONS = ("tanh", "relu", "sigmoid")
TASKS = ("regression", "classification")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("cosine", "plateau", "constant")

FAMILY_LABELS = {name: family.label for name, family in FAMILY_REGISTRY.items()}
# Plain names a non-programmer reads; the exact terms (seasonal naive, linear autoregression,
# Holt-Winters) are in BASELINE_TERMS, for tooltips.
BASELINE_LABELS = {
    "naive": "Naive (tomorrow = today)",
    "seasonal_naive": "Same day last season",
    "linear_ar": "Straight-line rule",
    "holt_winters": "Trend + season smoothing",
}
BASELINE_TERMS = {
    "naive": "naive persistence: tomorrow's value = today's",
    "seasonal_naive": "seasonal naive: the value one season (e.g. a week or a year) earlier",
    "linear_ar": "linear AR: a least-squares linear autoregression on the same look-back window",
    "holt_winters": "Holt-Winters: exponential smoothing of level, trend and season",
}
SOURCE_LABELS = {name: source.label for name, source in SOURCE_REGISTRY.items()}


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(
            f"{name} '{value}' is not one of {', '.join(choices)}; pick one of those."
        )


def _check_range(name: str, value: float, low: float, high: float, hint: str = "") -> None:
    if not (low <= value <= high):
        message = f"{name} ({value}) must be between {low} and {high}"
        raise ConfigError(message + (f"; {hint}" if hint else "."))


class _Config:
    """Shared helpers: plain dict, rebuild from a dict (unknown keys ignored), content hash."""

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(dataclasses.asdict(self)))  # tuples become lists

    @classmethod
    def from_dict(cls, values: dict[str, Any]):
        names = {item.name: item for item in dataclasses.fields(cls)}
        kwargs = {}
        for key, value in values.items():
            if key not in names:
                continue
            if isinstance(value, list):
                value = tuple(tuple(item) if isinstance(item, list) else item for item in value)
            kwargs[key] = value
        return cls(**kwargs)

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)

    def content_hash(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DataConfig(_Config):
    """Where the series comes from. Synthetic fields are ignored for market and CSV sources."""

    source: str = "synthetic"
    # market data
    provider: str = "yahoo"  # btc only: yahoo or cdd (CryptoDataDownload); sp500 is always yahoo
    start_date: str | None = None  # ISO date, inclusive; None = all history
    end_date: str | None = None  # ISO date, inclusive; None = up to the latest
    # CSV upload (a file saved under the home dir's uploads/ folder)
    csv_path: str | None = None
    date_column: str | None = None  # None = auto-detect
    value_column: str | None = None  # None = auto-detect
    fill: str = "interpolate"  # missing values: interpolate (straight line), ffill (carry), drop
    duplicates: str = "last"  # repeated dates: keep the last row, or the mean of the rows
    # synthetic generator (SPEC 1.1); "mackey_glass" is the chaotic delay equation (tau 17),
    # which uses length, noise and seed only
    generator: str = "sine"
    length: int = 7 * 365
    synthetic_start: str = "2018-01-01"
    level: float = 10.0
    trend_slope: float = 0.05  # units per step
    trend_curvature: float = 0.0  # units per step squared
    seasonal_periods: tuple[float, ...] = (365.0, 7.0)
    seasonal_amplitudes: tuple[float, ...] = (40.0, 5.0)
    noise_level: float = 5.0  # standard deviation of the noise
    noise_kind: str = "gaussian"
    noise_correlation: float = 0.5  # AR(1) coefficient, used when noise_kind == "ar1"
    seed: int = 42

    def __post_init__(self) -> None:
        _check_choice("source", self.source, SOURCES)
        _check_choice("provider", self.provider, PROVIDERS)
        _check_choice("noise kind", self.noise_kind, NOISE_KINDS)
        _check_choice("generator", self.generator, GENERATORS)
        _check_choice("fill", self.fill, FILL_METHODS)
        _check_choice("duplicates rule", self.duplicates, DUPLICATE_RULES)
        if SOURCE_REGISTRY[self.source].needs_file and not self.csv_path:
            raise ConfigError(
                f"The {SOURCE_REGISTRY[self.source].label} source needs a file; upload one or "
                "pick another source."
            )
        _check_range("series length", self.length, 60, 200_000, "pick a length in that range.")
        _check_range("noise level", self.noise_level, 0.0, 1e9, "use a non-negative noise level.")
        _check_range(
            "noise correlation", self.noise_correlation, -0.99, 0.99, "keep |correlation| < 1."
        )
        if len(self.seasonal_periods) != len(self.seasonal_amplitudes):
            raise ConfigError(
                f"{len(self.seasonal_periods)} seasonal periods but "
                f"{len(self.seasonal_amplitudes)} amplitudes; give one amplitude per period."
            )
        for period in self.seasonal_periods:
            _check_range("seasonal period", period, 2, 100_000, "periods are at least 2 steps.")

    @property
    def is_synthetic(self) -> bool:
        return self.source == "synthetic"

    @property
    def label(self) -> str:
        return SOURCE_REGISTRY[self.source].title(self)


@dataclass(frozen=True)
class SplitConfig(_Config):
    """Chronological split, scaling and look-back window (SPEC 1.3)."""

    method: str = "last_n"
    test_size: int = 465  # last_n: number of test steps (study A synthetic: 365 + 100)
    test_fraction: float = 0.2  # fraction: study B's 80/20
    test_year: int = 2024  # calendar_year: study A Bitcoin (the test part is this year only)
    lookback: int = 30
    scaling_margin: float = (
        1.5  # train range x margin maps to [0, 1] (study A: 1.5 synthetic, 5 BTC)
    )
    scaling_scope: str = "train"  # "full_series" reproduces study B and leaks test information
    validation_fraction: float = 0.1  # last part of the train windows used for early stopping

    def __post_init__(self) -> None:
        _check_choice("split method", self.method, SPLIT_METHODS)
        _check_choice("scaling scope", self.scaling_scope, SCALING_SCOPES)
        _check_range("test size", self.test_size, 1, 1_000_000, "use a positive number of steps.")
        _check_range("test fraction", self.test_fraction, 0.01, 0.9, "e.g. 0.2 for an 80/20 split.")
        _check_range("look-back window", self.lookback, 1, 5000, "30 (one month) is a good start.")
        _check_range("scaling margin", self.scaling_margin, 1.0, 100.0, "1.5 is a good start.")
        _check_range(
            "validation fraction", self.validation_fraction, 0.0, 0.5, "0.1 keeps 10% for checks."
        )

    @property
    def leaks(self) -> bool:
        return self.scaling_scope == "full_series"


@dataclass(frozen=True)
class ModelConfig(_Config):
    """Network family and shape (SPEC 2); task selects the regression or 3-class head."""

    family: str = "lstm"
    task: str = "regression"
    hidden_layers: int = 0  # between the input and output recurrent layers (study A's count)
    units: int = 32
    activation: str = "tanh"
    dropout_rate: float = 0.0
    dense_front_layers: int = 0  # Dense layers before the recurrent stack (study C)
    linear_skip: bool = False  # LSTNet-style least-squares linear path beside the network
    predict_change: bool = True  # learn the change from the last value, not the level
    class_horizon: int = 7  # classification: days averaged after the window
    class_threshold: float = 0.0033  # classification: +-0.33% separates up / flat / down

    def __post_init__(self) -> None:
        _check_choice("model family", self.family, FAMILIES)
        _check_choice("task", self.task, TASKS)
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_range("hidden layers", self.hidden_layers, 0, 10, "study A used 0 to 5.")
        _check_range("units", self.units, 1, 2048, "25 to 250 is the useful range.")
        _check_range("dropout rate", self.dropout_rate, 0.0, 0.9, "0 to 0.5 is usual.")
        _check_range("Dense front layers", self.dense_front_layers, 0, 5, "0 to 2 is usual.")
        _check_range("class horizon", self.class_horizon, 1, 365, "study A averaged 7 days.")
        _check_range("class threshold", self.class_threshold, 0.0, 0.5, "study A used 0.0033.")

    @property
    def label(self) -> str:
        layers = self.hidden_layers + FAMILY_REGISTRY[self.family].layers_beyond_hidden
        return f"{FAMILY_LABELS[self.family]} {layers}x{self.units} {self.activation}"


@dataclass(frozen=True)
class TrainConfig(_Config):
    """Optimiser and stopping settings; the defaults are the fast recipe measured in the bench."""

    optimizer: str = "adam"
    learning_rate: float = 0.01  # with warm-up, clipping and decay (measured in the bench)
    batch_size: int = 128
    epochs: int = 30
    patience: int = 10  # early stopping on validation loss; 0 disables it
    schedule: str = "cosine"  # warm-up + cosine decay over the epochs; plateau; constant
    restore_best: bool = True
    seed: int = 0
    max_seconds: float | None = None  # wall-time cap; None = no cap

    def __post_init__(self) -> None:
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("learning-rate schedule", self.schedule, SCHEDULES)
        _check_range("learning rate", self.learning_rate, 1e-6, 1.0, "0.001 to 0.01 is usual.")
        _check_range("batch size", self.batch_size, 1, 8192, "16 to 256 is usual.")
        _check_range("epochs", self.epochs, 1, 5000, "early stopping ends most runs sooner.")
        _check_range("patience", self.patience, 0, 1000, "5 to 20 is usual.")
        if self.max_seconds is not None:
            _check_range("time limit", self.max_seconds, 1, 86_400, "give seconds, at least 1.")


@dataclass(frozen=True)
class RunRequest(_Config):
    """Everything that decides a run's result; with the data fingerprint it makes the run key."""

    data: DataConfig = field(default_factory=DataConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    horizon: int = 30  # steps of recursive forecast past the last date

    def __post_init__(self) -> None:
        _check_range("forecast horizon", self.horizon, 0, 3650, "e.g. 30 steps.")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunRequest:
        return cls(
            data=DataConfig.from_dict(values.get("data", {})),
            split=SplitConfig.from_dict(values.get("split", {})),
            model=ModelConfig.from_dict(values.get("model", {})),
            train=TrainConfig.from_dict(values.get("train", {})),
            horizon=int(values.get("horizon", 30)),
        )


def run_key(request: RunRequest, data_fingerprint: str) -> str:
    """Content hash of (schema version, data fingerprint, every config): same inputs, same key.

    The forecast horizon is left out: it is computed from the saved model on load, so changing
    it never retrains.
    """
    payload = request.to_dict()
    payload.pop("horizon", None)
    if payload["data"].get("generator") == "sine":
        del payload["data"]["generator"]  # the default generator keeps the keys it had before
    text = json.dumps(
        {"schema": SCHEMA_VERSION, "data": data_fingerprint, "request": payload}, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def default_split_for(data: DataConfig, frequency: str | None = None) -> SplitConfig:
    """The source's preset split (core/data/sources/<source>.py); a file's frequency, when
    known, picks an uploaded series' window."""
    return SOURCE_REGISTRY[data.source].default_split(data, frequency)


STUDY_A_BTC_START = SOURCE_REGISTRY["btc"].default_data().start_date


def default_data_for(source: str, **settings: Any) -> DataConfig:
    """The source's preset data settings, then the given ones (e.g. Bitcoin from 2020-10-28)."""
    return SOURCE_REGISTRY[source].default_data(**settings)


NONLINEAR_DEMO_NOISE = 0.01  # the chaotic series spans about 0.4 to 1.3


def nonlinear_demo_request() -> RunRequest:
    """The "a straight line cannot predict it" demo: the chaotic Mackey-Glass series (delay 17,
    one sample every 3 time units), light noise, a 30-step window and the last 465 steps as
    test, with the default network; the bench measures it against the linear AR."""
    return RunRequest(
        data=DataConfig(generator="mackey_glass", noise_level=NONLINEAR_DEMO_NOISE),
        split=SplitConfig(method="last_n", test_size=465, lookback=30),
    )
