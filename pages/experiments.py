"""Experiments: study A's depth x activation and units sweeps (each point an ordinary run), and
hyperparameter searches (grid, random, Bayesian, Hyperband, study B's generator) in Optuna
storage, run by background workers and watched live."""

from __future__ import annotations

import streamlit as st

from core.errors import ForecastLabError
from core.tuning.study import create_study
from core.tuning.sweep import cached_outcome
from pages.components import experiment_forms, experiment_panels, runtime, services, state
from pages.components.guard import show_error
from pages.components.sidebar import data_summary

SWEEP_TASK = "experiments.sweep_task"
STUDY = "experiments.study"
STORAGE = "experiments.storage"

runtime.ensure_router()
state.show_flash()
request = state.current_request()

st.title("Experiments")
st.caption(f"Data · {data_summary(request)}. Change it on the Data page.")
sweeps, search = st.tabs(["Sweeps", "Search"])

with sweeps:
    st.markdown(
        "Study A's method: try every depth with each activation at a fixed width, keep the best "
        "by validation loss, then try several widths on it. Each point is an ordinary run, so "
        "running the sweep again only trains what is new."
    )
    try:
        plan = experiment_forms.sweep_form(request)
    except ForecastLabError as error:
        show_error(error)
        plan = None
    if plan is not None:
        st.caption(f"{plan.size} runs (finished ones load from the run store).")
        start, show = st.columns([1, 1])
        if start.button(
            "Run the sweep",
            type="primary",
            icon=":material/play_arrow:",
            help="Trains the sweep in the background; you can keep exploring meanwhile.",
        ):
            st.session_state[SWEEP_TASK] = experiment_panels.sweep_board().start(plan)
        stored = show.button(
            "Show stored results",
            icon=":material/history:",
            help="Show the points of this sweep already in the run store (trains nothing).",
        )
        task = experiment_panels.sweep_board().get(st.session_state.get(SWEEP_TASK))
        if task is not None:
            experiment_panels.sweep_progress(task.task_id)
        try:
            if stored:
                experiment_panels.sweep_results(cached_outcome(plan, services.store()))
            elif task is not None and task.finished:
                experiment_panels.sweep_results(task.outcome)
        except ForecastLabError as error:
            show_error(error)

with search:
    st.markdown(
        "Search many settings automatically. Every strategy writes to one study store, so "
        "trials from other machines appear here live and a reload reconnects."
    )
    try:
        config, name, storage = experiment_forms.search_form(request)
    except ForecastLabError as error:
        show_error(error)
        st.stop()
    workers = st.number_input(
        "Local worker processes",
        1,
        4,
        1,
        key="w.search.workers",
        help="Processes running trials in parallel on this machine (each uses the CPU fully: "
        "more than the number of cores slows every trial down).",
    )
    if st.button(
        "Start the search",
        type="primary",
        icon=":material/play_arrow:",
        help="Creates (or resumes) the study and starts background workers.",
    ):
        try:
            create_study(config, name, storage)
            experiment_panels.start_search(name, storage, int(workers))
            st.session_state[STUDY], st.session_state[STORAGE] = name, storage
        except ForecastLabError as error:
            show_error(error)
    try:
        studies = experiment_panels.study_choices(storage)
    except ForecastLabError as error:
        show_error(error)
        st.stop()
    names = [row["name"] for row in studies]
    if not names:
        st.info("No studies yet: start a search above.")
        st.stop()
    current = st.session_state.get(STUDY)
    chosen = st.selectbox(
        "Study",
        names,
        index=names.index(current) if current in names else 0,
        key="w.search.view",
        help="Any study in the storage, including ones other machines are running.",
    )
    st.session_state[STUDY] = chosen
    experiment_panels.search_live(chosen, storage)
    with st.expander("Compare strategies side by side", expanded=False):
        compared = st.multiselect(
            "Studies to compare",
            names,
            default=names[:2],
            key="w.search.compare",
            help="Put two or more studies on the same charts (e.g. generator vs Bayesian).",
        )
        if compared:
            try:
                experiment_panels.comparison(compared, storage)
            except ForecastLabError as error:
                show_error(error)
