"""Model: the network (family, shape, task) and how it is trained, with its parameter count."""

from __future__ import annotations

import streamlit as st

from core.errors import ForecastLabError
from pages.components import job_panel, model_forms, runtime, services, state
from pages.components.guard import show_error

runtime.ensure_router()
state.show_flash()
state.show_link_notice()
request = state.current_request()

st.title("Model")
st.caption("Step 2 of 4 · choose the network and how it learns. Every choice is explained.")
job_panel.running_job_notice()

network, training = st.columns(2, gap="large")
model, train, split = request.model, request.train, request.split
recipe = services.recipe_for(request)
with network:
    st.subheader("Network")
    with st.container(border=True):
        try:
            model = model_forms.model_form(request.model)
        except ForecastLabError as error:
            show_error(error)
with training:
    st.subheader("Training")
    with st.container(border=True):
        try:
            train = model_forms.train_form(request.train, recipe)
            split = model_forms.scale_form(request.split, recipe)
        except ForecastLabError as error:
            show_error(error)
    try:
        count = services.parameter_count(model, request.split.lookback)
        st.metric(
            "Weights to learn",
            f"{count:,}",
            help="The number of trainable parameters: how many numbers training has to adjust. "
            "More weights need more data and time.",
        )
        steps = services.series_for(request.data).unit
        st.caption(
            f"For a look-back window of {request.split.lookback} {steps}. A few thousand weights "
            "are plenty for a series of a few years; far more mostly makes training slower."
        )
    except ForecastLabError as error:
        show_error(error)

state.set_request(request.replace(model=model, train=train, split=split))
# The worker traces this network while the user reads on: "Train" then starts at once.
services.registry().prepare(state.current_request())

st.divider()
st.page_link(
    "pages/train.py",
    label="Next: train it",
    icon=":material/arrow_forward:",
    query_params=state.query_for_navigation(),
)
