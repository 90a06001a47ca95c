"""Benchmark of the engine on the default synthetic series: every family at its defaults against
study A's plain recipe (same wall time) and the baselines; prints a table, returns the figures."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from core.config import FAMILIES, DataConfig, ModelConfig, SplitConfig, TrainConfig

QUICK_FAMILIES = ("lstm",)
QUICK_EPOCHS = 2
STUDY_A_UNITS = 50  # SPEC 5: study A's sweeps ran at 50 units


def study_a_configs(family: str, max_seconds: float | None) -> tuple[ModelConfig, TrainConfig]:
    """Study A's recipe: plain network (no skip path, predicts the level), Adam 1e-3, batch 64,
    best epoch kept, no early stopping (1000 epochs), capped at `max_seconds` of wall time."""
    model = ModelConfig(family=family, units=STUDY_A_UNITS, linear_skip=False, predict_change=False)
    train = TrainConfig(
        optimizer="adam",
        learning_rate=0.001,
        batch_size=64,
        epochs=1000,
        patience=0,
        restore_best=True,
        max_seconds=None if max_seconds is None else max(1.0, float(max_seconds)),
    )
    return model, train


def _mse(predicted: np.ndarray, actual: np.ndarray) -> float:
    return float(np.mean((np.asarray(predicted, float) - np.asarray(actual, float)) ** 2))


def _ratios(mse: float, reference: dict[str, float]) -> dict[str, float]:
    return {f"vs_{name}": mse / value for name, value in reference.items() if value > 0}


def _train_and_score(prepared, model_config, train_config, reference) -> dict[str, Any]:
    from core.training.trainer import train_model

    trained = train_model(prepared, model_config, train_config)
    scaled = trained.model.predict(prepared.x_test, batch_size=1024, verbose=0).reshape(-1)
    mse = _mse(prepared.scaler.inverse(scaled), prepared.values_test)
    return {
        "seconds": trained.seconds,
        "epochs": trained.epochs_run,
        "best_epoch": trained.best_epoch,
        "stop_reason": trained.stop_reason,
        "mse": mse,
        **_ratios(mse, reference),
    }


def _row(label: str, figures: dict[str, Any]) -> str:
    epochs = figures.get("epochs")
    return (
        f"{label:<28} {figures['seconds']:>7.1f} {'' if epochs is None else epochs:>6} "
        f"{figures['mse']:>8.2f} {figures.get('vs_noise_floor', float('nan')):>7.3f} "
        f"{figures.get('vs_linear_ar', float('nan')):>7.3f} "
        f"{figures.get('vs_naive', float('nan')):>7.3f} "
        f"{figures.get('vs_holt_winters', float('nan')):>7.3f}"
    )


def run_bench(
    out: Callable[[str], None] = print,
    families: Iterable[str] | None = None,
    quick: bool = False,
) -> dict[str, Any]:
    """Train every family at its defaults and with study A's recipe (same wall time) on the
    default synthetic series; compare with the noise floor and the baselines."""
    from core.data.prepare import prepare
    from core.data.synthetic import generate_series
    from core.models.baselines import BASELINE_LABELS, BASELINES

    families = tuple(families) if families is not None else (QUICK_FAMILIES if quick else FAMILIES)
    series = generate_series(DataConfig())
    prepared = prepare(series, SplitConfig())
    actual = prepared.values_test
    noise_floor = _mse(prepared.signal_test, actual)
    out(
        f"Default synthetic series: {len(series)} steps, {len(actual)} test targets, lookback "
        f"{prepared.lookback}, season {prepared.season_length}; noise floor MSE {noise_floor:.2f}"
    )

    import statsmodels.tsa.holtwinters  # noqa: F401  (import time is not Holt-Winters' time)

    baselines: dict[str, dict[str, Any]] = {}
    for name, forecast in BASELINES.items():
        started = time.perf_counter()
        predictions = forecast(prepared)
        baselines[name] = {
            "seconds": time.perf_counter() - started,
            "mse": _mse(predictions, actual),
        }
    reference = {"noise_floor": noise_floor}
    reference.update({name: baselines[name]["mse"] for name in ("linear_ar", "naive")})
    reference["holt_winters"] = baselines["holt_winters"]["mse"]
    for figures in baselines.values():
        figures.update(_ratios(figures["mse"], reference))

    models: dict[str, dict[str, Any]] = {}
    for family in families:
        model_config = ModelConfig(family=family)
        train_config = TrainConfig()
        if quick:
            train_config = train_config.replace(epochs=QUICK_EPOCHS)
        default = _train_and_score(prepared, model_config, train_config, reference)
        study_model, study_train = study_a_configs(family, default["seconds"])
        if quick:
            study_train = study_train.replace(epochs=QUICK_EPOCHS)
        study = _train_and_score(prepared, study_model, study_train, reference)
        models[family] = {"default": default, "study_a": study}

    header = (
        f"{'':<28} {'seconds':>7} {'epochs':>6} {'MSE':>8} {'/floor':>7} {'/AR':>7} "
        f"{'/naive':>7} {'/HW':>7}"
    )
    out("")
    out(header)
    out("-" * len(header))
    for family, figures in models.items():
        out(_row(f"{family} default", figures["default"]))
        out(_row(f"{family} study A (same time)", figures["study_a"]))
    for name, figures in baselines.items():
        out(_row(BASELINE_LABELS[name], figures))
    out("")
    out(
        "Defaults: "
        + str(ModelConfig().to_dict() | {"family": "<each>"})
        + " "
        + str(TrainConfig().to_dict())
    )
    out(
        f"Study A: {STUDY_A_UNITS} units, no skip path, level target, Adam 1e-3, batch 64, "
        "best epoch kept, no early stopping, capped at the default run's seconds."
    )
    return {
        "noise_floor_mse": noise_floor,
        "season_length": prepared.season_length,
        "baselines": baselines,
        "models": models,
        "quick": quick,
    }


__all__ = ["run_bench", "study_a_configs"]
