"""Saved runs side by side (Runs page, and Results' "compare with the run before"): their
forecasts on one chart, their scores in one table and the settings that differ between them."""

from __future__ import annotations

import streamlit as st

from core.charts import runs_comparison_figure
from core.evaluation.compare import (
    change_sentence,
    metric_changes,
    scores_table,
    setting_differences,
)
from core.evaluation.verdict import describe_model
from core.units import currency_of

SCORE_COLUMNS = {
    "model": st.column_config.TextColumn("Model"),
    "test_mse": st.column_config.TextColumn(
        "Squared error (MSE)", help="Mean squared error on the test days."
    ),
    "test_mae": st.column_config.TextColumn(
        "Average error (MAE)",
        help="Mean absolute error on the test days, in the data's units ($ on market data).",
    ),
    "skill": st.column_config.TextColumn(
        "Against tomorrow = today",
        help="The run's MSE compared with copying the last value (naive persistence).",
    ),
    "accuracy": st.column_config.NumberColumn("Accuracy", format="percent"),
    "balanced_accuracy": st.column_config.NumberColumn(
        "Balanced accuracy",
        format="percent",
        help="The average of the per-class recalls: always guessing one class scores 33%.",
    ),
    "seconds": st.column_config.NumberColumn("Training (s)", format="%.0f"),
}


CHANGE_COLUMNS = {"before": "The run before", "now": "This run", "change": "Change"}


def run_label(result, position: int) -> str:
    """A short, unique label of a run for legends and table headers."""
    when = result.created_at[5:16].replace("T", " ")
    return f"{position + 1} · {describe_model(result.request.model)} · {when}"


def shared_currency(results: list) -> str:
    """The runs' currency ("$" on market prices) when they all share one, else none."""
    currencies = {currency_of(result.request.data.source) for result in results}
    return currencies.pop() if len(currencies) == 1 else ""


def show_side_by_side(results: list, key: str) -> None:
    """Forecasts on one chart (regression runs), scores in one table, the differing settings."""
    labelled = [(run_label(result, position), result) for position, result in enumerate(results)]
    regression = [(label, result) for label, result in labelled if result.task == "regression"]
    if regression:
        st.plotly_chart(
            runs_comparison_figure(
                [(label, result.predictions) for label, result in regression],
                title="Forecasts of the selected runs on their test days",
                currency=shared_currency([result for _, result in regression]),
            ),
            key=f"{key}_chart",
        )
        st.caption(
            "Grey: what happened. One line per run, each with its own colour and pattern; click "
            "a name in the legend to hide or show it, drag the slider below to see other days."
        )
    st.markdown("**Scores**")
    st.dataframe(
        scores_table(labelled), column_config=SCORE_COLUMNS, placeholder="—", key=f"{key}_scores"
    )
    differences = setting_differences([(label, result.request) for label, result in labelled])
    st.markdown("**What differs between their settings**")
    if differences.empty:
        st.caption("Nothing: these runs have exactly the same settings.")
    else:
        st.dataframe(differences, key=f"{key}_settings")
        st.caption("Only the settings that are not the same in every selected run are listed.")


def show_change(current, previous, key: str) -> None:
    """Results' comparison with the run before: both forecasts and the change in each metric."""
    now, before = describe_model(current.request.model), describe_model(previous.request.model)
    pair = [(f"This run ({now})", current), (f"The run before ({before})", previous)]
    st.plotly_chart(
        runs_comparison_figure(
            [(label, result.predictions) for label, result in pair],
            title="This run and the run before on their test days",
            currency=shared_currency([current, previous]),
        ),
        key=f"{key}_chart",
    )
    st.caption(
        f"Grey: what happened. Blue: this run ({now}); orange, dashed: the run before ({before})."
        + (
            ""
            if current.request.data == previous.request.data
            else " The run before was trained on other data, so the chart shows both spans."
        )
    )
    # A static table wraps its cells: the Change words stay whole on an 800 px screen (a
    # dataframe cut them at "about the same (see...").
    changes = metric_changes(current, previous).rename(columns=CHANGE_COLUMNS)
    changes.index.name = None
    st.table(changes)
    st.caption(change_sentence(current.request, previous.request))
