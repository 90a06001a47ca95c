"""Small helpers shared by the widget forms: widget keys, clamping, declared sliders, dates,
explanations."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.settings import Setting
from pages.components.state import seed_widget


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


def declared_slider(
    setting: Setting,
    section: str,
    name: str,
    value,
    *,
    whole: bool = False,
    label: str | None = None,
    help: str | None = None,
    container=st,
    **options,
):
    """A slider over the declaration's typical range, seeded with `value` clamped into it (a
    link may carry values outside it); label and help default to the declaration's own."""
    low, high = setting.typical
    kind = int if whole else float
    low, high = kind(low), kind(high)
    return container.slider(
        label or setting.label,
        min_value=low,
        max_value=high,
        key=seed_widget(widget_key(section, name), kind(clamp(value, low, high))),
        help=help or setting.help,
        **options,
    )
