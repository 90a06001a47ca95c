"""Small helpers shared by the widget forms: widget keys, clamping, dates, explanations."""

from __future__ import annotations

import datetime as dt

import streamlit as st


def widget_key(section: str, name: str) -> str:
    """The session-state key of one form widget."""
    return f"w.{section}.{name}"


def clamp(value, low, high):
    """value kept within low..high (links may carry values outside a slider's range)."""
    return max(low, min(high, value))


def with_option(options: list, value) -> list:
    """A select_slider's options including a value that came from a link."""
    return options if value in options else sorted([*options, value])


def parse_date(text: str | None) -> dt.date | None:
    """An ISO date from a config string, or None."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def explain(text: str) -> None:
    """The one-line explanation under a choice."""
    st.caption(text)
