"""The live training panel: queue position, progress, elapsed time, loss chart, Cancel, outcome.

It polls the job registry's snapshots from a fragment (about once a second while the job is
active); the training itself runs on a worker thread that never touches Streamlit.
"""

from __future__ import annotations

import datetime as dt
import time

import streamlit as st

from core.charts import loss_figure
from core.config import RunRequest
from core.runs.steps import done_words, job_progress
from pages.components import owner, services, state
from pages.components.guard import guarded_function, show_error

CONFIRM_CANCEL = "forecast_lab.confirm_cancel"
STOP_REASONS = {
    "completed": "ran every epoch",
    "early_stopping": "stopped early when the validation error stopped improving",
    "time_limit": "stopped at the time limit",
}


def friendly_time(iso_text: str) -> str:
    """'2026-11-22T10:14:03Z' -> '2026-11-22 10:14 UTC'."""
    try:
        stamp = dt.datetime.fromisoformat(iso_text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return str(iso_text)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def session_snapshot():
    """This session's job (from session state or the URL), or None."""
    job_id = state.current_job_id()
    if not job_id:
        return None
    return services.registry().snapshot(job_id)


def running_job_notice() -> None:
    """On Data and Model: say that edits never touch a training that is already running."""
    snapshot = session_snapshot()
    if snapshot is not None and not snapshot.finished:
        st.info(
            f"Your training ({snapshot.label}) is running with the settings you had when you "
            "pressed Train. Changes here do not affect it; training again with new settings "
            "starts a separate job.",
            icon=":material/model_training:",
        )


def train_area(request: RunRequest, key: str) -> None:
    """The Train page's button and this session's job panel, as one fragment: pressing the
    button reruns only this fragment (not the whole page), and that rerun already shows the
    place in line or the first progress."""
    st.fragment(_train_area)(request, key)


@guarded_function
def _train_area(request: RunRequest, key: str) -> None:
    registry = services.registry()
    snapshot = session_snapshot()
    if snapshot is None:
        # Another tab or person may be training exactly these settings: join that job.
        shared = registry.snapshot(key)
        if shared is not None and not shared.finished:
            state.set_job_id(shared.job_id)
            snapshot = shared
    same_job = snapshot is not None and snapshot.key == key
    handled_here = same_job and snapshot.status in ("queued", "running", "done")
    if not handled_here:
        problem = st.session_state.pop(START_PROBLEM, None)
        if problem is not None:
            show_error(problem)
        stored = services.store().has(key)
        if stored:
            label, hint = "Load the trained model", "These exact settings were trained before."
        elif same_job:
            label, hint = "Train again", "Starts the training again with the settings above."
        else:
            label, hint = "Train the model", "Starts a background training with the settings above."
        if snapshot is not None and not snapshot.finished:
            hint += " Your other training keeps running; this one waits in line if needed."
        st.write("")
        if not stored:
            registry.prepare(request)  # trace the network while the user reads the button
        st.button(
            label,
            type="primary",
            icon=":material/play_arrow:",
            help=hint,
            on_click=_start,
            args=(request,),
        )
        st.caption(hint)
    if snapshot is not None:
        if not same_job:
            st.subheader("Your last training")
            st.caption(f"{snapshot.label} (the settings have changed since).")
        render(snapshot.job_id, task=request.model.task)
    elif state.current_job_id():
        render(state.current_job_id(), task=request.model.task)


# Set by the Train button's callback when the job could not start; shown above the button.
START_PROBLEM = "forecast_lab.start_problem"


def _start(request: RunRequest) -> None:
    """The Train button's callback. It runs before the click's fragment run, so that run draws
    the job's panel (its place in line, or its start) as its first element, with no button to
    draw and take away first: with a class pressing together, every element a run sends before
    the place costs the server and the browsers time."""
    try:
        job_id = services.registry().submit(request, owner=owner.viewer().owner_id)
    except Exception as error:  # shown in words above the button by the run that follows
        st.session_state[START_PROBLEM] = error
        return
    state.set_job_id(job_id)


# Polling (each poll reruns the panel on the server and redraws it in the browser, which share
# the machine's cores with the trainings; README, "Measured choices"): twice a second until the
# first epoch is on the chart and again once the last epoch is (the results are seconds away),
# once a second in between, and while waiting in line every few seconds only, unless the wait
# is nearly over: ten people waiting must not cost the trainings they wait for.
QUICK_POLL_SECONDS = 0.5
POLL_SECONDS = 1.0
QUEUED_POLL_SECONDS = 3.0
NEARLY_SECONDS = 20.0  # a wait expected shorter than this polls once a second


def poll_seconds(snapshot) -> float | None:
    """How often the panel of this job polls; None once it is finished."""
    if snapshot is None or snapshot.finished:
        return None
    if snapshot.status == "queued":
        wait = snapshot.wait_seconds
        nearly = snapshot.workers_starting or (wait is not None and wait < NEARLY_SECONDS)
        return POLL_SECONDS if nearly else QUEUED_POLL_SECONDS
    if snapshot.epoch == 0 or snapshot.epoch >= snapshot.max_epochs or snapshot.step is not None:
        return QUICK_POLL_SECONDS
    return POLL_SECONDS


def render(job_id: str, task: str = "regression") -> None:
    """The panel for one job; polls while it is queued or running. `task` names the loss on
    the chart (squared error, or cross-entropy for up/flat/down)."""
    every = poll_seconds(services.registry().snapshot(job_id))
    st.fragment(_panel, run_every=every)(job_id, task, every)


def _ask_cancel(job_id: str) -> None:
    st.session_state[CONFIRM_CANCEL] = job_id


def _keep(job_id: str) -> None:
    st.session_state.pop(CONFIRM_CANCEL, None)


def _may_cancel(job_id: str) -> bool:
    snapshot = services.registry().snapshot(job_id)
    # A job without an owner was not started from a page (a test, a script): anyone may stop it.
    return snapshot is not None and (
        snapshot.owner is None or owner.viewer().may_manage(snapshot.owner)
    )


# A job waiting in the cluster's line notices its cancel within a tenth of a second, a running
# one after its batch: the page waits that long so it shows "Cancelled", not "stopping".
CANCEL_SETTLE_SECONDS = 3.0


def _cancel(job_id: str) -> None:
    if _may_cancel(job_id):
        registry = services.registry()
        registry.cancel(job_id)
        registry.wait(job_id, timeout=CANCEL_SETTLE_SECONDS)
    st.session_state.pop(CONFIRM_CANCEL, None)


def _cancel_controls(job_id: str) -> None:
    if not _may_cancel(job_id):
        st.caption(
            ":material/group: Someone else started this training; only they (or the teacher) "
            "can cancel it. Its result is shared with you when it is done."
        )
        return
    if st.session_state.get(CONFIRM_CANCEL) == job_id:
        st.warning("Stop this training? The work done so far is thrown away.")
        left, right, _ = st.columns([1, 1, 3])
        left.button(
            "Yes, stop it",
            type="primary",
            on_click=_cancel,
            args=(job_id,),
            key=f"cancel_yes_{job_id}",
            help="Stop the training now; nothing is saved.",
        )
        right.button(
            "Keep training",
            on_click=_keep,
            args=(job_id,),
            key=f"cancel_no_{job_id}",
            help="Let the training carry on.",
        )
    else:
        st.button(
            "Cancel training",
            icon=":material/stop_circle:",
            on_click=_ask_cancel,
            args=(job_id,),
            key=f"cancel_{job_id}",
            help="Stops this training (after asking you to confirm). Nothing is saved.",
        )


@guarded_function
def _panel(job_id: str, task: str = "regression", pace: float | None = None) -> None:
    """`pace`: the polling the panel was drawn with (None: it was not polling)."""
    registry = services.registry()
    snapshot = registry.snapshot(job_id)
    if snapshot is None:
        st.info(
            "This training is no longer known to the server (it may have been restarted). "
            "Press Train to start it again; finished runs load from the run store at once."
        )
        return
    new_pace = poll_seconds(snapshot)
    if pace is not None and new_pace is None:
        # Finished: the whole page draws the outcome once, with polling stopped; this run draws
        # nothing first: a "See the results" pressed here would reach the server with the
        # page's rerun still to come and be folded into it (README, "Measured choices": the
        # blank Results page of a class bench).
        st.rerun()
    _draw(registry, snapshot, task)
    # Drawn first, so the run that sees the change (a click's own run too) still shows it.
    if pace is not None and new_pace != pace:
        st.rerun()  # polling at the new pace


def _draw(registry, snapshot, task: str) -> None:
    job_id = snapshot.job_id
    if snapshot.status == "queued":
        st.info(
            f"Waiting for a free worker: yours is number {snapshot.queue_position or 1} in "
            f"line{snapshot.wait_words}. It starts by itself.",
            icon=":material/hourglass_top:",
        )
        _cancel_controls(job_id)
        return
    if snapshot.status == "running":
        bar = job_progress(
            epoch=snapshot.epoch,
            max_epochs=snapshot.max_epochs,
            step=snapshot.step,
            seconds_since_click=time.time() - snapshot.submitted_at,
        )
        st.progress(bar.fraction, text=bar.text)
        _loss_chart(_live_history(snapshot), task)
        _cancel_controls(job_id)
        st.caption(
            "You can leave this page or open another tab: the training keeps running, and "
            "coming back (or reloading) reconnects to it."
        )
        return
    if snapshot.status == "done":
        result = registry.result(job_id)
        if result is not None and result.cached:
            st.success(
                f"Loaded from cache: these exact settings were trained on "
                f"{friendly_time(result.created_at)} (it took {result.train_seconds:.0f} s).",
                icon=":material/bolt:",
            )
        elif result is not None:
            reason = STOP_REASONS.get(result.stop_reason, result.stop_reason)
            took = done_words(
                total_seconds=(snapshot.finished_at or time.time()) - snapshot.submitted_at,
                epochs_run=result.epochs_run,
                epoch_seconds=result.train_seconds,
                after_seconds=(
                    None
                    if snapshot.steps_started_at is None or snapshot.finished_at is None
                    else snapshot.finished_at - snapshot.steps_started_at
                ),
            )
            st.success(
                f"{took}; best at epoch {result.best_epoch} ({reason}).",
                icon=":material/check_circle:",
            )
        else:
            st.success("Training finished.", icon=":material/check_circle:")
        if result is not None and result.notice:
            st.warning(result.notice)
        task = result.task if result is not None else task
        target = "pages/classify.py" if task == "classification" else "pages/results.py"
        # The button comes before the chart so it is in view without scrolling.
        if st.button(
            "See the results",
            type="primary",
            icon=":material/monitoring:",
            key=f"results_{job_id}",
            help="Open the charts and scores of this training.",
        ):
            state.set_request(result.request if result is not None else state.current_request())
            st.switch_page(target, query_params=state.query_for_navigation())
        _loss_chart(snapshot.history, task, result.best_epoch if result is not None else None)
        return
    if snapshot.status == "failed":
        st.error(
            f"The training failed: {snapshot.error or 'no reason was given.'}",
            icon=":material/error:",
        )
        return
    st.warning(snapshot.error or "The training was cancelled; nothing was saved.")


# The live chart takes new epochs at most every few seconds (the bar above it says each one):
# each redraw costs the browser about a tenth of a second of CPU (Plotly measures its text,
# laying the page out ten times), and an unchanged chart next to nothing (README, "Measured
# choices").
LIVE_CHART_SECONDS = 3.0
LIVE_CHART = "forecast_lab.live_chart"  # (job id, epochs on the chart, when they were drawn)


def chart_epochs(
    drawn: int, drawn_at: float, epochs: int, now: float, every: float = LIVE_CHART_SECONDS
) -> tuple[int, float]:
    """(epochs the live chart shows, since when): the first epoch at once, later ones once
    `every` seconds passed since the chart last changed; fewer epochs (a retry starting over)
    at once."""
    if epochs != drawn and (drawn == 0 or epochs < drawn or now - drawn_at >= every):
        return epochs, now
    return drawn, drawn_at


def _live_history(snapshot) -> dict:
    """The running job's history as far as its live chart shows it (see chart_epochs); all of
    it once the epochs are over (the steps after them)."""
    epochs = len(snapshot.history.get("loss") or [])
    job, drawn, drawn_at = st.session_state.get(LIVE_CHART, (None, 0, 0.0))
    if job != snapshot.job_id:
        drawn, drawn_at = 0, 0.0
    every = 0.0 if snapshot.step is not None else LIVE_CHART_SECONDS
    drawn, drawn_at = chart_epochs(drawn, drawn_at, epochs, time.monotonic(), every)
    st.session_state[LIVE_CHART] = (snapshot.job_id, drawn, drawn_at)
    return {name: list(values)[:drawn] for name, values in snapshot.history.items()}


def _loss_chart(history: dict, task: str = "regression", best_epoch: int | None = None) -> None:
    if not history or not history.get("loss"):
        st.caption("The error chart appears after the first epoch.")
        return
    figure = loss_figure(history, title="Error per epoch", task=task, best_epoch=best_epoch)
    st.plotly_chart(figure, key="live_loss")
    st.caption(
        "Lower is better. Blue: error on the training windows; orange: on the validation "
        "part the network does not learn from. If orange rises while blue falls, the network "
        "is memorising."
    )
