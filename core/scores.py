"""A run's scores as small frozen dataclasses: the network's (RunScores) and each baseline's
(BaselineScores), with from_dict/to_dict in the JSON shape run files and the CLI have always used;
NaiveScores is a search's persistence reference.

The dicts come from core.evaluation.metrics (regression_metrics, classification_metrics); a key
these classes do not know is ignored on load and a missing number reads as NaN, so runs saved
before a score existed still load.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The two unit systems a regression run is scored in: the series' own and the network's 0..1.
UNITS = ("test", "test_scaled")


def _number(value: Any) -> float:
    """A float from a stored score; None (how JSON writes NaN) and a missing value are NaN."""
    return math.nan if value is None else float(value)


def _optional_number(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class RegressionScores:
    """regression_metrics' figures for one forecaster on one part of the series."""

    mse: float
    rmse: float
    mae: float
    mape: float  # percent; NaN when every actual is zero
    r2: float
    directional_accuracy: float  # NaN without the previous values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RegressionScores:
        return cls(
            **{item.name: _number(values.get(item.name)) for item in dataclasses.fields(cls)}
        )

    def to_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ClassScores:
    """One class's share caught (accuracy = recall), precision and number of test steps."""

    accuracy: float
    precision: float  # NaN for a class never predicted
    recall: float  # NaN for a class absent from the labels
    support: int

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ClassScores:
        return cls(
            accuracy=_number(values.get("accuracy")),
            precision=_number(values.get("precision")),
            recall=_number(values.get("recall")),
            support=int(values.get("support") or 0),
        )

    def to_dict(self) -> dict[str, float | int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ClassificationScores:
    """classification_metrics' figures for the up/flat/down classifier on one part."""

    accuracy: float
    balanced_accuracy: float  # mean recall over the classes present
    majority_balanced_accuracy: float  # what always naming one class scores: 1 / classes
    per_class: dict[str, ClassScores] = field(default_factory=dict)  # down, flat, up
    never_predicted: tuple[str, ...] = ()
    confusion: tuple[tuple[int, ...], ...] = ()  # rows actual, columns predicted
    majority_baseline_accuracy: float = math.nan  # always predicting the most common class
    majority_class: str = ""

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ClassificationScores:
        return cls(
            accuracy=_number(values.get("accuracy")),
            balanced_accuracy=_number(values.get("balanced_accuracy")),
            majority_balanced_accuracy=_number(values.get("majority_balanced_accuracy")),
            per_class={
                str(name): ClassScores.from_dict(scores)
                for name, scores in (values.get("per_class") or {}).items()
            },
            never_predicted=tuple(values.get("never_predicted") or ()),
            confusion=tuple(
                tuple(int(count) for count in row) for row in values.get("confusion") or ()
            ),
            majority_baseline_accuracy=_number(values.get("majority_baseline_accuracy")),
            majority_class=str(values.get("majority_class") or ""),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "balanced_accuracy": self.balanced_accuracy,
            "majority_balanced_accuracy": self.majority_balanced_accuracy,
            "per_class": {name: scores.to_dict() for name, scores in self.per_class.items()},
            "never_predicted": list(self.never_predicted),
            "confusion": [list(row) for row in self.confusion],
            "majority_baseline_accuracy": self.majority_baseline_accuracy,
            "majority_class": self.majority_class,
        }


Scores = RegressionScores | ClassificationScores


def scores_from_dict(values: Mapping[str, Any]) -> Scores:
    """RegressionScores or ClassificationScores, told apart by their keys."""
    if "accuracy" in values and "mse" not in values:
        return ClassificationScores.from_dict(values)
    return RegressionScores.from_dict(values)


@dataclass(frozen=True)
class RunScores:
    """The network's scores: test and train, and for a regression run the test part on the
    0..1 scale too and, with the linear shortcut on, the MSE of the straight-line part alone."""

    test: Scores
    train: Scores
    test_scaled: RegressionScores | None = None
    linear_part_mse: float | None = None

    def in_units(self, units: str) -> Scores | None:
        """The test scores in "test" (the series' own units) or "test_scaled" (0..1)."""
        return _in_units(self, units)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RunScores:
        scaled = values.get("test_scaled")
        return cls(
            test=scores_from_dict(values.get("test") or {}),
            train=scores_from_dict(values.get("train") or {}),
            test_scaled=None if scaled is None else RegressionScores.from_dict(scaled),
            linear_part_mse=_optional_number(values.get("linear_part_mse")),
        )

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {"test": self.test.to_dict()}
        if self.test_scaled is not None:
            values["test_scaled"] = self.test_scaled.to_dict()
        if self.linear_part_mse is not None:
            values["linear_part_mse"] = self.linear_part_mse
        values["train"] = self.train.to_dict()
        return values


@dataclass(frozen=True)
class BaselineScores:
    """A baseline's test scores in both units and how long it took, or why it failed."""

    test: RegressionScores | None = None
    test_scaled: RegressionScores | None = None
    seconds: float | None = None
    error: str | None = None  # "TypeError: ..." when the baseline raised

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def test_mse(self) -> float | None:
        """The test MSE in the series' own units; None when the baseline failed."""
        return None if self.test is None else self.test.mse

    def in_units(self, units: str) -> RegressionScores | None:
        """The test scores in "test" (the series' own units) or "test_scaled" (0..1)."""
        return _in_units(self, units)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> BaselineScores:
        if values.get("error") is not None:
            return cls(error=str(values["error"]))
        test, scaled = values.get("test"), values.get("test_scaled")
        return cls(
            test=None if test is None else RegressionScores.from_dict(test),
            test_scaled=None if scaled is None else RegressionScores.from_dict(scaled),
            seconds=_optional_number(values.get("seconds")),
        )

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error}
        values: dict[str, Any] = {}
        if self.test is not None:
            values["test"] = self.test.to_dict()
        if self.test_scaled is not None:
            values["test_scaled"] = self.test_scaled.to_dict()
        if self.seconds is not None:
            values["seconds"] = self.seconds
        return values


@dataclass(frozen=True)
class NaiveScores:
    """Naive persistence (tomorrow = today) on a search's test targets: the reference a study
    stores once (its "naive" attribute) and every trial is compared with."""

    mse: float  # on the network's 0..1 scale, like a trial's "mse"
    mae: float
    mse_original: float  # in the series' own units
    mae_original: float

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> NaiveScores:
        return cls(
            **{item.name: _number(values.get(item.name)) for item in dataclasses.fields(cls)}
        )

    def to_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


def _in_units(scores: RunScores | BaselineScores, units: str) -> Any:
    if units not in UNITS:
        raise ValueError(f"units must be one of {', '.join(UNITS)}; received {units!r}.")
    return scores.test if units == "test" else scores.test_scaled


def baselines_from_dict(values: Mapping[str, Mapping[str, Any]]) -> dict[str, BaselineScores]:
    """{name: BaselineScores} from the stored {name: {...}} of a run."""
    return {str(name): BaselineScores.from_dict(scores) for name, scores in values.items()}


def baselines_to_dict(baselines: Mapping[str, BaselineScores]) -> dict[str, dict[str, Any]]:
    """The stored {name: {...}} shape of {name: BaselineScores}."""
    return {name: scores.to_dict() for name, scores in baselines.items()}
