"""The Experiments page: renders without exceptions, has its tabs and controls, and runs a tiny
search end to end through a background worker process."""

from __future__ import annotations

import time
from pathlib import Path

from optuna.trial import TrialState
from streamlit.testing.v1 import AppTest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from pages.components.state import REQUEST

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
PAGE = "pages/experiments.py"
TINY = RunRequest(
    data=DataConfig(length=300, seasonal_periods=(30.0,), seasonal_amplitudes=(5.0,)),
    split=SplitConfig(test_size=60, lookback=5),
    model=ModelConfig(family="dense", units=4),
    train=TrainConfig(epochs=1, patience=0),
    horizon=5,
)


def open_page() -> AppTest:
    """Through the router (app.py), as a visitor arrives, with a tiny request in the session."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state[REQUEST] = TINY
    app.run()
    app.switch_page(PAGE)
    return app.run()


def labels(elements) -> list[str]:
    return [element.label for element in elements]


def test_page_renders_its_tabs_and_controls():
    app = open_page()
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["Sweeps", "Search"]
    buttons = labels(app.button)
    assert "Run the sweep" in buttons and "Start the search" in buttons
    assert "Strategy" in labels(app.selectbox)
    for widget in [*app.selectbox, *app.number_input, *app.slider, *app.multiselect]:
        assert widget.help, f"{widget.label} has no help text"
    assert any("No studies yet" in info.value for info in app.info)


def test_a_tiny_search_runs_end_to_end():
    from core.tuning.study import list_studies, load_study

    app = open_page()
    app.selectbox(key="w.search.strategy").set_value("random")
    app.number_input(key="w.search.trials.interactive").set_value(2)
    app.number_input(key="w.search.epochs.interactive").set_value(1)
    app.run()
    next(button for button in app.button if button.label == "Start the search").click().run()
    assert not app.exception, app.exception
    name = list_studies()[0]["name"]
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        finished = load_study(name).get_trials(states=(TrialState.COMPLETE, TrialState.FAIL))
        if len(finished) >= 2:
            break
        time.sleep(1)
    assert len(finished) == 2, "the background worker did not finish two trials"
    app.run()
    assert not app.exception, app.exception
    assert len(app.get("plotly_chart")) >= 5
    assert any("Best objective" == metric.label for metric in app.metric)
    assert any("naive persistence" in metric.label for metric in app.metric)


def test_a_tiny_sweep_shows_its_leaderboard_with_naive():
    app = open_page()
    app.slider(key="w.sweep.layers").set_value((2, 2))
    app.multiselect(key="w.sweep.activations").set_value(["tanh"])
    app.number_input(key="w.sweep.units").set_value(4)
    app.multiselect(key="w.sweep.units_sweep").set_value([4])
    app.number_input(key="w.sweep.epochs").set_value(1)
    app.run()
    next(button for button in app.button if button.label == "Run the sweep").click().run()
    assert not app.exception, app.exception
    from pages.components.experiment_panels import sweep_board

    task = sweep_board().latest()
    deadline = time.monotonic() + 120
    while not task.finished and time.monotonic() < deadline:
        time.sleep(0.5)
    assert task.status == "done", task.error
    app.run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert "Naive persistence" in set(table["Family"])
    assert len(app.get("plotly_chart")) >= 2  # heat map and the best model's forecast
