"""The data source registry: name -> Source. Adding a source = one module, one line below and
its name in core.data_config.SOURCES (a test holds the two lists together)."""

from __future__ import annotations

from core.config import DataConfig, SplitConfig
from core.data.series import Series
from core.data.sources import btc, csv, sp500, synthetic
from core.data.sources.base import Source

SOURCE_REGISTRY: dict[str, Source] = {
    source.name: source
    for source in (
        synthetic.SOURCE,
        btc.SOURCE,
        sp500.SOURCE,
        csv.SOURCE,
    )
}


def load_series(config: DataConfig) -> Series:
    """Load the series a DataConfig describes (cached downloads, announced fallbacks)."""
    return SOURCE_REGISTRY[config.source].load(config)


def default_split_for(data: DataConfig, frequency: str | None = None) -> SplitConfig:
    """The source's preset split (core/data/sources/<source>.py); a file's frequency, when
    known, picks an uploaded series' window."""
    return SOURCE_REGISTRY[data.source].default_split(data, frequency)


def source_title(data: DataConfig) -> str:
    """The source's label, with the provider when it has a choice of them: "Bitcoin · cdd"."""
    return SOURCE_REGISTRY[data.source].title(data)


__all__ = ["SOURCE_REGISTRY", "Source", "default_split_for", "load_series", "source_title"]
