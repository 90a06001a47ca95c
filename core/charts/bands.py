"""Prediction-interval bands on forecast charts: a shaded band trace helper, and the network's
one-step and recursive-forecast bands from a run's stored intervals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.evaluation.intervals import band_frame

BAND_COLOR = "rgba(31, 95, 191, 0.16)"  # the network's blue, light enough to read lines through
FUTURE_BAND_COLOR = "rgba(46, 139, 87, 0.20)"


def band_traces(
    lower: pd.Series, upper: pd.Series, name: str, color: str = BAND_COLOR
) -> list[go.Scatter]:
    """Two traces that shade the area between lower and upper (one legend entry)."""
    group = f"band-{name}"
    edge = {"width": 0}
    return [
        go.Scatter(
            x=upper.index, y=upper.to_numpy(), mode="lines", line=edge, legendgroup=group,
            showlegend=False, hoverinfo="skip", name=name,
        ),
        go.Scatter(
            x=lower.index, y=lower.to_numpy(), mode="lines", line=edge, fill="tonexty",
            fillcolor=color, legendgroup=group, name=name, hoverinfo="skip",
        ),
    ]  # fmt: skip


def add_interval_bands(
    figure: go.Figure,
    predictions: pd.DataFrame,
    future: pd.DataFrame | None,
    intervals: Mapping[str, Any],
    level_name: str,
) -> go.Figure:
    """Shade the network's band around its one-step forecasts (the rows the chart shows) and
    its widening band around the recursive forecast past the end; bands go under the lines
    (a new figure is returned)."""

    if not intervals or level_name not in intervals.get("coverage", {}):
        return figure
    shown = [trace for trace in figure.data if trace.x is not None and len(trace.x)]
    start = min(pd.Timestamp(trace.x[0]) for trace in shown) if shown else None
    previous = predictions["actual"].shift(1)  # the last value known before each forecast
    rows = predictions if start is None else predictions[predictions.index >= start]
    rows = rows[rows["model"].notna()]
    bands: list[go.Scatter] = []
    one_step = band_frame(
        rows["model"], intervals, level_name, recursive=False,
        reference=previous.loc[rows.index].to_numpy(),
    )  # fmt: skip
    bands += band_traces(one_step["lower"], one_step["upper"], f"{level_name}% band")
    extent = [one_step]
    if future is not None and len(future):
        ahead = band_frame(
            future["forecast"], intervals, level_name, recursive=True,
            reference=float(predictions["actual"].iloc[-1]),
        )  # fmt: skip
        bands += band_traces(
            ahead["lower"], ahead["upper"], f"{level_name}% band ahead", FUTURE_BAND_COLOR
        )
        extent.append(ahead)
    figure = go.Figure(data=[*bands, *figure.data], layout=figure.layout)
    _widen_y_range(figure, extent)
    return figure


def _widen_y_range(figure: go.Figure, frames: list[pd.DataFrame]) -> None:
    """A zoomed chart's fixed y range must still hold the bands inside its x range."""
    y_range, x_range = figure.layout.yaxis.range, figure.layout.xaxis.range
    if y_range is None:
        return
    low, high = float(y_range[0]), float(y_range[1])
    start = pd.Timestamp(x_range[0]) if x_range is not None else None
    for frame in frames:
        visible = frame if start is None else frame[frame.index >= start]
        values = visible[["lower", "upper"]].to_numpy(dtype=float)
        if values.size and np.isfinite(values).any():
            low, high = min(low, float(np.nanmin(values))), max(high, float(np.nanmax(values)))
    figure.update_yaxes(range=[low, high])


__all__ = ["add_interval_bands", "band_traces"]
