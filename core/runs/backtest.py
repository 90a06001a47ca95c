"""Walk-forward backtest: N expanding-window cut-offs over the test part, each fold an ordinary
run request (the series cut after its test block, split last_n), so the run store caches every
fold and a rerun trains only folds it has not seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.config import RunRequest
from core.data.prepare import split_point
from core.data.sources import load_series, source_title
from core.errors import ConfigError
from core.runs.pipeline import run_experiment
from core.scores import RegressionScores

if TYPE_CHECKING:
    from core.runs.pipeline import RunResult

DEFAULT_FOLDS = 5
NETWORK = "network"


@dataclass(frozen=True)
class Fold:
    """One cut-off: train on everything before `cutoff`, test on the next test_rows steps."""

    number: int
    request: RunRequest
    cutoff: str  # first test date (ISO)
    test_end: str  # last test date (ISO)
    train_rows: int
    test_rows: int


def plan_backtest(request: RunRequest, folds: int = DEFAULT_FOLDS) -> list[Fold]:
    """The folds of a request: its test part cut into `folds` equal blocks; fold k trains on
    all rows before block k (so the training part expands) and is tested on block k."""
    if folds < 2:
        raise ConfigError(f"a backtest needs at least 2 cut-offs; received {folds}.")
    series, train_end = split_point(load_series(request.data), request.split)
    test_rows = (len(series) - train_end) // folds
    if test_rows < 2:
        raise ConfigError(
            f"the test part ({len(series) - train_end} rows) is too short for {folds} cut-offs; "
            "use fewer cut-offs or a larger test part."
        )
    dates = pd.DatetimeIndex(series.dates)
    planned = []
    for number in range(folds):
        cutoff = train_end + number * test_rows
        end = cutoff + test_rows
        if request.data.is_synthetic:
            # The generator's values do not depend on the length: a shorter series is a prefix.
            data = request.data.replace(length=end)
        else:
            data = request.data.replace(end_date=dates[end - 1].strftime("%Y-%m-%d"))
        split = request.split.replace(method="last_n", test_size=test_rows)
        planned.append(
            Fold(
                number=number + 1,
                request=request.replace(data=data, split=split),
                cutoff=dates[cutoff].strftime("%Y-%m-%d"),
                test_end=dates[end - 1].strftime("%Y-%m-%d"),
                train_rows=cutoff,
                test_rows=test_rows,
            )
        )
    return planned


def fold_row(fold: Fold, result: RunResult) -> dict[str, Any]:
    """One cut-off's line: dates, sizes, run key and test MSE / MAE per forecaster."""
    metrics = {NETWORK: _scores(result.metrics.test)}
    for name, figures in result.baselines.items():
        if figures.test is not None:
            metrics[name] = _scores(figures.test)
    return {
        "fold": fold.number,
        "cutoff": fold.cutoff,
        "test_end": fold.test_end,
        "train_rows": fold.train_rows,
        "test_rows": fold.test_rows,
        "run_key": result.key,
        "cached": result.cached,
        "metrics": metrics,
    }


def _scores(test: Any) -> dict[str, float]:
    if not isinstance(test, RegressionScores):  # a classifier has no errors to average
        return {"mse": np.nan, "mae": np.nan}
    return {"mse": float(test.mse), "mae": float(test.mae)}


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean and spread (standard deviation across cut-offs) of each forecaster's MSE, plus how
    often it had the lowest MSE."""
    names = list(dict.fromkeys(name for row in rows for name in row["metrics"]))
    summary: dict[str, dict[str, float]] = {}
    for name in names:
        values = np.array([row["metrics"].get(name, {}).get("mse", np.nan) for row in rows])
        wins = sum(
            1
            for row in rows
            if min(row["metrics"], key=lambda key: row["metrics"][key]["mse"]) == name
        )
        summary[name] = {
            "mean_mse": float(np.nanmean(values)),
            "spread_mse": float(np.nanstd(values)),
            "best_count": wins,
        }
    return summary


def backtest_report(
    request: RunRequest, folds: Sequence[Fold], results: Sequence[RunResult]
) -> dict[str, Any]:
    """The JSON report: every cut-off with its dates and metrics, and the summary."""
    rows = [fold_row(fold, result) for fold, result in zip(folds, results, strict=True)]
    return {
        "model": request.model.label,
        "data": source_title(request.data),
        "folds": len(rows),
        "cutoffs": rows,
        "summary": summarize(rows),
        "trained": sum(1 for row in rows if not row["cached"]),
    }


def run_backtest(
    request: RunRequest,
    folds: int = DEFAULT_FOLDS,
    *,
    runner: Callable[..., RunResult] | None = None,
    on_fold: Callable[[Fold], None] | None = None,
    **runner_options: Any,
) -> dict[str, Any]:
    """Run (or load) every fold in turn with `runner` (default pipeline.run_experiment)."""

    runner = runner or run_experiment
    planned = plan_backtest(request, folds)
    results = []
    for fold in planned:
        if on_fold is not None:
            on_fold(fold)
        results.append(runner(fold.request, **runner_options))
    return backtest_report(request, planned, results)


def summary_frame(report: dict[str, Any], labels: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per forecaster: mean and spread of the test MSE and the cut-offs it won."""
    labels = labels or {}
    rows = [
        {
            "forecaster": "Network" if name == NETWORK else labels.get(name, name),
            "mean_mse": figures["mean_mse"],
            "spread_mse": figures["spread_mse"],
            "best_count": figures["best_count"],
        }
        for name, figures in report["summary"].items()
    ]
    return pd.DataFrame(rows).sort_values("mean_mse").set_index("forecaster")


__all__ = [
    "DEFAULT_FOLDS",
    "NETWORK",
    "Fold",
    "backtest_report",
    "fold_row",
    "plan_backtest",
    "run_backtest",
    "summarize",
    "summary_frame",
]
