"""Route deep links through app.py on a freshly started server (the one Streamlit behaviour the
app works around; see ensure_router)."""

from __future__ import annotations

import logging

import streamlit as st

from pages.components import state

try:
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # a Streamlit without v1 multipage apps needs no switch
    PagesManager = None

logger = logging.getLogger("forecast_lab.app")

# Streamlit (1.67: streamlit/runtime/pages_manager.py and scriptrunner/script_runner.py) treats a
# folder named pages/ next to the entry script as a v1 multipage app until the first st.navigation
# call of the process: `if PagesManager.uses_pages_directory: _mpa_v1(main_script_path)` runs the
# page script the URL names on its own. So the very first visit after a start that lands on a deep
# link (a shared /results?... link) would run that page without app.py's router, sidebar and
# session bootstrap (related: streamlit/streamlit#9624). Pages call ensure_router() first: it
# switches the v1 mode off, as st.navigation itself does, and reruns, so the router handles the
# same URL.
_router = {"seen": False}


def mark_router_seen() -> None:
    """Called by app.py on every run: the router (st.navigation) is in charge from now on."""
    _router["seen"] = True


def _navigation_only() -> None:
    if PagesManager is not None:
        PagesManager.uses_pages_directory = False


def ensure_router() -> None:
    """First line of every page: rerun through app.py if this run bypassed the router. The
    switch is per process, so a session whose first run started in v1 mode while another
    session's router switched it off is caught by its missing bootstrap (10 sessions opening
    links at once on a fresh server: 6 trained the default settings, their links unread)."""

    if _router["seen"] and state.REQUEST in st.session_state:
        return
    _navigation_only()
    logger.info("a page was opened before the router ran; rerunning through app.py")
    st.rerun()
