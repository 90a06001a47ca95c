"""Train: start (or join, or load) the background job for the current settings and watch it live."""

from __future__ import annotations

import streamlit as st

from core.errors import ForecastLabError
from core.limits import check_memory
from pages.components import interrupted, job_panel, runtime, services, state
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
        # The window is part of the count (the shortcut has a weight per step): the demo's 365
        # days and a first visit's 30 days read alike in the lines on the left.
        steps = services.series_for(request.data).unit
        right.caption(f"Look-back window: {request.split.lookback} {steps}")
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

interrupted.render()  # trainings a crashed server lost, with a restart button
# The Train button and this session's job panel are one fragment: a click reruns that part only,
# so the place in line (or the first progress) shows at once, not after a whole-page rerun.
job_panel.train_area(request, key)
