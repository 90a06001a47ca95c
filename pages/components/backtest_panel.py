"""Results' walk-forward backtest tab: every cut-off is an ordinary training job in the job
registry (queued, deduplicated, cancellable, cached in the run store); this panel submits them,
polls their snapshots, and draws MSE per cut-off with a table of mean and spread."""

from __future__ import annotations

import streamlit as st

from core.charts.backtest import backtest_figure
from core.charts.theme import log_scale_words
from core.models.baseline_labels import BASELINE_LABELS
from core.runs.backtest import DEFAULT_FOLDS, backtest_report, plan_backtest, summary_frame
from pages.components import owner, services
from pages.components.guard import guarded_function, show_error

STATE = "forecast_lab.backtest"  # {"run": run key, "jobs": [job ids], "folds": N}


@st.cache_data(max_entries=8, ttl=900, show_spinner=False)
def _plan(request, folds: int):
    return plan_backtest(request, folds)


def render(result) -> None:
    st.caption(
        "Was this split lucky? The backtest trains the same model again at several earlier "
        "cut-offs, each time on all the data before it, and scores it on the block after it, "
        "next to the simple rules. Each cut-off is an ordinary training: ones you ran before "
        "load at once."
    )
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    folds = left.number_input(
        "Cut-offs",
        min_value=2,
        max_value=10,
        value=DEFAULT_FOLDS,
        key="w.results.backtest_folds",
        help="How many times to retrain, each at a later date; the test part is cut into this "
        "many equal blocks.",
    )
    if right.button(
        "Run the backtest",
        icon=":material/replay:",
        key="results_backtest_start",
        help="Trains one network per cut-off in the background (you can leave the page).",
    ):
        try:
            planned = _plan(result.request, int(folds))
            me = owner.viewer().owner_id
            jobs = [services.registry().submit(fold.request, owner=me) for fold in planned]
            st.session_state[STATE] = {"run": result.key, "jobs": jobs, "folds": int(folds)}
        except Exception as error:  # a bad plan (too short a test part) is said, not raised
            show_error(error)
    started = st.session_state.get(STATE)
    if not started or started["run"] != result.key:
        return
    snapshots = [services.registry().snapshot(job_id) for job_id in started["jobs"]]
    active = any(snapshot is not None and not snapshot.finished for snapshot in snapshots)
    st.fragment(_progress, run_every=1.0 if active else None)(result, started, active)


@guarded_function
def _progress(result, started: dict, was_active: bool) -> None:
    registry = services.registry()
    snapshots = [registry.snapshot(job_id) for job_id in started["jobs"]]
    if any(snapshot is None for snapshot in snapshots):
        st.info("The server restarted since the backtest began; press Run the backtest again.")
        return
    finished = [snapshot for snapshot in snapshots if snapshot.finished]
    if len(finished) < len(snapshots):
        running = next((s for s in snapshots if s.status == "running"), None)
        detail = (
            f" · cut-off {snapshots.index(running) + 1}: epoch {running.epoch} of at most "
            f"{running.max_epochs}"
            if running is not None
            else ""
        )
        st.progress(
            len(finished) / len(snapshots),
            text=f"{len(finished)} of {len(snapshots)} cut-offs done{detail}",
        )
        if st.button(
            "Cancel the backtest",
            icon=":material/stop_circle:",
            key="backtest_cancel",
            help="Stops the cut-off in training and drops the waiting ones; finished ones stay.",
        ):
            for job_id in started["jobs"]:
                registry.cancel(job_id)
            st.rerun()
        return
    if was_active:
        st.rerun(scope="app")  # stop polling
    failed = [s for s in snapshots if s.status != "done"]
    if failed:
        st.warning(
            f"{len(failed)} cut-off(s) did not finish ({failed[0].error or failed[0].status}); "
            "press Run the backtest to start the missing ones again."
        )
        return
    results = [registry.result(job_id) or services.load_run(job_id) for job_id in started["jobs"]]
    report = backtest_report(result.request, _plan(result.request, started["folds"]), results)
    labels = {"network": "Network", **BASELINE_LABELS}
    figure = backtest_figure(report, labels)
    st.plotly_chart(figure, key="results_backtest_chart")
    st.caption(
        f"Each point is one cut-off's test error (log scale: {log_scale_words(figure)}). The "
        "solid blue line is the network; if it stays under the dotted rules at every "
        "cut-off, its lead is not luck of one split."
    )
    st.dataframe(
        summary_frame(report, BASELINE_LABELS),
        column_config={
            "mean_mse": st.column_config.NumberColumn(
                "Mean MSE", format="%.4g", help="Average test error over the cut-offs."
            ),
            "spread_mse": st.column_config.NumberColumn(
                "Spread", format="%.4g", help="Standard deviation of the test error over them."
            ),
            "best_count": st.column_config.NumberColumn(
                "Best at", help="Cut-offs where this forecaster had the lowest error."
            ),
        },
    )
    best = report["summary"]["network"]["best_count"]
    st.caption(
        f"The network had the lowest error at {best} of {report['folds']} cut-offs. A small "
        "spread means the scores hardly depend on where the data is cut."
    )
