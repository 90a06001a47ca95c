"""Plain-language verdicts and the small tables the Results, Classify and Runs pages show.

Streamlit-free so the wording is unit-tested: the network is compared with persistence
("tomorrow = today") first, because on price series copying the last value is hard to beat.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from core.data.snapshot import snapshot_info
from core.data.sources import SOURCE_REGISTRY
from core.errors import DataSourceError
from core.models.baselines import BASELINE_LABELS
from core.models.families import FAMILY_REGISTRY
from core.scores import (
    BaselineScores,
    ClassificationScores,
    ClassScores,
    RegressionScores,
    RunScores,
)
from core.units import currency_of, readable, typical_error

# Within this relative difference two errors count as "about the same".
SAME_BAND = 0.02
# Balanced accuracy this far above always naming one class shows the classes are told apart.
BALANCED_MARGIN = 0.05
METRIC_COLUMNS = {
    "mse": "Squared error (MSE)",
    "rmse": "Typical error (RMSE)",
    "mae": "Average error (MAE)",
    "mape": "Average error in %",
    "r2": "Ups and downs followed",
    "directional_accuracy": "Direction right",
    "skill_vs_naive": "Against tomorrow = today",
}
# The exact terms, for the column tooltips.
METRIC_HELP = {
    "mse": "MSE, mean squared error: the average of the squared errors. Lower is better.",
    "rmse": "RMSE, root mean squared error: a typical error size in the series' own units.",
    "mae": "MAE, mean absolute error: the average size of an error. Lower is better.",
    "mape": "MAPE, mean absolute percentage error: the average error in % of the value.",
    "r2": "R², coefficient of determination: the share of the ups and downs the forecast "
    "explains (1 is perfect, 0 is no better than the average).",
    "directional_accuracy": "Directional accuracy: how often the forecast moves the same way "
    "as reality.",
    "skill_vs_naive": "MSE compared with naive persistence (tomorrow = today): 'x% better' or "
    "'2.5x worse'. Skill score = 1 - MSE / MSE of tomorrow = today.",
}
CLASS_COLUMNS = {
    "accuracy": "Right on this class",
    "precision": "Precision",
    "recall": "Recall",
    "support": "Test days",
}


@dataclass(frozen=True)
class Verdict:
    """A headline sentence, its tone (good | neutral | bad) and supporting sentences."""

    headline: str
    tone: str
    details: list[str] = field(default_factory=list)


def describe_model(model) -> str:
    """A ModelConfig in words: "LSTM, 2 layers of 32 units" (+ what is not the default)."""
    family = FAMILY_REGISTRY[model.family]
    layers = model.hidden_layers + family.layers_beyond_hidden
    name = family.sentence_name
    name = name[0].upper() + name[1:]
    text = f"{name}, {layers} layer{'s' if layers != 1 else ''} of {model.units} units"
    if model.activation != "tanh":
        text += f", {model.activation}"
    if getattr(model, "linear_skip", False):
        text += " + linear shortcut"
    return text


def skill_words(mse: Any, naive_mse: Any) -> str:
    """An error compared with tomorrow = today in words: "31% better", "6.9x worse"."""
    if not (_finite(mse) and _finite(naive_mse)) or naive_mse <= 0:
        return ""
    ratio = float(mse) / float(naive_mse)
    if abs(ratio - 1) < SAME_BAND:
        return "about the same"
    if ratio >= 2:
        return f"{ratio:.1f}x worse"
    if ratio > 1:
        return f"{(ratio - 1) * 100:.0f}% worse"
    return f"{(1 - ratio) * 100:.0f}% better"


def model_name(family: str) -> str:
    """Short display name of a network family for sentences ("the LSTM's error ...")."""
    return FAMILY_REGISTRY[family].sentence_name if family in FAMILY_REGISTRY else family


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _percent(value: float) -> str:
    return f"{abs(value) * 100:.0f}%"


def _baseline_mse(
    baselines: Mapping[str, BaselineScores], name: str, units: str = "test"
) -> float | None:
    scores = baselines[name].in_units(units) if name in baselines else None
    return float(scores.mse) if scores is not None and _finite(scores.mse) else None


def _snapshot_end(series: Any):
    """The bundled snapshot's own last date (the series on screen may be cut by a date range)."""

    try:
        return pd.Timestamp(snapshot_info(series.source)["last_date"])
    except (DataSourceError, KeyError, ValueError):
        return series.dates[-1]


def data_notice_words(series: Any) -> str:
    """A market-data fallback notice in plain words (the technical notice goes in a details
    box): which copy of the prices is shown and what to do to get newer ones."""
    source = SOURCE_REGISTRY.get(series.source)
    name = source.picker_label if source is not None and source.downloads else series.name
    if series.provider == "snapshot" and len(series.dates):
        last = _snapshot_end(series).strftime("%d %B %Y").lstrip("0")
        return (
            f"The app cannot reach the internet price service right now, so it shows the copy "
            f"of the {name} prices stored inside the app, up to {last}. Everything works the "
            "same; press **Refresh prices now** when you are back online to add the newer days."
        )
    if series.fetched_at is not None:
        when = series.fetched_at.strftime("%d %B %Y").lstrip("0")
        return (
            f"The app cannot reach the internet price service right now, so it shows the {name} "
            f"prices it downloaded on {when}. Press **Refresh prices now** when you are back "
            "online to get the newer days."
        )
    return str(series.notice)


def regression_verdict(
    model_name: str,
    test_metrics: RegressionScores,
    baselines: Mapping[str, BaselineScores],
    noise_floor_mse: float | None = None,
    currency: str = "",
) -> Verdict:
    """Compare the network's test MSE with the best simple rule (the baseline with the lowest
    test MSE), then with persistence and the noise floor. The headline and its tone follow the
    best rule, never a weaker one: beating tomorrow = today while a straight line does better
    is not a thumbs-up. On prices (`currency`, e.g. "$") the headline gives the typical error
    (RMSE) in that currency, not a squared one."""
    model_mse = test_metrics.mse
    if not _finite(model_mse):
        return Verdict(f"The {model_name} produced no usable test error.", "bad")
    scored = {
        name: mse for name in baselines if (mse := _baseline_mse(baselines, name)) is not None
    }
    scored = {name: mse for name, mse in scored.items() if mse > 0}
    details: list[str] = []
    if not scored and currency:
        headline = f"The {model_name}'s typical test error is {typical_error(model_mse, currency)}"
        headline, tone = headline + " (RMSE).", "neutral"
    elif not scored:
        headline, tone = f"The {model_name}'s test MSE is {model_mse:.4g}.", "neutral"
    else:
        best = min(scored, key=scored.get)
        headline, tone = _against_best(model_name, model_mse, best, scored[best])
        if currency:
            headline += (
                f" Typical error {typical_error(model_mse, currency)} against "
                f"{typical_error(scored[best], currency)} for the rule (RMSE)."
            )
        naive_mse = scored.get("naive")
        if best != "naive" and naive_mse is not None:
            details.append(
                f"Against tomorrow = today (copying the last value) it is "
                f"{_than(skill_words(model_mse, naive_mse))}."
            )
    direction = test_metrics.directional_accuracy
    if _finite(direction):
        details.append(
            f"It calls the direction of the next move right {direction * 100:.0f}% of the time "
            "(a coin flip gets 50%)."
        )
    floor_text = noise_floor_sentence(model_mse, noise_floor_mse)
    if floor_text:
        details.append(floor_text)
    return Verdict(headline, tone, details)


def _than(words: str) -> str:
    return words if words == "about the same" else f"{words} than it"


def _against_best(model_name: str, model_mse: float, best: str, best_mse: float):
    """Headline and tone against the best simple rule."""
    change = (model_mse - best_mse) / best_mse
    if best == "naive":
        rule = "tomorrow = today (copying the last value)"
    else:
        rule = f"the best simple rule, {BASELINE_LABELS.get(best, best)}"
    if change <= -SAME_BAND:
        return (
            f"The {model_name}'s error is {_percent(change)} lower than {rule}"
            + ("." if best == "naive" else ", and lower than every other simple rule."),
            "good",
        )
    if change < SAME_BAND:
        copying = ": it has essentially learned to copy the last value" if best == "naive" else ""
        return (
            f"The {model_name} does about as well as {rule} (within {_percent(change)}){copying}.",
            "neutral",
        )
    if best == "naive":
        return (
            f"The {model_name} is {skill_words(model_mse, best_mse)} than tomorrow = today: "
            "simply copying the last value would forecast better.",
            "bad",
        )
    label = BASELINE_LABELS.get(best, best)
    return (
        f"{label[0].upper() + label[1:]} forecasts better: the {model_name} is "
        f"{skill_words(model_mse, best_mse)} than it.",
        "bad",
    )


def noise_floor_sentence(model_mse: float, noise_floor_mse: float | None) -> str | None:
    """How far the test MSE is above the irreducible noise variance (synthetic data only)."""
    if noise_floor_mse is None or not _finite(noise_floor_mse) or noise_floor_mse <= 0:
        return None
    gap = model_mse / noise_floor_mse - 1.0
    floor = f"{noise_floor_mse:.4g}"
    if gap <= 0.05:
        return (
            f"Its MSE ({model_mse:.4g}) is at the noise floor ({floor}): no forecaster can do "
            "much better on this series, because the rest is pure noise."
        )
    distance = f"{gap + 1:.1f}x" if gap >= 1 else f"{_percent(gap)} above"
    return (
        f"Its MSE ({model_mse:.4g}) is {distance} the noise floor ({floor}), the error "
        "of a perfect forecaster that knows the noise-free signal."
    )


def metrics_table(
    model_name: str,
    metrics: RunScores,
    baselines: Mapping[str, BaselineScores],
    *,
    units: str = "test",
) -> pd.DataFrame:
    """One row per forecaster (the network first), one column per metric key; units test or
    test_scaled. Columns: the keys of METRIC_COLUMNS (skill_vs_naive in words, see skill_words) and,
    when a baseline failed, "note" with its error (that row's metrics are NaN).
    """
    rows: dict[str, dict[str, Any]] = {}
    naive_value = _baseline_mse(baselines, "naive", units)
    naive_mse = naive_value if naive_value is not None and naive_value > 0 else None

    def row(values: RegressionScores | None, note: str = "") -> dict[str, Any]:
        # The columns are RegressionScores' field names (plus skill and note).
        out = {key: getattr(values, key, math.nan) for key in METRIC_COLUMNS}
        mse = math.nan if values is None else values.mse
        out["skill_vs_naive"] = skill_words(mse, naive_mse) if naive_mse else ""
        out["note"] = note
        return out

    rows[model_name] = row(metrics.in_units(units))
    for name, values in baselines.items():
        label = BASELINE_LABELS.get(name, name)
        if values.failed:
            rows[label] = row(None, f"failed: {values.error}")
        else:
            rows[label] = row(values.in_units(units))
            if name == "naive":
                # Persistence never predicts a move, so a direction score (always 0) says nothing.
                rows[label]["directional_accuracy"] = math.nan
                rows[label]["skill_vs_naive"] = "the reference"
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "forecaster"
    if not table["note"].astype(bool).any():
        table = table.drop(columns="note")
    return table


def classification_verdict(test_metrics: ClassificationScores) -> Verdict:
    """Accuracy against always guessing the most common class, in plain words."""
    accuracy = test_metrics.accuracy
    majority = test_metrics.majority_baseline_accuracy
    majority_class = test_metrics.majority_class or "the most common class"
    if not _finite(accuracy) or not _finite(majority):
        return Verdict("The classifier produced no usable test accuracy.", "bad")
    gap = accuracy - majority
    base = (
        f"The classifier is right on {accuracy * 100:.0f}% of the test days; always guessing "
        f"'{majority_class}' (the most common class) would be right on {majority * 100:.0f}%."
    )
    details: list[str] = []
    per_class = test_metrics.per_class
    never_predicted = [
        name
        for name, values in per_class.items()
        if values.support > 0 and not _finite(values.precision)
    ]
    if len(never_predicted) >= 2:
        details.append(
            f"It never predicts {' or '.join(never_predicted)}: it has collapsed onto a single "
            "class, a common failure on noisy price data (many such runs are known)."
        )
    elif never_predicted:
        name = never_predicted[0]
        days = per_class[name].support
        details.append(
            f"It never predicts '{name}' (0 of the {days} test days that were {name}), so it "
            f"cannot catch a single {name} day."
        )
    balanced = test_metrics.balanced_accuracy
    chance = test_metrics.majority_balanced_accuracy
    if not _finite(chance):
        chance = 1 / max(1, len(per_class) or 3)
    separates = _finite(balanced) and balanced >= chance + BALANCED_MARGIN
    if _finite(balanced):
        details.append(
            f"Counting each class equally (balanced accuracy: the average share of each class's "
            f"days it catches) it scores {balanced * 100:.0f}%, where always saying "
            f"'{majority_class}' scores {chance * 100:.0f}%."
        )
    recall_text = recall_sentence(per_class)
    if recall_text:
        details.append(recall_text)
    if gap >= 0.02:
        return Verdict(base + f" It beats that guess by {gap * 100:.0f} points.", "good", details)
    if separates:
        return Verdict(
            base + " It is not right more often than that guess, but it does tell the kinds of "
            f"day apart: balanced accuracy {balanced * 100:.0f}% against {chance * 100:.0f}%.",
            "neutral",
            details,
        )
    could_not = f"it could not beat always saying '{majority_class}'."
    if gap > -0.02:
        return Verdict(base + " It is no better than that guess: " + could_not, "neutral", details)
    return Verdict(
        base + f" It is {abs(gap) * 100:.0f} points worse than that guess: " + could_not,
        "bad",
        details,
    )


def recall_sentence(per_class: Mapping[str, ClassScores]) -> str | None:
    """Per-class recall in words: "It catches 40% of the down days, 10% of the flat days ..."."""
    parts = [
        f"{values.recall * 100:.0f}% of the {name} days"
        for name, values in per_class.items()
        if values.support > 0 and _finite(values.recall)
    ]
    if not parts:
        return None
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"It catches {listing}."


def linear_share_sentence(result: Any) -> str | None:
    """With the linear shortcut on: what the straight-line part alone scores and what the
    network adds on top, in plain words; None without the shortcut (or for classifiers)."""
    metrics = getattr(result, "metrics", None)
    if not isinstance(metrics, RunScores) or not isinstance(metrics.test, RegressionScores):
        return None
    linear_mse, model_mse = metrics.linear_part_mse, metrics.test.mse
    if not _finite(linear_mse) or not _finite(model_mse) or linear_mse <= 0:
        return None
    change = (linear_mse - model_mse) / linear_mse
    request = getattr(result, "request", None)
    currency = currency_of(request.data.source) if request is not None else ""
    if currency:  # prices: typical errors in dollars (RMSE), not squared dollars
        start = (
            "The straight-line part alone (the linear shortcut) has a typical test error of "
            f"{typical_error(linear_mse, currency)}; the network on top brings it to "
            f"{typical_error(model_mse, currency)} (RMSE)"
        )
    else:
        start = (
            f"The straight-line part alone (the linear shortcut) scores a test MSE of "
            f"{readable(linear_mse)}; the network on top brings it to {readable(model_mse)}"
        )
    if change >= SAME_BAND:
        return start + f" ({_percent(change)} better): the network adds real skill."
    if change > -SAME_BAND:
        return start + ": about the same, so the straight line does nearly all of the work."
    return start + f" ({_percent(change)} worse): the network on top only adds noise here."


def class_table(test_metrics: ClassificationScores) -> pd.DataFrame:
    """Per-class accuracy, precision, recall and support (rows down, flat, up)."""
    rows = {name: values.to_dict() for name, values in test_metrics.per_class.items()}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(CLASS_COLUMNS))
    table.index.name = "class"
    return table


def runs_table(summaries: Sequence[Any]) -> pd.DataFrame:
    """One row per saved run (RunSummary objects), newest first, for the Runs page."""
    rows = []
    for summary in summaries:
        skill_value = skill_words(summary.test_mse, summary.naive_mse)
        rows.append(
            {
                "created": summary.created_at.replace("T", " ").replace("Z", ""),
                "data": summary.data_label,
                "model": describe_model(summary.request.model),
                "task": "up/flat/down" if summary.task == "classification" else "next value",
                "test_mse": summary.test_mse if _finite(summary.test_mse) else math.nan,
                "skill_vs_naive": skill_value,
                "accuracy": summary.accuracy if _finite(summary.accuracy) else math.nan,
                "epochs": summary.epochs_run,
                "seconds": summary.train_seconds,
                "key": summary.key,
            }
        )
    columns = [
        "created",
        "data",
        "model",
        "task",
        "test_mse",
        "skill_vs_naive",
        "accuracy",
        "epochs",
        "seconds",
        "key",
    ]
    return pd.DataFrame(rows, columns=columns)
