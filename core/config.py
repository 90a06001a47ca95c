"""Frozen, validated configuration dataclasses; their content hash is part of every run key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from core.data_config import (  # noqa: F401  (re-exported: DataConfig is declared there)
    DUPLICATE_RULES,
    FILL_METHODS,
    GENERATORS,
    NOISE_KINDS,
    PROVIDERS,
    SOURCES,
    DataConfig,
)
from core.errors import ConfigError
from core.models.families import FAMILY_REGISTRY
from core.settings import ConfigBase, setting

# 2: networks learn on standardised change features (linear shortcut optional); older stored
# runs were trained by another recipe, so they are retrained rather than shown.
# 3: windows over 60 steps are read in blocks of whole weeks; the trainer's own loop (its batch
# order, the best epoch looked for from the middle of the cosine schedule).
# 4: the linear shortcut on by default; the recipe from the data (batch size from the windows,
# epochs from a step budget, the log scale for a swing that grows with the level).
SCHEMA_VERSION = 4

SPLIT_METHODS = ("last_n", "fraction", "calendar_year")
SCALING_SCOPES = ("train", "full_series")
FAMILIES = tuple(FAMILY_REGISTRY)  # one module per family in core/models/families/
ACTIVATIONS = ("tanh", "relu", "sigmoid")
TASKS = ("regression", "classification")
OPTIMIZERS = ("adam", "rmsprop", "sgd")
SCHEDULES = ("cosine", "plateau", "constant")
LOG_SCALES = ("auto", "log", "original")

FAMILY_LABELS = {name: family.label for name, family in FAMILY_REGISTRY.items()}


@dataclass(frozen=True)
class SplitConfig(ConfigBase):
    """Chronological split, scaling and look-back window; each source has its preset."""

    method: str = setting(
        "last_n",
        "Test part",
        "The model never sees the test part while training; the split "
        "is by time, never random. last_n: the last test_size steps; fraction: the last "
        "test_fraction; calendar_year: test_year only.",
        choices=SPLIT_METHODS,
    )
    test_size: int = setting(
        465,
        "Test steps",
        "How many of the most recent steps are kept for testing (465 = one year plus 100 days).",
        unit="steps",
        low=1,
        high=1_000_000,
        hint="use a positive number of steps.",
    )
    test_fraction: float = setting(
        0.2,
        "Test share",
        "The share of the data, at the end, kept for testing; 0.2 is an 80/20 split.",
        low=0.01,
        high=0.9,
        hint="e.g. 0.2.",
        typical=(0.05, 0.5),
    )
    test_year: int = setting(
        2024,
        "Test year",
        "Test on this calendar year only; later days are dropped.",
        unit="year",
        low=1900,
        high=2100,
        hint="give a year the series covers.",
        typical=(1930, 2100),
    )
    lookback: int = setting(
        30,
        "Look-back window",
        "How many past steps the network sees to predict the next "
        "value (e.g. 30 days, 13 weeks or 12 months).",
        unit="steps",
        low=1,
        high=5000,
        hint="30 (one month) is a good start.",
        typical=(1, 365),
    )
    scaling_margin: float = setting(
        1.5,
        "Room above the training range",
        "Values are squeezed into 0..1 using the training range "
        "times this factor, so later, higher values still fit (the scaling margin).",
        low=1.0,
        high=100.0,
        hint="1.5 is a good start.",
        typical=(1.0, 10.0),
        advanced=True,
    )
    scaling_scope: str = setting(
        "train",
        "Scaling from",
        "train: the training part's range only; full_series: the "
        "whole series, test part included (leaks test information; only to reproduce "
        "published results).",
        choices=SCALING_SCOPES,
        advanced=True,
    )
    log_scale: str = setting(
        "auto",
        "Log scale",
        "log: the network learns on log values (forecasts, intervals and errors are shown "
        "back in the series' own units); suits a positive series whose seasonal swing grows "
        "with its level. auto: chosen from your data; original: never.",
        choices=LOG_SCALES,
        advanced=True,
    )
    season: int = setting(
        0,
        "Season",
        "How many steps one seasonal cycle takes (12 for monthly data with a yearly cycle, 7 "
        "for a week of days, 24 for a day of hours); the seasonal baselines and the log-scale "
        "check use it. 0 = auto: the calendar season of the frequency and the one found in "
        "the data, the better on the validation part; 1 = no season.",
        unit="steps",
        low=0,
        high=100_000,
        hint="0 = auto; a season must fit twice in the training part.",
        typical=(0, 400),
        advanced=True,
    )
    validation_fraction: float = setting(
        0.1,
        "Part kept for checking",
        "The last part of the training data decides when to stop "
        "training (early stopping); 0 turns that check off (the validation fraction).",
        low=0.0,
        high=0.5,
        hint="0.1 keeps 10% for checks.",
        typical=(0.0, 0.3),
        advanced=True,
    )

    @property
    def leaks(self) -> bool:
        return self.scaling_scope == "full_series"


@dataclass(frozen=True)
class ModelConfig(ConfigBase):
    """Network family and shape; task selects the regression or the 3-class head."""

    family: str = setting(
        "lstm",
        "Network family",
        "The kind of network. Recurrent ones (SimpleRNN, LSTM, GRU) "
        "read the window in order; Dense sees it all at once.",
        choices=FAMILIES,
    )
    task: str = setting(
        "regression",
        "What to predict",
        "regression: a number for the next step; "
        "classification: the direction (up / flat / down) of the next days.",
        choices=TASKS,
    )
    hidden_layers: int = setting(
        0,
        "Hidden layers",
        "Layers between the input and the output layers; more can learn "
        "more complex patterns but train slower and overfit more easily.",
        unit="layers",
        low=0,
        high=10,
        hint="0 to 5 is the usual range.",
        typical=(0, 5),
    )
    units: int = setting(
        32,
        "Units per layer",
        "How many neurons each layer has: its capacity to remember patterns.",
        unit="units",
        low=1,
        high=2048,
        hint="25 to 250 is the useful range.",
    )
    activation: str = setting(
        "tanh",
        "Activation",
        "The function each neuron applies to its input.",
        choices=ACTIVATIONS,
    )
    dropout_rate: float = setting(
        0.0,
        "Dropout",
        "Randomly switches off this share of neurons during training, which "
        "can reduce overfitting. 0 = off.",
        low=0.0,
        high=0.9,
        hint="0 to 0.5 is usual.",
        typical=(0.0, 0.5),
    )
    dense_front_layers: int = setting(
        0,
        "Dense layers before the recurrent ones",
        "Dense layers applied to each step before "
        "the family's own layers (a Dense-Dense-GRU-GRU shape).",
        unit="layers",
        low=0,
        high=5,
        hint="0 to 2 is usual.",
        typical=(0, 3),
        advanced=True,
    )
    linear_skip: bool = setting(
        True,
        "Linear shortcut beside the network",
        "A frozen least-squares straight line from the window to the output carries the level, "
        "trend and season; the network learns only what the line misses (a hybrid, as the M4 "
        "winners). Results shows what the line alone scores and what the network adds.",
        advanced=True,
    )
    predict_change: bool = setting(
        True,
        "Predict the change from the last value",
        "The network learns tomorrow minus "
        "today rather than tomorrow's level; much easier on trending series.",
        advanced=True,
    )
    class_horizon: int = setting(
        7,
        "Days ahead to average",
        "Classification: the class compares the average of the next days with today's value.",
        unit="steps",
        low=1,
        high=365,
        hint="7 days is a common choice.",
        typical=(1, 60),
    )
    class_threshold: float = setting(
        0.0033,
        "Flat band",
        "Classification: moves smaller than this share (0.0033 = 0.33%) count as flat.",
        low=0.0,
        high=0.5,
        hint="0.0033 is a common choice.",
        typical=(0.0, 0.2),
    )

    @property
    def layers(self) -> int:
        """The one layer count the app shows (page, sweeps, run names, links, command line): the
        family's own layers, e.g. the LSTM layers of an LSTM; the single output neuron that
        turns the last layer into the forecast is not counted. Stored as hidden_layers, the
        layers beyond the family's first (and, for recurrent ones, last) layer."""
        return self.hidden_layers + FAMILY_REGISTRY[self.family].layers_beyond_hidden

    def with_layers(self, layers: int) -> ModelConfig:
        """This config with `layers` of the family's own layers (see `layers`)."""
        family = FAMILY_REGISTRY[self.family]
        lowest = family.layers_beyond_hidden
        if not lowest <= layers <= lowest + 10:
            raise ConfigError(
                f"{layers} {family.layers_word} is out of range; use {lowest} to {lowest + 10}."
            )
        return self.replace(hidden_layers=layers - lowest)

    @property
    def label(self) -> str:
        return f"{FAMILY_LABELS[self.family]} {self.layers}x{self.units} {self.activation}"


@dataclass(frozen=True)
class TrainConfig(ConfigBase):
    """Optimiser and stopping settings; the defaults are the fast recipe measured in the bench."""

    optimizer: str = setting(
        "adam",
        "Optimizer",
        "The method that adjusts the weights after each batch.",
        choices=OPTIMIZERS,
    )
    learning_rate: float = setting(
        0.01,
        "Learning rate",
        "How big each adjustment step is (with warm-up, clipping and "
        "decay). Too big and training diverges; too small and it crawls.",
        low=1e-6,
        high=1.0,
        hint="0.001 to 0.01 is usual.",
    )
    batch_size: int = setting(
        128,
        "Batch size",
        "How many windows are used for each adjustment step.",
        unit="windows",
        low=1,
        high=8192,
        hint="16 to 256 is usual.",
    )
    auto_batch: bool = setting(
        True,
        "Batch size from your data",
        "Pick the batch size from the number of training windows (about 1/16 of them, 16 "
        "to 128); off: use the batch size as set.",
    )
    budget_steps: int = setting(
        420,
        "Training budget",
        "How many gradient steps of 128 windows to train for (a smaller batch takes "
        "proportionally more steps, at most 250 epochs); the epochs follow from it, so a short "
        "series trains as much as a long one. 0 = use the maximum epochs as set.",
        unit="gradient steps",
        low=0,
        high=1_000_000,
        hint="420 is the default; 0 turns the budget off.",
        typical=(0, 5000),
    )
    epochs: int = setting(
        30,
        "Maximum epochs",
        "An epoch is one pass over all training windows; training stops "
        "earlier when the validation error stops improving.",
        unit="epochs",
        low=1,
        high=5000,
        hint="early stopping ends most runs sooner.",
        typical=(1, 500),
    )
    patience: int = setting(
        10,
        "Early-stopping patience",
        "Stop after this many epochs without improvement on the validation part (with the "
        "cosine schedule, counted from the middle epoch on); 0 = always run every epoch.",
        unit="epochs",
        low=0,
        high=1000,
        hint="5 to 20 is usual.",
        typical=(0, 50),
    )
    schedule: str = setting(
        "cosine",
        "Learning-rate schedule",
        "cosine: warm-up then decay over the epochs; plateau: lower it when stuck; constant.",
        choices=SCHEDULES,
        advanced=True,
    )
    restore_best: bool = setting(
        True,
        "Keep the best epoch's weights",
        "After training, go back to the weights of the epoch with the lowest validation error "
        "(with the cosine schedule, one of the second half's epochs).",
        advanced=True,
    )
    seed: int = setting(
        0,
        "Training seed",
        "Fixes the random starting weights, so the same settings give the same result.",
        low=0,
        high=2**31 - 1,
        advanced=True,
    )
    max_seconds: float | None = setting(
        None,
        "Time limit",
        "Stop training after this many seconds and keep the best model so far; empty = no limit.",
        unit="seconds",
        low=1,
        high=86_400,
        hint="give seconds, at least 1.",
        advanced=True,
    )


@dataclass(frozen=True)
class RunRequest(ConfigBase):
    """Everything that decides a run's result; with the data fingerprint it makes the run key."""

    data: DataConfig = field(default_factory=DataConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    horizon: int = 30  # steps of recursive forecast past the last date

    def __post_init__(self) -> None:
        if not 0 <= self.horizon <= 3650:
            raise ConfigError(
                f"forecast horizon ({self.horizon}) must be between 0 and 3650; e.g. 30 steps."
            )

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunRequest:
        return cls(
            data=DataConfig.from_dict(values.get("data", {})),
            split=SplitConfig.from_dict(values.get("split", {})),
            model=ModelConfig.from_dict(values.get("model", {})),
            train=TrainConfig.from_dict(values.get("train", {})),
            horizon=int(values.get("horizon", 30)),
        )


# A RunRequest's sections by name (links, the command line and the search space address fields
# as section.field).
SECTIONS: dict[str, type[ConfigBase]] = {
    "data": DataConfig,
    "split": SplitConfig,
    "model": ModelConfig,
    "train": TrainConfig,
}


def run_key(request: RunRequest, data_fingerprint: str) -> str:
    """Content hash of (schema version, data fingerprint, every config): same inputs, same key.
    The horizon is left out: forecasts are computed from the saved model, so it never retrains."""
    payload = request.to_dict()
    payload.pop("horizon", None)
    if payload["split"].get("season") == 0:
        del payload["split"]["season"]  # auto: runs saved before the setting keep their keys
    if payload["data"].get("generator") == "sine":
        del payload["data"]["generator"]  # the default generator keeps the keys it had before
    text = json.dumps(
        {"schema": SCHEMA_VERSION, "data": data_fingerprint, "request": payload}, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]
