"""Noise is not news: each family's seed-to-seed spread is measured by the bench and stored as
data Compare reads; the comparison chart of a run and the run before shows both runs."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd

from core.bench_seeds import spread_of
from core.charts import runs_comparison_figure
from core.config import ModelConfig, RunRequest
from core.evaluation import noise
from core.evaluation.compare import metric_changes
from core.models.families import FAMILY_REGISTRY
from core.scores import RunScores


def _run(mse: float, family: str):
    return SimpleNamespace(
        request=RunRequest(model=ModelConfig(family=family)),
        metrics=RunScores.from_dict({"test": {"mse": mse}}),
    )


def test_every_family_has_a_measured_spread_and_they_are_the_benchs_figures():
    report = json.loads(noise.SPREAD_FILE.read_text(encoding="utf-8"))
    assert set(report["families"]) == set(FAMILY_REGISTRY)
    for family, errors in report["test_mse"].items():
        assert len(errors) >= 3, family  # a spread needs several seeds
        assert noise.seed_spread(family) == round(spread_of(errors), 4), family
    assert len(set(noise.measured_spreads().values())) > 1, "one value for every family again"


def test_compare_uses_each_familys_own_spread():
    """A change between the LSTM's spread and the Dense network's is news for two LSTMs and
    "about the same" for two Dense networks (one shared 5% called both the same)."""
    narrow, wide = (
        sorted(FAMILY_REGISTRY, key=noise.seed_spread)[0],
        max(FAMILY_REGISTRY, key=noise.seed_spread),
    )
    ratio = 1 + (noise.seed_spread(narrow) + noise.seed_spread(wide)) / 2
    label = "Squared error (MSE)"
    same = metric_changes(_run(10.0, wide), _run(10.0 * ratio, wide)).loc[label, "change"]
    news = metric_changes(_run(10.0, narrow), _run(10.0 * ratio, narrow)).loc[label, "change"]
    assert same.startswith("about the same"), same
    assert news.endswith("better"), news
    # a pair of families: the wider spread of the two decides
    mixed = metric_changes(_run(10.0, narrow), _run(10.0 * ratio, wide)).loc[label, "change"]
    assert mixed.startswith("about the same"), mixed


def _test_part(start: str, level: float, days: int = 200) -> pd.DataFrame:
    dates = pd.date_range(start, periods=days, freq="D", name="date")
    actual = level + np.sin(np.arange(days) / 7)
    return pd.DataFrame({"part": "test", "actual": actual, "model": actual + 0.1}, index=dates)


def _on_screen(figure, trace) -> int:
    if figure.layout.xaxis.range is None:  # no opening window: the whole span is shown
        return len(trace.x)
    low, high = (pd.Timestamp(value) for value in figure.layout.xaxis.range)
    dates = pd.DatetimeIndex(trace.x)
    return int(((dates >= low) & (dates <= high)).sum())


def test_the_comparison_chart_opens_with_both_runs_on_screen():
    """The run before may be on other data (Results falls back to it): both runs' forecasts are
    drawn, named, and inside the opening view (it opened on the last 90 days of the newer)."""
    pairs = {
        "same data": [
            ("This run", _test_part("2024-01-01", 10)),
            ("The run before", _test_part("2024-01-01", 11)),
        ],
        "other data": [
            ("This run", _test_part("2025-06-01", 10)),
            ("The run before", _test_part("2020-01-01", 40)),
        ],
    }
    for case, runs in pairs.items():
        figure = runs_comparison_figure(runs)
        drawn = {trace.name: trace for trace in figure.data if trace.name != "Actual"}
        assert list(drawn) == ["This run", "The run before"], case
        for name, trace in drawn.items():
            assert _on_screen(figure, trace) > 0, f"{case}: {name} is off screen"
