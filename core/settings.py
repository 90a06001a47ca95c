"""One declaration per setting: dataclass field metadata (label, help, unit, choices, range,
advanced) that validation, the CLI, the forms, the search space and links all read."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from core.errors import ConfigError

METADATA_KEY = "setting"


@dataclass(frozen=True)
class Setting:
    """What a config field is, for people: its label and help, its unit, and what it accepts.

    low..high is what validation accepts; typical (low, high) is the narrower range the forms
    offer by default. choices is a tuple of names, or a callable returning them (registries)."""

    label: str
    help: str
    unit: str = ""
    choices: Any = ()
    low: float | None = None
    high: float | None = None
    hint: str = ""  # how to fix an out-of-range value
    typical: tuple[float, float] | None = None
    advanced: bool = False

    @property
    def choice_names(self) -> tuple[str, ...]:
        return tuple(self.choices() if callable(self.choices) else self.choices)

    def check(self, value: Any) -> None:
        """Raise ConfigError saying what was received and how to fix it."""
        if value is None:
            return  # optional settings (None = not set) are checked where they are used
        if isinstance(value, tuple):
            for item in value:
                self.check(item)
            return
        names = self.choice_names
        if names and value not in names:
            raise ConfigError(
                f"{self.label} '{value}' is not one of {', '.join(names)}; pick one of those."
            )
        low = -float("inf") if self.low is None else self.low
        high = float("inf") if self.high is None else self.high
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(
                f"{self.label} ({value}) is not a finite number; give an ordinary number."
            )
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not low <= value <= high:
                message = f"{self.label} ({value}) must be between {self.low} and {self.high}"
                raise ConfigError(message + (f"; {self.hint}" if self.hint else "."))


def setting(default: Any, label: str, help: str, **details: Any) -> Any:
    """A dataclass field with its declaration in the metadata."""
    return field(default=default, metadata={METADATA_KEY: Setting(label, help, **details)})


def setting_of(config_class: type, name: str) -> Setting | None:
    """The declaration of one field, or None for a field without one."""
    for item in dataclasses.fields(config_class):
        if item.name == name:
            return item.metadata.get(METADATA_KEY)
    return None


def settings_of(config_class: type) -> dict[str, Setting]:
    """Field name -> declaration, in field order."""
    return {
        item.name: item.metadata[METADATA_KEY]
        for item in dataclasses.fields(config_class)
        if METADATA_KEY in item.metadata
    }


class ConfigBase:
    """Shared by the configs: validation from the declarations, a plain dict, rebuild from a
    dict (unknown keys ignored), replace, and a content hash."""

    def __post_init__(self) -> None:
        for name, declared in settings_of(type(self)).items():
            declared.check(getattr(self, name))

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
