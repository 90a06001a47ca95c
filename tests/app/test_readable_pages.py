"""What a teacher demoing the app sees (issue 11): readable forecast charts, plain words, the
up/flat/down set-up, depth as one number, runs side by side and the change since the run before."""

from __future__ import annotations

import json
import shutil

import pytest

from core.config import ModelConfig
from tests.app.conftest import TINY, TINY_CLASSIFIER, assert_clean, open_page, rendered, texts

TINY_GRU = TINY.replace(model=ModelConfig(family="gru", units=4))


def _figure(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


@pytest.fixture
def two_regression_runs(trained_home, tmp_path, monkeypatch):
    """A copy of the trained home with a second next-value run (a GRU) trained after TINY."""
    from core.runs.pipeline import run_experiment
    from core.runs.store import RunStore

    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    run_experiment(TINY_GRU, store=RunStore(home / "runs"))
    monkeypatch.setenv("FORECAST_LAB_HOME", str(home))
    return home


def test_results_forecast_draws_the_network_on_top_and_hides_extra_baselines(use_trained_home):
    at = open_page("pages/results.py", TINY)
    at.pills(key="w.results.baselines").set_value(["naive", "linear_ar"]).run()
    assert_clean(at)
    traces = _figure(at)["data"]
    assert traces[-1]["line"]["color"] == "#1f5fbf"  # the network's blue, drawn last
    baselines = [trace for trace in traces if trace.get("line", {}).get("dash") == "dot"]
    baselines += [trace for trace in traces if trace.get("visible") == "legendonly"]
    assert any(trace.get("visible") == "legendonly" for trace in baselines)
    layout = _figure(at)["layout"]
    assert layout["xaxis"]["rangeslider"]["visible"]
    captions = texts(at.caption)
    assert "shaded part is the test period" not in captions  # nothing is shaded in this view
    at.toggle(key="w.results.show_train").set_value(True).run()
    assert "shaded part is the test period" in texts(at.caption)


def test_results_scores_in_words_without_the_repeated_floor_cards(use_trained_home):
    at = open_page("pages/results.py", TINY)
    assert_clean(at)
    frames = [frame.value for frame in at.dataframe]
    tables = [frame for frame in frames if "skill_vs_naive" in frame.columns]
    assert tables, [list(frame.columns) for frame in frames]
    table = tables[0]
    assert table.loc["Naive (tomorrow = today)", "skill_vs_naive"] == "the reference"
    assert isinstance(table.iloc[0]["skill_vs_naive"], str)
    assert not any(metric.label == "Noise floor (MSE)" for metric in at.metric)
    assert "Scaled 0..1 (as in the studies)" not in str(at.radio(key="w.results.units").options)


def test_results_compares_with_the_run_before(two_regression_runs):
    at = open_page("pages/results.py", TINY_GRU)
    assert_clean(at)
    at.toggle(key="w.results.compare_before").set_value(True).run()
    assert_clean(at)
    figure = _figure(at)
    names = [trace["name"] for trace in figure["data"]]
    assert [name.split(" (")[0] for name in names] == ["Actual", "This run", "The run before"]
    assert names[1].startswith("This run (GRU") and names[2].startswith("The run before (LSTM")
    changes = at.table[0].value
    assert {"The run before", "This run", "Change"} <= set(changes.columns)
    assert "Squared error (MSE)" in changes.index
    assert "Network family lstm → gru" in texts(at.caption)


def test_runs_ticked_rows_show_side_by_side_with_an_open_button(two_regression_runs):
    at = open_page("pages/runs.py")
    table = at.dataframe[0].value
    rows = [int(row) for row in table.index[table["task"] == "next value"]]
    assert len(rows) == 2
    at.session_state["runs_table_0"] = {"selection": {"rows": rows, "columns": []}}
    at.run()
    assert_clean(at)
    figure = _figure(at)
    assert len(figure["data"]) == 3  # actual + one line per run
    assert all(trace.get("visible", True) is True for trace in figure["data"])
    scores = at.dataframe[1].value
    assert len(scores) == 2 and scores["model"].str.startswith(("LSTM", "GRU")).all()
    differences = at.dataframe[2].value
    assert "Network family" in differences.index
    assert any(button.label == "Open" for button in at.button)
    next(button for button in at.button if button.label == "Open").click().run()
    assert_clean(at)
    assert at.title[0].value == "Results"


def test_classifier_setup_uses_one_hidden_lstm_layer_of_50_units():
    at = open_page("pages/classify.py", TINY.replace(model=ModelConfig(family="gru", units=4)))
    button = next(button for button in at.button if "up/flat/down" in button.label)
    button.click().run()
    assert_clean(at)
    model = at.session_state["forecast_lab.request"].model
    assert (model.task, model.family, model.hidden_layers, model.units) == (
        "classification",
        "lstm",
        1,
        50,
    )


def test_model_page_counts_layers_in_total_and_three_outputs_for_classes():
    at = open_page("pages/model.py")
    assert_clean(at)
    slider = at.slider(key="w.model.layers")
    assert slider.label == "LSTM layers" and slider.value == 2
    assert "one output neuron" in texts(at.caption)
    slider.set_value(4).run()
    assert at.session_state["forecast_lab.request"].model.hidden_layers == 2
    classifier = open_page("pages/model.py", TINY_CLASSIFIER)
    assert "three output neurons" in texts(classifier.caption)


def test_layers_are_one_count_with_one_word_on_every_page_and_link():
    """Classify's set-up, the Model page, the run name, the link and the sweep form say the
    same count in the same words (the issue: "three layers in total" became "3 LSTM layers",
    and "Hidden layers to try 0..1" made LSTM 2x50 and 3x50)."""
    at = open_page("pages/classify.py")
    assert_clean(at)
    said = texts(at.info)
    assert "3 LSTM layers of 50 units" in said and "hidden" not in said.lower()
    next(button for button in at.button if button.label.startswith("Set up")).click().run()
    assert_clean(at)
    model = at.session_state["forecast_lab.request"].model
    assert model.label.startswith("LSTM 3x50")
    at.switch_page("pages/model.py")
    at.run()
    slider = at.slider(key="w.model.layers")
    assert (slider.label, slider.value) == ("LSTM layers", 3)
    assert at.query_params["model.layers"] == ["3"] or at.query_params["model.layers"] == "3"
    assert "model.hidden_layers" not in dict(at.query_params)
    # A link written before the change (model.hidden_layers=1) still opens LSTM 3x50.
    old = open_page("pages/model.py", None, **{"model.hidden_layers": "1"})
    assert old.slider(key="w.model.layers").value == 3
    sweep = open_page("pages/experiments.py")
    label = sweep.slider(key="w.sweep.layers").label
    assert label == "LSTM layers to try" and sweep.slider(key="w.sweep.layers").value == (2, 5)


def test_classify_confusion_title_is_short_and_bar_colours_distinct(use_trained_home):
    at = open_page("pages/classify.py", TINY_CLASSIFIER)
    assert_clean(at)
    confusion = _figure(at, 1)
    assert confusion["layout"]["title"]["text"] == "Confusion matrix"
    accuracy = _figure(at, 0)
    colours = {accuracy["data"][0]["marker"]["color"][0]}
    colours |= {trace["marker"]["color"] for trace in accuracy["data"][1:]}
    assert len(colours) == 3


def test_data_page_suggests_a_window_and_one_click_applies_it():
    at = open_page("pages/data.py", TINY.replace(split=TINY.split.replace(lookback=60)))
    assert_clean(at)
    button = next(button for button in at.button if button.label.startswith("Use the suggested"))
    suggested = int(button.label.split(": ")[1].split()[0])
    assert "predicted the next value best" in texts(at.caption)
    button.click().run()
    assert_clean(at)
    assert at.session_state["forecast_lab.request"].split.lookback == suggested
    assert "Look-back window chosen from your data" in texts(at.caption)


def test_home_offers_two_demos_side_by_side():
    at = open_page()
    assert_clean(at)
    labels = [button.label for button in at.button]
    assert "Try the demo" in labels and "Try the chaotic demo" in labels
    body = texts(at.markdown)
    assert "A world a straight line can predict" in body and "One it cannot" in body


def test_chaotic_demo_keeps_its_series_on_the_data_page():
    from core.data.sources.synthetic import nonlinear_demo_request

    request = nonlinear_demo_request().replace(
        data=nonlinear_demo_request().data.replace(length=600),
        split=nonlinear_demo_request().split.replace(test_size=100),
    )
    at = open_page("pages/data.py", request)
    assert_clean(at)
    assert at.radio(key="w.data.generator").value == "mackey_glass"
    assert at.session_state["forecast_lab.request"].data.generator == "mackey_glass"
    from pages.components.sidebar import data_summary

    assert rendered(data_summary(request)).startswith("Chaotic series (Mackey–Glass)")
    at.radio(key="w.data.generator").set_value("sine").run()
    assert_clean(at)
    assert at.session_state["forecast_lab.request"].data.generator == "sine"
