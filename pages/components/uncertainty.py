"""Results' prediction intervals: the level picker, the coverage sentence and table, and the bands
added to the forecast chart (intervals of older runs are calibrated in the worker pool)."""

from __future__ import annotations

import streamlit as st

from core.charts.bands import add_interval_bands
from core.evaluation.intervals import coverage_sentence
from core.models.baseline_labels import BASELINE_LABELS
from core.runs.analysis import in_pool
from pages.components import services
from pages.components.guard import show_error

LEVELS = {"80": "80%", "95": "95%", "off": "No band"}


def intervals_for(result) -> dict:
    """The run's intervals; a run saved before intervals existed gets them from the pool once."""
    if result.intervals or result.task != "regression":
        return result.intervals

    try:
        with st.spinner("Measuring how sure the forecasts are (once per run)..."):
            result.intervals = in_pool("intervals", services.store(), result.key)
    except Exception as error:  # the stored results stay readable without bands
        show_error(error)
    return result.intervals


def pick_level(container=st) -> str | None:
    """The band level the user picks ("80", "95") or None for no band."""
    choice = container.segmented_control(
        "Uncertainty band",
        options=list(LEVELS),
        format_func=LEVELS.get,
        default="80",
        key="w.results.band_level",
        help="A shaded band around the forecasts: the real value should fall inside it this "
        "often. It is sized on the validation part (the end of the training data), never on "
        "the test part, so the test part checks whether it keeps its promise.",
    )
    return None if choice in (None, "off") else choice


def add_bands(figure, result, future, level: str | None):
    """The forecast chart with the chosen band under its lines."""
    if level is None:
        return figure
    return add_interval_bands(figure, result.predictions, future, intervals_for(result), level)


def render_coverage(result, level: str | None, step_word: str = "day") -> None:
    """The coverage in plain words, and every forecaster's coverage at both levels."""
    intervals = intervals_for(result)
    if not intervals:
        return
    sentence = coverage_sentence(intervals, level or "80", step_word)
    gap = abs(intervals["coverage"][level or "80"] * 100 - float(level or "80"))
    (st.success if gap <= 5 else st.warning)(sentence, icon=":material/target:")
    with st.expander("How often each band held the real value"):
        rows = {"Network": {key: value for key, value in intervals["coverage"].items()}}
        for name, entry in intervals.get("baselines", {}).items():
            if "error" not in entry:
                label = BASELINE_LABELS.get(name, name)
                rows[label] = {key: figures["coverage"] for key, figures in entry.items()}
        st.dataframe(
            {
                "forecaster": list(rows),
                **{
                    f"{key}% band": [rows[name].get(key) for name in rows]
                    for key in intervals["levels"]
                },
            },
            column_config={
                f"{key}% band": st.column_config.NumberColumn(f"{key}% band", format="percent")
                for key in intervals["levels"]
            },
            hide_index=True,
        )
        calibration = intervals["calibration"]
        st.caption(
            f"Share of test {step_word}s whose real value fell inside each forecaster's band; a "
            f"good band holds its promise (80% or 95%). Widths were set on the validation part "
            f"({calibration['windows']} {step_word}s, {calibration['first_date']} to "
            f"{calibration['last_date']})"
            + (
                ", relative to the last known value because the series is a price"
                if intervals.get("scale") == "relative"
                else ""
            )
            + "."
        )
