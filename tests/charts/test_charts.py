"""Figure builders: trace names and lengths, test shading, annotations, and empty input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from core import charts
from core.charts.theme import NO_DATA
from core.evaluation.metrics import classification_metrics
from core.scores import ClassificationScores, RunScores

TRAIN_ROWS, TEST_ROWS = 40, 20


def fake_predictions(seed: int = 0, with_signal: bool = True) -> pd.DataFrame:
    """A regression RunResult.predictions frame: train then test rows, baselines on test only."""
    generator = np.random.default_rng(seed)
    count = TRAIN_ROWS + TEST_ROWS
    dates = pd.date_range("2024-01-01", periods=count, freq="D", name="date")
    signal = 10 + np.sin(np.arange(count) / 5)
    actual = signal + generator.normal(0, 0.3, count)
    frame = pd.DataFrame(
        {
            "part": ["train"] * TRAIN_ROWS + ["test"] * TEST_ROWS,
            "actual": actual,
            "model": actual + generator.normal(0.1, 0.2, count),
        },
        index=dates,
    )
    for name in ("naive", "seasonal_naive", "linear_ar"):
        column = np.full(count, np.nan)
        column[TRAIN_ROWS:] = actual[TRAIN_ROWS:] + generator.normal(0, 0.4, TEST_ROWS)
        frame[name] = column
    if with_signal:
        frame["signal"] = signal
    return frame


def fake_forecast(horizon: int = 7) -> pd.DataFrame:
    dates = pd.date_range("2024-03-01", periods=horizon, freq="D", name="date")
    return pd.DataFrame({"forecast": np.linspace(10, 11, horizon)}, index=dates)


def fake_trials() -> pd.DataFrame:
    """Two strategies' trials in optuna's trials_dataframe shape (one pruned trial)."""
    rows = []
    for strategy, scale in (("random", 1.0), ("bayesian", 0.5)):
        for number in range(8):
            rows.append(
                {
                    "number": number,
                    "value": scale * (1.0 / (number + 1)),
                    "state": "PRUNED" if number == 3 else "COMPLETE",
                    "duration": pd.Timedelta(seconds=2 + number),
                    "params_units": 2 ** (number % 4),
                    "params_learning_rate": 10.0 ** -(1 + number % 5),
                    "params_activation": "tanh" if number % 2 else "relu",
                    "user_attrs_r2": 0.9 - 0.01 * number,
                    "user_attrs_rmse": 0.1 + 0.01 * number,
                    "user_attrs_mae": 0.05 + 0.01 * number,
                    "strategy": strategy,
                }
            )
    return pd.DataFrame(rows)


def trace_names(figure: go.Figure) -> list[str]:
    return [trace.name for trace in figure.data]


def annotation_texts(figure: go.Figure) -> list[str]:
    return [annotation.text for annotation in figure.layout.annotations]


def is_empty(figure: go.Figure) -> bool:
    return len(figure.data) == 0 and NO_DATA in annotation_texts(figure)


def test_series_figure_has_actual_signal_and_test_shading():
    frame = fake_predictions()
    figure = charts.series_figure(
        frame.index, frame["actual"], frame["signal"], train_end_date=frame.index[TRAIN_ROWS]
    )
    assert trace_names(figure) == ["Actual", "Signal (noise-free)"]
    assert len(figure.data[0].y) == TRAIN_ROWS + TEST_ROWS
    assert figure.data[1].line.dash == "dot"
    rectangles = [shape for shape in figure.layout.shapes if shape.type == "rect"]
    assert len(rectangles) == 1
    assert pd.Timestamp(rectangles[0].x0) == frame.index[TRAIN_ROWS]
    assert "train | test" in annotation_texts(figure)


def test_series_figure_without_signal_or_split():
    dates = pd.date_range("2024-01-01", periods=10)
    figure = charts.series_figure(dates, np.arange(10.0))
    assert trace_names(figure) == ["Actual"]
    assert len(figure.layout.shapes) == 0


def test_forecast_figure_traces_shading_and_forecast():
    predictions = fake_predictions()
    figure = charts.forecast_figure(
        predictions, baselines=["naive", "linear_ar", "missing"], forecast=fake_forecast(7)
    )
    names = trace_names(figure)
    assert names == ["Actual", "Naive (tomorrow = today)", "Straight-line rule", names[3], "Model"]
    assert names[3].startswith("Forecast")
    assert len(figure.data[0].x) == TRAIN_ROWS + TEST_ROWS
    assert len(figure.data[1].x) == TEST_ROWS  # baselines only on the test part
    assert len(figure.data[3].x) == 7
    assert figure.data[3].line.dash == "dash"
    assert "train | test" in annotation_texts(figure)
    rectangles = [shape for shape in figure.layout.shapes if shape.type == "rect"]
    shaded_starts = [pd.Timestamp(shape.x0) for shape in rectangles]
    assert predictions.index[TRAIN_ROWS] in shaded_starts
    assert figure.layout.hovermode == "x unified"
    assert figure.layout.template.layout.paper_bgcolor == "white"
    assert figure.layout.template.layout.plot_bgcolor == "white"  # plotly_white, not plotly's


def test_forecast_figure_draws_the_network_on_top_and_baselines_thin():
    figure = charts.forecast_figure(
        fake_predictions(), baselines=["naive", "linear_ar"], show_train=False
    )
    network = figure.data[-1]
    assert network.name == "Model"  # drawn last, so nothing covers it
    baselines = figure.data[1:3]
    assert all(trace.line.dash not in (None, "solid") for trace in baselines)
    assert all(trace.line.width < network.line.width for trace in baselines)
    assert baselines[0].visible in (None, True)  # the first baseline shows
    assert baselines[1].visible == "legendonly"  # the others start hidden


def test_forecast_figure_opens_on_the_last_test_steps_with_a_range_slider():
    predictions = fake_predictions()
    test = predictions[predictions["part"] == "test"]
    figure = charts.forecast_figure(predictions, show_train=False, zoom_steps=10)
    assert figure.layout.xaxis.rangeslider.visible
    assert pd.Timestamp(figure.layout.xaxis.range[0]) == test.index[-10]
    low, high = figure.layout.yaxis.range
    window = test.iloc[-10:][["actual", "model"]].to_numpy()
    assert low <= window.min() and high >= window.max()
    whole = charts.forecast_figure(predictions, show_train=True, zoom_steps=10)
    assert whole.layout.xaxis.range is None  # with the training part: everything


def test_forecast_figure_test_only_with_signal():
    figure = charts.forecast_figure(fake_predictions(), show_train=False, show_signal=True)
    assert trace_names(figure) == ["Actual", "Signal (noise-free)", "Model"]
    assert len(figure.data[0].x) == TEST_ROWS
    assert "train | test" not in annotation_texts(figure)
    assert not [shape for shape in figure.layout.shapes if shape.type == "rect"]


def test_residual_figure_uses_the_test_part():
    predictions = fake_predictions()
    figure = charts.residual_figure(predictions)
    assert trace_names(figure) == ["Residual"]
    test = predictions[predictions["part"] == "test"]
    np.testing.assert_allclose(figure.data[0].y, test["actual"] - test["model"])


def test_residual_histogram_marks_bias_and_spread():
    predictions = fake_predictions()
    figure = charts.residual_histogram(predictions)
    test = predictions[predictions["part"] == "test"]
    residual = (test["actual"] - test["model"]).to_numpy()
    assert isinstance(figure.data[0], go.Histogram)
    assert len(figure.data[0].x) == TEST_ROWS
    lines = [shape for shape in figure.layout.shapes if shape.type == "line"]
    assert len(lines) == 3
    positions = sorted(shape.x0 for shape in lines)
    bias, spread = residual.mean(), residual.std()
    np.testing.assert_allclose(positions, [bias - spread, bias, bias + spread])
    side = "too low" if bias > 0 else "too high"
    expected = f"forecasts {abs(bias):.2f} {side} on average<br>most errors within ±{spread:.2f}"
    assert expected in annotation_texts(figure)
    hover = figure.layout.annotations[0].hovertext
    assert f"bias (mean residual) {bias:.2f}" in hover  # the exact terms stay in the tooltip


def test_loss_figure_names_the_loss_of_the_task():
    history = {"loss": [1.0, 0.5], "val_loss": [1.2, 0.6]}
    assert (
        "cross-entropy"
        in charts.loss_figure(history, task="classification").layout.yaxis.title.text
    )
    assert "squared" in charts.loss_figure(history).layout.yaxis.title.text


def test_metrics_bar_figure_uses_a_log_axis_and_marks_the_floor():
    rows = pd.DataFrame(
        {"mse": [1.0, 1.1, 60.0], "mae": [0.8, 0.9, 6.0]},
        index=["Model", "naive", "seasonal_naive"],
    )
    figure = charts.metrics_bar_figure(rows, floor=0.9)
    assert figure.layout.yaxis.type == "log" and figure.layout.yaxis2.type == "log"
    assert "noise floor" in annotation_texts(figure)


def test_class_accuracy_colours_are_distinct_and_the_legend_clears_the_left_panel():
    metrics = {
        "accuracy": 0.6,
        "majority_baseline_accuracy": 0.4,
        "majority_class": "up",
        "per_class": {
            name: {"precision": 0.5, "recall": 0.5, "support": 3} for name in ("down", "flat", "up")
        },
    }
    figure = charts.class_accuracy_figure(ClassificationScores.from_dict(metrics))
    bar_colour = figure.data[0].marker.color[0]
    assert len({bar_colour, figure.data[1].marker.color, figure.data[2].marker.color}) == 3
    assert figure.layout.legend.x >= figure.layout.xaxis2.domain[0] - 0.05


def test_loss_figure_marks_the_trainers_best_epoch_on_a_log_axis():
    history = {"loss": [1.0, 0.5, 0.3, 0.2, 0.15], "val_loss": [1.2, 0.6, 0.4, 0.45, 0.5]}
    figure = charts.loss_figure(history, best_epoch=3)
    assert trace_names(figure) == ["Training loss", "Validation loss", "Best epoch 3"]
    assert list(figure.data[0].x) == [1, 2, 3, 4, 5]
    assert list(figure.data[2].x) == [3] and list(figure.data[2].y) == [0.4]
    assert figure.layout.yaxis.type == "log"
    only_training = charts.loss_figure({"loss": [0.5, 0.4], "val_loss": []}, best_epoch=2)
    assert trace_names(only_training) == ["Training loss", "Best epoch 2"]
    assert trace_names(charts.loss_figure(history)) == ["Training loss", "Validation loss"]


def test_loss_figure_star_is_the_trainers_best_epoch_not_the_lowest_point():
    # A cosine schedule looks for the best epoch from its middle on: a lucky dip at epoch 1
    # is not the best epoch, and the star must say what the page says ("best at epoch 4").
    history = {"loss": [1.0, 0.5, 0.3, 0.2, 0.15], "val_loss": [0.1, 0.6, 0.4, 0.3, 0.5]}
    figure = charts.loss_figure(history, best_epoch=4)
    star = figure.data[-1]
    assert star.name == "Best epoch 4" and list(star.x) == [4] and list(star.y) == [0.3]


def test_metrics_bar_figure_one_panel_per_metric():
    rows = pd.DataFrame(
        {"mse": [0.5, 0.8, 0.7], "mae": [0.4, 0.6, np.nan]},
        index=["model", "naive", "seasonal_naive"],
    )
    figure = charts.metrics_bar_figure(rows)
    assert trace_names(figure) == ["MSE", "MAE"]
    assert list(figure.data[0].x) == ["Model", "Naive (tomorrow = today)", "Same day last season"]
    assert list(figure.data[0].y) == [0.5, 0.8, 0.7]
    assert figure.data[0].marker.color[0] != figure.data[0].marker.color[1]


def test_class_accuracy_and_confusion_figures():
    labels = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2]
    predicted = [0, 0, 2, 2, 1, 2, 2, 2, 2, 0]
    metrics = classification_metrics(labels, predicted)
    scores = RunScores.from_dict({"test": metrics, "train": metrics})
    figure = charts.class_accuracy_figure(scores)
    assert trace_names(figure) == ["Accuracy", "Precision", "Recall"]
    assert list(figure.data[0].y) == [0.6, 0.4]
    assert figure.data[0].x[1] == "Always 'down'"
    assert len(figure.data[1].x) == 3 and figure.data[1].x[0] == "down (n=4)"

    assert charts.class_accuracy_figure(scores.test).data[0].y == figure.data[0].y
    heatmap = charts.confusion_figure(scores.test.confusion)
    assert isinstance(heatmap.data[0], go.Heatmap)
    np.testing.assert_array_equal(heatmap.data[0].z, [[2, 0, 2], [0, 1, 1], [1, 0, 3]])
    from_scores = charts.confusion_figure(scores)
    np.testing.assert_array_equal(from_scores.data[0].z, heatmap.data[0].z)
    assert list(heatmap.data[0].x) == ["down", "flat", "up"]
    assert heatmap.data[0].text[0][0].startswith("2")


def test_sweep_line_and_heatmap_figures():
    sweep = pd.DataFrame(
        {
            "family": ["lstm"] * 3 + ["gru"] * 3,
            "units": [100, 25, 50] * 2,
            "mae": [0.012, 0.011, 0.0109, 0.013, 0.0107, 0.011],
        }
    )
    figure = charts.sweep_line_figure(sweep, "units", "mae", color="family")
    assert trace_names(figure) == ["LSTM", "GRU"]
    assert list(figure.data[0].x) == [25, 50, 100]  # sorted by the swept setting

    grid = pd.DataFrame(
        {
            "hidden_layers": [0, 0, 1, 1],
            "activation": ["tanh", "relu", "tanh", "relu"],
            "val_loss": [0.2, 0.3, 0.1, 0.4],
        }
    )
    heatmap = charts.heatmap_figure(grid, "activation", "hidden_layers", "val_loss")
    assert np.asarray(heatmap.data[0].z).shape == (2, 2)
    starred = [text for row in heatmap.data[0].text for text in row if "★" in text]
    assert starred == ["0.10 ★"]


def test_trials_figure_raw_smoothed_and_best_per_strategy():
    trials = fake_trials()
    figure = charts.trials_figure(trials, window=3)
    names = trace_names(figure)
    assert len(names) == 6
    assert names[:3] == [
        "Random: trial value",
        "Random: smoothed (mean of 3)",
        "Random: best so far",
    ]
    assert len(figure.data[0].x) == 7  # the pruned trial is left out
    np.testing.assert_allclose(figure.data[2].y, np.minimum.accumulate(figure.data[0].y))
    assert any(text.startswith("best 0.06") for text in annotation_texts(figure))

    single = charts.trials_figure(trials[trials["strategy"] == "random"].drop(columns="strategy"))
    assert trace_names(single) == ["trial value", "smoothed (mean of 5)", "best so far"]


def test_time_parameter_metric_and_importance_figures():
    trials = fake_trials()
    timing = charts.cumulative_time_figure(trials)
    assert trace_names(timing) == ["Random", "Bayesian optimisation"]
    assert timing.data[0].y[-1] == pytest.approx(sum(2 + number for number in range(8)))

    parameters = charts.parameter_figure(trials, ["units", "learning_rate", "activation"])
    assert len(parameters.data) == 3 * 2  # one trace per strategy in each of three panels
    assert parameters.layout.yaxis2.type == "log"  # learning rate spans 1e-5..1e-1

    metrics = charts.trial_metrics_figure(trials)
    assert len(metrics.data) == 3 * 2
    assert [annotation.text for annotation in metrics.layout.annotations] == ["R²", "RMSE", "MAE"]

    importance = charts.importance_figure({"units": 0.2, "learning_rate": 0.7, "dropout": 0.1})
    assert list(importance.data[0].y) == ["Dropout", "Units", "Learning rate"]


def test_runs_comparison_figure():
    runs = [("LSTM 2x32", fake_predictions(1)), ("GRU 2x32", fake_predictions(2))]
    figure = charts.runs_comparison_figure(runs)
    assert trace_names(figure) == ["Actual", "LSTM 2x32", "GRU 2x32"]
    assert all(len(trace.x) == TEST_ROWS for trace in figure.data)
    first, second = figure.data[1], figure.data[2]
    # Each run stays visible when the lines overlap: own colour and own line pattern.
    assert first.line.color != second.line.color
    assert (first.line.dash or "solid") != (second.line.dash or "solid")
    assert all(trace.visible in (None, True) for trace in figure.data)


EMPTY_PREDICTIONS = fake_predictions().iloc[0:0]
NAN_PREDICTIONS = fake_predictions().assign(actual=np.nan, model=np.nan)


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.series_figure(pd.DatetimeIndex([]), []),
        lambda: charts.series_figure(pd.date_range("2024-01-01", periods=3), [np.nan] * 3),
        lambda: charts.forecast_figure(EMPTY_PREDICTIONS, ["naive"], forecast=fake_forecast(0)),
        lambda: charts.forecast_figure(NAN_PREDICTIONS),
        lambda: charts.forecast_figure(None),
        lambda: charts.residual_figure(EMPTY_PREDICTIONS),
        lambda: charts.residual_histogram(NAN_PREDICTIONS),
        lambda: charts.loss_figure({}),
        lambda: charts.loss_figure({"loss": [np.nan], "val_loss": [np.nan]}),
        lambda: charts.metrics_bar_figure(pd.DataFrame(columns=["mse", "mae"])),
        lambda: charts.class_accuracy_figure(None),
        lambda: charts.class_accuracy_figure(ClassificationScores.from_dict({})),
        lambda: charts.confusion_figure([]),
        lambda: charts.sweep_line_figure(pd.DataFrame(columns=["units", "mae"]), "units", "mae"),
        lambda: charts.heatmap_figure(pd.DataFrame(columns=["a", "b", "c"]), "a", "b", "c"),
        lambda: charts.trials_figure(pd.DataFrame(columns=["number", "value", "state"])),
        lambda: charts.trials_figure(fake_trials().assign(value=np.nan)),
        lambda: charts.cumulative_time_figure(pd.DataFrame()),
        lambda: charts.parameter_figure(pd.DataFrame(columns=["number"]), ["units"]),
        lambda: charts.trial_metrics_figure(None),
        lambda: charts.importance_figure({}),
        lambda: charts.runs_comparison_figure([]),
        lambda: charts.runs_comparison_figure([("empty", EMPTY_PREDICTIONS)]),
    ],
)
def test_empty_or_all_nan_input_gives_a_no_data_figure(build):
    assert is_empty(build())


def test_chart_modules_do_not_import_tensorflow_or_streamlit():
    import subprocess
    import sys

    code = (
        "import sys, core.charts, core.evaluation.metrics, core.evaluation.forecast; "
        "print(sorted(set(sys.modules) & {'tensorflow', 'keras', 'streamlit'}))"
    )
    repo = Path(__file__).resolve().parents[2]
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo
    ).stdout
    assert output.strip() == "[]"
