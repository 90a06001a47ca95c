"""The split form: test part, look-back window, scaling headroom and validation share."""

from __future__ import annotations

import streamlit as st

from core.config import SplitConfig
from core.settings import settings_of
from pages.components.form_helpers import clamp, declared_slider, widget_key
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
        test_fraction = declared_slider(
            SPLIT["test_fraction"],
            section,
            "test_fraction",
            split.test_fraction,
            step=0.05,
            format="%.2f",
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
    lookback = declared_slider(
        SPLIT["lookback"],
        section,
        "lookback",
        split.lookback,
        whole=True,
        label=f"{SPLIT['lookback'].label} ({unit})",
        help=SPLIT["lookback"].help.replace("past steps", f"past {unit}"),
    )
    margin = declared_slider(
        SPLIT["scaling_margin"],
        section,
        "scaling_margin",
        split.scaling_margin,
        step=0.5,
        format="%.1fx",
        help=SPLIT["scaling_margin"].help + " The presets use 1.5x, and 5x for Bitcoin.",
    )
    validation = declared_slider(
        SPLIT["validation_fraction"],
        section,
        "validation_fraction",
        split.validation_fraction,
        step=0.05,
        format="%.2f",
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
