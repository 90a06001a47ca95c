"""The synthetic series form: length, trend, seasons and noise of the generator."""

from __future__ import annotations

import datetime as dt
import random

import streamlit as st

from core.config import DataConfig
from core.data.sources.synthetic import NONLINEAR_DEMO_NOISE
from core.settings import settings_of
from pages.components.form_helpers import clamp, declared_slider, explain, parse_date, widget_key
from pages.components.state import seed_widget

DATA = settings_of(DataConfig)  # labels, help and ranges: declared once, in core.data_config
MAX_SEASONS = 3
# The chaotic series spans about 0.4 to 1.3, so its length and noise get their own scale.
CHAOTIC_MIN_LENGTH = 200
CHAOTIC_NOISE_RANGE = (0.0, 0.2)
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2100, 1, 1)  # the date picker's span


def new_noise(key: str) -> None:
    """Callback of the New noise button: a fresh random seed."""
    st.session_state[key] = random.randint(0, 99_999)


GENERATOR_CHOICES = {
    "sine": "Trend, seasons and noise",
    "mackey_glass": "Chaotic (Mackey–Glass)",
}
NOISE_KIND_CHOICES = {"gaussian": "Independent", "ar1": "Each day leans on the one before"}
GENERATOR_EXPLANATIONS = {
    "sine": "A straight line plus repeating waves: a simple linear rule already predicts it well.",
    "mackey_glass": "A series that follows exact rules which bend and feed back on themselves "
    "(chaos): a straight line cannot predict it, a network can learn it.",
}


def _daily(text: str) -> str:
    """A declaration's help in days, the synthetic series' step."""
    for step, day in (("each step", "each day"), ("every step", "every day"), ("steps", "days")):
        text = text.replace(step, day)
    return text


def _seed_input(container, data: DataConfig, section: str) -> int:
    """The series' random seed, within its declared range."""
    declared = DATA["seed"]
    return container.number_input(
        declared.label,
        min_value=int(declared.low),
        max_value=int(declared.high),
        step=1,
        key=seed_widget(widget_key(section, "seed"), int(data.seed)),
        help=declared.help,
    )


def synthetic_form(data: DataConfig) -> DataConfig:
    """The kind of made-up series, then its parameters."""
    generator = st.radio(
        DATA["generator"].label,
        options=list(GENERATOR_CHOICES),
        format_func=GENERATOR_CHOICES.get,
        horizontal=True,
        key=seed_widget(widget_key("data", "generator"), data.generator),
        help=DATA["generator"].help,
    )
    explain(GENERATOR_EXPLANATIONS[generator])
    if generator == "mackey_glass":
        return chaotic_form(data)
    return sine_form(data)


def chaotic_form(data: DataConfig) -> DataConfig:
    """Length, start, noise and seed of the Mackey–Glass series (its shape is fixed)."""
    section = "data"
    low, high = CHAOTIC_MIN_LENGTH, int(DATA["length"].typical[1])
    length_key = seed_widget(widget_key(section, "length"), int(clamp(data.length, low, high)))
    st.session_state[length_key] = int(clamp(st.session_state[length_key], low, high))
    noise = data.noise_level if data.generator == "mackey_glass" else NONLINEAR_DEMO_NOISE
    length = st.slider(
        f"{DATA['length'].label} (steps)",
        min_value=low,
        max_value=high,
        step=5,
        key=length_key,
        help=DATA["length"].help,
    )
    low, high = CHAOTIC_NOISE_RANGE
    noise_level = st.slider(
        f"{DATA['noise_level'].label} (standard deviation)",
        min_value=low,
        max_value=high,
        step=0.005,
        format="%.3f",
        key=seed_widget(widget_key(section, "chaotic_noise"), float(clamp(noise, low, high))),
        help=DATA["noise_level"].help + " The chaotic series itself spans about 0.4 to 1.3.",
    )
    seed = _seed_input(st, data, section)
    return DataConfig(
        source="synthetic",
        generator="mackey_glass",
        length=int(length),
        synthetic_start=data.synthetic_start,
        noise_level=float(noise_level),
        seed=int(seed),
    )


def sine_form(data: DataConfig) -> DataConfig:
    """Every parameter of the trend + seasons + noise series."""
    section = "data"
    st.markdown("**Length and start**")
    low, high = (int(bound) for bound in DATA["length"].typical)
    length = st.slider(
        f"{DATA['length'].label} (days)",
        min_value=low,
        max_value=high,
        step=5,
        key=seed_widget(widget_key(section, "length"), int(clamp(data.length, low, high))),
        help=DATA["length"].help,
    )
    start = st.date_input(
        DATA["synthetic_start"].label,
        key=seed_widget(
            widget_key(section, "synthetic_start"),
            parse_date(data.synthetic_start) or parse_date(DataConfig().synthetic_start),
        ),
        min_value=EARLIEST_DATE,
        max_value=LATEST_DATE,
        help=DATA["synthetic_start"].help,
    )
    st.markdown("**Trend**")
    level = st.number_input(
        DATA["level"].label,
        key=seed_widget(widget_key(section, "level"), float(data.level)),
        step=1.0,
        help=DATA["level"].help,
    )
    slope = declared_slider(
        DATA["trend_slope"],
        section,
        "trend_slope",
        data.trend_slope,
        label=f"{DATA['trend_slope'].label} (change per day)",
        help=_daily(DATA["trend_slope"].help),
        step=0.005,
        format="%.3f",
    )
    curvature = st.number_input(
        f"{DATA['trend_curvature'].label} (change of the trend per day)",
        key=seed_widget(widget_key(section, "trend_curvature"), float(data.trend_curvature)),
        step=0.00001,
        format="%.5f",
        help=DATA["trend_curvature"].help,
    )
    st.markdown("**Seasons**")
    count = st.number_input(
        "Number of seasonal patterns",
        min_value=0,
        max_value=MAX_SEASONS,
        step=1,
        key=seed_widget(
            widget_key(section, "season_count"), min(len(data.seasonal_periods), MAX_SEASONS)
        ),
        help="Repeating waves added to the series, e.g. a yearly and a weekly cycle.",
    )
    defaults = [(365.0, 40.0), (7.0, 5.0), (30.0, 10.0)]
    period_low, period_high = (float(bound) for bound in DATA["seasonal_periods"].typical)
    amplitude_low, amplitude_high = (float(bound) for bound in DATA["seasonal_amplitudes"].typical)
    periods, amplitudes = [], []
    for index in range(int(count)):
        if index < len(data.seasonal_periods):
            period_value = data.seasonal_periods[index]
            amplitude_value = data.seasonal_amplitudes[index]
        else:
            period_value, amplitude_value = defaults[index]
        left, right = st.columns(2)
        periods.append(
            left.number_input(
                f"Season {index + 1}: period (days)",
                min_value=period_low,
                max_value=period_high,
                step=1.0,
                key=seed_widget(
                    widget_key(section, f"period_{index}"),
                    float(clamp(period_value, period_low, period_high)),
                ),
                help=_daily(DATA["seasonal_periods"].help),
            )
        )
        amplitudes.append(
            right.number_input(
                f"Season {index + 1}: amplitude",
                min_value=amplitude_low,
                max_value=amplitude_high,
                step=1.0,
                key=seed_widget(
                    widget_key(section, f"amplitude_{index}"),
                    float(clamp(amplitude_value, amplitude_low, amplitude_high)),
                ),
                help=DATA["seasonal_amplitudes"].help,
            )
        )
    st.markdown("**Noise**")
    noise_level = declared_slider(
        DATA["noise_level"],
        section,
        "noise_level",
        data.noise_level,
        label=f"{DATA['noise_level'].label} (standard deviation)",
        help=_daily(DATA["noise_level"].help),
        step=0.5,
    )
    noise_kind = st.radio(
        DATA["noise_kind"].label,
        options=list(NOISE_KIND_CHOICES),
        format_func=NOISE_KIND_CHOICES.get,
        horizontal=True,
        key=seed_widget(widget_key(section, "noise_kind"), data.noise_kind),
        help=_daily(DATA["noise_kind"].help),
    )
    correlation = data.noise_correlation
    if noise_kind == "ar1":
        correlation = declared_slider(
            DATA["noise_correlation"],
            section,
            "noise_correlation",
            data.noise_correlation,
            help=_daily(DATA["noise_correlation"].help),
            step=0.05,
        )
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    seed = _seed_input(left, data, section)
    right.button(
        "New noise",
        icon=":material/casino:",
        on_click=new_noise,
        args=(widget_key(section, "seed"),),
        help="Draw a fresh random noise (a new seed); trend and seasons stay the same.",
        width="stretch",
    )
    return DataConfig(
        source="synthetic",
        length=int(length),
        synthetic_start=start.isoformat() if start else DataConfig().synthetic_start,
        level=float(level),
        trend_slope=float(slope),
        trend_curvature=float(curvature),
        seasonal_periods=tuple(float(period) for period in periods),
        seasonal_amplitudes=tuple(float(amplitude) for amplitude in amplitudes),
        noise_level=float(noise_level),
        noise_kind=noise_kind,
        noise_correlation=float(correlation),
        seed=int(seed),
    )
