"""CSV source: the user's own file of dates and values, cleaned and its frequency detected."""

from __future__ import annotations

from typing import Any

from core.config import DataConfig, SplitConfig
from core.data.frequency import default_lookback
from core.data.sources.base import Source
from core.data.upload import display_name, load_csv_series


def default_split(data: DataConfig, frequency: str | None = None) -> SplitConfig:
    """The last 20% as test, with a window that suits the file's frequency (e.g. 13 weeks,
    12 months, 5 years, 48 hours; see core.data.frequency.default_lookback)."""
    split = SplitConfig(method="fraction", test_fraction=0.2, scaling_margin=1.5)
    if frequency is not None:
        split = split.replace(lookback=default_lookback(frequency))
    return split


def default_data(**settings: Any) -> DataConfig:
    """No preset: the file decides (the Data page asks for an upload, the CLI for --csv)."""
    return DataConfig(**{**settings, "source": "csv"})


def summarize(data: DataConfig) -> str:
    name = display_name(data.csv_path) if data.csv_path else "no file"
    return f"{SOURCE.label} · {name}"


SOURCE = Source(
    name="csv",
    label="Uploaded CSV",
    picker_label="Upload CSV",
    explanation="Your own file: one column of dates and one column of numbers.",
    form="upload",
    fields=("csv_path", "date_column", "value_column", "date_order", "fill", "duplicates"),
    load=load_csv_series,
    default_split=default_split,
    default_data=default_data,
    summarize=summarize,
    needs_file=True,
)
