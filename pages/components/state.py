"""Session state: the current RunRequest and job id, mirrored into the URL query parameters.

The request in session state is the one source of truth; widgets are seeded from it and the
URL is rewritten from it (core.links), so a copied link reproduces the data, model and run.
"""

from __future__ import annotations

import streamlit as st

from core.config import RunRequest
from core.links import request_from_query, request_to_query

REQUEST = "forecast_lab.request"
JOB = "forecast_lab.job"
LINK_NOTICE = "forecast_lab.link_notice"
FLASH = "forecast_lab.flash"
JOB_PARAM = "job"
WIDGET_PREFIX = "w."


def bootstrap() -> None:
    """First run of a session: request and job id from the URL; then keep the URL in sync."""
    if REQUEST not in st.session_state:
        params = st.query_params.to_dict()
        parsed = request_from_query(params)
        st.session_state[REQUEST] = parsed.request
        if parsed.ignored:
            st.session_state[LINK_NOTICE] = parsed.ignored
        job = params.get(JOB_PARAM)
        if job:
            st.session_state[JOB] = job
    sync_query_params()


def current_request() -> RunRequest:
    """The request the pages are editing (defaults: the synthetic series and an LSTM)."""
    request = st.session_state.get(REQUEST)
    if request is None:
        request = RunRequest()
        st.session_state[REQUEST] = request
    return request


def set_request(request: RunRequest) -> None:
    """Replace the current request and rewrite the URL (only when something changed)."""
    remember_request(request)
    sync_query_params()


def remember_request(request: RunRequest) -> None:
    """Replace the current request, the URL left as it is: a page that redraws something
    first (the sidebar) then calls sync_query_params, so the browser never shows the new
    link over the old words."""
    if st.session_state.get(REQUEST) != request:
        st.session_state[REQUEST] = request


def current_job_id() -> str | None:
    return st.session_state.get(JOB)


def set_job_id(job_id: str | None) -> None:
    if job_id is None:
        st.session_state.pop(JOB, None)
    else:
        st.session_state[JOB] = job_id
    sync_query_params()


def sync_query_params() -> None:
    """Write the request's non-default fields (and the job id) to the URL."""
    wanted = request_to_query(current_request())
    job = current_job_id()
    if job:
        wanted[JOB_PARAM] = job
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def query_for_navigation() -> dict[str, str]:
    """Query parameters to carry along with st.switch_page / st.page_link."""
    wanted = request_to_query(current_request())
    job = current_job_id()
    if job:
        wanted[JOB_PARAM] = job
    return wanted


def seed_widget(key: str, value) -> str:
    """Give a keyed widget its starting value from the request (only if it has none yet)."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def forget_widgets(prefix: str) -> None:
    """Drop widget values under a prefix so they are re-seeded from the request."""
    for key in [key for key in st.session_state if str(key).startswith(prefix)]:
        del st.session_state[key]


def flash(message: str, kind: str = "success") -> None:
    """A message shown once at the top of the next page run (e.g. after st.switch_page)."""
    st.session_state[FLASH] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(FLASH, None)
    if item is None:
        return
    kind, message = item
    getattr(st, kind, st.info)(message)


def show_link_notice() -> None:
    ignored = st.session_state.pop(LINK_NOTICE, None)
    if ignored:
        st.warning(
            "Some settings in the link could not be used and were left at their defaults: "
            + "; ".join(ignored)
        )
