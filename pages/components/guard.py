"""Error boundary: a ForecastLabError becomes an st.error with its fix; anything else a short
st.error while the traceback goes to the console log. No raw traceback ever reaches the page."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from core.errors import ForecastLabError
from pages.components.plain import plain

logger = logging.getLogger("forecast_lab.app")


def show_error(error: BaseException) -> None:
    """Render an error the way every page does."""
    if isinstance(error, ForecastLabError):
        st.error(plain(error), icon=":material/error:")  # may quote a file's cells
        return
    logger.exception("unexpected error on a page", exc_info=error)
    st.error(
        f"Something unexpected went wrong ({type(error).__name__}). The details are in the "
        "server log. Try again, or change the last setting you touched.",
        icon=":material/error:",
    )


@contextmanager
def guarded() -> Iterator[None]:
    """Catch errors inside the block and show them (st.stop/st.rerun pass through)."""
    try:
        yield
    except Exception as error:  # the page-level boundary: every error is shown, none escapes
        show_error(error)


def guarded_function(function: Callable) -> Callable:
    """Decorator form of `guarded` (for fragments, which rerun outside the page's boundary)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with guarded():
            return function(*args, **kwargs)

    return wrapper
