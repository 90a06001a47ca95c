"""Data sources and preparation: one load_series entry point over the source registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.config import DataConfig
    from core.data.series import Series


def load_series(config: DataConfig) -> Series:
    """Load the series a DataConfig describes (cached downloads, announced fallbacks)."""
    from core.data.sources import SOURCE_REGISTRY

    return SOURCE_REGISTRY[config.source].load(config)


def __getattr__(name: str) -> Any:
    # Series lives in core.data.series (pandas); importing it lazily keeps the source registry,
    # which core.config reads, free of pandas.
    if name == "Series":
        from core.data.series import Series

        return Series
    raise AttributeError(f"module 'core.data' has no attribute '{name}'")


__all__ = ["Series", "load_series"]
