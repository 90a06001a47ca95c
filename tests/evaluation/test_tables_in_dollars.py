"""Runs' scores table, the side-by-side scores and Results' "change since the run before" say
numbers as the Results page does: readable ("4,339,470", never "4.339e+06") and, on Bitcoin /
S&P 500 runs, errors in dollars (core.units, the one formatting)."""

from __future__ import annotations

import math
from types import SimpleNamespace

from core.config import DataConfig, RunRequest
from core.evaluation.compare import metric_changes, scores_table
from core.evaluation.verdict import runs_table
from core.runs.store import RunSummary
from core.scores import RunScores, baselines_from_dict
from core.units import readable


def _run(source: str, mse: float) -> SimpleNamespace:
    test = {"mse": mse, "rmse": math.sqrt(mse), "mae": 0.8 * math.sqrt(mse), "mape": 2.1}
    return SimpleNamespace(
        request=RunRequest(data=DataConfig(source=source)),
        task="regression",
        metrics=RunScores.from_dict({"test": {**test, "directional_accuracy": 0.551}}),
        baselines=baselines_from_dict({"naive": {"test": {"mse": mse * 1.1}}}),
        train_seconds=3.0,
    )


def test_the_change_table_on_prices_gives_errors_in_dollars():
    table = metric_changes(_run("btc", 4_339_465.8), _run("btc", 5_290_000.0))
    assert table.loc["Typical error (RMSE)", "now"] == "$2,083"
    assert table.loc["Typical error (RMSE)", "before"] == "$2,300"
    assert table.loc["Average error (MAE)", "now"] == f"${readable(0.8 * math.sqrt(4_339_465.8))}"
    assert table.loc["Squared error (MSE)", "now"] == "4,339,466"  # squared dollars: no $
    assert table.loc["Direction right", "now"] == "55.1%"
    assert not any("e+" in cell for cell in table[["before", "now"]].to_numpy().ravel())
    plain = metric_changes(_run("synthetic", 37.97), _run("synthetic", 37.55))
    assert plain.loc["Typical error (RMSE)", "now"] == "6.16"  # no currency off prices


def test_side_by_side_scores_give_the_mae_in_dollars_on_prices():
    table = scores_table([("A", _run("sp500", 1082.3)), ("B", _run("synthetic", 37.97))])
    assert table.loc["A", "test_mae"] == f"${readable(0.8 * math.sqrt(1082.3))}"
    assert table.loc["B", "test_mae"] == readable(0.8 * math.sqrt(37.97))
    assert table.loc["A", "test_mse"] == "1,082"


def test_the_runs_table_gives_the_typical_error_in_dollars_on_prices():
    def summary(source: str, mse: float) -> RunSummary:
        return RunSummary(
            key=source, created_at="2026-12-05T02:00:00Z", data_label=source,
            model_label="LSTM", task="regression", test_mse=mse, test_mae=None,
            naive_mse=mse * 1.1, accuracy=None, train_seconds=1.0, epochs_run=1,
            request=RunRequest(data=DataConfig(source=source)),
        )  # fmt: skip

    table = runs_table([summary("btc", 4_339_465.8), summary("synthetic", 37.97)])
    assert table["typical_error"].tolist() == ["$2,083", "6.16"]
