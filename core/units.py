"""Numbers as people read them: 686,000 rather than 6.86e+05, and prices with their currency
("$828") on market data, so errors on price series are given in dollars, not squared dollars."""

from __future__ import annotations

import math

from core.data.sources import SOURCE_REGISTRY


def currency_of(source: str) -> str:
    """The currency symbol of a source's values ("$" for Bitcoin and the S&P 500), or ""."""
    entry = SOURCE_REGISTRY.get(source)
    return entry.currency if entry is not None else ""


def readable(value: float) -> str:
    """Three significant digits with thousands separators: 686,000 · 828 · 12.3 · 0.0567."""
    if not math.isfinite(value):
        return "n/a"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude < 0.001:
        return f"{value:.3g}"
    decimals = max(0, 2 - math.floor(math.log10(magnitude)))
    return f"{value:,.{decimals}f}"


def amount(value: float, currency: str = "") -> str:
    """A value in the series' units: "$828", "-$1,230", or "828" without a currency."""
    text = readable(abs(value)) if currency else readable(value)
    if not currency or not math.isfinite(value):
        return text
    return f"{'-' if value < 0 else ''}{currency}{text}"


def typical_error(mse: float, currency: str = "") -> str:
    """The root of a squared error (RMSE), in the series' units: "$828"."""
    return amount(math.sqrt(mse), currency) if math.isfinite(mse) and mse >= 0 else "n/a"


def column_format(metric: str, currency: str = "") -> str:
    """A score table column's number format: errors in dollars on prices ("dollar" for RMSE
    and MAE, 4.3M for the squared error), else four significant digits."""
    if currency == "$" and metric in ("rmse", "mae"):
        return "dollar"
    if currency and metric == "mse":
        return "compact"  # 4.3M squared dollars, not 4,339,465.829
    return "%.4g"
