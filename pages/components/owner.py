"""This browser's owner id and admin rights (core/runs/owners.py), with no login.

The id is a random token in a cookie, `forecast_lab_owner` (a year, SameSite=Strict), read with
st.context.cookies when a session starts; a browser without it gets a new token, kept in the
session at once and written to the cookie by a one-line script (st.html), so reloads and new
tabs of that browser are the same owner. Another browser (or a private window) is someone else.
The teacher types FORECAST_LAB_ADMIN_TOKEN in the sidebar (only offered when it is set) to
manage everyone's runs and jobs for the rest of the session."""

from __future__ import annotations

import uuid
from pathlib import Path

import streamlit as st

from core.data.upload import display_name
from core.paths import sub_dir
from core.runs.owners import (
    HIDDEN_FILE,
    OWNER_ID,
    UploadOwners,
    Viewer,
    admin_configured,
    admin_token_matches,
)

COOKIE = "forecast_lab_owner"
OWNER_KEY = "forecast_lab.owner_id"
COOKIE_WRITTEN = "forecast_lab.owner_cookie_written"
ADMIN_KEY = "forecast_lab.admin"
COOKIE_SECONDS = 365 * 24 * 3600


def _owner_id() -> str:
    if OWNER_KEY not in st.session_state:
        cookie = str(st.context.cookies.get(COOKIE, ""))
        st.session_state[OWNER_KEY] = cookie if OWNER_ID.fullmatch(cookie) else uuid.uuid4().hex
    return st.session_state[OWNER_KEY]


def viewer() -> Viewer:
    """Who is looking: this browser's owner id, and whether the admin token was given."""
    return Viewer(owner_id=_owner_id(), admin=bool(st.session_state.get(ADMIN_KEY)))


def _uploads() -> UploadOwners:
    return UploadOwners(sub_dir("upload-owners"))


def claim_upload(reference: str) -> None:
    """This browser uploaded that file: its name is shown to it (and to the teacher) only."""
    _uploads().claim(reference, viewer().owner_id)


def sees_file(reference: str | None) -> bool:
    """Whether this browser may see the upload's file name (it uploaded it, or is the teacher)."""
    return _uploads().may_see(viewer(), reference)


def file_label(reference: str | None) -> str:
    """The upload's file name for its uploader, else words that do not name it."""
    return display_name(reference) if reference and sees_file(reference) else HIDDEN_FILE


def without_file_name(text: str, reference: str | None) -> str:
    """`text` (a data line, a run's label) with the upload's file name, or its stem, replaced
    when this browser may not see it."""
    if not reference or sees_file(reference):
        return text
    name = display_name(reference)
    for shown in (name, Path(name).stem):
        text = text.replace(shown, HIDDEN_FILE) if shown else text
    return text


def keep_in_browser() -> None:
    """Write the owner id to the browser's cookie once per session when it is not there yet
    (call it where a zero-height element does not show: the sidebar)."""
    owner = _owner_id()
    if st.context.cookies.get(COOKIE) == owner or st.session_state.get(COOKIE_WRITTEN):
        return
    st.session_state[COOKIE_WRITTEN] = True
    st.html(
        f"<script>document.cookie = '{COOKIE}={owner}; max-age={COOKIE_SECONDS}; path=/; "
        "SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )


def admin_field() -> None:
    """The teacher's key, in the sidebar; nothing is shown unless an admin token is set."""
    if not admin_configured():
        return
    with st.expander("Teacher", icon=":material/admin_panel_settings:"):
        if st.session_state.get(ADMIN_KEY):
            st.caption("You can manage everyone's runs and trainings in this session.")
            return
        token = st.text_input(
            "Teacher key",
            type="password",
            key="w.admin.token",
            help="The FORECAST_LAB_ADMIN_TOKEN the server was started with: lets you delete, "
            "restart or cancel anyone's runs and trainings.",
        )
        if token:
            if admin_token_matches(token):
                st.session_state[ADMIN_KEY] = True
                st.rerun()
            st.error("That is not the teacher key.", icon=":material/error:")


__all__ = ["COOKIE", "admin_field", "keep_in_browser", "viewer"]
