"""Benchmark of the engine in one run: every family alone and with the linear shortcut, the
suggested window, the chaotic preset against a straight line, the up/flat/down classifier against
the majority class, and the peers (linear AR, Holt-Winters, naive); prints and returns figures."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from core.bench_seeds import bench_seed_spread, write_spreads
from core.config import (
    FAMILIES,
    DataConfig,
    ModelConfig,
    SplitConfig,
    TrainConfig,
)
from core.config import SplitConfig as Split
from core.data.prepare import prepare
from core.data.sources import load_series
from core.data.sources.btc import PRESET_START as BTC_PRESET_START
from core.data.sources.synthetic import nonlinear_demo_request
from core.data.synthetic import generate_series
from core.data.upload import import_file
from core.data.window import suggest_lookback
from core.evaluation.forecast import predict_next
from core.evaluation.metrics import classification_metrics
from core.evaluation.verdict import BALANCED_MARGIN
from core.models.baselines import BASELINE_LABELS, BASELINES, holt_winters_all_steps
from core.models.families import FAMILY_REGISTRY
from core.models.registry import linear_part
from core.scores import ClassificationScores
from core.training.trainer import train_model

QUICK_FAMILIES = ("dense",)
# Each family alone is also trained with these seeds (not in quick mode): on the default series
# one family's error moves by a few hundredths between seeds, as much as families differ.
SPREAD_SEEDS = (1, 2)
QUICK_EPOCHS = 2
WEEK = 7
CLASSIFIER_SEEDS = (0, 1, 2)
# The Bitcoin study's classifier: one hidden LSTM layer between the input and output layers,
# 50 units.
CLASSIFIER = ModelConfig(family="lstm", task="classification", hidden_layers=1, units=50)
CLASSIFIER_ACCURACY_MARGIN = 0.02  # as core.evaluation.verdict.classification_verdict
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "btc_close_2020_2024.csv"


def _mse(predicted: np.ndarray, actual: np.ndarray) -> float:
    return float(np.mean((np.asarray(predicted, float) - np.asarray(actual, float)) ** 2))


def _train_and_score(prepared, model_config: ModelConfig, train_config: TrainConfig) -> dict:
    trained = train_model(prepared, model_config, train_config)
    scaled = predict_next(trained.model, prepared.x_test)
    figures = {
        "seconds": trained.seconds,
        "epochs": trained.epochs_run,
        "best_epoch": trained.best_epoch,
        "mse": _mse(prepared.scaler.inverse(scaled), prepared.values_test),
        "predictions": scaled,
    }
    linear = linear_part(trained.model, prepared.x_test)
    if linear is not None:
        figures["linear_part_mse"] = _mse(prepared.scaler.inverse(linear), prepared.values_test)
    return figures


def _holt_winters_weekly(prepared) -> np.ndarray:
    """Holt-Winters with a 7-step season (the issue's peer; the app's picks the dominant one)."""

    forecasts = holt_winters_all_steps(prepared.series.values, prepared.train_end, WEEK)
    return forecasts[prepared.test_index]


def _peers(prepared) -> dict[str, dict[str, float]]:
    figures = {}
    for name, forecast in {**BASELINES, "holt_winters_7": _holt_winters_weekly}.items():
        started = time.perf_counter()
        predictions = forecast(prepared)
        figures[name] = {
            "seconds": time.perf_counter() - started,
            "mse": _mse(predictions, prepared.values_test),
        }
    return figures


def _train_config(quick: bool) -> TrainConfig:
    return TrainConfig(epochs=QUICK_EPOCHS) if quick else TrainConfig()


def bench_families(prepared, families, floor, quick, out) -> dict[str, Any]:
    """Each family at its defaults (the shared ones, or the family's own starting values where it
    declares some, printed below the table), alone and with the linear shortcut, side by side."""
    results: dict[str, Any] = {}
    out(f"{'family':<11} | {'alone /floor':>12} {'s':>5} {'ep':>3} | "
        f"{'+shortcut /floor':>16} {'s':>5} {'ep':>3} {'line only':>9}")  # fmt: skip
    for family in families:
        entry = FAMILY_REGISTRY[family]
        model, train = (
            entry.starting_model(ModelConfig(family=family, linear_skip=False)),
            entry.starting_training(_train_config(quick)),
        )
        alone = _train_and_score(prepared, model, train)
        shortcut = _train_and_score(prepared, model.replace(linear_skip=True), train)
        results[family] = {"alone": alone, "shortcut": shortcut}
        out(
            f"{family:<11} | {alone['mse'] / floor:>12.3f} {alone['seconds']:>5.1f} "
            f"{alone['epochs']:>3} | {shortcut['mse'] / floor:>16.3f} "
            f"{shortcut['seconds']:>5.1f} {shortcut['epochs']:>3} "
            f"{shortcut['linear_part_mse'] / floor:>9.3f}"
        )
    if not quick:
        for family in families:
            entry = FAMILY_REGISTRY[family]
            model = entry.starting_model(ModelConfig(family=family, linear_skip=False))
            start = entry.starting_training(_train_config(quick))
            seeds = (start.seed, *SPREAD_SEEDS)
            ratios = [results[family]["alone"]["mse"] / floor]
            for seed in seeds[1:]:
                train = start.replace(seed=seed)
                ratios.append(_train_and_score(prepared, model, train)["mse"] / floor)
            results[family]["seeds"] = {"seeds": list(seeds), "ratios": ratios}
            out(
                f"  {family} alone over seeds {', '.join(map(str, seeds))}: "
                f"{min(ratios):.3f} to {max(ratios):.3f}x, mean {statistics.mean(ratios):.3f}x"
            )
    for family in families:
        entry = FAMILY_REGISTRY[family]
        own = ", ".join(
            f"{name} {value}" for name, value in (*entry.model_defaults, *entry.training_defaults)
        )
        out(
            f"  {family}: {entry.explanation}"
            + (f" Trained with {own}: {entry.defaults_reason}" if own else "")
        )
    names = list(results)
    for first, second in zip(names, names[1:], strict=False):
        gap = np.abs(
            results[first]["alone"]["predictions"] - results[second]["alone"]["predictions"]
        )
        out(f"  {first} vs {second}: predictions differ by up to {gap.max():.4f} (scaled units)")
    return results


def bench_window(series, floor, quick, out) -> dict[str, Any]:
    """suggest_lookback on the series, then the default network and AR with that window."""

    started = time.perf_counter()
    suggestion = suggest_lookback(series, SplitConfig())
    seconds = time.perf_counter() - started
    prepared = prepare(series, SplitConfig(lookback=suggestion.lookback))
    network = _train_and_score(prepared, ModelConfig(), _train_config(quick))
    peers = _peers(prepared)
    out(
        f"suggested window {suggestion.lookback} (in {seconds:.2f} s): default network "
        f"{network['mse'] / floor:.3f}x the floor in {network['seconds']:.1f} s "
        f"({network['epochs']} epochs); linear AR({suggestion.lookback}) "
        f"{peers['linear_ar']['mse'] / floor:.3f}x"
    )
    out(f"  reason: {suggestion.reason}")
    figures = {
        "lookback": suggestion.lookback,
        "suggest_seconds": seconds,
        "network": network,
        "linear_ar_mse": peers["linear_ar"]["mse"],
    }
    best = min(suggestion.scores, key=suggestion.scores.get)
    if best != suggestion.lookback and not quick:
        # The window the straight line scored best, when the suggestion preferred a shorter one:
        # what the default network would have reached there, and in how long.
        prepared = prepare(series, SplitConfig(lookback=best))
        longer = _train_and_score(prepared, ModelConfig(), _train_config(quick))
        out(
            f"  best-scored window {best}: default network {longer['mse'] / floor:.3f}x in "
            f"{longer['seconds']:.1f} s; linear AR({best}) "
            f"{_mse(BASELINES['linear_ar'](prepared), prepared.values_test) / floor:.3f}x"
        )
        longer.pop("predictions", None)
        figures["best_scored"] = {"lookback": best, "network": longer}
    return figures


def bench_nonlinear(quick, out) -> dict[str, Any]:
    """The chaotic preset: the default network against the straight line on the same window."""

    request = nonlinear_demo_request()
    series = generate_series(request.data)
    prepared = prepare(series, request.split)
    floor = _mse(prepared.signal_test, prepared.values_test)
    peers = _peers(prepared)
    network = _train_and_score(prepared, request.model, _train_config(quick))
    ratio = network["mse"] / peers["linear_ar"]["mse"]
    out(
        f"Mackey-Glass preset: default network {ratio:.3f}x linear AR(30)'s MSE in "
        f"{network['seconds']:.1f} s ({network['epochs']} epochs); network "
        f"{network['mse'] / floor:.2f}x, AR {peers['linear_ar']['mse'] / floor:.2f}x, "
        f"Holt-Winters {peers['holt_winters']['mse'] / floor:.2f}x, naive "
        f"{peers['naive']['mse'] / floor:.2f}x the noise floor"
    )
    return {"network": network, "peers": peers, "floor": floor, "vs_linear_ar": ratio}


def bench_classifier(quick, out, fixture: Path = FIXTURE) -> dict[str, Any]:
    """The Bitcoin study's up/flat/down settings on the recorded fixture, over seeds."""

    data = DataConfig(source="csv", csv_path=import_file(fixture), start_date=BTC_PRESET_START)
    split = Split(method="calendar_year", test_year=2024, scaling_margin=5.0)
    prepared = prepare(load_series(data), split, CLASSIFIER)
    seeds = CLASSIFIER_SEEDS[:1] if quick else CLASSIFIER_SEEDS
    rows = []
    for seed in seeds:
        trained = train_model(prepared, CLASSIFIER, _train_config(quick).replace(seed=seed))
        probabilities = predict_next(trained.model, prepared.x_test)
        scores = ClassificationScores.from_dict(
            classification_metrics(prepared.labels_test, probabilities)
        )
        rows.append({**scores.to_dict(), "seconds": trained.seconds, "seed": seed})
        recalls = " / ".join(
            f"{name} {values.recall:.2f}" for name, values in scores.per_class.items()
        )
        out(
            f"classifier seed {seed}: accuracy {scores.accuracy:.3f} (always "
            f"'{scores.majority_class}' {scores.majority_baseline_accuracy:.3f}), "
            f"balanced accuracy {scores.balanced_accuracy:.3f} (always one class "
            f"{scores.majority_balanced_accuracy:.3f}), recall {recalls}, never predicted "
            f"{list(scores.never_predicted) or 'none'}, {trained.seconds:.1f} s"
        )
    summary = _classifier_summary(rows)
    out(
        f"classifier mean over {len(rows)} seed(s): accuracy {summary['accuracy']:.3f} vs "
        f"{summary['majority_baseline_accuracy']:.3f} always '{rows[0]['majority_class']}', "
        f"balanced accuracy {summary['balanced_accuracy']:.3f} vs "
        f"{summary['majority_balanced_accuracy']:.3f}: "
        + ("beats" if summary["beats_majority"] else "does not beat")
        + " the majority class"
    )
    return {"runs": rows, "mean": summary}


def _classifier_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over the seeds. With the Classify page's margins, it beats the majority class when
    it is right 2 points more often, or tells the classes apart (balanced accuracy) 5 points
    better than always naming one class."""

    keys = ("accuracy", "balanced_accuracy", "majority_baseline_accuracy")
    summary: dict[str, Any] = {key: statistics.fmean(row[key] for row in rows) for key in keys}
    summary["majority_balanced_accuracy"] = rows[0]["majority_balanced_accuracy"]
    summary["beats_majority"] = bool(
        summary["accuracy"] >= summary["majority_baseline_accuracy"] + CLASSIFIER_ACCURACY_MARGIN
        or summary["balanced_accuracy"] >= summary["majority_balanced_accuracy"] + BALANCED_MARGIN
    )
    return summary


def run_bench(
    out: Callable[[str], None] = print,
    families: Iterable[str] | None = None,
    quick: bool = False,
    seeds: bool = False,
) -> dict[str, Any]:
    """Run every section in one process (so the timings share the machine's load) and print;
    with `seeds`, only the seed spread per family, stored where Compare reads it."""
    if seeds:
        report = bench_seed_spread(out)
        write_spreads(report)
        out("stored in core/evaluation/seed_spread.json (Compare reads it)")
        return report

    families = tuple(families) if families is not None else (QUICK_FAMILIES if quick else FAMILIES)
    series = generate_series(DataConfig())
    prepared = prepare(series, SplitConfig())
    floor = _mse(prepared.signal_test, prepared.values_test)
    out(
        f"Default synthetic series: {len(series)} steps, {len(prepared.values_test)} test "
        f"targets, window {prepared.lookback}; noise floor MSE {floor:.2f}. Training: "
        + ", ".join(f"{key} {value}" for key, value in _train_config(quick).to_dict().items())
    )
    import statsmodels.tsa.holtwinters  # noqa: F401  (import time is not Holt-Winters' time)

    peers = _peers(prepared)
    out("")
    out("Peers (window 30): " + "; ".join(
        f"{BASELINE_LABELS.get(name, 'Holt-Winters (season 7)')} {figures['mse'] / floor:.3f}x "
        f"in {figures['seconds']:.2f} s"
        for name, figures in peers.items()
    ))  # fmt: skip
    out("")
    models = bench_families(prepared, families, floor, quick, out)
    seconds = [figures["alone"]["seconds"] for figures in models.values()]
    out(f"  median seconds alone: {statistics.median(seconds):.1f}")
    out("")
    window = bench_window(series, floor, quick, out)
    out("")
    nonlinear = bench_nonlinear(quick, out)
    out("")
    classifier = bench_classifier(quick, out)
    for figures in models.values():
        for part in figures.values():
            part.pop("predictions", None)
    window["network"].pop("predictions", None)
    nonlinear["network"].pop("predictions", None)
    return {
        "noise_floor_mse": floor,
        "peers": peers,
        "models": models,
        "window": window,
        "nonlinear": nonlinear,
        "classifier": classifier,
        "quick": quick,
    }


__all__ = ["bench_classifier", "bench_families", "bench_nonlinear", "bench_window", "run_bench"]
