"""Experiments: depth x activation and units sweeps (each point an ordinary run), and
hyperparameter searches (grid, random, Bayesian, Hyperband, the generator tuner) in Optuna
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
st.markdown(
    "Here the app trains many networks for you and compares them, so you do not have to try "
    "each setting by hand. **Sweeps** change one thing at a time (how many layers, which "
    "activation, then how many units) and chart what each choice does. **Search** lets a "
    "strategy pick the settings to try, learning from the earlier tries, and keeps the best. "
    "Both run in the background on this computer; you can keep exploring meanwhile."
)
st.caption(f"Data · {data_summary(request)}. Change it on the Data page.")
sweeps, search = st.tabs(["Sweeps", "Search"])

with sweeps:
    st.markdown(
        "Depth first, then width: try every number of layers with each activation at a fixed "
        "number of units, keep the best by its error on the validation part, then try several "
        "numbers of units on it. Each point is an ordinary run, so running the sweep again "
        "only trains what is new."
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
        "Search many settings automatically: pick a strategy and a number of trials (one trial "
        "= one network trained with settings the strategy chose). The chart shows every trial "
        "live; a reload reconnects."
    )
    try:
        config, name, storage, workers = experiment_forms.search_form(request)
    except ForecastLabError as error:
        show_error(error)
        st.stop()
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
