"""The data source registry: name -> Source. Adding a source = one module + one line below."""

from __future__ import annotations

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

__all__ = ["SOURCE_REGISTRY", "Source"]
