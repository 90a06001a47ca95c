"""Streamlit runtime fixes: keep background trainings fast and intact inside the server
process, and route deep links through app.py on a freshly started server.

After every script run (and every fragment rerun, i.e. every second while a job is polled)
Streamlit calls `keras.backend.clear_session()` once keras is imported. Our trainings run on
worker threads of the same process, so that call resets Keras' global state in the middle of
their graph tracing: a 3-epoch demo took over two minutes instead of ten seconds, and a reset
mid-trace risks corrupting the run. Pages never build Keras models on the script thread (the
engine does, on its own threads), so that clean-up is not needed here and is switched off.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("forecast_lab.app")


def _skip_keras_reset() -> None:
    """Replacement of Streamlit's per-run clean-up: keep Keras' state, still close pyplot."""
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state() -> None:
    """Stop Streamlit from clearing the Keras session after each script run (idempotent)."""
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:  # a Streamlit without that module has no such clean-up either
        return
    if getattr(script_runner, "_clean_problem_modules", None) is _skip_keras_reset:
        return
    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = _skip_keras_reset
        logger.info("Streamlit's per-run keras.backend.clear_session() is switched off")


# --- deep links on a fresh server ---------------------------------------------------------------
# Streamlit still treats a folder named pages/ next to the entry script as a v1 multipage app
# until the first st.navigation call of the process. So the very first visit after a start that
# lands on a deep link (e.g. a shared /results?... link) would run that page script on its own,
# without app.py's router, sidebar and session bootstrap. Pages call ensure_router() first: it
# switches the v1 mode off and reruns, so the router handles the same URL.
_router = {"seen": False}


def mark_router_seen() -> None:
    """Called by app.py on every run: the router (st.navigation) is in charge from now on."""
    _router["seen"] = True


def _navigation_only() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    PagesManager.uses_pages_directory = False


def ensure_router() -> None:
    """First line of every page: rerun through app.py if this run bypassed the router."""
    if _router["seen"]:
        return
    import streamlit as st

    _navigation_only()
    logger.info("a page was opened before the router ran; rerunning through app.py")
    st.rerun()
