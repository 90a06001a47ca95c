"""Settings the app changes on its own are said (#20 item 7): Classify's set-up names what it
replaced, a change of source says which model settings it keeps, and "Start over" brings every
setting back to its default (the URL follows)."""

from __future__ import annotations

from core.config import RunRequest
from tests.app.conftest import assert_clean, open_page, texts


def _click(at, label: str) -> None:
    next(button for button in at.button if button.label.startswith(label)).click().run()
    assert_clean(at)


def test_set_up_new_source_and_start_over_are_all_said():
    at = open_page("pages/classify.py")
    _click(at, "Set up an up/flat/down model")
    assert at.title[0].value == "Model"
    said = texts(at.info)
    assert "Set up for up/flat/down: LSTM, 3 layers of 50 units" in said
    assert "was LSTM, 2 layers of 32 units" in said

    at.switch_page("pages/data.py")
    at.run()
    at.segmented_control(key="w.data.source").set_value("csv").run()
    assert_clean(at)
    kept = texts(at.info)
    assert "model and training settings are kept: LSTM, 3 layers of 50 units" in kept
    assert "weights" in kept and "Start over" in kept


def test_start_over_brings_every_setting_back_to_its_default():
    # (AppTest draws the router's sidebar only on the first page, so this opens Home.)
    link = {"model.task": "classification", "model.layers": "3", "model.units": "50"}
    at = open_page(None, None, **link)
    assert at.session_state["forecast_lab.request"] != RunRequest()
    _click(at, "Start over")
    assert at.session_state["forecast_lab.request"] == RunRequest()
    assert "model.task" not in dict(at.query_params) and "model.layers" not in dict(at.query_params)
    assert "Started over" in texts(at.info)
