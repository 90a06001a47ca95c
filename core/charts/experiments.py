"""Charts of sweeps and hyperparameter searches: metric vs setting, depth x activation heatmap,
trial history (raw, smoothed, best so far), search time, chosen values, importances, run overlays.

Trial frames follow optuna's trials_dataframe: number, value, state, duration, params_<name>,
user_attrs_<name>; an optional "strategy" column puts several searches on one chart.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.results import select_part
from core.charts.theme import (
    ACTUAL_COLOR,
    BEST_COLOR,
    MODEL_COLOR,
    PALETTE,
    apply_layout,
    display_name,
    empty_figure,
    format_number,
    has_finite,
)
from core.config import FAMILY_LABELS
from core.evaluation.metrics import REGRESSION_METRIC_LABELS

GROUP_LABELS: dict[str, str] = {**FAMILY_LABELS, "bayesian": "Bayesian optimisation"}


def _axis_title(name: str) -> str:
    name = str(name).removeprefix("params_").removeprefix("user_attrs_")
    return REGRESSION_METRIC_LABELS.get(name, display_name(name))


def _group_name(value: object) -> str:
    return GROUP_LABELS.get(str(value), display_name(str(value)))


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce")


def _column(frame: pd.DataFrame, name: str) -> str | None:
    """The column holding `name`: itself, or optuna's params_<name> / user_attrs_<name>."""
    for candidate in (name, f"params_{name}", f"user_attrs_{name}"):
        if candidate in frame.columns:
            return candidate
    return None


def _groups(frame: pd.DataFrame, column: str | None) -> Iterator[tuple[str | None, pd.DataFrame]]:
    if column is None or column not in frame.columns:
        yield None, frame
        return
    for value, group in frame.groupby(column, sort=False, dropna=False):
        yield str(value), group


def _numbered(trials: pd.DataFrame | None) -> pd.DataFrame:
    """Trials with a numeric "number" column (the row position if absent), sorted by it."""
    if trials is None or len(trials) == 0:
        return pd.DataFrame()
    frame = trials.copy()
    if "number" not in frame.columns:
        frame["number"] = np.arange(len(frame))
    frame["number"] = pd.to_numeric(frame["number"], errors="coerce")
    return frame.dropna(subset=["number"]).sort_values("number", kind="stable")


def _completed(trials: pd.DataFrame | None) -> pd.DataFrame:
    """Finished trials with a finite objective value (pruned and failed trials are left out)."""
    frame = _numbered(trials)
    if frame.empty or "value" not in frame.columns:
        return pd.DataFrame()
    if "state" in frame.columns:
        frame = frame[frame["state"].astype(str).str.upper().str.contains("COMPLETE")]
    frame = frame.assign(value=_numeric(frame, "value"))
    return frame[np.isfinite(frame["value"].to_numpy(dtype=float))]


def _wide_range(values: np.ndarray) -> bool:
    """True for strictly positive values spanning two orders of magnitude (log axis helps)."""
    finite = values[np.isfinite(values)]
    return bool(finite.size and np.all(finite > 0) and finite.max() / finite.min() >= 100)


def sweep_line_figure(
    frame: pd.DataFrame | None,
    x: str,
    y: str,
    color: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Metric `y` against setting `x`, one line per `color` value (e.g. MAE vs units by family)."""
    title = title or f"{_axis_title(y)} vs {_axis_title(x)}"
    if frame is None or len(frame) == 0 or x not in frame or y not in frame:
        return empty_figure(title)
    if not has_finite(frame[y]):
        return empty_figure(title)
    figure = go.Figure()
    for position, (group, rows) in enumerate(_groups(frame, color)):
        rows = rows.assign(**{y: _numeric(rows, y)}).sort_values(x, kind="stable")
        figure.add_trace(
            go.Scatter(
                x=rows[x],
                y=rows[y],
                mode="lines+markers",
                name=_group_name(group) if group is not None else _axis_title(y),
                line={"color": PALETTE[position % len(PALETTE)], "width": 2},
                marker={"size": 7},
            )
        )
    return apply_layout(figure, title, _axis_title(x), _axis_title(y))


def _best_cell(grid: np.ndarray, lower_is_better: bool) -> tuple[int, int]:
    masked = np.where(np.isfinite(grid), grid if lower_is_better else -grid, np.inf)
    row, column = np.unravel_index(np.argmin(masked), grid.shape)
    return int(row), int(column)


def heatmap_best(
    frame: pd.DataFrame, x: str, y: str, z: str, lower_is_better: bool = True
) -> tuple[Any, Any] | None:
    """The (`x`, `y`) values of the cell heatmap_figure stars, for captions that name it."""
    if frame is None or len(frame) == 0 or any(name not in frame for name in (x, y, z)):
        return None
    values = frame.assign(**{z: _numeric(frame, z)})
    if not has_finite(values[z]):
        return None
    table = values.pivot_table(index=y, columns=x, values=z, aggfunc="mean")
    row, column = _best_cell(table.to_numpy(dtype=float), lower_is_better)
    return table.columns[column], table.index[row]


def heatmap_figure(
    frame: pd.DataFrame | None,
    x: str,
    y: str,
    z: str,
    title: str | None = None,
    lower_is_better: bool = True,
) -> go.Figure:
    """Mean of `z` for each (`x`, `y`) pair, e.g. validation loss by depth x activation.

    The best cell (lowest, or highest when lower_is_better is False) is starred.
    """
    title = title or f"{_axis_title(z)} by {_axis_title(y)} and {_axis_title(x)}"
    if frame is None or len(frame) == 0 or any(name not in frame for name in (x, y, z)):
        return empty_figure(title)
    values = frame.assign(**{z: _numeric(frame, z)})
    if not has_finite(values[z]):
        return empty_figure(title)
    table = values.pivot_table(index=y, columns=x, values=z, aggfunc="mean")
    grid = table.to_numpy(dtype=float)
    best = _best_cell(grid, lower_is_better)
    text = [
        [
            (format_number(value) if np.isfinite(value) else "")
            + (" ★" if (row, column) == best else "")
            for column, value in enumerate(grid_row)
        ]
        for row, grid_row in enumerate(grid)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=grid,
            x=[str(value) for value in table.columns],
            y=[str(value) for value in table.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues_r" if lower_is_better else "Blues",
            colorbar={"title": {"text": _axis_title(z)}},
            name=_axis_title(z),
            hovertemplate=f"{_axis_title(x)} %{{x}}, {_axis_title(y)} %{{y}}: %{{z:.4g}}"
            "<extra></extra>",
        )
    )
    apply_layout(figure, title, _axis_title(x), _axis_title(y))
    figure.update_xaxes(type="category")
    figure.update_yaxes(type="category", autorange="reversed")  # first row on top
    figure.update_layout(hovermode="closest")
    return figure


def trials_figure(
    trials: pd.DataFrame | None,
    window: int = 5,
    title: str = "Objective per trial",
    y_title: str = "Test MSE (scaled)",
    direction: str = "minimize",
) -> go.Figure:
    """Each trial's value (dots), its rolling mean over `window` trials and the best so far.

    With a "strategy" column every strategy gets its own colour on the same chart.
    """
    frame = _completed(trials)
    if frame.empty:
        return empty_figure(title)
    several = "strategy" in frame.columns
    figure = go.Figure()
    for position, (group, rows) in enumerate(_groups(frame, "strategy")):
        prefix = f"{_group_name(group)}: " if several else ""
        color = PALETTE[position % len(PALETTE)]
        values = rows["value"]
        best_so_far = values.cummin() if direction == "minimize" else values.cummax()
        figure.add_trace(
            go.Scatter(
                x=rows["number"],
                y=values,
                mode="markers",
                name=f"{prefix}trial value",
                legendgroup=str(group),
                marker={"color": color if several else ACTUAL_COLOR, "size": 6, "opacity": 0.5},
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows["number"],
                y=values.rolling(window, min_periods=1).mean(),
                mode="lines",
                name=f"{prefix}smoothed (mean of {window})",
                legendgroup=str(group),
                line={"color": color, "width": 2},
            )
        )
        figure.add_trace(
            go.Scatter(
                x=rows["number"],
                y=best_so_far,
                mode="lines",
                name=f"{prefix}best so far",
                legendgroup=str(group),
                line={
                    "color": color if several else BEST_COLOR,
                    "width": 2,
                    "dash": "dash",
                    "shape": "hv",
                },
            )
        )
    objective = frame["value"].to_numpy(dtype=float)
    best_row = frame.iloc[
        int(np.argmin(objective) if direction == "minimize" else np.argmax(objective))
    ]
    best_value, best_number = float(best_row["value"]), int(best_row["number"])
    best_label = f"best {format_number(best_value)} at trial {best_number}"
    if several:
        best_label += f" ({_group_name(best_row['strategy'])})"
    figure.add_annotation(
        text=best_label,
        x=0.99,
        y=0.98,
        xref="paper",
        yref="paper",
        xanchor="right",
        yanchor="top",
        showarrow=False,
        bgcolor="rgba(255, 255, 255, 0.8)",
    )
    apply_layout(figure, title, "Trial", y_title)
    if _wide_range(frame["value"].to_numpy(dtype=float)):
        figure.update_yaxes(type="log")
    return figure


def _trial_seconds(frame: pd.DataFrame) -> pd.Series | None:
    for column in ("seconds", "duration_seconds"):
        if column in frame.columns:
            return _numeric(frame, column)
    if "duration" in frame.columns:
        duration = frame["duration"]
        if pd.api.types.is_numeric_dtype(duration):
            return pd.to_numeric(duration, errors="coerce")
        return pd.to_timedelta(duration, errors="coerce").dt.total_seconds()
    if {"datetime_start", "datetime_complete"} <= set(frame.columns):
        started = pd.to_datetime(frame["datetime_start"], errors="coerce")
        finished = pd.to_datetime(frame["datetime_complete"], errors="coerce")
        return (finished - started).dt.total_seconds()
    return None


def cumulative_time_figure(
    trials: pd.DataFrame | None, title: str = "Cumulative search time"
) -> go.Figure:
    """Total seconds spent after each trial (pruned and failed trials count: they cost time too).

    Durations come from a "seconds" column, optuna's "duration", or start/complete timestamps.
    """
    frame = _numbered(trials)
    seconds = _trial_seconds(frame) if not frame.empty else None
    if seconds is None or not has_finite(seconds):
        return empty_figure(title)
    frame = frame.assign(seconds=seconds.fillna(0.0))
    figure = go.Figure()
    several = "strategy" in frame.columns
    for position, (group, rows) in enumerate(_groups(frame, "strategy")):
        figure.add_trace(
            go.Scatter(
                x=rows["number"],
                y=rows["seconds"].cumsum(),
                mode="lines+markers",
                name=_group_name(group) if several else "Cumulative seconds",
                line={"color": PALETTE[position % len(PALETTE)], "width": 2},
                marker={"size": 5},
            )
        )
    return apply_layout(figure, title, "Trial", "Seconds since the search started")


def parameter_figure(
    trials: pd.DataFrame | None,
    params: Sequence[str] | None = None,
    title: str = "Hyperparameters chosen per trial",
) -> go.Figure:
    """One small panel per hyperparameter: the value each trial tried (log axis for wide ranges).

    `params` are names such as "learning_rate" (params_<name> columns are found too); None shows
    every params_ column.
    """
    frame = _numbered(trials)
    if frame.empty:
        return empty_figure(title)
    if params is None:
        params = [
            column.removeprefix("params_") for column in frame if column.startswith("params_")
        ]
    columns = [(name, _column(frame, name)) for name in params]
    columns = [(name, column) for name, column in columns if column and frame[column].notna().any()]
    if not columns:
        return empty_figure(title)

    return _panels_per_trial(frame, columns, title, panel_height=140, log_when_wide=True)


def trial_metrics_figure(
    trials: pd.DataFrame | None,
    metrics: Sequence[str] = ("r2", "rmse", "mae"),
    title: str = "Test metrics per trial",
) -> go.Figure:
    """One panel per metric (R^2, RMSE, MAE by default) against the trial number."""
    frame = _completed(trials)
    if frame.empty:
        return empty_figure(title)
    columns = [(name, _column(frame, name)) for name in metrics]
    columns = [(name, column) for name, column in columns if column and has_finite(frame[column])]
    if not columns:
        return empty_figure(title)
    return _panels_per_trial(frame, columns, title, panel_height=160, log_when_wide=False)


def _panels_per_trial(
    frame: pd.DataFrame,
    columns: list[tuple[str, str]],
    title: str,
    *,
    panel_height: int,
    log_when_wide: bool,
) -> go.Figure:
    """One panel per (name, column) against the trial number, one line per strategy."""
    several = "strategy" in frame.columns
    figure = make_subplots(
        rows=len(columns),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.08, 0.3 / len(columns)),
        subplot_titles=[_axis_title(name) for name, _ in columns],
    )
    for row, (name, column) in enumerate(columns, start=1):
        for position, (group, rows) in enumerate(_groups(frame, "strategy")):
            figure.add_trace(
                go.Scatter(
                    x=rows["number"],
                    y=_numeric(rows, column),
                    mode="lines+markers",
                    name=_group_name(group) if several else _axis_title(name),
                    legendgroup=str(group),
                    showlegend=several and row == 1,
                    line={"color": PALETTE[(position if several else row - 1) % len(PALETTE)]},
                    marker={"size": 5},
                ),
                row=row,
                col=1,
            )
        if log_when_wide and _wide_range(_numeric(frame, column).to_numpy(dtype=float)):
            figure.update_yaxes(type="log", row=row, col=1)
    figure.update_layout(height=panel_height * len(columns) + 140)
    apply_layout(figure, title)
    figure.update_xaxes(title_text="Trial", row=len(columns), col=1)
    return figure


def importance_figure(
    importances: Mapping[str, float] | None, title: str = "Hyperparameter importance"
) -> go.Figure:
    """Horizontal bars, most important hyperparameter on top."""
    pairs = [
        (name, float(value))
        for name, value in (importances or {}).items()
        if value is not None and np.isfinite(float(value))
    ]
    if not pairs:
        return empty_figure(title)
    pairs.sort(key=lambda pair: pair[1])  # plotly draws the first bar at the bottom
    figure = go.Figure(
        go.Bar(
            x=[value for _, value in pairs],
            y=[_axis_title(name) for name, _ in pairs],
            orientation="h",
            name="Importance",
            marker={"color": MODEL_COLOR},
            text=[f"{value:.2f}" for _, value in pairs],
            textposition="outside",
        )
    )
    figure.update_layout(height=max(260, 40 * len(pairs) + 140))
    apply_layout(figure, title, "Importance (share of explained variation)", None)
    figure.update_layout(hovermode="closest")
    return figure


RUN_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def runs_comparison_figure(
    runs: Sequence[tuple[str, pd.DataFrame | None]] | None,
    title: str = "Test predictions of several runs",
    part: str = "test",
    zoom_steps: int | None = 90,
    currency: str = "",
) -> go.Figure:
    """Actual values once, then each run's model predictions on the same part ($ on prices).

    Every run gets its own colour and line pattern and the lines are thin, so a run lying on top
    of another still shows through; the view opens on the last `zoom_steps` steps, with a range
    slider for the rest.
    """
    usable: list[tuple[str, pd.DataFrame]] = []
    for label, predictions in runs or []:
        rows = select_part(predictions, part)
        if len(rows) and "model" in rows and has_finite(rows["model"]):
            usable.append((label, rows))
    if not usable:
        return empty_figure(title)

    figure = go.Figure()
    pieces = [rows["actual"] for _, rows in usable if "actual" in rows]
    actual = pd.concat(pieces) if pieces else pd.Series(dtype=float)
    actual = actual[~actual.index.duplicated(keep="first")].sort_index()
    if has_finite(actual):
        figure.add_trace(
            go.Scatter(
                x=actual.index,
                y=actual.to_numpy(),
                mode="lines",
                name=display_name("actual"),
                line={"color": ACTUAL_COLOR, "width": 1.2},
            )
        )
    for position, (label, rows) in enumerate(usable):
        figure.add_trace(
            go.Scatter(
                x=rows.index,
                y=rows["model"],
                mode="lines",
                name=str(label),
                line={
                    "color": PALETTE[position % len(PALETTE)],
                    "width": 2.0 if position == 0 else 1.6,
                    "dash": RUN_DASHES[position % len(RUN_DASHES)],
                },
                opacity=0.85,
            )
        )
    apply_layout(figure, title, "Date", f"Price ({currency})" if currency else "Value")
    figure.update_yaxes(tickprefix=currency or None)
    figure.update_xaxes(rangeslider={"visible": True, "thickness": 0.07})
    index = actual.index if len(actual) else usable[0][1].index
    # Open on the last steps all runs share (none on different data: then the whole span).
    common = usable[0][1].index
    for _, rows in usable[1:]:
        common = common.intersection(rows.index)
    if zoom_steps and len(index) > zoom_steps and len(common):
        start = common[max(len(common) - zoom_steps, 0)]
        figure.update_xaxes(range=[start, index.max()])
        visible = [actual[actual.index >= start]] + [
            rows["model"][rows.index >= start] for _, rows in usable
        ]
        values = pd.to_numeric(pd.concat(visible), errors="coerce").to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if values.size:
            pad = (values.max() - values.min()) * 0.08 or 1.0
            figure.update_yaxes(range=[values.min() - pad, values.max() + pad])
    return figure
