"""S&P 500 source: daily closes of the ^GSPC index from Yahoo Finance."""

from __future__ import annotations

from typing import Any

from core.config import DataConfig, SplitConfig
from core.data.market import load_market_series
from core.data.sources.base import Source, market_summary


def default_split(data: DataConfig, frequency: str | None = None) -> SplitConfig:
    """The last 20% as test (an 80/20 split), margin 1.5."""
    return SplitConfig(method="fraction", test_fraction=0.2, scaling_margin=1.5)


def default_data(**settings: Any) -> DataConfig:
    """The whole history."""
    return DataConfig(**{**settings, "source": "sp500"})


def summarize(data: DataConfig) -> str:
    return market_summary(SOURCE, data)


SOURCE = Source(
    name="sp500",
    label="S&P 500 (^GSPC)",
    picker_label="S&P 500",
    explanation="Daily closing values of the S&P 500 stock index, downloaded and kept on disk.",
    form="market",
    fields=("start_date", "end_date"),
    load=load_market_series,
    default_split=default_split,
    default_data=default_data,
    summarize=summarize,
    providers=("yahoo",),
    downloads=True,
    currency="$",
)
