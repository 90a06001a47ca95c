"""Train: start (or join, or load) the background job for the current settings and watch it live."""

from __future__ import annotations

import streamlit as st

from core.errors import ForecastLabError
from core.limits import check_memory
from pages.components import interrupted, job_panel, owner, runtime, services, state
from pages.components.guard import show_error
from pages.components.sidebar import data_summary, model_summary

runtime.ensure_router()
state.show_flash()
state.show_link_notice()
request = state.current_request()

st.title("Train")
st.caption("Step 3 of 4 · the training runs in the background; you can keep exploring meanwhile.")

with st.container(border=True):
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(f"**Data** · {data_summary(request)}")
    left.markdown(f"**Model** · {model_summary(request)}")
    try:
        count = services.parameter_count(request.model, request.split.lookback)
        right.metric(
            "Weights to learn",
            f"{count:,}",
            help="The number of trainable parameters of this network.",
        )
    except ForecastLabError as error:
        show_error(error)
    links = st.columns([1, 1, 4])
    links[0].page_link("pages/data.py", label="Change data", icon=":material/dataset:")
    links[1].page_link("pages/model.py", label="Change model", icon=":material/neurology:")

try:
    with st.spinner("Checking the data and the split..."):
        key = services.key_for(request)
        prepared = services.prepared_for(request.data, request.split, request.model)
        # The batch's share of memory too, before Train is pressed (core/limits.py).
        check_memory(
            len(prepared.series), request.split.lookback, request.model, request.train.batch_size
        )
except ForecastLabError as error:
    show_error(error)
    st.page_link("pages/data.py", label="Fix it on the Data page", icon=":material/dataset:")
    st.stop()

registry = services.registry()
interrupted.render()  # trainings a crashed server lost, with a restart button
snapshot = job_panel.session_snapshot()
if snapshot is None:
    # Another tab or person may be training exactly these settings: join that job.
    shared = registry.snapshot(key)
    if shared is not None and not shared.finished:
        state.set_job_id(shared.job_id)
        snapshot = shared

same_job = snapshot is not None and snapshot.key == key
handled_here = same_job and snapshot.status in ("queued", "running", "done")
if not handled_here:
    stored = services.store().has(key)
    other_running = snapshot is not None and not snapshot.finished
    if stored:
        label, hint = "Load the trained model", "These exact settings were trained before."
    elif same_job:
        label, hint = "Train again", "Starts the training again with the settings above."
    else:
        label, hint = "Train the model", "Starts a background training with the settings above."
    if other_running:
        hint += " Your other training keeps running; this one waits in line if needed."
    st.write("")
    if not stored:
        registry.prepare(request)  # trace the network while the user reads the button
    slot = st.empty()  # the button, replaced by the job's panel in the click's own rerun
    with slot.container():
        pressed = st.button(label, type="primary", icon=":material/play_arrow:", help=hint)
        st.caption(hint)
    if pressed:
        try:
            job_id = registry.submit(request, owner=owner.viewer().owner_id)
        except ForecastLabError as error:
            show_error(error)
            st.stop()
        state.set_job_id(job_id)
        slot.empty()
        # The place in line (or the first progress) shows in this same rerun, not a poll later.
        snapshot, same_job = registry.snapshot(job_id), True

if snapshot is not None:
    if not same_job:
        st.subheader("Your last training")
        st.caption(f"{snapshot.label} (the settings have changed since).")
    job_panel.render(snapshot.job_id, task=request.model.task)
elif state.current_job_id():
    job_panel.render(state.current_job_id(), task=request.model.task)
