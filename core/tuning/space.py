"""Hyperparameter search spaces: typed parameters, presets (default, the tuning paper), JSON
files, and the mappings to Optuna distributions, grid points, the unit cube and run configs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from optuna.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

from core.config import SECTIONS, ModelConfig, SplitConfig, TrainConfig
from core.errors import ConfigError
from core.settings import Setting, setting_of

KINDS = ("int", "float", "categorical")

# Tunable parameter name -> the config section whose field of the same name it sets.
TARGETS: dict[str, str] = {
    "family": "model",
    "activation": "model",
    "hidden_layers": "model",
    "units": "model",
    "dropout_rate": "model",
    "dense_front_layers": "model",
    "learning_rate": "train",
    "batch_size": "train",
    "optimizer": "train",
    "epochs": "train",
    "lookback": "split",
}


def declared(name: str) -> Setting:
    """The config field's declaration (core.settings) a tunable parameter sets."""
    return setting_of(SECTIONS[TARGETS[name]], name)


# Lower-case labels for sentences, from the fields' declarations.
PARAMETER_LABELS = {
    name: declared(name).label[0].lower() + declared(name).label[1:] for name in TARGETS
}

_CHOICES = {name: declared(name).choice_names for name in TARGETS if declared(name).choice_names}


@dataclass(frozen=True)
class Parameter:
    """One searchable setting: an int or float range (optionally log-scaled or stepped), or a
    list of choices (numbers such as powers of two for the batch size, or names)."""

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if self.name not in TARGETS:
            raise ConfigError(
                f"search parameter '{self.name}' is not tunable; use one of {', '.join(TARGETS)}."
            )
        if self.kind not in KINDS:
            raise ConfigError(
                f"parameter '{self.name}' has kind '{self.kind}'; use one of {', '.join(KINDS)}."
            )
        if self.kind == "categorical":
            if not self.choices:
                raise ConfigError(f"parameter '{self.name}' lists no choices; give at least one.")
            allowed = _CHOICES.get(self.name)
            for choice in self.choices:
                if allowed is not None and choice not in allowed:
                    raise ConfigError(
                        f"'{choice}' is not a valid {self.name}; pick from {', '.join(allowed)}."
                    )
                if allowed is None and not isinstance(choice, int | float):
                    raise ConfigError(
                        f"parameter '{self.name}' takes numbers; '{choice}' is not a number."
                    )
            return
        if self.name in _CHOICES:
            raise ConfigError(f"parameter '{self.name}' is a name; make it 'categorical'.")
        if self.low is None or self.high is None:
            raise ConfigError(f"parameter '{self.name}' needs both low and high bounds.")
        if not self.low <= self.high:
            raise ConfigError(
                f"parameter '{self.name}': low ({self.low}) must not exceed high ({self.high})."
            )
        if self.log and self.low <= 0:
            raise ConfigError(
                f"parameter '{self.name}' is log-scaled, so low ({self.low}) must be above 0."
            )
        if self.log and self.step not in (None, 1):
            raise ConfigError(f"parameter '{self.name}': a log scale cannot also have a step.")
        if self.step is not None and self.step <= 0:
            raise ConfigError(f"parameter '{self.name}': step ({self.step}) must be positive.")
        if self.kind == "int":
            if int(self.low) != self.low or int(self.high) != self.high:
                raise ConfigError(f"integer parameter '{self.name}' needs whole-number bounds.")
        _check_bounds(self)

    @property
    def label(self) -> str:
        return PARAMETER_LABELS[self.name]

    @property
    def int_step(self) -> int:
        return 1 if self.log or self.step is None else int(self.step)

    def distribution(self):
        """The matching Optuna distribution."""

        if self.kind == "categorical":
            return CategoricalDistribution(list(self.choices))
        if self.kind == "int":
            return IntDistribution(int(self.low), int(self.high), log=self.log, step=self.int_step)
        return FloatDistribution(float(self.low), float(self.high), log=self.log, step=self.step)

    def suggest(self, trial) -> Any:
        """Ask an Optuna trial for this parameter (same distribution as `distribution`)."""
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(
                self.name, int(self.low), int(self.high), log=self.log, step=self.int_step
            )
        return trial.suggest_float(
            self.name, float(self.low), float(self.high), log=self.log, step=self.step
        )

    def from_unit(self, position: float) -> Any:
        """Map a position in [0, 1] onto a valid value (log scale, steps and choices honoured)."""
        position = min(max(float(position), 0.0), 1.0)
        if self.kind == "categorical":
            return self.choices[min(int(position * len(self.choices)), len(self.choices) - 1)]
        low, high = float(self.low), float(self.high)
        if self.log:
            value = math.exp(math.log(low) + position * (math.log(high) - math.log(low)))
        else:
            value = low + position * (high - low)
        if self.kind == "int":
            step = self.int_step
            value = int(low) + int(round((value - low) / step)) * step
            return int(min(max(value, int(low)), int(high)))
        if self.step is not None:
            count = int(round((value - low) / self.step))
            value = round(low + count * self.step, 12)
        return float(min(max(value, low), high))

    def to_unit(self, value: Any) -> float:
        """Inverse of from_unit: where a value sits in [0, 1] (a choice's bucket centre)."""
        if self.kind == "categorical":
            index = list(self.choices).index(value)
            return (index + 0.5) / len(self.choices)
        low, high = float(self.low), float(self.high)
        if high == low:
            return 0.5
        if self.log:
            return (math.log(float(value)) - math.log(low)) / (math.log(high) - math.log(low))
        return (float(value) - low) / (high - low)

    def grid_values(self, points: int = 3) -> list[Any]:
        """At most `points` evenly spread values (all of them where there are fewer)."""
        if self.kind == "categorical":
            if len(self.choices) <= points:
                return list(self.choices)
            spots = np.linspace(0, len(self.choices) - 1, points).round().astype(int)
            return [self.choices[index] for index in sorted(set(spots.tolist()))]
        if self.kind == "int" and not self.log:
            every = list(range(int(self.low), int(self.high) + 1, self.int_step))
            if len(every) <= points:
                return every
        positions = np.linspace(0.0, 1.0, points) if points > 1 else np.array([0.5])
        values: list[Any] = []
        for position in positions:
            value = self.from_unit(position)
            if value not in values:
                values.append(value)
        return values

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind == "categorical":
            data["choices"] = list(self.choices)
        else:
            data.update(low=self.low, high=self.high, log=self.log, step=self.step)
        return data

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Parameter:
        if not isinstance(values, dict) or "name" not in values or "kind" not in values:
            raise ConfigError(
                f"each search parameter needs a 'name' and a 'kind'; received {values!r}."
            )
        return cls(
            name=str(values["name"]),
            kind=str(values["kind"]),
            low=values.get("low"),
            high=values.get("high"),
            log=bool(values.get("log", False)),
            step=values.get("step"),
            choices=tuple(values.get("choices") or ()),
        )


def _check_bounds(parameter: Parameter) -> None:
    """Ranges the configs accept (their declarations), so a search never proposes a value the
    configs reject."""
    low, high = declared(parameter.name).low, declared(parameter.name).high
    if parameter.low < low or parameter.high > high:
        raise ConfigError(
            f"parameter '{parameter.name}' range {parameter.low}..{parameter.high} leaves the "
            f"allowed {low:g}..{high:g}; narrow it."
        )


@dataclass(frozen=True)
class SearchSpace:
    """An ordered set of parameters; the rest of each run config comes from the base configs."""

    parameters: tuple[Parameter, ...]
    name: str = "custom"
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.parameters:
            raise ConfigError("the search space is empty; add at least one parameter.")
        names = [parameter.name for parameter in self.parameters]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ConfigError(f"parameters listed twice: {', '.join(duplicates)}; keep one each.")

    @property
    def names(self) -> list[str]:
        return [parameter.name for parameter in self.parameters]

    def __getitem__(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    def distributions(self) -> dict[str, Any]:
        return {parameter.name: parameter.distribution() for parameter in self.parameters}

    def suggest(self, trial) -> dict[str, Any]:
        return {parameter.name: parameter.suggest(trial) for parameter in self.parameters}

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """Uniform sample in each parameter's own scale (log-uniform where log)."""
        return self.from_unit(rng.random(len(self.parameters)))

    def from_unit(self, positions: np.ndarray) -> dict[str, Any]:
        return {
            parameter.name: parameter.from_unit(position)
            for parameter, position in zip(self.parameters, positions, strict=True)
        }

    def to_unit(self, params: dict[str, Any]) -> np.ndarray:
        return np.array(
            [parameter.to_unit(params[parameter.name]) for parameter in self.parameters]
        )

    def grid(self, points: int = 3) -> dict[str, list[Any]]:
        return {parameter.name: parameter.grid_values(points) for parameter in self.parameters}

    def grid_size(self, points: int = 3) -> int:
        return int(np.prod([len(values) for values in self.grid(points).values()]))

    def contains(self, params: dict[str, Any]) -> bool:
        """True when every parameter is present and valid for its distribution."""
        for parameter in self.parameters:
            if parameter.name not in params:
                return False
            if not parameter.distribution()._contains(
                parameter.distribution().to_internal_repr(params[parameter.name])
            ):
                return False
        return True

    def apply(
        self,
        params: dict[str, Any],
        model: ModelConfig,
        train: TrainConfig,
        split: SplitConfig,
    ) -> tuple[ModelConfig, TrainConfig, SplitConfig]:
        """The base configs with a trial's parameter values put in (configs validate them)."""
        changes: dict[str, dict[str, Any]] = {"model": {}, "train": {}, "split": {}}
        for name, value in params.items():
            if name in TARGETS:
                changes[TARGETS[name]][name] = value
        return (
            model.replace(**changes["model"]),
            train.replace(**changes["train"]),
            split.replace(**changes["split"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "notes": list(self.notes),
            "parameters": [parameter.to_dict() for parameter in self.parameters],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SearchSpace:
        if not isinstance(values, dict) or not isinstance(values.get("parameters"), list):
            raise ConfigError(
                "a search space is a JSON object with a 'parameters' list, e.g. "
                '{"parameters": [{"name": "units", "kind": "int", "low": 4, "high": 64}]}.'
            )
        return cls(
            parameters=tuple(Parameter.from_dict(item) for item in values["parameters"]),
            name=str(values.get("name", "custom")),
            notes=tuple(values.get("notes") or ()),
        )

    @classmethod
    def from_json(cls, text: str) -> SearchSpace:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"the search space is not valid JSON ({error.msg} at line {error.lineno}); "
                "fix the file or start from `default`."
            ) from error
        return cls.from_dict(values)


def powers_of_two(low: int, high: int) -> tuple[int, ...]:
    exponents = range(int(math.log2(low)), int(math.log2(high)) + 1)
    return tuple(2**exponent for exponent in exponents)


def default_space() -> SearchSpace:
    """A small space that runs interactively on a laptop (a few seconds per trial)."""
    return SearchSpace(
        name="default",
        parameters=(
            Parameter("hidden_layers", "int", 0, 2),
            Parameter("units", "int", 4, 64, log=True),
            Parameter("learning_rate", "float", 1e-4, 3e-2, log=True),
            Parameter("batch_size", "categorical", choices=powers_of_two(16, 256)),
            Parameter("dropout_rate", "float", 0.0, 0.3, step=0.1),
            Parameter("lookback", "int", 5, 60),
        ),
        notes=("Interactive default: 2-4 LSTM layers of 4-64 units, windows of 5-60 steps.",),
    )


def tuning_paper_space() -> SearchSpace:
    """The tuning paper's space. Its layers 1..10 are hidden_layers 0..9 here: the registry's
    recurrent stack always has an input and an output layer (the Bitcoin study's count), so
    0 hidden = 2 layers."""
    return SearchSpace(
        name="study-b",
        parameters=(
            Parameter("hidden_layers", "int", 0, 9),
            Parameter("units", "int", 1, 10),
            Parameter("learning_rate", "float", 1e-5, 0.1, log=True),
            Parameter("batch_size", "categorical", choices=powers_of_two(16, 2048)),
            Parameter("dropout_rate", "float", 0.1, 0.9, step=0.1),
            Parameter("lookback", "int", 1, 250),
        ),
        notes=(
            "The S&P 500 tuning paper: layers 1..10, units 1..10, learning rate 1e-5..0.1 "
            "(log), batch 16..2048 (powers of 2), dropout 0.1..0.9 (step 0.1), sequence length "
            "1..250.",
            "Layers map to hidden_layers 0..9: this app's recurrent stack always has an input "
            "and an output layer, so the shallowest model has 2 LSTM layers, not 1.",
        ),
    )


SPACE_PRESETS = {"default": default_space, "study-b": tuning_paper_space}


def load_space(spec: str) -> SearchSpace:
    """A preset name (default, study-b) or the path of a JSON space file."""
    if spec in SPACE_PRESETS:
        return SPACE_PRESETS[spec]()
    path = Path(spec).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"search space '{spec}' is neither a preset ({', '.join(SPACE_PRESETS)}) nor a "
            "readable JSON file; pass a preset name or a file path."
        )
    return SearchSpace.from_json(path.read_text(encoding="utf-8"))


__all__ = [
    "PARAMETER_LABELS",
    "Parameter",
    "SPACE_PRESETS",
    "SearchSpace",
    "TARGETS",
    "default_space",
    "load_space",
    "powers_of_two",
    "tuning_paper_space",
]
