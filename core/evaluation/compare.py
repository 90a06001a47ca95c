"""Side-by-side comparison of saved runs: their scores in one table, the settings that differ,
and the change in each metric between a run and the one before it (Runs and Results pages)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from core.config import ModelConfig
from core.evaluation.noise import seed_spread
from core.evaluation.verdict import describe_model, skill_words
from core.models.families import FAMILY_REGISTRY
from core.scores import RegressionScores

# Plain names of the settings a user changes; others fall back to "section · field name".
SETTING_LABELS = {
    "data.source": "Data source",
    "data.provider": "Provider",
    "data.start_date": "From",
    "data.end_date": "To",
    "data.csv_path": "File",
    "data.length": "Length (days)",
    "data.noise_level": "Noise level",
    "data.seed": "Noise seed",
    "split.method": "Test part",
    "split.test_size": "Test days",
    "split.test_fraction": "Test share",
    "split.test_year": "Test year",
    "split.lookback": "Look-back window (days)",
    "split.scaling_margin": "Room above the training range",
    "split.validation_fraction": "Part kept for checking",
    "model.family": "Network family",
    "model.task": "Predicts",
    "model.layers": "Layers",
    "model.units": "Units per layer",
    "model.activation": "Activation",
    "model.dropout_rate": "Dropout",
    "model.dense_front_layers": "Dense layers before the recurrent ones",
    "model.linear_skip": "Linear shortcut",
    "model.predict_change": "Predicts the change",
    "train.optimizer": "Optimizer",
    "train.learning_rate": "Learning rate",
    "train.batch_size": "Batch size",
    "train.epochs": "Maximum epochs",
    "train.patience": "Early-stopping patience",
    "train.seed": "Training seed",
    "horizon": "Forecast past the end (days)",
}
# Metrics of the "change since the run before" table: key -> (label, lower is better).
CHANGE_METRICS = {
    "mse": ("Squared error (MSE)", True),
    "rmse": ("Typical error (RMSE)", True),
    "mae": ("Average error (MAE)", True),
    "mape": ("Average error in % (MAPE)", True),
    "r2": ("Ups and downs followed (R²)", False),
    "directional_accuracy": ("Direction right", False),
    "accuracy": ("Accuracy", False),
    "balanced_accuracy": ("Balanced accuracy", False),
}


def total_layers(model: Mapping[str, Any]) -> int:
    """The one layer count the app shows (ModelConfig.layers): the family's own layers."""
    family = FAMILY_REGISTRY[model.get("family") or ModelConfig().family]
    return int(model.get("hidden_layers", 0)) + family.layers_beyond_hidden


def _flatten(request) -> dict[str, Any]:
    values = request.to_dict()
    flat: dict[str, Any] = {"horizon": values.get("horizon")}
    for section in ("data", "split", "model", "train"):
        for name, value in (values.get(section) or {}).items():
            flat[f"{section}.{name}"] = value
    flat["model.layers"] = total_layers(values.get("model") or {})
    flat.pop("model.hidden_layers", None)
    return flat


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def setting_differences(runs: Sequence[tuple[str, Any]]) -> pd.DataFrame:
    """The settings that differ between runs: one row per setting, one column per run label.

    `runs` holds (label, RunRequest) pairs. Empty (no rows) when every setting is the same.
    """
    flats = [(label, _flatten(request)) for label, request in runs]
    keys: list[str] = []
    for _, flat in flats:
        keys.extend(key for key in flat if key not in keys)
    rows = {}
    for key in keys:
        shown = [_text(flat.get(key)) for _, flat in flats]
        if len(set(shown)) > 1:
            section, _, name = key.partition(".")
            label = SETTING_LABELS.get(key, f"{section} · {name.replace('_', ' ')}")
            rows[label] = dict(zip([label for label, _ in flats], shown, strict=True))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[label for label, _ in flats])
    table.index.name = "setting"
    return table


def change_sentence(new_request, old_request) -> str:
    """What changed from one run's settings to another's, e.g. "Units per layer 32 → 64"."""
    table = setting_differences([("new", new_request), ("old", old_request)])
    if table.empty:
        return "The settings are the same."
    changes = [f"{setting} {row['old']} → {row['new']}" for setting, row in table.iterrows()]
    return "What changed: " + "; ".join(changes) + "."


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def scores_table(runs: Sequence[tuple[str, Any]]) -> pd.DataFrame:
    """One row per run (label, RunResult): model, test errors, skill in words, accuracy, time."""
    rows = {}
    for label, result in runs:
        test = result.metrics.test
        naive = result.baselines.get("naive")
        naive_mse = None if naive is None else naive.test_mse
        if isinstance(test, RegressionScores):
            scores = {
                "test_mse": test.mse if _finite(test.mse) else math.nan,
                "test_mae": test.mae,
                "skill": skill_words(test.mse, naive_mse),
            }
        else:
            scores = {"accuracy": test.accuracy, "balanced_accuracy": test.balanced_accuracy}
        rows[label] = {
            "model": describe_model(result.request.model),
            "test_mse": math.nan,
            "test_mae": math.nan,
            "skill": "",
            "accuracy": math.nan,
            "balanced_accuracy": math.nan,
            **scores,
            "seconds": result.train_seconds,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "run"
    return table.dropna(axis="columns", how="all")


# Accuracy moves by about this many points between training seeds (the bench's classifier
# over seeds 0-2; the Classify page's margin): less is noise.
ACCURACY_SPREAD = 0.02


def _within(now: float, before: float, spread: float) -> bool:
    """Whether two errors lie no further apart than two seeds' errors can (spread: the largest
    over the smallest, minus one, as the bench measures it)."""
    low, high = sorted((abs(now), abs(before)))
    return low > 0 and high / low - 1 <= spread


def _change_words(before: float, now: float, lower_is_better: bool, spread: float) -> str:
    """A change in words; within the seed-to-seed spread ("about the same") it is not news."""
    if not (_finite(before) and _finite(now)):
        return "—"
    if before == now:
        return "no change"
    if before != 0 and lower_is_better and _within(now, before, spread):
        return f"about the same (seeds alone move it up to {max(spread * 100, 1):.0f}%)"
    if not lower_is_better and abs(now - before) < ACCURACY_SPREAD:
        return f"about the same (seeds alone move it ±{ACCURACY_SPREAD * 100:.0f} points)"
    better = (now < before) == lower_is_better
    word = "better" if better else "worse"
    if before != 0 and lower_is_better:
        ratio = now / before
        if ratio >= 2 or ratio <= 0.5:
            factor = ratio if ratio >= 1 else 1 / ratio
            return f"{factor:.1f}x {word}"
        percent = abs(ratio - 1) * 100  # beyond a narrow spread, a change under 1% still shows
        return f"{percent:.0f}% {word}" if percent >= 1 else f"{percent:.1f}% {word}"
    return f"{abs(now - before) * 100:.1f} points {word}"


def metric_changes(current, previous) -> pd.DataFrame:
    """The change in each test metric from `previous` to `current` (RunResults), in words."""
    now_values, before_values = current.metrics.test, previous.metrics.test
    # The wider of the two families' measured seed spreads (core/evaluation/seed_spread.json).
    spread = max(seed_spread(result.request.model.family) for result in (current, previous))
    rows = {}
    for key, (label, lower_is_better) in CHANGE_METRICS.items():
        # The keys are score field names; a classifier has no errors, a regressor no accuracy.
        now, before = getattr(now_values, key, None), getattr(before_values, key, None)
        if not (_finite(now) or _finite(before)):
            continue
        rows[label] = {
            "before": before if _finite(before) else math.nan,
            "now": now if _finite(now) else math.nan,
            "change": _change_words(before, now, lower_is_better, spread),
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["before", "now", "change"])
    table.index.name = "metric"
    return table


def previous_run(summaries: Sequence[Any], current_key: str, task: str):
    """The summary of the run trained just before `current_key` with the same task, or None.

    Summaries come newest first (RunStore.list_runs). A run on the same data is preferred, so
    both forecasts share a time axis; otherwise the one just before in time.
    """
    keys = [summary.key for summary in summaries]
    if current_key not in keys:
        candidates = [summary for summary in summaries if summary.task == task]
    else:
        position = keys.index(current_key)
        current = summaries[position]
        older = [summary for summary in summaries[position + 1 :] if summary.task == task]
        same_data = [summary for summary in older if summary.request.data == current.request.data]
        candidates = same_data or older
    candidates = [summary for summary in candidates if summary.key != current_key]
    return candidates[0] if candidates else None
