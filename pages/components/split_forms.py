"""The split form: test part, look-back window, scaling headroom and validation share."""

from __future__ import annotations

import streamlit as st

from core.config import SplitConfig
from pages.components.form_helpers import clamp, widget_key
from pages.components.state import seed_widget

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
        "Test part",
        options=list(SPLIT_CHOICES),
        format_func=lambda choice: SPLIT_CHOICES[choice].format(unit=unit),
        horizontal=True,
        key=seed_widget(widget_key(section, "method"), split.method),
        help="The model never sees the test part while training; it is kept to check how well "
        "the forecasts hold up on days the model has not seen. The split is by time, never random.",
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
            help=f"How many of the most recent {unit} are kept for testing. Published "
            "comparisons used 465 (one year plus 100 days).",
        )
    elif method == "fraction":
        test_fraction = st.slider(
            "Test share",
            min_value=0.05,
            max_value=0.5,
            step=0.05,
            format="%.2f",
            key=seed_widget(
                widget_key(section, "test_fraction"), float(clamp(split.test_fraction, 0.05, 0.5))
            ),
            help="The share of the data, at the end, kept for testing. 0.2 is an 80/20 split.",
        )
    else:
        test_year = st.number_input(
            "Test year",
            min_value=1930,
            max_value=2100,
            step=1,
            key=seed_widget(widget_key(section, "test_year"), int(split.test_year)),
            help="Test on this calendar year only (the published Bitcoin comparison tested "
            "on 2024); later days are dropped.",
        )
    lookback = st.slider(
        f"Look-back window ({unit})",
        min_value=1,
        max_value=365,
        key=seed_widget(widget_key(section, "lookback"), int(clamp(split.lookback, 1, 365))),
        help=f"How many past {unit} the network sees to predict the next value "
        "(e.g. 30 days, 13 weeks or 12 months).",
    )
    margin = st.slider(
        "Scaling headroom",
        min_value=1.0,
        max_value=10.0,
        step=0.5,
        format="%.1fx",
        key=seed_widget(
            widget_key(section, "scaling_margin"), float(clamp(split.scaling_margin, 1.0, 10.0))
        ),
        help="Values are squeezed into 0..1 using the training range times this factor, so "
        "later, higher values still fit (min-max scaling with a margin). Published comparisons "
        "used 1.5x for synthetic data and 5x for "
        "Bitcoin.",
    )
    validation = st.slider(
        "Validation share",
        min_value=0.0,
        max_value=0.3,
        step=0.05,
        format="%.2f",
        key=seed_widget(
            widget_key(section, "validation_fraction"),
            float(clamp(split.validation_fraction, 0.0, 0.3)),
        ),
        help="The last part of the training data is used to decide when to stop training "
        "(early stopping). 0 turns that check off.",
    )
    leak = st.checkbox(
        "Scale on the whole series, as the S&P 500 tuning paper did (leaks test information)",
        key=seed_widget(widget_key(section, "scaling_scope"), split.scaling_scope == "full_series"),
        help="Study B scaled with the minimum and maximum of all the data, including the test "
        "part. That lets test information slip into training; use only to reproduce it.",
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
