"""S&P 500 source: daily closes of the ^GSPC index from Yahoo Finance."""

from __future__ import annotations

from typing import Any

from core.data.sources.base import Source, load_market, market_summary


def default_split(data: Any, frequency: str | None = None) -> Any:
    """The last 20% as test (an 80/20 split), margin 1.5."""
    from core.config import SplitConfig

    return SplitConfig(method="fraction", test_fraction=0.2, scaling_margin=1.5)


def default_data(**settings: Any) -> Any:
    """The whole history."""
    from core.config import DataConfig

    return DataConfig(**{**settings, "source": "sp500"})


SOURCE = Source(
    name="sp500",
    label="S&P 500 (^GSPC)",
    picker_label="S&P 500",
    explanation="Daily closing values of the S&P 500 stock index, downloaded and kept on disk.",
    form="market",
    fields=("start_date", "end_date"),
    load=load_market,
    default_split=default_split,
    default_data=default_data,
    summarize=market_summary,
    providers=("yahoo",),
    downloads=True,
)
