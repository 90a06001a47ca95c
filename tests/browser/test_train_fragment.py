"""Pressing Train reruns only the Train page's job area, in a real browser: the click's message to
the server names a fragment (the button and the job panel are one), the run it starts already
sends the job's panel (its place in line or its first progress) and finishes as a fragment
run, and the panel then polls by fragment runs until "See the results"; the sidebar does not
poll the job the page shows live. Read from the websocket's own messages (Streamlit's
BackMsg / ForwardMsg)."""

from __future__ import annotations

import re

import pytest

from tests.browser.server import fresh_page, settle

pytestmark = pytest.mark.browser

# Long enough (40 epochs, a few seconds) for the sidebar's 2 s polling to show if it polled.
TINY = "data.length=300&split.test_size=50&model.units=5&train.epochs=40&train.patience=0"
SIDEBAR = 1  # Streamlit's root container of the sidebar (delta_path[0])
# What the job panel says first: queued, preparing, training, or (a tiny run) done.
PANEL = re.compile(r"in line|Preparing the network|Epoch \d+ of at most|See the results")


def _record(page) -> dict:
    """Every rerun request the page sends and every message it receives, decoded, in order."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    log: dict = {"events": []}

    def sent(payload) -> None:
        if isinstance(payload, bytes):
            message = BackMsg.FromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                log["events"].append(("rerun", message.rerun_script.fragment_id))

    def received(payload) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg.FromString(payload)
            kind = message.WhichOneof("type")
            if kind == "new_session":
                log["events"].append(("started", ""))
            elif kind == "script_finished":
                log["events"].append(("finished", ForwardMsg.ScriptFinishedStatus.Name(
                    message.script_finished)))  # fmt: skip
            elif kind == "delta":
                root = message.metadata.delta_path[0] if message.metadata.delta_path else 0
                where = "sidebar" if root == SIDEBAR else "delta"
                log["events"].append((where, str(message.delta)))

    page.on(
        "websocket",
        lambda socket: (socket.on("framesent", sent), socket.on("framereceived", received)),
    )
    return log


def test_pressing_train_reruns_only_the_job_area_which_shows_the_panel_at_once(app, browser):
    with fresh_page(browser) as page:
        log = _record(page)
        page.goto(f"{app.url}/train?{TINY}")
        button = page.get_by_role("button", name=re.compile("^Train the model"))
        button.wait_for(timeout=120_000)
        settle(page)
        before = len(log["events"])
        button.click()
        page.get_by_role("button", name="See the results").wait_for(timeout=180_000)
        settle(page)
        events = log["events"][before:]

    reruns = [fragment for kind, fragment, *_ in events if kind == "rerun"]
    assert reruns, "the click sent no rerun request"
    assert reruns[0] != "", "the click reran the whole page, not the Train fragment"
    # The click's own run: its deltas up to its end carry the panel, and it ends as a fragment
    # run, or early for a whole-page rerun when the job changed its polling pace meanwhile
    # (queued -> running): the panel is drawn before that rerun.
    first_end = next(index for index, (kind, _) in enumerate(events) if kind == "finished")
    assert events[first_end][1] in (
        "FINISHED_FRAGMENT_RUN_SUCCESSFULLY",
        "FINISHED_EARLY_FOR_RERUN",
    ), events[first_end]
    click_deltas = " ".join(text for kind, text in events[:first_end] if kind == "delta")
    assert PANEL.search(click_deltas), "the click's run did not send the job's panel"
    # Polling asks for fragment runs only (a pace change may rerun the page from the server).
    assert all(fragment for fragment in reruns), reruns
    # No fragment run draws into the sidebar: its "Training now" leaves out the job shown live.
    run: list = []
    for kind, text in events:
        if kind == "started":
            run = []
        elif kind == "finished" and text == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY":
            assert "sidebar" not in run, "the sidebar polled the job the page shows live"
        else:
            run.append(kind)
