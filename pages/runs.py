"""Runs: every saved run with its data, model and headline scores; compare several on one chart,
open one in Results, or delete (after confirming)."""

from __future__ import annotations

import streamlit as st

from core.charts import runs_comparison_figure
from core.evaluation.verdict import runs_table
from pages.components import runtime, services, state

CONFIRM_DELETE = "forecast_lab.confirm_delete"
TABLE_VERSION = "forecast_lab.runs_table_version"

runtime.ensure_router()
state.show_flash()
state.show_link_notice()

st.title("Runs")
st.caption("Every model trained on this computer. Identical settings are never trained twice.")

store = services.store()
summaries = store.list_runs()
if store.last_problem:
    st.warning(store.last_problem)
if not summaries:
    st.info(
        "No runs yet. Train a model (or press **Try the demo** on the Home page) and it "
        "appears here.",
        icon=":material/info:",
    )
    st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
    st.stop()

table = runs_table(summaries)
version = st.session_state.setdefault(TABLE_VERSION, 0)
selection = st.dataframe(
    table,
    hide_index=True,
    on_select="rerun",
    selection_mode="multi-row",
    key=f"runs_table_{version}",
    placeholder="—",
    column_order=[column for column in table.columns if column != "key"],
    column_config={
        "created": st.column_config.TextColumn("Trained (UTC)"),
        "data": st.column_config.TextColumn("Data"),
        "model": st.column_config.TextColumn("Model"),
        "task": st.column_config.TextColumn("Predicts"),
        "test_mse": st.column_config.NumberColumn("Test MSE", format="%.4g"),
        "skill_vs_naive": st.column_config.NumberColumn(
            "Better than tomorrow = today by",
            format="percent",
            help="1 - MSE / MSE of copying the last value. Negative: worse than copying.",
        ),
        "accuracy": st.column_config.NumberColumn("Accuracy", format="percent"),
        "epochs": st.column_config.NumberColumn("Epochs", format="%d"),
        "seconds": st.column_config.NumberColumn("Seconds", format="%.0f"),
    },
)
st.caption("Tick the boxes at the left of the rows to compare, open or delete runs.")

rows = list(selection.selection.rows) if selection is not None else []
chosen = [summaries[row] for row in rows if row < len(summaries)]
if not chosen:
    st.stop()

regression = [summary for summary in chosen if summary.task == "regression"]
if regression:
    pairs = []
    for summary in regression[:8]:
        result = services.load_run(summary.key)
        if result is not None:
            pairs.append((f"{summary.model_label} · {summary.created_at[:16]}", result.predictions))
    st.plotly_chart(
        runs_comparison_figure(pairs, title="Test-part forecasts of the selected runs"),
        key="runs_compare",
    )
    st.caption(
        "Grey: what happened; one coloured line per selected run, each forecasting one day "
        "ahead on its test days. Runs on different data are drawn on the same time axis."
    )

actions = st.columns([1, 1, 3])
if len(chosen) == 1:
    if actions[0].button(
        "Open in Results",
        type="primary",
        icon=":material/monitoring:",
        help="Show this run's charts and scores; its settings become the current ones.",
    ):
        summary = chosen[0]
        state.forget_widgets(state.WIDGET_PREFIX)
        state.set_request(summary.request)
        target = "pages/classify.py" if summary.task == "classification" else "pages/results.py"
        st.switch_page(target, query_params=state.query_for_navigation())
if actions[1].button(
    f"Delete {len(chosen)} run{'s' if len(chosen) > 1 else ''}",
    icon=":material/delete:",
    help="Remove the selected runs from disk (you are asked to confirm first).",
):
    st.session_state[CONFIRM_DELETE] = [summary.key for summary in chosen]
pending = st.session_state.get(CONFIRM_DELETE)
if pending:
    st.warning(
        f"Delete {len(pending)} run(s) for good? Their models and results are removed from disk."
    )
    yes, no, _ = st.columns([1, 1, 3])
    if yes.button("Yes, delete", type="primary", help="Delete them now; this cannot be undone."):
        for key in pending:
            store.delete(key)
            services.forget_run(key)
        st.session_state.pop(CONFIRM_DELETE, None)
        st.session_state[TABLE_VERSION] = version + 1
        state.flash(f"Deleted {len(pending)} run(s).")
        st.rerun()
    if no.button("Keep them", help="Do not delete anything."):
        st.session_state.pop(CONFIRM_DELETE, None)
        st.rerun()
