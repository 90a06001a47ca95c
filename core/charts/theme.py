"""Shared look of every chart: the palette, display names, the common layout and the empty figure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

NO_DATA = "no data yet"

ACTUAL_COLOR = "#3b3b3b"  # dark grey: the data itself
MODEL_COLOR = "#1f5fbf"  # strong blue: the network
SIGNAL_COLOR = "#2e8b57"  # green, dotted: the noise-free signal
TEST_SHADE = "rgba(31, 95, 191, 0.07)"
FUTURE_SHADE = "rgba(46, 139, 87, 0.07)"
RESIDUAL_COLOR = "#6a6a8a"
BIAS_COLOR = "#c0392b"
SPREAD_COLOR = "#d98c3a"
BEST_COLOR = "#c0392b"
GRID_COLOR = "#e6e6e6"

BASELINE_COLORS: dict[str, str] = {
    "naive": "#c9904b",  # muted orange
    "seasonal_naive": "#8e7cb5",  # muted purple
    "linear_ar": "#5b9e98",  # muted teal
    "holt_winters": "#b8717f",  # muted rose
}

# Qualitative palette for groups (families, strategies, runs); the model blue comes first.
PALETTE: tuple[str, ...] = (
    MODEL_COLOR,
    "#d9822b",
    "#2e8b57",
    "#8e44ad",
    "#c0392b",
    "#16a085",
    "#7f8c8d",
    "#b7950b",
    "#5d6d7e",
    "#e377c2",
)

# Display names; baseline names mirror core.models.baselines.BASELINE_LABELS (kept here so that
# charts never import the models package).
LABELS: dict[str, str] = {
    "actual": "Actual",
    "model": "Model",
    "signal": "Signal (noise-free)",
    "forecast": "Forecast",
    "naive": "Naive (tomorrow = today)",
    "seasonal_naive": "Seasonal naive",
    "linear_ar": "Linear AR",
    "holt_winters": "Holt-Winters",
}


def display_name(name: str, labels: Mapping[str, str] | None = None) -> str:
    """Human name for a column or registry key, e.g. "seasonal_naive" -> "Seasonal naive"."""
    if labels and name in labels:
        return labels[name]
    if name in LABELS:
        return LABELS[name]
    return str(name).replace("_", " ").capitalize()


def color_for(name: str, position: int = 0) -> str:
    """Colour of a named series (model, actual, a baseline) or the palette colour at `position`."""
    key = str(name).strip().lower().replace(" ", "_")
    known = {"actual": ACTUAL_COLOR, "model": MODEL_COLOR, "signal": SIGNAL_COLOR}
    known.update(BASELINE_COLORS)
    for label_key, label in LABELS.items():
        known.setdefault(label.strip().lower().replace(" ", "_"), known.get(label_key, ""))
    if known.get(key):
        return known[key]
    return PALETTE[position % len(PALETTE)]


def apply_layout(
    figure: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None
) -> go.Figure:
    """White template, title top left, legend in a row above the plot, unified hover."""
    figure.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.0, "xanchor": "left", "y": 0.98, "yanchor": "top"},
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1.02,
            "yanchor": "bottom",
            "bgcolor": "rgba(255, 255, 255, 0)",
        },
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
        hovermode="x unified",
        font={"size": 13},
    )
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title)
    figure.update_xaxes(gridcolor=GRID_COLOR)
    figure.update_yaxes(gridcolor=GRID_COLOR)
    return figure


def empty_figure(title: str, message: str = NO_DATA) -> go.Figure:
    """A blank figure with a centred message, shown instead of a chart without data."""
    figure = go.Figure()
    apply_layout(figure, title)
    figure.add_annotation(
        text=message,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": "#888888"},
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def add_test_shading(
    figure: go.Figure, test_start, test_end, *, label: str = "train | test"
) -> go.Figure:
    """Shade [test_start, test_end] and mark the boundary with a dotted line and `label`."""
    shape = {"xref": "x", "yref": "paper"}
    figure.add_shape(
        type="rect",
        x0=test_start,
        x1=test_end,
        y0=0,
        y1=1,
        fillcolor=TEST_SHADE,
        line={"width": 0},
        layer="below",
        **shape,
    )
    figure.add_shape(
        type="line",
        x0=test_start,
        x1=test_start,
        y0=0,
        y1=1,
        line={"color": "#999999", "width": 1, "dash": "dot"},
        **shape,
    )
    figure.add_annotation(
        x=test_start,
        y=1.0,
        xref="x",
        yref="paper",
        yanchor="bottom",
        text=label,
        showarrow=False,
        font={"size": 12, "color": "#666666"},
    )
    return figure


def has_finite(values: Iterable) -> bool:
    """True when `values` holds at least one finite number (NaN, inf and text do not count)."""
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
    return bool(np.isfinite(numbers.to_numpy(dtype=float)).any())


def format_number(value: float) -> str:
    """Short human number: two decimals for ordinary sizes, significant digits for tiny ones."""
    if not np.isfinite(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude == 0 or 0.01 <= magnitude < 1e5:
        return f"{value:.2f}"
    return f"{value:.3g}"
