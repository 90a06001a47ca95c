"""Words and units: on prices (Bitcoin, S&P 500) errors are typical sizes in dollars (RMSE), the
axes say "$", and no "6.86e+05"; the words on a chart equal what the chart draws."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from core.charts import metrics_bar_figure, residual_figure, residual_histogram
from core.config import DataConfig, SplitConfig
from core.data.upload import import_file, load_csv_series
from core.data.window import suggest_lookback
from core.evaluation.verdict import regression_verdict
from core.scores import RegressionScores, baselines_from_dict
from core.units import amount, currency_of, readable, typical_error

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "btc_close_2020_2024.csv"
DOLLARS = re.compile(r"\$([\d,.]+)")


def test_market_sources_are_in_dollars_and_numbers_read_plainly():
    assert currency_of("btc") == currency_of("sp500") == "$"
    assert currency_of("synthetic") == currency_of("csv") == ""
    assert readable(6.86e5) == "686,000" and readable(828.3) == "828"
    assert amount(-1234.0, "$") == "-$1,234" and typical_error(4e6, "$") == "$2,000"


def test_the_window_reason_gives_a_typical_error_in_dollars_on_prices():
    series = load_csv_series(DataConfig(source="csv", csv_path=import_file(FIXTURE)))
    series = dataclasses.replace(series, source="btc")  # the same prices, as the Bitcoin source
    suggestion = suggest_lookback(series, SplitConfig(test_size=200))
    assert "e+" not in suggestion.reason, suggestion.reason
    said = DOLLARS.findall(suggestion.reason)
    assert said, suggestion.reason
    assert said[0] == readable(math.sqrt(suggestion.scores[suggestion.lookback]))


def test_the_verdict_headline_on_prices_is_the_rmse_in_dollars():
    scores = RegressionScores(
        mse=1_440_000.0, rmse=1_200.0, mae=900.0, mape=2.0, r2=0.9, directional_accuracy=0.5
    )
    baselines = baselines_from_dict(
        {"naive": {"test": {"mse": 2_250_000.0}}, "linear_ar": {"test": {"mse": 1_690_000.0}}}
    )
    verdict = regression_verdict("LSTM", scores, baselines, currency="$")
    # the network's and the best rule's (linear AR) typical errors: the roots of their MSEs
    assert DOLLARS.findall(verdict.headline) == ["1,200", "1,300"], verdict.headline
    plain = regression_verdict("LSTM", scores, baselines)
    assert "$" not in plain.headline


def _predictions(days: int = 120) -> pd.DataFrame:
    generator = np.random.default_rng(3)
    dates = pd.date_range("2024-01-01", periods=days, freq="D", name="date")
    actual = 40_000 + np.cumsum(generator.normal(0, 800, days))
    model = actual + generator.normal(150, 1_200, days)
    return pd.DataFrame({"part": "test", "actual": actual, "model": model}, index=dates)


def test_residual_charts_say_dollars_and_their_words_are_their_numbers():
    predictions = _predictions()
    residual = predictions["actual"] - predictions["model"]
    over_time = residual_figure(predictions, currency="$")
    assert over_time.layout.yaxis.title.text == "Actual - model ($)"
    histogram = residual_histogram(predictions, currency="$")
    assert histogram.layout.xaxis.title.text == "Actual - model ($)"
    words = histogram.layout.annotations[0].text
    bias, spread = float(residual.mean()), float(residual.std(ddof=0))
    assert f"±{amount(spread, '$')}" in words, words
    assert amount(abs(bias), "$") in words, words
    assert "$" not in residual_histogram(predictions).layout.annotations[0].text


def test_error_bars_on_prices_are_typical_errors_in_dollars():
    table = pd.DataFrame(
        {"mse": [1_440_000.0, 2_250_000.0], "rmse": [1_200.0, 1_500.0], "mae": [900.0, 1_100.0]},
        index=["LSTM", "Naive"],
    )
    figure = metrics_bar_figure(table, ("rmse", "mae"), currency="$")
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert all(title.endswith("($)") for title in titles[:2]), titles
    assert list(figure.data[0].text) == ["$1,200", "$1,500"]


def test_the_linear_share_on_prices_is_in_dollars_not_e_notation():
    from types import SimpleNamespace

    from core.config import RunRequest
    from core.evaluation.verdict import linear_share_sentence
    from core.scores import RunScores

    test = {"mse": 4_339_465.8}
    metrics = RunScores.from_dict({"test": test, "train": test, "linear_part_mse": 4_331_000.0})
    bitcoin = RunRequest(data=DataConfig(source="btc"))
    sentence = linear_share_sentence(SimpleNamespace(metrics=metrics, request=bitcoin))
    assert "e+" not in sentence, sentence
    assert DOLLARS.findall(sentence) == ["2,081", "2,083"], sentence


def test_the_forecast_axis_on_prices_is_in_dollars():
    from core.charts import forecast_figure

    priced = forecast_figure(_predictions(), currency="$")
    assert priced.layout.yaxis.title.text == "Price ($)"
    assert priced.layout.yaxis.tickprefix == "$"
    plain = forecast_figure(_predictions())
    assert plain.layout.yaxis.title.text == "Value" and not plain.layout.yaxis.tickprefix


def test_residual_titles_and_notes_fit_a_half_width_chart_at_800_px():
    """At 800 px each residual chart gets about 350 px: a title over ~30 characters was cut
    ("Residuals over time (actual - mo") and a one-line note ran off the histogram's left edge."""
    predictions = _predictions()
    for figure in (
        residual_figure(predictions, currency="$"),
        residual_histogram(predictions, currency="$"),
    ):
        assert len(figure.layout.title.text) <= 30, figure.layout.title.text
        for note in figure.layout.annotations:
            lines = note.text.split("<br>")
            assert max(len(line) for line in lines) <= 40, note.text


def test_the_comparison_of_runs_on_prices_is_in_dollars():
    """The what-if chart (this run and the run before) on market runs: "Price ($)", $ ticks."""
    from core.charts import runs_comparison_figure

    runs = [("This run", _predictions()), ("The run before", _predictions())]
    priced = runs_comparison_figure(runs, currency="$")
    assert priced.layout.yaxis.title.text == "Price ($)"
    assert priced.layout.yaxis.tickprefix == "$"
    plain = runs_comparison_figure(runs)
    assert plain.layout.yaxis.title.text == "Value" and not plain.layout.yaxis.tickprefix
