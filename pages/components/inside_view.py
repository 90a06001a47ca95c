"""Results' look inside the network: pick a test window; its hidden states and gates (recurrent
families) or the weight of each input day (Dense) come from the saved model in the worker pool."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.charts.inside import gates_figure, hidden_state_figure, lag_weights_figure
from core.paths import home_dir
from core.runs.analysis import in_pool
from pages.components import services
from pages.components.guard import show_error


@st.cache_data(max_entries=16, show_spinner=False)
def _inspect(home: str, key: str, window_end: str) -> dict:

    return in_pool("inspect", services.store(), key, window_end)


def window_ends(predictions: pd.DataFrame) -> list[str]:
    """The last input date of each test window: the date before each test forecast."""
    dates = predictions.index
    positions = [
        dates.get_loc(date) - 1 for date in predictions[predictions["part"] == "test"].index
    ]
    return [dates[position].strftime("%Y-%m-%d") for position in positions if position >= 0]


def render(result, step_word: str = "day") -> None:
    st.caption(
        f"What does the network look at? Pick one test window (the {step_word}s the network "
        f"reads before one forecast) and see what happens inside it, read from the saved model."
    )
    # On request only: reading the saved network is a task for the worker pool, which may be
    # busy with a training (the rest of Results must not wait for it).
    if not st.toggle(
        "Look inside",
        key="w.results.inside_open",
        help="Loads the saved network in the background and replays one window through it.",
    ):
        return
    ends = window_ends(result.predictions)
    if not ends:
        st.info("This run has no test windows to look at.")
        return
    window_end = st.selectbox(
        "Window ending on",
        options=ends[::-1],
        key="w.results.inside_window",
        help=f"The last {step_word} the network reads; it then forecasts the next {step_word}.",
    )
    try:
        with st.spinner("Reading the saved network..."):
            report = _inspect(str(home_dir()), result.key, window_end)
    except Exception as error:  # the rest of Results stays usable
        show_error(error)
        return
    st.markdown(
        f"Window {report['dates'][0]} to {report['window_end']}: forecast "
        f"**{report['forecast']:,.4g}** for {report['target_date']} (real value "
        f"{report['actual']:,.4g})."
    )
    st.plotly_chart(lag_weights_figure(report, step_word), key="inside_lags")
    st.caption(report["captions"]["lags"])
    for position, layer in enumerate(report["layers"]):
        st.plotly_chart(
            hidden_state_figure(layer, report["dates"]), key=f"inside_hidden_{position}"
        )
        st.caption(layer["captions"]["hidden"])
        if layer["gates"]:
            st.plotly_chart(gates_figure(layer, report["dates"]), key=f"inside_gates_{position}")
            st.caption(
                " ".join(text for name, text in layer["captions"].items() if name != "hidden")
            )
