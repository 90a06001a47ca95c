"""Find the run a results page shows: the stored run of the current settings, else the session's
last finished training; otherwise explain what to do (st.info + st.stop)."""

from __future__ import annotations

import streamlit as st

from core.data.sources import source_title
from core.errors import ForecastLabError
from core.evaluation.verdict import describe_model
from pages.components import owner, services, state
from pages.components.guard import show_error
from pages.components.job_panel import friendly_time, session_snapshot
from pages.components.plain import plain


def _train_now(request) -> None:
    job_id = services.registry().submit(request, owner=owner.viewer().owner_id)
    state.set_job_id(job_id)


# The best Bitcoin up/flat/down classifier of the master's study (the Bitcoin study): 3 LSTM
# layers of 50 units (stored as one layer beyond the first and last), whatever family was
# chosen before.
CLASSIFIER_SETUP = {"task": "classification", "family": "lstm", "hidden_layers": 1, "units": 50}


def _use_classifier() -> None:
    """Switch the current model to the published up/flat/down classifier shape, and say so on
    the next page (set in the button's branch, not a callback: a callback's message would be
    shown, and lost, on this page's own rerun before the switch)."""
    request = state.current_request()
    model = request.model.replace(**CLASSIFIER_SETUP)
    state.forget_widgets("w.model.")
    state.set_request(request.replace(model=model))
    state.flash(
        f"Set up for up/flat/down: {describe_model(model)} (was {describe_model(request.model)}"
        f"{', next value' if request.model.task != 'classification' else ''}). It stays for "
        "every later data source until you change it here or press **Start over**.",
        "info",
    )


def _no_classifier_guard() -> None:
    st.info(
        "This page shows networks that predict **up, flat or down** instead of the next "
        "value. Your current model predicts the next value.\n\n"
        "To get such a run: on the **Model** page set *What to predict* to *Up / flat / "
        "down*, then train it. The published Bitcoin classifier used 3 LSTM layers of 50 "
        "units (LSTM 3x50). The button below sets that up on your current data.",
        icon=":material/info:",
    )
    left, right, _ = st.columns([2, 1, 2], vertical_alignment="center")
    if left.button(
        "Set up an up/flat/down model",
        type="primary",
        icon=":material/swap_vert:",
        help="Keeps your data; switches the model to 3 LSTM layers of 50 units (LSTM 3x50, "
        "the best Bitcoin classifier of the RNN forecasting study), whatever family you had. "
        "You can change it on the Model page.",
    ):
        _use_classifier()
        st.switch_page("pages/model.py", query_params=state.query_for_navigation())
    right.page_link("pages/runs.py", label="Open an earlier run", icon=":material/history:")
    st.stop()


def result_for_page(task: str):
    """The RunResult to show for `task` (regression or classification), or stop the page."""
    request = state.current_request()
    if task == "classification" and request.model.task != "classification":
        _no_classifier_guard()
    try:
        key = services.key_for(request)
    except ForecastLabError as error:
        show_error(error)
        st.stop()
    result = services.load_run(key)
    snapshot = session_snapshot()
    if result is None and snapshot is not None:
        if snapshot.key == key and not snapshot.finished:
            st.info(
                "These settings are training right now. The results appear here when it is done.",
                icon=":material/model_training:",
            )
            st.page_link("pages/train.py", label="Watch the training", icon=":material/visibility:")
            st.stop()
        if snapshot.status == "done":
            result = services.load_run(snapshot.key)
            if result is not None:
                st.caption(
                    ":material/info: Your current settings have not been trained yet; showing your "
                    "last training instead."
                )
    if result is None:
        st.info(
            "There is no trained model for the current settings yet. Train it (about a minute "
            "for the default model), or open an earlier run on the Runs page.",
            icon=":material/info:",
        )
        left, right, _ = st.columns([1, 1, 3])
        if left.button(
            "Train these settings",
            type="primary",
            icon=":material/play_arrow:",
            help="Starts a background training of the current settings and opens the Train page.",
        ):
            try:
                _train_now(request)
            except ForecastLabError as error:
                show_error(error)
                st.stop()
            st.switch_page("pages/train.py", query_params=state.query_for_navigation())
        right.page_link("pages/runs.py", label="Earlier runs", icon=":material/history:")
        st.stop()
    if result.task != task:
        if task == "classification":
            _no_classifier_guard()
        else:
            st.info(
                "The current run predicts up / flat / down rather than the next value; its "
                "accuracy and confusion matrix are on the Classify page.",
                icon=":material/info:",
            )
            st.page_link("pages/classify.py", label="Open Classify", icon=":material/swap_vert:")
        st.stop()
    return result


def _yours(key: str) -> bool:
    run_owner = services.registry().owners.owner_of(key)
    return run_owner is not None and owner.viewer().may_manage(run_owner)


def run_header(result) -> None:
    """Title line of a run: what was trained on what, when, and how long it took."""
    model = result.request.model
    info = result.series_info
    name = info.name or source_title(result.request.data)
    path = result.request.data.csv_path
    if result.request.data.source == "csv" and not (_yours(result.key) or owner.sees_file(path)):
        name = owner.file_label(path)  # a shared or ownerless run: its file name stays private
    st.markdown(
        f"**{describe_model(model)}** ({result.parameter_count:,} weights) on "
        f"**{plain(name)}**, "
        f"{info.first_date} to {info.last_date}"
    )
    span = result.test_span()
    if span["steps"]:
        st.caption(
            f"Trained on {info.first_date} up to the test part, {span['first_date']} to "
            f"{span['last_date']} ({span['steps']:,} steps); forecasts past the end start "
            f"after {info.last_date}."
        )
    st.caption(
        f"Trained {friendly_time(result.created_at)} in {result.train_seconds:.0f} s, "
        f"{result.epochs_run} epochs (best {result.best_epoch}) · run {result.key[:10]}"
    )
    if info.notice:
        st.warning(info.notice, icon=":material/cloud_off:")
