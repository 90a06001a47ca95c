"""The synthetic series form: length, trend, seasons and noise of the generator."""

from __future__ import annotations

import datetime as dt
import random

import streamlit as st

from core.config import NONLINEAR_DEMO_NOISE, DataConfig
from pages.components.form_helpers import clamp, explain, parse_date, widget_key
from pages.components.state import seed_widget

MAX_SEASONS = 3


def new_noise(key: str) -> None:
    """Callback of the New noise button: a fresh random seed."""
    st.session_state[key] = random.randint(0, 99_999)


GENERATOR_CHOICES = {
    "sine": "Trend, seasons and noise",
    "mackey_glass": "Chaotic (Mackey–Glass)",
}
GENERATOR_EXPLANATIONS = {
    "sine": "A straight line plus repeating waves: a simple linear rule already predicts it well.",
    "mackey_glass": "A series that follows exact rules which bend and feed back on themselves "
    "(chaos): a straight line cannot predict it, a network can learn it.",
}


def synthetic_form(data: DataConfig) -> DataConfig:
    """The kind of made-up series, then its parameters."""
    generator = st.radio(
        "Kind of series",
        options=list(GENERATOR_CHOICES),
        format_func=GENERATOR_CHOICES.get,
        horizontal=True,
        key=seed_widget(widget_key("data", "generator"), data.generator),
        help="Trend, seasons and noise: the classic made-up series. Chaotic: the Mackey–Glass "
        "delay equation (delay 17), a standard test where networks beat linear models.",
    )
    explain(GENERATOR_EXPLANATIONS[generator])
    if generator == "mackey_glass":
        return chaotic_form(data)
    return sine_form(data)


def chaotic_form(data: DataConfig) -> DataConfig:
    """Length, start, noise and seed of the Mackey–Glass series (its shape is fixed)."""
    section = "data"
    length_key = seed_widget(widget_key(section, "length"), int(clamp(data.length, 200, 10_950)))
    st.session_state[length_key] = int(clamp(st.session_state[length_key], 200, 10_950))
    noise = data.noise_level if data.generator == "mackey_glass" else NONLINEAR_DEMO_NOISE
    length = st.slider(
        "Length (steps)",
        min_value=200,
        max_value=10_950,
        step=5,
        key=length_key,
        help="How many values to generate, one per day on the time axis.",
    )
    noise_level = st.slider(
        "Noise level (standard deviation)",
        min_value=0.0,
        max_value=0.2,
        step=0.005,
        format="%.3f",
        key=seed_widget(widget_key(section, "chaotic_noise"), float(clamp(noise, 0.0, 0.2))),
        help="Random wobble added to each value (the series itself spans about 0.4 to 1.3). "
        "No model can predict this part.",
    )
    seed = st.number_input(
        "Random seed",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        key=seed_widget(widget_key(section, "seed"), int(data.seed)),
        help="The same seed always gives the same noise, so results can be reproduced.",
    )
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
    length = st.slider(
        "Length (days)",
        min_value=60,
        max_value=10_950,
        step=5,
        key=seed_widget(widget_key(section, "length"), int(clamp(data.length, 60, 10_950))),
        help="How many daily values to generate. 2555 is seven years, as in the published "
        "comparison.",
    )
    start = st.date_input(
        "Start date",
        key=seed_widget(
            widget_key(section, "synthetic_start"),
            parse_date(data.synthetic_start) or dt.date(2018, 1, 1),
        ),
        min_value=dt.date(1900, 1, 1),
        max_value=dt.date(2100, 1, 1),
        help="The date of the first value; only the labels on the time axis change.",
    )
    st.markdown("**Trend**")
    level = st.number_input(
        "Starting level",
        key=seed_widget(widget_key(section, "level"), float(data.level)),
        step=1.0,
        help="The value the series starts around before trend and seasons are added.",
    )
    slope = st.slider(
        "Trend (change per day)",
        min_value=-0.5,
        max_value=0.5,
        step=0.005,
        format="%.3f",
        key=seed_widget(
            widget_key(section, "trend_slope"), float(clamp(data.trend_slope, -0.5, 0.5))
        ),
        help="How much the series rises (or falls, if negative) each day on average.",
    )
    curvature = st.number_input(
        "Trend curvature (change of the trend per day)",
        key=seed_widget(widget_key(section, "trend_curvature"), float(data.trend_curvature)),
        step=0.00001,
        format="%.5f",
        help="Bends the trend: positive values make growth speed up over time. 0 = straight.",
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
                min_value=2.0,
                max_value=3650.0,
                step=1.0,
                key=seed_widget(
                    widget_key(section, f"period_{index}"), float(clamp(period_value, 2.0, 3650.0))
                ),
                help="How many days one full wave takes: 365 = yearly, 7 = weekly.",
            )
        )
        amplitudes.append(
            right.number_input(
                f"Season {index + 1}: amplitude",
                min_value=0.0,
                step=1.0,
                key=seed_widget(
                    widget_key(section, f"amplitude_{index}"), float(max(0.0, amplitude_value))
                ),
                help="How far the wave swings above and below the trend.",
            )
        )
    st.markdown("**Noise**")
    noise_level = st.slider(
        "Noise level (standard deviation)",
        min_value=0.0,
        max_value=100.0,
        step=0.5,
        key=seed_widget(widget_key(section, "noise_level"), float(clamp(data.noise_level, 0, 100))),
        help="How much random wobble is added each day. No model can predict this part.",
    )
    noise_kind = st.radio(
        "Noise kind",
        options=["gaussian", "ar1"],
        format_func={"gaussian": "Independent", "ar1": "Correlated (AR(1))"}.get,
        horizontal=True,
        key=seed_widget(widget_key(section, "noise_kind"), data.noise_kind),
        help="Independent noise is fresh every day; correlated noise drifts, so today's "
        "noise partly carries over to tomorrow.",
    )
    correlation = data.noise_correlation
    if noise_kind == "ar1":
        correlation = st.slider(
            "Noise correlation",
            min_value=-0.95,
            max_value=0.95,
            step=0.05,
            key=seed_widget(
                widget_key(section, "noise_correlation"),
                float(clamp(data.noise_correlation, -0.95, 0.95)),
            ),
            help="How much of today's noise carries over to tomorrow (0 = none, 0.9 = most).",
        )
    seed_key = seed_widget(widget_key(section, "seed"), int(data.seed))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    seed = left.number_input(
        "Random seed",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        key=seed_key,
        help="The same seed always gives the same noise, so results can be reproduced.",
    )
    right.button(
        "New noise",
        icon=":material/casino:",
        on_click=new_noise,
        args=(seed_key,),
        help="Draw a fresh random noise (a new seed); trend and seasons stay the same.",
        width="stretch",
    )
    return DataConfig(
        source="synthetic",
        length=int(length),
        synthetic_start=start.isoformat() if start else "2018-01-01",
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
