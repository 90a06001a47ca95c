"""Shared look of every chart: palette, display names, common layout and the empty figure."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from core.models.baseline_labels import BASELINE_LABELS

NO_DATA = "no data yet"

# Every figure starts from plotly_white as the default template: a figure made after this line
# refers to it as it is made (about a millisecond), while update_layout(template=...) copied
# and validated the whole template again for each figure (50-100 ms a chart: with ten sessions
# watching their trainings, the largest share of the page server's CPU; the JSON sent is the
# same). Every figure of the app is made in core/charts, after this module is imported.
pio.templates.default = "plotly_white"

ACTUAL_COLOR = "#8a8f98"  # mid grey: the data itself, readable on light and dark pages
MODEL_COLOR = "#1f5fbf"  # strong blue: the network
SIGNAL_COLOR = "#2e8b57"  # green, dotted: the noise-free signal
TEST_SHADE = "rgba(31, 95, 191, 0.07)"
FUTURE_SHADE = "rgba(46, 139, 87, 0.07)"
RESIDUAL_COLOR = "#6a6a8a"
BIAS_COLOR = "#c0392b"
SPREAD_COLOR = "#d98c3a"
BEST_COLOR = "#c0392b"
GRID_COLOR = "rgba(128, 128, 128, 0.22)"  # faint on a white and on a dark page alike

# Baselines are thin and patterned so the network's solid blue line stays readable on top.
BASELINE_DASHES: tuple[str, ...] = ("dot", "dash", "dashdot", "longdash")

BASELINE_COLORS: dict[str, str] = {
    "naive": "#c9904b",  # muted orange
    "seasonal_naive": "#8e7cb5",  # muted purple
    "linear_ar": "#5b9e98",  # muted teal
    "holt_winters": "#b8717f",  # muted rose
    "ets": "#7d8f4e",  # muted olive
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

# Display names of the predictions columns (baseline names come from the config module).
LABELS: dict[str, str] = {
    "actual": "Actual",
    "model": "Model",
    "signal": "Signal (noise-free)",
    "forecast": "Forecast",
    # Sweep and search columns, in words (the scale and the exact metric in brackets).
    "test_mae_scaled": "Test error (MAE, 0..1 scale)",
    "test_mse_scaled": "Test error (MSE, 0..1 scale)",
    "validation_mse": "Validation error (MSE, 0..1 scale)",
    "test_mae": "Test error (MAE)",
    "test_mse": "Test error (MSE)",
    **BASELINE_LABELS,
}


def display_name(name: str, labels: Mapping[str, str] | None = None) -> str:
    """Human name for a column or registry key, e.g. "seasonal_naive" -> "Same day last season"."""
    if labels and name in labels:
        return labels[name]
    if name in LABELS:
        return LABELS[name]
    if name in BASELINE_LABELS:  # a forecaster registered after this module was imported
        return BASELINE_LABELS[name]
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


DEFAULT_HEIGHT = 450  # plotly's (and so st.plotly_chart's) height when a figure sets none
TITLE_SPACE = 44  # pixels for the title above the legend
LEGEND_ROW = 30  # pixels per row of legend entries (measured: about 29 at font size 13)
LABEL_SPACE = 22  # pixels for labels sitting on the plot's top edge (subplot titles, train | test)
# Narrowest usual legend width, to estimate how the legend wraps: a chart on an 800 px window
# with the sidebar open is about 470 px wide (at 640 the title sat on the legend's first row).
ASSUMED_WIDTH = 400


def _legend_rows(figure: go.Figure) -> int:
    if figure.layout.showlegend is False:
        return 0
    names = [str(trace.name) for trace in figure.data if trace.showlegend is not False]
    names = [name for name in names if name and name != "None"]
    if len(names) < 2 and figure.layout.showlegend is not True:
        return 0
    rows, used = (1 if names else 0), 0
    for name in names:
        width = 40 + 7 * len(name)
        if used and used + width > ASSUMED_WIDTH:
            rows, used = rows + 1, 0
        used += width
    return rows


def _has_top_labels(figure: go.Figure) -> bool:
    return any(
        annotation.yref == "paper"
        and annotation.yanchor == "bottom"
        and (annotation.y or 0) >= 0.99
        for annotation in figure.layout.annotations
    )


def apply_layout(
    figure: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None
) -> go.Figure:
    """White template, title top left, legend in rows above the plot, unified hover.

    The top margin grows with the legend's rows and with labels on the plot's top edge, so the
    title, legend and labels never overlap; set the figure's height before calling this.
    """
    height = figure.layout.height or DEFAULT_HEIGHT
    label_space = LABEL_SPACE if _has_top_labels(figure) else 0
    top = TITLE_SPACE + LEGEND_ROW * _legend_rows(figure) + label_space + 6
    bottom = 50
    plot_height = max(height - top - bottom, 100)
    figure.update_layout(
        title={
            "text": html.escape(title, quote=False),
            "x": 0.0,
            "xanchor": "left",
            "y": 1 - 12 / height,
            "yanchor": "top",
        },
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1 + (label_space + 4) / plot_height,
            "yanchor": "bottom",
            "bgcolor": "rgba(255, 255, 255, 0)",
        },
        margin={"l": 60, "r": 20, "t": top, "b": bottom},
        hovermode="x unified",
        font={"size": 13},
    )
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title)
    figure.update_xaxes(gridcolor=GRID_COLOR)
    figure.update_yaxes(gridcolor=GRID_COLOR, exponentformat="none", tickformat=",~r")
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
    try:
        numbers = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):  # text or mixed objects: count only what reads as a number
        coerced = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce")
        numbers = coerced.to_numpy(dtype=float)
    return bool(np.isfinite(numbers).any())


def format_number(value: float) -> str:
    """Short human number: two decimals for ordinary sizes, significant digits for tiny ones."""
    if not np.isfinite(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 1e5:
        return f"{value:,.0f}"  # 558,800 reads better than 5.59e+05
    if magnitude == 0 or 0.01 <= magnitude < 1e5:
        return f"{value:.2f}"
    return f"{value:.3g}"


def log_ticks(values: Any) -> dict[str, Any]:
    """Grid steps of a log axis over `values`: one per power of ten when they span 1.5
    decades or more, else the 1-2-5 steps between (what Plotly draws with dtick "D2")."""
    finite = np.asarray([value for value in values if value is not None], dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size and np.log10(finite.max()) - np.log10(finite.min()) >= 1.5:
        return {"dtick": 1}
    return {"dtick": "D2"}


def log_scale_words(figure: go.Figure) -> str:
    """How the figure's log axes are gridded, in words, read from the figure itself so a
    caption never says "ten times" over an axis ticked 20, 50, 100, 200."""
    axes = [
        figure.layout[name]
        for name in figure.layout
        if name.startswith("yaxis") and figure.layout[name].type == "log"
    ]
    if axes and all(axis.dtick == 1 for axis in axes):
        return "each grid step is ten times the one below"
    if any(axis.dtick == 1 for axis in axes):
        return (
            "grid steps are ten times the one below on a wide axis, and 1, 2, 5 times a power "
            "of ten on a narrow one"
        )
    return "the grid steps go 1, 2, 5, 10, 20, 50: equal distances are equal ratios"
