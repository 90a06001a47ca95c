"""Home: what Forecast Lab does, the four steps, and two one-click demos side by side: a world a
straight line can predict, and a chaotic one it cannot."""

from __future__ import annotations

import streamlit as st

from core.charts.series import preview_figure
from pages.components import owner, runtime, services, state

runtime.ensure_router()
state.show_flash()
state.show_link_notice()

st.title("Forecast Lab")
st.markdown(
    "Build a time series, let a neural network learn to forecast it, and see honestly how "
    "well it does. You pick the data and the network with sliders and menus; the training "
    "runs in the background while you watch. Every result is compared with simple rules such "
    "as *tomorrow = today*, so you can tell real skill from copying the last value."
)

STEPS = [
    (
        ":material/dataset: 1 · Data",
        "A synthetic series with trend, seasons and noise, real Bitcoin or S&P 500 prices, "
        "or your own CSV.",
        "pages/data.py",
    ),
    (
        ":material/neurology: 2 · Model",
        "Dense, SimpleRNN, LSTM, GRU or bidirectional LSTM; layers, units and training "
        "settings, each explained.",
        "pages/model.py",
    ),
    (
        ":material/model_training: 3 · Train",
        "Training runs in the background with a live loss chart; identical settings load "
        "instantly from earlier runs.",
        "pages/train.py",
    ),
    (
        ":material/monitoring: 4 · Results",
        "Forecast vs actual, errors, a plain verdict against the baselines, and a forecast "
        "into the future.",
        "pages/results.py",
    ),
]
# Two rows of two: four columns left about 100 px a card at 800 px with the sidebar open, and
# broke words ("bidirectiona l").
columns = [column for _ in range(2) for column in st.columns(2)]
for column, (title, text, target) in zip(columns, STEPS, strict=True):
    with column.container(border=True, height="stretch"):
        st.markdown(f"**{title}**")
        st.caption(text)
        st.page_link(target, label="Open", icon=":material/arrow_forward:")

st.write("")
st.subheader("Try a demo")
st.caption(
    "Two made-up worlds, each trained in the background with the same small network. Then open "
    "**Results** to see how it compares with simple rules such as *tomorrow = today*."
)
DEMOS = [
    (
        "linear",
        ":material/show_chart: A world a straight line can predict",
        "Seven years of a trend, a yearly and a weekly cycle and random noise. A simple linear "
        "rule already forecasts it about as well as anything can: the network cannot do much "
        "better, and the results show why.",
        "Loads a seven-year synthetic series (trend, yearly and weekly cycles, noise) and a "
        "small LSTM, starts training it and takes you to the Train page.",
    ),
    (
        "nonlinear",
        ":material/cyclone: One it cannot",
        "A chaotic series (Mackey–Glass): it follows exact rules, but they bend and feed back "
        "on themselves. A straight line misses them; here the network clearly beats the "
        "linear model.",
        "Loads the Mackey–Glass series (a chaotic delay equation with delay 17) and the same "
        "small network, starts training it and takes you to the Train page.",
    ),
]
columns = st.columns(2)
chosen_demo = None
for column, (kind, title, text, tooltip) in zip(columns, DEMOS, strict=True):
    with column.container(border=True, height="stretch"):
        st.markdown(f"**{title}**")
        st.caption(text)
        series = services.series_for(services.demo_request(kind).data)
        st.plotly_chart(
            preview_figure(series.dates, series.values),
            config={"displayModeBar": False},
            key=f"preview_{kind}",
        )
        if st.button(
            "Try the demo" if kind == "linear" else "Try the chaotic demo",
            type="primary",
            icon=":material/play_arrow:",
            width="stretch",
            key=f"demo_{kind}",
            help=tooltip,
        ):
            chosen_demo = kind
if chosen_demo is not None:
    request = services.demo_request(chosen_demo)
    state.forget_widgets(state.WIDGET_PREFIX)
    state.set_request(request)
    job_id = services.registry().submit(request, owner=owner.viewer().owner_id)
    state.set_job_id(job_id)
    st.switch_page("pages/train.py", query_params=state.query_for_navigation())

with st.expander("How to read the results"):
    st.markdown(
        "- **Forecast vs actual**: the grey line is what happened, the blue line what the "
        "network predicted one day ahead, on the test days it never saw while training "
        "(with *Show the training part* on, the test period is the shaded part).\n"
        "- **Tomorrow = today** (naive persistence) is the rule to beat: on prices it is "
        "very hard to beat, and a network that only copies the last value is no forecaster.\n"
        "- **Noise floor** (synthetic data only): the error of a perfect forecaster that knows "
        "the noise-free signal. Nothing can do better.\n"
        "- **Up / flat / down** runs are judged against always guessing the most common class."
    )
