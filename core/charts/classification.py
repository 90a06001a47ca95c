"""Charts of the up/flat/down classifier: accuracy against the majority class, per-class bars and
the confusion matrix, drawn from a run's ClassificationScores (core.scores).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts.theme import (
    MODEL_COLOR,
    PALETTE,
    apply_layout,
    empty_figure,
    has_finite,
)
from core.evaluation.metrics import CLASS_NAMES
from core.scores import ClassificationScores, RunScores

MAJORITY_COLOR = "#9a9a9a"
# Precision and recall get their own colours, distinct from the model's blue accuracy bar.
MEASURE_COLORS = {"precision": PALETTE[3], "recall": PALETTE[1]}


def _unwrap(metrics: ClassificationScores | RunScores | None) -> ClassificationScores | None:
    """Accept a classifier's scores on one part, or a run's (its test part)."""
    if isinstance(metrics, RunScores):
        metrics = metrics.test
    return metrics if isinstance(metrics, ClassificationScores) else None


def class_accuracy_figure(
    metrics: ClassificationScores | RunScores | None,
    title: str = "Accuracy against always guessing the most common class",
) -> go.Figure:
    """Left: accuracy vs the majority-class baseline; right: precision and recall per class."""
    values = _unwrap(metrics)
    if values is None or not has_finite([values.accuracy]):
        return empty_figure(title)

    majority_class = values.majority_class or "?"
    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.35, 0.65],
        subplot_titles=("Overall accuracy", "Per class"),
    )
    overall = [float(values.accuracy), float(values.majority_baseline_accuracy)]
    figure.add_trace(
        go.Bar(
            x=["Model", f"Always '{majority_class}'"],
            y=overall,
            name="Accuracy",
            marker={"color": [MODEL_COLOR, MAJORITY_COLOR]},
            text=[f"{value:.0%}" if np.isfinite(value) else "n/a" for value in overall],
            textposition="outside",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    per_class = values.per_class
    names = [name for name in CLASS_NAMES if name in per_class]
    ticks = [f"{name} (n={per_class[name].support})" for name in names]
    for measure, color in MEASURE_COLORS.items():
        # MEASURE_COLORS' keys are ClassScores field names (precision, recall).
        scores = [float(getattr(per_class[name], measure)) for name in names]
        figure.add_trace(
            go.Bar(
                x=ticks,
                y=scores,
                name=measure.capitalize(),
                marker={"color": color},
                text=[f"{score:.0%}" if np.isfinite(score) else "n/a" for score in scores],
                textposition="outside",
            ),
            row=1,
            col=2,
        )
    apply_layout(figure, title)
    figure.update_yaxes(range=[0, 1.1], tickformat=".0%")
    # The legend (precision / recall) sits over the per-class panel it belongs to, not over
    # the overall accuracy bars on the left.
    figure.update_layout(barmode="group", hovermode="closest", legend={"x": 0.4, "xanchor": "left"})
    return figure


def confusion_figure(
    confusion: Sequence[Sequence[float]] | np.ndarray | ClassificationScores | RunScores | None,
    labels: Sequence[str] = CLASS_NAMES,
    title: str = "Confusion matrix",
) -> go.Figure:
    """Heatmap of counts; each cell also shows its share of the actual class (row)."""
    if isinstance(confusion, ClassificationScores | RunScores):
        scores = _unwrap(confusion)
        confusion = None if scores is None else scores.confusion
    if confusion is None:
        return empty_figure(title)
    counts = np.asarray(confusion, dtype=float)
    if counts.ndim != 2 or counts.size == 0 or not has_finite(counts.ravel()):
        return empty_figure(title)
    names = list(labels)[: counts.shape[1]]
    row_totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(row_totals > 0, counts / row_totals, np.nan)
    text = [
        [
            f"{int(count)}<br>{share:.0%}" if np.isfinite(share) else f"{int(count)}"
            for count, share in zip(count_row, share_row, strict=True)
        ]
        for count_row, share_row in zip(counts, shares, strict=True)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=counts,
            x=names,
            y=list(labels)[: counts.shape[0]],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
            name="Count",
            hovertemplate="actual %{y}, predicted %{x}: %{z:.0f}<extra></extra>",
        )
    )
    apply_layout(figure, title, "Predicted by the network", "What really happened")
    figure.update_yaxes(autorange="reversed")
    # A short title: a long one runs under the chart toolbar at the top right.
    figure.update_layout(hovermode="closest")
    return figure
