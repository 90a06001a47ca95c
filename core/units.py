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


def error_words(mse: float, mae: float | None, currency: str = "") -> str:
    """A test error as the command line says it: on prices the typical error (RMSE) and MAE in
    dollars with the squared error readable ("typical error (RMSE) $2,083  MAE $1,540  MSE
    4,339,470"), else "MSE 37.9  MAE 4.81" (never "4.33947e+06")."""
    mae_words = "" if mae is None else f"  MAE {amount(mae, currency)}"
    if currency:
        return (
            f"typical error (RMSE) {typical_error(mse, currency)}{mae_words}  MSE {readable(mse)}"
        )
    return f"MSE {readable(mse)}{mae_words}"


def score_lines(
    mse: float,
    mae: float,
    scaled_mse: float | None,
    baselines: dict[str, float | None],
    noise_floor: float | None = None,
    currency: str = "",
) -> list[str]:
    """The command line's test scores: the network's error, each simple rule's and the noise
    floor's, with the ratio model / rule (below 1 = the network is better)."""
    scaled = "n/a" if scaled_mse is None else readable(scaled_mse)
    lines = [f"test {error_words(mse, mae, currency)}  (scaled MSE {scaled})"]
    for name, baseline_mse in baselines.items():
        if baseline_mse is None:
            continue
        ratio = mse / baseline_mse if baseline_mse else math.nan
        lines.append(
            f"  vs {name}: {error_words(baseline_mse, None, currency)} (model/baseline {ratio:.3f})"
        )
    if noise_floor:
        lines.append(
            f"  noise floor {error_words(noise_floor, None, currency)}"
            f" (model/floor {mse / noise_floor:.3f})"
        )
    return lines
