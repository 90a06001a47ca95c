"""Inside-view charts: hidden states and gate activations as heat maps, and lag weights."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.theme import MODEL_COLOR, apply_layout, empty_figure

GATE_TITLES = {
    "input": "Input gate (write new day)",
    "forget": "Forget gate (keep memory)",
    "output": "Output gate (pass memory on)",
    "update": "Update gate (keep memory)",
    "reset": "Reset gate (use memory for the new day)",
}


def _layer_words(name: str) -> str:
    """A Keras layer name in words: input_recurrent -> "first layer", output_... -> "last
    layer", hidden_recurrent_2 -> "layer 3" (the hidden state is the technical term)."""
    if name.startswith("input"):
        return "first layer"
    if name.startswith("output"):
        return "last layer"
    number = name.rsplit("_", 1)[-1]
    return f"layer {int(number) + 1}" if number.isdigit() else name.replace("_", " ")


def hidden_state_figure(layer: Mapping[str, Any], dates: list[str]) -> go.Figure:
    """Heat map: memory units (rows) over the window's days (columns), values -1..1."""
    title = f"What the {_layer_words(layer['name'])} remembers over the window"
    dates = layer.get("dates", dates)  # one per block when the window is read in blocks
    hidden = np.asarray(layer.get("hidden", []), dtype=float)
    if hidden.size == 0:
        return empty_figure(title)
    figure = go.Figure(
        go.Heatmap(
            z=hidden.T, x=dates, y=[f"unit {i + 1}" for i in range(hidden.shape[1])],
            colorscale="RdBu", zmid=0, colorbar={"title": "value"},
        )
    )  # fmt: skip
    figure.update_layout(height=int(min(700, max(320, 150 + 12 * hidden.shape[1]))))
    apply_layout(figure, title, "Input day", "Memory unit")
    return figure


def gates_figure(layer: Mapping[str, Any], dates: list[str]) -> go.Figure:
    """One heat map row per gate: each unit's gate value (0 = closed, 1 = open) per day."""
    gates = layer.get("gates") or {}
    title = f"Gates of {layer['name'].replace('_', ' ')} (0 = closed, 1 = open)"
    dates = layer.get("dates", dates)
    if not gates:
        return empty_figure(title, "this layer has no gates")
    figure = make_subplots(
        rows=len(gates), cols=1, shared_xaxes=True, vertical_spacing=0.08,
        subplot_titles=[GATE_TITLES.get(name, name) for name in gates],
    )  # fmt: skip
    for row, values in enumerate(gates.values(), start=1):
        values = np.asarray(values, dtype=float)
        figure.add_trace(
            go.Heatmap(
                z=values.T, x=dates, y=[f"unit {i + 1}" for i in range(values.shape[1])],
                colorscale="Viridis", zmin=0, zmax=1, showscale=row == 1,
                colorbar={"title": "open"},
            ),
            row=row, col=1,
        )  # fmt: skip
    units = np.asarray(next(iter(gates.values()))).shape[1]
    # Set before apply_layout, which sizes the margins from the height.
    figure.update_layout(height=int(160 + len(gates) * min(260, max(150, 7 * units))))
    apply_layout(figure, title, None, None)
    figure.update_xaxes(title_text="Input day", row=len(gates), col=1)  # once, under the last
    return figure


def lag_weights_figure(report: Mapping[str, Any], step_word: str = "day") -> go.Figure:
    """Bars: how much the forecast moves per unit move of each input day (latest on the right)."""
    title = "Weight of each input day in this forecast"
    weights = np.asarray(report.get("lag_weights", []), dtype=float)
    if weights.size == 0:
        return empty_figure(title)
    lags = [str(len(weights) - i) for i in range(len(weights))]
    figure = go.Figure(go.Bar(x=lags, y=weights, marker_color=MODEL_COLOR, name="weight"))
    apply_layout(
        figure, title, f"{step_word.capitalize()}s before the forecast (latest on the right)",
        "Forecast change per unit",
    )  # fmt: skip
    figure.update_xaxes(type="category")
    return figure


__all__ = ["gates_figure", "hidden_state_figure", "lag_weights_figure"]
