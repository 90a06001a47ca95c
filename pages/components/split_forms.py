"""The split form: test part, look-back window, scaling headroom and validation share."""

from __future__ import annotations

import streamlit as st

from core.config import SplitConfig
from core.settings import settings_of
from pages.components.form_helpers import clamp, widget_key
from pages.components.state import seed_widget

SPLIT = settings_of(SplitConfig)  # labels, help and ranges: declared once, in core.config


def _steps(text: str, unit: str) -> str:
    """A declaration's help in the series' own step (days, weeks, months...)."""
    return text.replace("steps", unit)


SPLIT_CHOICES = {
    "last_n": "Last N {unit}",
    "fraction": "Last share of the data",
    "calendar_year": "One calendar year",
}


def split_form(split: SplitConfig, length: int | None, unit: str = "days") -> SplitConfig:
    """Chronological split, look-back window, scaling margin and validation share; `unit` is
    the series' step in words (days, trading days, weeks, months, quarters, years)."""
    section = "split"
    method = st.radio(
        SPLIT["method"].label,
        options=list(SPLIT_CHOICES),
        format_func=lambda choice: SPLIT_CHOICES[choice].format(unit=unit),
        horizontal=True,
        key=seed_widget(widget_key(section, "method"), split.method),
        help="The model never sees the test part while training; it is kept to check how well "
        "the forecasts hold up on steps the model has not seen. The split is by time, never "
        "random.",
    )
    test_size, test_fraction, test_year = split.test_size, split.test_fraction, split.test_year
    if method == "last_n":
        upper = max(2, (length or 1_000_000) - 2)
        test_size = st.number_input(
            f"Test {unit}",
            min_value=1,
            max_value=upper,
            step=5,
            key=seed_widget(
                widget_key(section, "test_size"), int(clamp(split.test_size, 1, upper))
            ),
            help=_steps(SPLIT["test_size"].help, unit),
        )
    elif method == "fraction":
        low, high = SPLIT["test_fraction"].typical
        test_fraction = st.slider(
            SPLIT["test_fraction"].label,
            min_value=low,
            max_value=high,
            step=0.05,
            format="%.2f",
            key=seed_widget(
                widget_key(section, "test_fraction"), float(clamp(split.test_fraction, low, high))
            ),
            help=SPLIT["test_fraction"].help,
        )
    else:
        test_year = st.number_input(
            SPLIT["test_year"].label,
            min_value=int(SPLIT["test_year"].typical[0]),
            max_value=int(SPLIT["test_year"].typical[1]),
            step=1,
            key=seed_widget(widget_key(section, "test_year"), int(split.test_year)),
            help=SPLIT["test_year"].help,
        )
    low, high = (int(bound) for bound in SPLIT["lookback"].typical)
    lookback = st.slider(
        f"{SPLIT['lookback'].label} ({unit})",
        min_value=low,
        max_value=high,
        key=seed_widget(widget_key(section, "lookback"), int(clamp(split.lookback, low, high))),
        help=SPLIT["lookback"].help.replace("past steps", f"past {unit}"),
    )
    low, high = SPLIT["scaling_margin"].typical
    margin = st.slider(
        SPLIT["scaling_margin"].label,
        min_value=low,
        max_value=high,
        step=0.5,
        format="%.1fx",
        key=seed_widget(
            widget_key(section, "scaling_margin"), float(clamp(split.scaling_margin, low, high))
        ),
        help=SPLIT["scaling_margin"].help + " The presets use 1.5x, and 5x for Bitcoin.",
    )
    low, high = SPLIT["validation_fraction"].typical
    validation = st.slider(
        SPLIT["validation_fraction"].label,
        min_value=low,
        max_value=high,
        step=0.05,
        format="%.2f",
        key=seed_widget(
            widget_key(section, "validation_fraction"),
            float(clamp(split.validation_fraction, low, high)),
        ),
        help=SPLIT["validation_fraction"].help,
    )
    leak = st.checkbox(
        "Scale on the whole series, as the S&P 500 tuning paper did (leaks test information)",
        key=seed_widget(widget_key(section, "scaling_scope"), split.scaling_scope == "full_series"),
        help=SPLIT["scaling_scope"].help,
    )
    return SplitConfig(
        method=method,
        test_size=int(test_size),
        test_fraction=float(test_fraction),
        test_year=int(test_year),
        lookback=int(lookback),
        scaling_margin=float(margin),
        scaling_scope="full_series" if leak else "train",
        validation_fraction=float(validation),
    )
