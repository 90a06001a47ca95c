"""Band, backtest and inside-view charts: trace names, order and lengths."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.charts import forecast_figure
from core.charts.backtest import backtest_figure
from core.charts.bands import add_interval_bands
from core.charts.inside import gates_figure, hidden_state_figure, lag_weights_figure

INTERVALS = {
    "scale": "absolute",
    "coverage": {"80": 0.8},
    "one_step": {"80": {"half_width": 2.0, "coverage": 0.8}},
    "recursive": {"half_widths": {"80": [1.0, 2.0]}, "coverage": {"80": 0.8}},
}


def test_bands_go_under_the_lines_and_widen_past_the_end():
    dates = pd.date_range("2024-01-01", periods=20)
    predictions = pd.DataFrame(
        {
            "part": ["train"] * 10 + ["test"] * 10,
            "actual": np.arange(20.0),
            "model": np.arange(20.0),
        },
        index=dates,
    )
    future = pd.DataFrame(
        {"forecast": [20.0, 21.0, 22.0]}, index=pd.date_range("2024-01-21", periods=3)
    )
    figure = add_interval_bands(
        forecast_figure(predictions, forecast=future), predictions, future, INTERVALS, "80"
    )
    names = [trace.name for trace in figure.data]
    assert names[:4] == ["80% band", "80% band", "80% band ahead", "80% band ahead"]
    ahead_upper, ahead_lower = figure.data[2].y, figure.data[3].y
    widths = np.asarray(ahead_upper) - np.asarray(ahead_lower)
    assert np.allclose(widths, [2.0, 4.0, 4.0 * np.sqrt(1.5)])


def test_backtest_figure_draws_the_network_last():
    report = {"cutoffs": [
        {"cutoff": "2024-01-01", "metrics": {"network": {"mse": 1.0}, "naive": {"mse": 2.0}}},
        {"cutoff": "2024-02-01", "metrics": {"network": {"mse": 1.5}, "naive": {"mse": 2.5}}},
    ]}  # fmt: skip
    figure = backtest_figure(report, {"network": "Network"})
    assert [trace.name for trace in figure.data][-1] == "Network"
    assert list(figure.data[-1].y) == [1.0, 1.5]


def test_inside_figures_have_one_heat_map_per_gate():
    dates = [f"2024-01-0{day}" for day in range(1, 7)]
    ones = np.ones((6, 4)).tolist()
    layer = {"name": "input_recurrent", "hidden": np.zeros((6, 4)).tolist(),
             "gates": {"input": ones, "forget": ones}}  # fmt: skip
    assert hidden_state_figure(layer, dates).data[0].z.shape == (4, 6)
    assert len(gates_figure(layer, dates).data) == 2
    assert len(lag_weights_figure({"lag_weights": [0.1, 0.9]}).data[0].y) == 2
