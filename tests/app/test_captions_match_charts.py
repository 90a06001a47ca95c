"""Captions are written from the values their charts draw (#20 item 5): the Results page's log
scale is described by the figure's own grid, the metrics table's caption names its columns by
their headers, and the loss chart's caption names the starred epoch."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from core.charts import metrics_bar_figure
from core.charts.theme import log_scale_words
from core.evaluation.verdict import METRIC_COLUMNS
from tests.app.conftest import TINY, assert_clean, open_page, texts


def _figures(at) -> dict[str, dict]:
    figures = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("layout", {}).get("title", {}).get("text", "")
        figures[title] = spec
    return figures


def test_log_scale_words_follow_the_axis_grid():
    narrow = pd.DataFrame({"mse": [20.0, 500.0], "mae": [4.0, 20.0]}, index=["Model", "naive"])
    figure = metrics_bar_figure(narrow)
    assert figure.layout.yaxis.dtick == "D2" and "ten times" not in log_scale_words(figure)
    wide = pd.DataFrame({"mse": [0.01, 500.0], "mae": [0.1, 20.0]}, index=["Model", "naive"])
    figure = metrics_bar_figure(wide)
    assert figure.layout.yaxis.dtick == 1 and figure.layout.yaxis2.dtick == 1
    assert log_scale_words(figure) == "each grid step is ten times the one below"


def test_results_captions_say_what_the_charts_draw(use_trained_home):
    from core.runs.pipeline import request_key
    from core.runs.store import RunStore

    at = open_page("pages/results.py", TINY)
    assert_clean(at)
    captions = texts(at.caption)
    bars = _figures(at)["Test error of each forecaster (lower is better)"]
    dticks = {
        bars["layout"][name].get("dtick") for name in bars["layout"] if name.startswith("yaxis")
    }
    if dticks == {1}:
        assert "each grid step is ten times the one below" in captions
    else:
        assert "ten times" not in captions.split("Each bar is")[1].split("\n")[0]
    assert "The last column" not in captions
    assert f"*{METRIC_COLUMNS['skill_vs_naive']}* compares each error" in captions
    result = RunStore(use_trained_home / "runs").load(request_key(TINY))
    loss = _figures(at)["Error per epoch"]
    star = next(trace for trace in loss["data"] if trace["name"].startswith("Best epoch"))
    assert star["x"] == [result.best_epoch] and np.isfinite(star["y"][0])
    assert f"the star marks epoch {result.best_epoch}," in captions
