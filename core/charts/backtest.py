"""Walk-forward backtest chart: test MSE at each cut-off, the network against the baselines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from core.charts.theme import (
    BASELINE_DASHES,
    MODEL_COLOR,
    apply_layout,
    color_for,
    display_name,
    empty_figure,
    log_ticks,
)


def backtest_figure(
    report: Mapping[str, Any] | None,
    labels: Mapping[str, str] | None = None,
    title: str = "Test error at each cut-off (lower is better)",
) -> go.Figure:
    """One line per forecaster over the cut-offs (log scale; the network solid, on top)."""
    if not report or not report.get("cutoffs"):
        return empty_figure(title)
    rows = report["cutoffs"]
    cutoffs = [row["cutoff"] for row in rows]
    names = list(dict.fromkeys(name for row in rows for name in row["metrics"]))
    ordered = [name for name in names if name != "network"] + ["network"]
    figure = go.Figure()
    for position, name in enumerate(ordered):
        network = name == "network"
        figure.add_trace(
            go.Scatter(
                x=cutoffs,
                y=[row["metrics"].get(name, {}).get("mse") for row in rows],
                mode="lines+markers",
                name=display_name(name, labels),
                line={
                    "color": MODEL_COLOR if network else color_for(name, position + 1),
                    "width": 2.6 if network else 1.5,
                    "dash": "solid" if network else BASELINE_DASHES[position % 4],
                },
            )
        )
    apply_layout(figure, title, "Cut-off (first test date)", "Test MSE (log scale)")
    values = [row["metrics"].get(name, {}).get("mse") for row in rows for name in ordered]
    figure.update_yaxes(type="log", **log_ticks(values))
    figure.update_xaxes(type="category")
    return figure


__all__ = ["backtest_figure"]
