"""The shared sidebar: the current data and model at a glance, and the training jobs running now."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.config import RunRequest
from core.data.sources import SOURCE_REGISTRY
from core.errors import ForecastLabError
from core.evaluation.verdict import describe_model
from pages.components import owner, services, state
from pages.components.guard import guarded_function
from pages.components.plain import plain

SETUP_SLOT = "forecast_lab.setup_slot"  # this run's "Current setup" slot (render sets it)
STATUS_WORDS = {
    "queued": "waiting",
    "running": "training",
    "done": "finished",
    "failed": "failed",
    "cancelled": "cancelled",
}


def data_summary(request: RunRequest) -> str:
    """One line on the data, e.g. "Synthetic · 2,555 days" or "Bitcoin (BTC-USD) · yahoo", as
    Markdown-safe text (an uploaded file's name is the user's)."""
    text = SOURCE_REGISTRY[request.data.source].summarize(request.data)
    if request.data.source == "csv":
        text = owner.without_file_name(text, request.data.csv_path)  # maybe someone else's
    return plain(text)


def model_summary(request: RunRequest) -> str:
    model, train = request.model, request.train
    task = "up/flat/down" if model.task == "classification" else "next value"
    return f"{describe_model(model)} · {task} · up to {train.epochs} epochs"


def render(shown_live: str | None = None) -> Callable[[], None]:
    """Draw the sidebar before the page runs (a page's st.stop() ends the script, and anything
    drawn after it is lost, which left "Current setup" empty); returns a function that redraws
    the setup lines with what the page just chose, called when the page ran to its end.
    `shown_live`: the job the page itself shows live (the Train page's panel), left out of
    "Training now" so that one job is not polled twice (each poll costs the server and the
    browser; README, "Measured choices")."""
    with st.sidebar:
        st.markdown("##### Current setup")
        slot = st.empty()
        _setup_lines(slot)
        st.button(
            "Start over",
            icon=":material/restart_alt:",
            key="start_over",
            on_click=start_over,
            help="Back to the default data (the synthetic series) and the default network and "
            "training settings; your saved runs stay in Runs.",
        )
        active, _ = _listed(shown_live)
        run_every = 2.0 if active else None
        st.fragment(_jobs_panel, run_every=run_every)(bool(active), shown_live)
        owner.keep_in_browser()
        owner.admin_field()
    st.session_state[SETUP_SLOT] = slot
    return lambda: _setup_lines(slot)


def refresh_setup() -> None:
    """Redraw "Current setup" now (the Data page, before a slow load: the sidebar names the
    series the page is loading, not the one before)."""
    slot = st.session_state.get(SETUP_SLOT)
    if slot is not None:
        _setup_lines(slot)


def _visible(jobs: list) -> list:
    """The jobs this browser may see in full: its own (an admin: all). Others' labels name
    their files, so they are only counted."""
    viewer = owner.viewer()
    return [job for job in jobs if job.owner is None or viewer.may_manage(job.owner)]


def start_over() -> None:
    """Callback: every setting back to its default (the URL follows), said in a message."""
    state.forget_widgets(state.WIDGET_PREFIX)
    state.set_job_id(None)
    state.set_request(RunRequest())
    default = RunRequest()
    state.flash(
        f"Started over: {data_summary(default)}, {model_summary(default)} (the defaults).",
        "info",
    )


def source_change_notice(request: RunRequest, source: str) -> str:
    """What a change of source keeps: the network and training settings, said with the count
    of weights, so a big network set up for one series is not carried over in silence."""
    label = SOURCE_REGISTRY[source].picker_label
    try:
        weights = f", {services.parameter_count(request.model, request.split.lookback):,} weights"
    except ForecastLabError:  # a window too long for the count: the notice goes without it
        weights = ""
    return (
        f"New data ({label}): the split and window start from its own preset; the model and "
        f"training settings are kept: {model_summary(request)}{weights}. **Start over** in the "
        "sidebar goes back to the defaults."
    )


def _setup_lines(slot) -> None:
    request = state.current_request()
    with slot.container():
        st.caption(f":material/dataset: {data_summary(request)}")
        st.caption(f":material/neurology: {model_summary(request)}")


def _listed(shown_live: str | None) -> tuple[list, int]:
    """The active jobs "Training now" lists (this browser's, but the one the page shows live)
    and the count of others' active jobs."""
    everyone = [job for job in services.registry().jobs() if not job.finished]
    visible = _visible(everyone)
    return [job for job in visible if job.job_id != shown_live], len(everyone) - len(visible)


@guarded_function
def _jobs_panel(was_active: bool, shown_live: str | None = None) -> None:
    active, others = _listed(shown_live)
    mine = state.current_job_id()
    if was_active and not active:
        st.rerun()  # the last job just finished: refresh the page once, then stop polling
    if not active:
        if others:
            st.caption(f":material/group: {others} training{'s' if others > 1 else ''} of others")
        return
    st.markdown("##### Training now")
    for job in active[:5]:
        marker = " (yours)" if job.job_id == mine else ""
        if job.status == "queued":
            detail = f"waiting, #{job.queue_position} in line{job.wait_words}"
        else:
            detail = f"epoch {job.epoch}/{job.max_epochs} · {job.elapsed:.0f}s"
        st.caption(f":material/progress_activity: {plain(job.label)}{marker}  \n{detail}")
    if len(active) > 5:
        st.caption(f"... and {len(active) - 5} more")
    if others:
        st.caption(f":material/group: and {others} training{'s' if others > 1 else ''} of others")
