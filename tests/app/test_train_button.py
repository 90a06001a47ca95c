"""The Train button starts its job in a callback, before the click's run draws anything: a job
that cannot start says why in words, above a button that is still there to press again. The
summary above it names the window its weight count is for."""

from __future__ import annotations

from core.errors import DiskFullError
from core.runs.jobs import JobRegistry
from tests.app.conftest import TINY, assert_clean, open_page, texts

FULL = "The disk is full. Free some space, then press Train again."


def test_a_training_that_cannot_start_says_why_and_keeps_the_button(monkeypatch):
    pressed = []

    def refuse(self, request, owner=None):
        pressed.append(request)
        raise DiskFullError(FULL)

    monkeypatch.setattr(JobRegistry, "submit", refuse)
    at = open_page("pages/train.py", TINY)
    next(button for button in at.button if button.label == "Train the model").click().run()
    assert_clean(at)
    assert pressed == [TINY]
    assert FULL in texts(at.error)
    assert any(button.label == "Train the model" for button in at.button)
    assert "forecast_lab.job" not in at.session_state
    at.run()  # said once: the next run of the page no longer shows it
    assert FULL not in texts(at.error)


def test_the_train_page_names_the_window_its_weight_count_is_for():
    """Two setups whose lines on the left read alike (the demo's window of a year, a first
    visit's 30 days) show different weight counts: the window next to the count says why."""
    counts = {}
    for lookback in (30, 60):
        request = TINY.replace(split=TINY.split.replace(lookback=lookback))
        at = open_page("pages/train.py", request)
        assert_clean(at)
        assert f"Look-back window: {lookback} days" in texts(at.caption)
        counts[lookback] = at.metric[0].value
    assert counts[30] != counts[60]
