"""Runs: every saved run with its data, model and headline scores; compare several on one chart,
open one in Results, or delete (after confirming)."""

from __future__ import annotations

import streamlit as st

from core.evaluation.verdict import runs_table
from pages.components import owner, run_compare, runtime, services, state

CONFIRM_DELETE = "forecast_lab.confirm_delete"
TABLE_VERSION = "forecast_lab.runs_table_version"

runtime.ensure_router()
state.show_flash()
state.show_link_notice()

st.title("Runs")
st.caption("Every model trained on this computer. Identical settings are never trained twice.")

store = services.store()
viewer = owner.viewer()
run_owners = services.registry().owners
everyone = store.list_runs()
# Others' runs are theirs: not listed here (their data names their files); a shared link
# still opens one read-only. Runs without an owner (trained before owners were kept, or from
# the command line) are listed for everyone, read-only: the command line is the operator's
# (the teacher's) tool on the server itself, and no browser can prove it is that person, so
# none may claim them; the teacher's key deletes them. Their uploads' names stay hidden.
owners = {summary.key: run_owners.owner_of(summary.key) for summary in everyone}
summaries = [s for s in everyone if owners[s.key] in (None, viewer.owner_id) or viewer.admin]
if store.last_problem:
    st.warning(store.last_problem)
if len(everyone) > len(summaries):
    hidden = len(everyone) - len(summaries)
    st.caption(
        f":material/group: {hidden} run{'s' if hidden > 1 else ''} of other people "
        f"{'are' if hidden > 1 else 'is'} not listed; a link they share opens one read-only."
    )
if not summaries:
    st.info(
        "No runs yet. Train a model (or press **Try the demo** on the Home page) and it "
        "appears here.",
        icon=":material/info:",
    )
    st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
    st.stop()

table = runs_table(summaries)


def _whose(run_owner: str | None) -> str:
    if run_owner is None:
        return "nobody" if viewer.admin else "nobody · read-only"
    return "you" if run_owner == viewer.owner_id else "someone else"  # (the teacher sees all)


table["owner"] = [_whose(owners[summary.key]) for summary in summaries]
for row, summary in enumerate(summaries):
    path = summary.request.data.csv_path
    if summary.request.data.source == "csv" and owners[summary.key] != viewer.owner_id:
        # Not their run: the file's name is its uploader's.
        table.loc[row, "data"] = owner.without_file_name(summary.data_label, path)
version = st.session_state.setdefault(TABLE_VERSION, 0)
selection = st.dataframe(
    table,
    hide_index=True,
    on_select="rerun",
    selection_mode="multi-row",
    key=f"runs_table_{version}",
    placeholder="—",
    column_order=["created", "owner"]
    + [column for column in table.columns if column not in ("created", "owner", "key")],
    column_config={
        "created": st.column_config.TextColumn("Trained (UTC)"),
        "data": st.column_config.TextColumn("Data"),
        "model": st.column_config.TextColumn("Model"),
        "owner": st.column_config.TextColumn(
            "Owner",
            help="you: trained in this browser. nobody: trained from the command line or "
            "before runs had owners; anyone may open it, only the teacher may delete it.",
        ),
        "task": st.column_config.TextColumn("Predicts"),
        "typical_error": st.column_config.TextColumn(
            "Typical error",
            help="The root of the mean squared error on the test days (RMSE), in the data's "
            "units ($ on Bitcoin and the S&P 500); lower is better.",
        ),
        "skill_vs_naive": st.column_config.TextColumn(
            "Against tomorrow = today",
            help="The test MSE compared with copying the last value (naive persistence).",
        ),
        "accuracy": st.column_config.NumberColumn("Accuracy", format="percent"),
        "epochs": st.column_config.NumberColumn("Epochs", format="%d"),
        "seconds": st.column_config.NumberColumn("Seconds", format="%.0f"),
    },
)
if any(owners[summary.key] is None for summary in summaries):
    st.caption(
        ":material/lock: Runs owned by **nobody** were trained from the command line or before "
        "runs had owners: everyone may open them, no one but the teacher may delete them, and "
        "their file names are shown to the teacher only."
    )
st.caption(
    "Tick the boxes at the left of the rows: two or more are shown side by side below; then "
    "open one in Results or delete them."
)

rows = list(selection.selection.rows) if selection is not None else []
chosen = [summaries[row] for row in rows if row < len(summaries)]
if not chosen:
    st.stop()

results = [services.load_run(summary.key) for summary in chosen[:8]]
results = [result for result in results if result is not None]
if len(results) >= 2:
    st.subheader(f"{len(results)} runs side by side")
    run_compare.show_side_by_side(results, key="runs_compare")
    if len(chosen) > 8:
        st.caption("Only the first 8 ticked runs are compared.")

actions = st.columns([2, 1, 1], vertical_alignment="bottom")
opened = chosen[0]
if len(chosen) > 1:
    labels = {
        summary.key: run_compare.run_label(result, position)
        for position, (summary, result) in enumerate(zip(chosen, results, strict=False))
    }
    picked = actions[0].selectbox(
        "Run to open",
        options=[summary.key for summary in chosen],
        format_func=lambda key: labels.get(key, key[:10]),
        key="w.runs.open_choice",
        help="Which of the ticked runs to open in Results.",
    )
    opened = next(summary for summary in chosen if summary.key == picked)
if actions[1 if len(chosen) > 1 else 0].button(
    "Open",
    type="primary",
    icon=":material/monitoring:",
    help="Show this run's charts and scores in Results (Classify for up/flat/down runs); its "
    "settings become the current ones.",
):
    state.forget_widgets(state.WIDGET_PREFIX)
    state.set_request(opened.request)
    target = "pages/classify.py" if opened.task == "classification" else "pages/results.py"
    st.switch_page(target, query_params=state.query_for_navigation())
deletable = all(viewer.may_manage(owners[summary.key]) for summary in chosen)
if not deletable:
    st.caption(
        "Only runs trained in this browser can be deleted here; runs owned by nobody and "
        "other people's runs only by the teacher."
    )
elif actions[2 if len(chosen) > 1 else 1].button(
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
        pending = [key for key in pending if viewer.may_manage(run_owners.owner_of(key))]
        for key in pending:
            store.delete(key)
            run_owners.forget(key)
            services.forget_run(key)
        st.session_state.pop(CONFIRM_DELETE, None)
        st.session_state[TABLE_VERSION] = version + 1
        state.flash(f"Deleted {len(pending)} run(s).")
        st.rerun()
    if no.button("Keep them", help="Do not delete anything."):
        st.session_state.pop(CONFIRM_DELETE, None)
        st.rerun()
