"""Charts of one run's result: forecast vs actual, residuals, loss curves and error bars.

They read RunResult.predictions (index date; columns part, actual, model, one per baseline,
signal) and RunResult.history, and show "no data yet" instead of failing on empty input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.theme import (
    ACTUAL_COLOR,
    BASELINE_DASHES,
    BEST_COLOR,
    BIAS_COLOR,
    FUTURE_SHADE,
    MODEL_COLOR,
    PALETTE,
    RESIDUAL_COLOR,
    SIGNAL_COLOR,
    SPREAD_COLOR,
    add_test_shading,
    apply_layout,
    color_for,
    display_name,
    empty_figure,
    format_number,
    has_finite,
    log_ticks,
)
from core.evaluation.metrics import REGRESSION_METRIC_LABELS
from core.units import amount

PARTS = ("train", "test", "all")


def select_part(predictions: pd.DataFrame | None, part: str = "test") -> pd.DataFrame:
    """Rows of one part ("train", "test" or "all"); a frame without a part column is all test."""
    if predictions is None or len(predictions) == 0:
        return pd.DataFrame()
    if part not in PARTS:
        raise ValueError(f"part '{part}' is not one of {', '.join(PARTS)}.")
    if part == "all" or "part" not in predictions.columns:
        return predictions
    return predictions[predictions["part"] == part]


def _has_column_data(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and has_finite(frame[column])


def _residuals(predictions: pd.DataFrame | None, part: str) -> pd.Series:
    rows = select_part(predictions, part)
    if not (_has_column_data(rows, "actual") and _has_column_data(rows, "model")):
        return pd.Series(dtype=float)
    residual = pd.to_numeric(rows["actual"], errors="coerce") - pd.to_numeric(
        rows["model"], errors="coerce"
    )
    return residual[np.isfinite(residual.to_numpy(dtype=float))]


ZOOM_STEPS = 90  # default view: the last this many test steps (the range slider shows the rest)


def _window_range(frames: Sequence[pd.Series], start) -> list[float] | None:
    """A y range fitting the values from `start` on, with a little padding (zoomed views)."""
    values = [
        pd.to_numeric(frame[frame.index >= start], errors="coerce").to_numpy(dtype=float)
        for frame in frames
        if frame is not None and len(frame)
    ]
    values = [array[np.isfinite(array)] for array in values]
    values = [array for array in values if array.size]
    if not values:
        return None
    low = min(float(array.min()) for array in values)
    high = max(float(array.max()) for array in values)
    pad = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    return [low - pad, high + pad]


def forecast_figure(
    predictions: pd.DataFrame | None,
    baselines: Sequence[str] = (),
    show_train: bool = True,
    forecast: pd.DataFrame | None = None,
    *,
    show_signal: bool = False,
    labels: Mapping[str, str] | None = None,
    title: str = "Forecast vs actual",
    y_title: str = "Value",
    zoom_steps: int | None = ZOOM_STEPS,
    currency: str = "",
) -> go.Figure:
    """Actual, the chosen baselines, the future forecast and the network (drawn last, on top).

    Baselines exist on test rows only and are thin dotted lines; beyond the first they start
    hidden (click their legend entry to show them). The test part is shaded when the training
    part is shown; the recursive forecast past the last date (`forecast` with a "forecast"
    column) is a dashed line on a lightly shaded band. Test-only views open on the last
    `zoom_steps` test steps (plus the future) with a range slider below for the rest.
    `show_signal` adds the noise-free signal (synthetic series) as a green dotted line.
    """
    if predictions is None or not (
        _has_column_data(predictions, "actual") or _has_column_data(predictions, "model")
    ):
        return empty_figure(title)
    rows = predictions if show_train else select_part(predictions, "test")
    if len(rows) == 0:
        return empty_figure(title)

    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=rows.index,
            y=rows["actual"] if "actual" in rows else None,
            mode="lines",
            name=display_name("actual", labels),
            line={"color": ACTUAL_COLOR, "width": 1.3},
        )
    )
    if show_signal and _has_column_data(rows, "signal"):
        figure.add_trace(
            go.Scatter(
                x=rows.index,
                y=rows["signal"],
                mode="lines",
                name=display_name("signal", labels),
                line={"color": SIGNAL_COLOR, "width": 2, "dash": "dot"},
            )
        )
    shown = 0
    for position, name in enumerate(baselines):
        if not _has_column_data(rows, name):
            continue
        column = pd.to_numeric(rows[name], errors="coerce").dropna()
        figure.add_trace(
            go.Scatter(
                x=column.index,
                y=column.to_numpy(),
                mode="lines",
                name=display_name(name, labels),
                line={
                    "color": color_for(name, position + 1),
                    "width": 1.5,
                    "dash": BASELINE_DASHES[shown % len(BASELINE_DASHES)],
                },
                visible=True if shown == 0 else "legendonly",
            )
        )
        shown += 1

    test_rows = select_part(predictions, "test")
    if show_train and "part" in predictions and len(test_rows) and len(test_rows) < len(rows):
        add_test_shading(figure, test_rows.index.min(), test_rows.index.max())

    future = None
    if forecast is not None and _has_column_data(forecast, "forecast"):
        future = pd.to_numeric(forecast["forecast"], errors="coerce").dropna()
        figure.add_trace(
            go.Scatter(
                x=future.index,
                y=future.to_numpy(),
                mode="lines",
                name=f"{display_name('forecast', labels)} (next {len(future)} steps)",
                line={"color": MODEL_COLOR, "width": 2, "dash": "dash"},
            )
        )
        figure.add_shape(
            type="rect",
            xref="x",
            yref="paper",
            x0=future.index.min(),
            x1=future.index.max(),
            y0=0,
            y1=1,
            fillcolor=FUTURE_SHADE,
            line={"width": 0},
            layer="below",
        )
    if "model" in rows:
        figure.add_trace(
            go.Scatter(
                x=rows.index,
                y=rows["model"],
                mode="lines",
                name=display_name("model", labels),
                line={"color": MODEL_COLOR, "width": 2.2},
            )
        )
    apply_layout(figure, title, "Date", f"Price ({currency})" if currency else y_title)
    if currency:  # prices: "$80,000" on the axis, not a bare 80,000
        figure.update_yaxes(tickprefix=currency)
    figure.update_xaxes(rangeslider={"visible": True, "thickness": 0.07})
    if zoom_steps and not show_train and len(rows) > zoom_steps:
        start = rows.index[-zoom_steps]
        end = future.index.max() if future is not None and len(future) else rows.index.max()
        figure.update_xaxes(range=[start, end])
        shown_columns = [rows[column] for column in ("actual", "model") if column in rows]
        y_range = _window_range([*shown_columns, future], start)
        if y_range is not None:
            figure.update_yaxes(range=y_range)
    return figure


def residual_figure(
    predictions: pd.DataFrame | None,
    part: str = "test",
    title: str = "Errors over time",  # short: a half-width chart at 800 px
    currency: str = "",
) -> go.Figure:
    """Residual (actual - model) per date on one part, around a zero line; the axis names the
    currency of price series ("Actual - model ($)")."""
    residual = _residuals(predictions, part)
    if residual.empty:
        return empty_figure(title)
    figure = go.Figure(
        go.Scatter(
            x=residual.index,
            y=residual.to_numpy(),
            mode="lines+markers",
            name="Residual",
            line={"color": RESIDUAL_COLOR, "width": 1},
            marker={"size": 3},
        )
    )
    figure.add_hline(y=0, line={"color": ACTUAL_COLOR, "width": 1})
    return apply_layout(figure, title, "Date", _residual_title(currency))


MONEY_METRICS = ("rmse", "mae")  # in the series' units (squared for the MSE)


def _metric_title(metric: str, currency: str) -> str:
    label = REGRESSION_METRIC_LABELS.get(metric, metric)
    return f"{label} ({currency})" if currency and metric in MONEY_METRICS else label


def _money(value: float, currency: str) -> str:
    """A residual's size: with the currency on price series ("$828"), else as before."""
    return amount(value, currency) if currency else format_number(value)


def _residual_title(currency: str) -> str:
    return f"Actual - model ({currency})" if currency else "Actual - model"


def _bias_words(bias: float, currency: str = "") -> str:
    """The mean residual (actual - model) in words: positive means the forecasts run low."""
    if bias == 0 or not np.isfinite(bias):
        return "no bias on average"
    side = "too low" if bias > 0 else "too high"
    return f"forecasts {_money(abs(bias), currency)} {side} on average"


def residual_histogram(
    predictions: pd.DataFrame | None,
    part: str = "test",
    title: str = "Residual distribution",
    currency: str = "",
) -> go.Figure:
    """Histogram of residuals with lines at the mean (bias) and at mean +- one std (spread)."""
    residual = _residuals(predictions, part)
    if residual.empty:
        return empty_figure(title)
    values = residual.to_numpy(dtype=float)
    bias, spread = float(values.mean()), float(values.std())
    figure = go.Figure(
        go.Histogram(
            x=values,
            nbinsx=min(60, max(10, len(values) // 8)),
            name="Residuals",
            marker={"color": RESIDUAL_COLOR},
            opacity=0.75,
        )
    )
    figure.add_vline(x=bias, line={"color": BIAS_COLOR, "width": 2})
    for edge in (bias - spread, bias + spread):
        figure.add_vline(x=edge, line={"color": SPREAD_COLOR, "width": 1.5, "dash": "dash"})
    figure.add_annotation(
        # two short lines, so the note stays inside a half-width chart on an 800 px screen
        text=_bias_words(bias, currency) + f"<br>most errors within ±{_money(spread, currency)}",
        hovertext=f"bias (mean residual) {_money(bias, currency)}, "
        f"spread (standard deviation) {_money(spread, currency)}",
        x=0.99,
        y=0.98,
        xref="paper",
        yref="paper",
        xanchor="right",
        yanchor="top",
        showarrow=False,
        bgcolor="rgba(255, 255, 255, 0.8)",
        font={"color": BIAS_COLOR},
    )
    apply_layout(figure, title, _residual_title(currency), "Count")
    figure.update_layout(hovermode="closest", bargap=0.05)
    return figure


LOSS_TITLES = {
    "regression": "Error (mean squared, on the 0..1 scale)",
    "classification": "Loss (cross-entropy)",
}


def loss_figure(
    history: Mapping[str, Sequence[float]] | None,
    title: str = "Loss per epoch",
    task: str = "regression",
    best_epoch: int | None = None,
) -> go.Figure:
    """Training and validation loss per epoch on a log scale, with the best epoch marked.

    The star marks `best_epoch`, the trainer's own (1-based, the epoch whose weights the model
    keeps; the trainer looks for it only from the middle of a cosine schedule on, so it is not
    always the lowest point): the page's "best at epoch N" and the star say one number. Without
    it (a training still running) no star is drawn. The y title names the loss of the task:
    squared error for next-value models, cross-entropy for up/flat/down classifiers.
    """
    history = history or {}
    curves = {
        name: np.asarray(history.get(key) or [], dtype=float)
        for key, name in (("loss", "Training loss"), ("val_loss", "Validation loss"))
    }
    curves = {name: values for name, values in curves.items() if has_finite(values)}
    if not curves:
        return empty_figure(title)

    figure = go.Figure()
    for position, (name, values) in enumerate(curves.items()):
        figure.add_trace(
            go.Scatter(
                x=np.arange(1, len(values) + 1),
                y=values,
                mode="lines+markers" if len(values) < 40 else "lines",
                name=name,
                line={"color": PALETTE[position], "width": 2},
                marker={"size": 4},
            )
        )
    reference = curves.get("Validation loss", curves.get("Training loss"))
    if best_epoch is not None and 1 <= best_epoch <= len(reference):
        figure.add_trace(
            go.Scatter(
                x=[best_epoch],
                y=[reference[best_epoch - 1]],
                mode="markers",
                name=f"Best epoch {best_epoch}",
                marker={"color": BEST_COLOR, "size": 12, "symbol": "star"},
            )
        )
    finite = np.concatenate([values[np.isfinite(values)] for values in curves.values()])
    apply_layout(figure, title, "Epoch", LOSS_TITLES.get(task, LOSS_TITLES["regression"]))
    if len(reference) <= 15:
        figure.update_xaxes(dtick=1)
    if np.all(finite > 0):
        figure.update_yaxes(type="log")
    return figure


def metrics_bar_figure(
    rows: pd.DataFrame | None,
    metrics: Sequence[str] = ("mse", "mae"),
    *,
    labels: Mapping[str, str] | None = None,
    title: str = "Test error: model vs baselines (lower is better)",
    floor: float | None = None,
    currency: str = "",
) -> go.Figure:
    """One bar panel per metric, one bar per row (the model and each baseline).

    `rows` is indexed by name (or has a "name" column) with one column per metric. The value
    axes are logarithmic when every bar is positive, so one very bad baseline does not squash
    the rest; `floor` (the noise floor MSE) is drawn as a line on the MSE panel.
    """
    if rows is None or len(rows) == 0:
        return empty_figure(title)
    frame = rows.set_index("name") if "name" in rows.columns else rows
    present = [metric for metric in metrics if _has_column_data(frame, metric)]
    if not present:
        return empty_figure(title)

    names = [str(name) for name in frame.index]
    colors = [color_for(name, position) for position, name in enumerate(names)]
    figure = make_subplots(
        rows=1,
        cols=len(present),
        subplot_titles=[_metric_title(metric, currency) for metric in present],
    )
    for column, metric in enumerate(present, start=1):
        values = pd.to_numeric(frame[metric], errors="coerce").to_numpy(dtype=float)
        figure.add_trace(
            go.Bar(
                x=[display_name(name, labels) for name in names],
                y=values,
                name=REGRESSION_METRIC_LABELS.get(metric, metric),
                marker={"color": colors},
                text=[
                    _money(value, currency if metric in MONEY_METRICS else "") for value in values
                ],
                textposition="outside",
                showlegend=False,
            ),
            row=1,
            col=column,
        )
        finite = values[np.isfinite(values)]
        if finite.size and np.all(finite > 0):
            low, high = np.log10(finite.min()), np.log10(finite.max())
            if metric == "mse" and floor is not None and np.isfinite(floor) and floor > 0:
                low = min(low, np.log10(floor))
            # One label per power of ten when the bars span several, else the 2-5 steps between.
            ticks = log_ticks([10**low, 10**high])
            figure.update_yaxes(
                type="log", range=[low - 0.3, high + 0.35], row=1, col=column, **ticks
            )
        if metric == "mse" and floor is not None and np.isfinite(floor) and floor > 0:
            figure.add_hline(
                y=floor,
                line={"color": SIGNAL_COLOR, "width": 1.5, "dash": "dot"},
                annotation_text="noise floor",
                annotation_position="bottom right",
                annotation_font={"color": SIGNAL_COLOR, "size": 11},
                row=1,
                col=column,
            )
    apply_layout(figure, title)
    figure.update_layout(hovermode="closest")
    return figure
