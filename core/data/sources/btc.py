"""Bitcoin source: daily BTC-USD closes from Yahoo Finance or CryptoDataDownload."""

from __future__ import annotations

from typing import Any

from core.config import DataConfig, SplitConfig
from core.data.market import load_market_series
from core.data.sources.base import Source, market_summary

# The Bitcoin study's data starts on 2020-10-28. Its test part was the calendar year 2024
# (STUDY_END): reproduce it with the split "One calendar year" (test_year 2024) and To
# 2024-12-31. The preset tests on the newest year instead, so nothing loaded goes unused.
PRESET_START = "2020-10-28"
STUDY_END = "2024-12-31"
TEST_DAYS = 365


def default_split(data: DataConfig, frequency: str | None = None) -> SplitConfig:
    """Test = the latest 365 days of what was loaded, margin 5 (prices rose far above the
    train range)."""
    return SplitConfig(method="last_n", test_size=TEST_DAYS, scaling_margin=5.0)


def default_data(**settings: Any) -> DataConfig:
    """From the study's start up to the newest price."""
    preset = {"start_date": PRESET_START}
    return DataConfig(**{**preset, **settings, "source": "btc"})


def summarize(data: DataConfig) -> str:
    return market_summary(SOURCE, data)


SOURCE = Source(
    name="btc",
    label="Bitcoin (BTC-USD)",
    picker_label="Bitcoin",
    explanation="Daily Bitcoin closing prices in US dollars, downloaded and kept on disk.",
    form="market",
    fields=("provider", "start_date", "end_date"),
    load=load_market_series,
    default_split=default_split,
    default_data=default_data,
    summarize=summarize,
    providers=("yahoo", "cdd"),
    downloads=True,
    currency="$",
)
