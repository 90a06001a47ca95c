"""Synthetic source: trend + seasons + noise, or the chaotic Mackey-Glass series; works offline."""

from __future__ import annotations

from typing import Any

from core.data.sources.base import Source


def load(data: Any) -> Any:
    from core.data.synthetic import generate_series

    return generate_series(data)


def default_split(data: Any, frequency: str | None = None) -> Any:
    """The last 465 steps as test (a year plus 100 days), margin 1.5."""
    from core.config import SplitConfig

    return SplitConfig(method="last_n", test_size=465, scaling_margin=1.5)


def default_data(**settings: Any) -> Any:
    """The synthetic preset, then the given settings; the chaotic generator without a noise
    level gets the Data page's light noise (the default 5.0 would bury its signal)."""
    from core.config import DataConfig

    if settings.get("generator") == "mackey_glass" and settings.get("noise_level") is None:
        settings = {**settings, "noise_level": NONLINEAR_DEMO_NOISE}
    return DataConfig(**{**settings, "source": "synthetic"})


def summarize(data: Any) -> str:
    if data.generator == "mackey_glass":
        return f"Chaotic series (Mackey–Glass) · {data.length:,} steps · noise {data.noise_level:g}"
    return f"{SOURCE.label} · {data.length:,} days · noise {data.noise_level:g}"


SOURCE = Source(
    name="synthetic",
    label="Synthetic",
    picker_label="Synthetic",
    explanation="A made-up series with a trend, seasons and noise you control. Works offline.",
    form="synthetic",
    fields=(
        "generator",
        "length",
        "synthetic_start",
        "level",
        "trend_slope",
        "trend_curvature",
        "seasonal_periods",
        "seasonal_amplitudes",
        "noise_level",
        "noise_kind",
        "noise_correlation",
        "seed",
    ),
    load=load,
    default_split=default_split,
    default_data=default_data,
    summarize=summarize,
)


NONLINEAR_DEMO_NOISE = 0.01  # the chaotic series spans about 0.4 to 1.3


def nonlinear_demo_request() -> Any:
    """The "a straight line cannot predict it" demo: the chaotic Mackey-Glass series (delay 17,
    one sample every 3 time units), light noise, a 30-step window and the last 465 steps as
    test, with the default network; the bench measures it against the linear AR."""
    from core.config import DataConfig, RunRequest, SplitConfig

    return RunRequest(
        data=DataConfig(generator="mackey_glass", noise_level=NONLINEAR_DEMO_NOISE),
        split=SplitConfig(method="last_n", test_size=465, lookback=30),
    )
