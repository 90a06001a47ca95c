"""Synthetic source: trend + seasons + noise, or the chaotic Mackey-Glass series; works offline."""

from __future__ import annotations

from typing import Any

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig
from core.data.sources.base import Source
from core.data.synthetic import generate_series


def default_split(data: DataConfig, frequency: str | None = None) -> SplitConfig:
    """The last 465 steps as test (a year plus 100 days), margin 1.5."""
    return SplitConfig(method="last_n", test_size=465, scaling_margin=1.5)


def default_data(**settings: Any) -> DataConfig:
    """The synthetic preset, then the given settings; the chaotic generator without a noise
    level gets the Data page's light noise (the default 5.0 would bury its signal)."""
    if settings.get("generator") == "mackey_glass" and settings.get("noise_level") is None:
        settings = {**settings, "noise_level": NONLINEAR_DEMO_NOISE}
    return DataConfig(**{**settings, "source": "synthetic"})


def summarize(data: DataConfig) -> str:
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
    load=generate_series,
    default_split=default_split,
    default_data=default_data,
    summarize=summarize,
)


NONLINEAR_DEMO_NOISE = 0.01  # the chaotic series spans about 0.4 to 1.3


def nonlinear_demo_request() -> RunRequest:
    """The "a straight line cannot predict it" demo: the chaotic Mackey-Glass series (delay 17,
    one sample every 3 time units), light noise, a 30-step window and the last 465 steps as
    test, with the default network without its linear shortcut (the point is the network
    alone against the straight line); the bench measures it against the linear AR."""
    return RunRequest(
        data=DataConfig(generator="mackey_glass", noise_level=NONLINEAR_DEMO_NOISE),
        split=SplitConfig(method="last_n", test_size=465, lookback=30),
        model=ModelConfig(linear_skip=False),
    )
