"""Plotly figure builders: results, series, classification and experiment charts (no Streamlit)."""

from core.charts.classification import class_accuracy_figure, confusion_figure
from core.charts.experiments import (
    cumulative_time_figure,
    heatmap_best,
    heatmap_figure,
    importance_figure,
    parameter_figure,
    runs_comparison_figure,
    sweep_line_figure,
    trial_metrics_figure,
    trials_figure,
)
from core.charts.results import (
    forecast_figure,
    loss_figure,
    metrics_bar_figure,
    residual_figure,
    residual_histogram,
)
from core.charts.series import series_figure
from core.charts.theme import NO_DATA, apply_layout, empty_figure

__all__ = [
    "NO_DATA",
    "apply_layout",
    "class_accuracy_figure",
    "confusion_figure",
    "cumulative_time_figure",
    "empty_figure",
    "forecast_figure",
    "heatmap_best",
    "heatmap_figure",
    "importance_figure",
    "loss_figure",
    "metrics_bar_figure",
    "parameter_figure",
    "residual_figure",
    "residual_histogram",
    "runs_comparison_figure",
    "series_figure",
    "sweep_line_figure",
    "trial_metrics_figure",
    "trials_figure",
]
