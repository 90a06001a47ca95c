"""The data chart: a series in original units, its noise-free signal and the shaded test part."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from numpy.typing import ArrayLike

from core.charts.theme import (
    ACTUAL_COLOR,
    SIGNAL_COLOR,
    add_test_shading,
    apply_layout,
    display_name,
    empty_figure,
    has_finite,
)


def series_figure(
    dates: ArrayLike,
    values: ArrayLike,
    signal: ArrayLike | None = None,
    train_end_date: object | None = None,
    title: str = "The series",
    y_title: str = "Value",
) -> go.Figure:
    """Line chart of the series; `train_end_date` is the first test date (test part shaded)."""
    dates_index = pd.DatetimeIndex(dates) if len(dates) else pd.DatetimeIndex([])
    observed = np.asarray(values, dtype=float)
    if len(observed) == 0 or len(dates_index) != len(observed) or not has_finite(observed):
        return empty_figure(title)

    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=dates_index,
            y=observed,
            mode="lines",
            name=display_name("actual"),
            line={"color": ACTUAL_COLOR, "width": 1.2},
        )
    )
    if signal is not None:
        noise_free = np.asarray(signal, dtype=float)
        if len(noise_free) == len(observed) and has_finite(noise_free):
            figure.add_trace(
                go.Scatter(
                    x=dates_index,
                    y=noise_free,
                    mode="lines",
                    name=display_name("signal"),
                    line={"color": SIGNAL_COLOR, "width": 2, "dash": "dot"},
                )
            )
    if train_end_date is not None:
        boundary = pd.Timestamp(train_end_date)
        if dates_index[0] < boundary <= dates_index[-1]:
            add_test_shading(figure, boundary, dates_index[-1])
    return apply_layout(figure, title, "Date", y_title)


def preview_figure(dates: ArrayLike, values: ArrayLike, height: int = 150) -> go.Figure:
    """A small line of a whole series, for a card: no title, legend or axis titles."""
    figure = go.Figure(
        go.Scatter(
            x=pd.DatetimeIndex(dates),
            y=np.asarray(values, dtype=float),
            mode="lines",
            line={"color": ACTUAL_COLOR, "width": 1},
            hovertemplate="%{x|%d %b %Y}: %{y:.1f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        showlegend=False,
        xaxis={"showgrid": False},
        yaxis={"showgrid": False, "showticklabels": False},
    )
    return figure
