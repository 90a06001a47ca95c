"""How often the Train page's job panel polls (pages/components/job_panel.py): a session waiting
far back in line polls every few seconds (ten waiting sessions must not cost the trainings they
wait for), quickly around the first and the last epoch, never once finished."""

from __future__ import annotations

import dataclasses

from core.runs.jobs import JobSnapshot
from pages.components import job_panel


def snapshot(status: str, epoch: int = 0, wait: float | None = None, step: str | None = None):
    return JobSnapshot(
        job_id="k",
        key="k",
        label="LSTM",
        status=status,
        queue_position=3 if status == "queued" else None,
        epoch=epoch,
        max_epochs=30,
        history={"loss": [0.1] * epoch, "val_loss": [0.2] * epoch},
        submitted_at=0.0,
        started_at=None,
        finished_at=None,
        error=None,
        cached=False,
        wait_seconds=wait,
        step=step,
    )


def test_a_session_far_back_in_line_polls_less_often_than_one_whose_turn_is_near():
    far, near = snapshot("queued", wait=200.0), snapshot("queued", wait=8.0)
    unknown = snapshot("queued")
    assert job_panel.poll_seconds(far) == job_panel.QUEUED_POLL_SECONDS
    assert job_panel.poll_seconds(unknown) == job_panel.QUEUED_POLL_SECONDS
    assert job_panel.poll_seconds(near) == job_panel.POLL_SECONDS < job_panel.QUEUED_POLL_SECONDS
    # On a fresh server the workers are about to be up: the start is not noticed 3 s late.
    starting = dataclasses.replace(unknown, workers_starting=True)
    assert job_panel.poll_seconds(starting) == job_panel.POLL_SECONDS


def test_a_training_polls_quickly_around_its_first_and_last_epoch_and_not_once_finished():
    assert job_panel.poll_seconds(snapshot("running")) == job_panel.QUICK_POLL_SECONDS
    assert job_panel.poll_seconds(snapshot("running", epoch=5)) == job_panel.POLL_SECONDS
    assert job_panel.poll_seconds(snapshot("running", epoch=30)) == job_panel.QUICK_POLL_SECONDS
    after = snapshot("running", epoch=12, step="bands")
    assert job_panel.poll_seconds(after) == job_panel.QUICK_POLL_SECONDS
    assert job_panel.poll_seconds(snapshot("done", epoch=30)) is None
    assert job_panel.poll_seconds(None) is None


def _panel_script() -> None:
    from pages.components import job_panel

    job_panel._panel("k", "regression", job_panel.QUEUED_POLL_SECONDS)


def test_a_panel_whose_pace_changed_is_drawn_before_the_page_reruns(monkeypatch):
    """The run that sees the pace change (a click's own run, when the job left the line in the
    meantime) still shows the job: the whole-page rerun comes after the drawing."""
    import streamlit
    from streamlit.testing.v1 import AppTest

    near = snapshot("queued", wait=8.0)  # polls every second, not every QUEUED_POLL_SECONDS

    class Registry:
        def snapshot(self, job_id):
            return near

    reruns = []

    def rerun(*args, **kwargs):
        reruns.append(job_panel.poll_seconds(near))
        streamlit.stop()  # as st.rerun does, nothing after it is drawn

    monkeypatch.setattr(job_panel.services, "registry", Registry)
    monkeypatch.setattr(streamlit, "rerun", rerun)
    app = AppTest.from_function(_panel_script).run()
    assert reruns == [job_panel.POLL_SECONDS]
    assert "number 3 in line" in app.info[0].value


def _finished_panel_script() -> None:
    from pages.components import job_panel

    job_panel._panel("k", "regression", job_panel.QUICK_POLL_SECONDS)


def test_a_poll_that_finds_the_job_finished_reruns_the_page_before_drawing_its_buttons(
    monkeypatch,
):
    """The poll that sees the training end draws no "See the results": pressed in that run, the
    click would reach the server with the page's rerun still to come. The whole page draws it
    once, not polling (that run's pace is None, and it does not rerun again)."""
    import streamlit
    from streamlit.testing.v1 import AppTest

    done = dataclasses.replace(snapshot("done", epoch=30), finished_at=1.0)

    class Registry:
        def snapshot(self, job_id):
            return done

        def result(self, job_id):
            return None

    reruns = []

    def rerun(*args, **kwargs):
        reruns.append("rerun")
        streamlit.stop()

    monkeypatch.setattr(job_panel.services, "registry", Registry)
    monkeypatch.setattr(streamlit, "rerun", rerun)
    polled = AppTest.from_function(_finished_panel_script).run()
    assert reruns == ["rerun"]
    assert not polled.button and not polled.success
    reruns.clear()
    monkeypatch.setattr(job_panel.services, "registry", Registry)
    whole_page = AppTest.from_function(_page_panel_script).run()
    assert reruns == []
    assert [button.label for button in whole_page.button] == ["See the results"]


def _page_panel_script() -> None:
    from pages.components import job_panel

    job_panel._panel("k", "regression", None)


def test_the_live_chart_takes_new_epochs_every_few_seconds_and_the_first_at_once():
    """Each redraw of the chart costs the browser a tenth of a second of CPU; an unchanged chart
    next to nothing. The bar above it says every epoch."""
    every = job_panel.LIVE_CHART_SECONDS
    assert job_panel.chart_epochs(0, 0.0, 1, now=100.0) == (1, 100.0)  # the first at once
    assert job_panel.chart_epochs(1, 100.0, 3, now=100.0 + every / 2) == (1, 100.0)
    assert job_panel.chart_epochs(1, 100.0, 3, now=100.0 + every) == (3, 100.0 + every)
    assert job_panel.chart_epochs(3, 100.0, 3, now=200.0) == (3, 100.0)  # nothing new
    assert job_panel.chart_epochs(9, 100.0, 2, now=100.5) == (2, 100.5)  # a retry starts over


def test_a_running_jobs_chart_keeps_its_epochs_until_its_next_turn(monkeypatch):
    import base64
    import json

    import numpy as np
    from streamlit.testing.v1 import AppTest

    shown = {"snapshot": snapshot("running", epoch=1)}

    class Registry:
        def snapshot(self, job_id):
            return shown["snapshot"]

    def points(app) -> int:
        [chart] = app.get("plotly_chart")
        values = json.loads(chart.proto.spec)["data"][0]["y"]  # plotly's typed array
        return len(base64.b64decode(values["bdata"])) // np.dtype(values["dtype"]).itemsize

    monkeypatch.setattr(job_panel.services, "registry", Registry)
    app = AppTest.from_function(_page_panel_script).run()
    assert points(app) == 1
    shown["snapshot"] = snapshot("running", epoch=2)
    app.run()
    assert "Epoch 2 of at most 30" in app.get("progress")[0].proto.text  # the bar says it
    assert points(app) == 1  # the chart takes it on its next turn
    shown["snapshot"] = snapshot("running", epoch=2, step="predicting")
    app.run()
    assert points(app) == 2  # the epochs are over: all of them at once
