"""The Data page's suggested look-back window: a one-click button with the reason underneath.

The suggestion (core.data.window.suggest_lookback) scores candidate windows with a linear model
on the training part only; applying it moves the window slider."""

from __future__ import annotations

import streamlit as st

from core.config import DataConfig, SplitConfig
from core.data.window import suggest_lookback
from core.errors import ForecastLabError
from pages.components import services

LOOKBACK_KEY = "w.split.lookback"


@st.cache_data(max_entries=16, show_spinner=False)
def _suggestion(data: DataConfig, split: SplitConfig):

    return suggest_lookback(services.series_for(data), split)


def suggested(data: DataConfig, split: SplitConfig) -> SplitConfig:
    """A new series' split with the window its data suggests (unchanged if there is none):
    what a user gets without touching the slider."""
    try:
        return split.replace(lookback=_suggestion(data, split).lookback)
    except ForecastLabError:
        return split


def _apply(lookback: int) -> None:
    """Callback: move the window slider (the request follows on this run)."""
    st.session_state[LOOKBACK_KEY] = lookback


def show(data: DataConfig, split: SplitConfig, unit: str = "days") -> None:
    """The button "Use the suggested window: N days" and why; a caption when already in use."""
    try:
        suggestion = _suggestion(data, split)
    except ForecastLabError as error:
        st.caption(f"No window suggestion: {error}")
        return
    if suggestion.lookback == split.lookback:
        st.caption(f":material/check: Look-back window chosen from your data: {suggestion.reason}")
        return
    st.button(
        f"Use the suggested window: {suggestion.lookback} {unit}",
        icon=":material/auto_fix_high:",
        on_click=_apply,
        args=(suggestion.lookback,),
        help="Sets the look-back window to the length that let a simple straight-line model "
        "(its smoothing chosen the same way) predict the training part best. Only the training "
        "part is used, never the test part.",
    )
    st.caption(suggestion.reason)
