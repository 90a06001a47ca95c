"""Data sources and preparation: one load_series entry point over a registry of sources."""

from __future__ import annotations

from collections.abc import Callable

from core.config import DataConfig
from core.data.series import Series


def _load_synthetic(config: DataConfig) -> Series:
    from core.data.synthetic import generate_series

    return generate_series(config)


def _load_market(config: DataConfig) -> Series:
    from core.data.market import load_market_series

    return load_market_series(config)


def _load_csv(config: DataConfig) -> Series:
    from core.data.upload import load_csv_series

    return load_csv_series(config)


SOURCE_LOADERS: dict[str, Callable[[DataConfig], Series]] = {
    "synthetic": _load_synthetic,
    "btc": _load_market,
    "sp500": _load_market,
    "csv": _load_csv,
}


def load_series(config: DataConfig) -> Series:
    """Load the series a DataConfig describes (cached downloads, announced fallbacks)."""
    return SOURCE_LOADERS[config.source](config)


__all__ = ["Series", "load_series", "SOURCE_LOADERS"]
