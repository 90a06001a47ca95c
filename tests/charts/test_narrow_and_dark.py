"""Charts readable from 800 px up, light and dark (#20 item 10): the legend's rows as they wrap
on a chart 470 px wide (an 800 px window with the sidebar open) fit between the title and the
plot; the app follows the browser's light or dark setting and the menu can switch it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from core.charts import forecast_figure
from core.charts.theme import ACTUAL_COLOR, LEGEND_ROW, TITLE_SPACE

NARROW_CHART = 470  # px: an 800 px window less the open sidebar and the page's padding
CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def _rows_at(figure, width: int) -> int:
    """Legend rows as Plotly wraps them: entries of about 40 px + 7 px a character."""
    names = [trace.name for trace in figure.data if trace.showlegend is not False and trace.name]
    rows, used = 1, 0
    for name in names:
        entry = 40 + 7 * len(name)
        if used and used + entry > width - figure.layout.margin.l - figure.layout.margin.r:
            rows, used = rows + 1, 0
        used += entry
    return rows


def test_the_legend_leaves_the_title_alone_on_a_narrow_chart():
    dates = pd.date_range("2024-01-01", periods=60, freq="D")
    values = np.linspace(0, 10, 60)
    predictions = pd.DataFrame(
        {
            "actual": values,
            "predicted": values + 0.1,
            "naive": values - 0.1,
            "linear_ar": values + 0.2,
            "split": ["test"] * 60,
        },
        index=dates,
    )
    figure = forecast_figure(predictions, baselines=["naive", "linear_ar"])
    rows = _rows_at(figure, NARROW_CHART)
    assert rows >= 2
    assert figure.layout.margin.t >= TITLE_SPACE + LEGEND_ROW * rows


def test_light_and_dark_themes_are_both_declared_and_none_is_forced():
    config = tomllib.loads(CONFIG.read_text())
    theme = config["theme"]
    assert "base" not in theme  # a base forces one theme and hides the menu's switch
    assert {"light", "dark"} <= set(theme)
    assert theme["light"]["backgroundColor"] != theme["dark"]["backgroundColor"]
    # The data's grey line must stand out on both backgrounds (it was #3b3b3b: invisible on dark).
    for background in (theme["light"]["backgroundColor"], theme["dark"]["backgroundColor"]):
        assert _contrast(ACTUAL_COLOR, background) >= 2.5


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[index : index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)
