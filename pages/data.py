"""Data: pick the source, tune the synthetic generator or fetch market prices or upload a CSV,
then set the split, scaling and window; the chart shows the series with its test part shaded."""

from __future__ import annotations

from types import SimpleNamespace

import streamlit as st

from core.charts import series_figure
from core.data.clean import describe_frequency
from core.data.frequency import date_texts
from core.data.series import unit as unit_word
from core.data.sources import SOURCE_REGISTRY, default_split_for
from core.errors import ConfigError, ForecastLabError
from core.evaluation.verdict import data_notice_words
from pages.components import (
    data_forms,
    job_panel,
    owner,
    runtime,
    services,
    sidebar,
    state,
    window_suggestion,
)
from pages.components.guard import show_error
from pages.components.split_forms import split_form
from pages.components.synthetic_form import synthetic_form

SPLIT_FILE = "forecast_lab.split_file"
PREVIEWED = "forecast_lab.previewed"  # the DataConfig whose chart the preview drew last

runtime.ensure_router()
state.show_flash()
state.show_link_notice()
request = state.current_request()
# The uploaded file the split was last set up for: a new file starts from its own split.
if request.data.source != "csv" or SPLIT_FILE not in st.session_state:
    st.session_state[SPLIT_FILE] = request.data.csv_path

st.title("Data")
st.caption("Step 1 of 4 · choose the series the network will learn to forecast.")
job_panel.running_job_notice()

source = data_forms.source_picker(request.data)
form = SOURCE_REGISTRY[source].form  # synthetic | market | upload
downloads = SOURCE_REGISTRY[source].downloads
split_seed = request.split
if source != request.data.source:
    # New source: start from that source's study preset for the split (SPEC 1.2 / 1.3).
    split_seed = default_split_for(SimpleNamespace(source=source))
    state.forget_widgets("w.split.")
    st.info(sidebar.source_change_notice(request, source), icon=":material/sync_alt:")

controls, preview_column = st.columns([2, 3], gap="large")
preview = preview_column.empty()  # the series' chart and facts: one slot a placeholder can take
data, ready = None, False
with controls:
    with st.container(border=True):
        try:
            if form == "synthetic":
                data, ready = synthetic_form(request.data), True
            elif form == "market":
                data, ready = data_forms.market_form(request.data, source), True
            else:
                data, ready = data_forms.upload_form(request.data)
        except ForecastLabError as error:
            show_error(error)
if data is not None:
    chosen = request.replace(data=data, split=split_seed)
    if ready and (
        data != (previewed := st.session_state.get(PREVIEWED))
        and (form != "synthetic" or previewed is None or previewed.source != data.source)
    ):  # a download or a file takes seconds (the synthetic series redraws at once): the
        # previous series' chart makes way first, so no S&P 500 words sit over a Bitcoin chart
        preview.info(f"Loading {sidebar.data_summary(chosen)}...", icon=":material/hourglass_top:")
    # Then the sidebar and the link name what the page shows, before the slow load: copying
    # the link at any moment shares the series on screen (a file still without its columns too).
    # The sidebar first: the browser applies a new link at once and redraws a few ms later.
    state.remember_request(chosen)
    sidebar.refresh_setup()
    state.sync_query_params()
    if not ready:
        data = None
loaded = None  # the series, early: its frequency names the split's units (weeks, months...)
if data is not None and form != "synthetic":
    try:
        with st.spinner("Loading the series (a cached copy is used when it is recent)..."):
            loaded = services.series_for(data)
    except ForecastLabError:
        pass  # the preview below shows the problem and the ways out
    if loaded is not None and form == "upload" and data.csv_path != st.session_state[SPLIT_FILE]:
        split_seed = default_split_for(data, loaded.frequency)  # a new file: its own split
        state.forget_widgets("w.split.")
    if loaded is not None and split_seed is not request.split:
        split_seed = window_suggestion.suggested(data, split_seed)  # and the window it suggests
unit = loaded.unit if loaded is not None else "days"
with preview_column:
    st.subheader("Split, scaling and window")
    with st.container(border=True):
        try:
            length = data.length if data is not None and form == "synthetic" else None
            split = split_form(split_seed, length, unit=unit)
        except ConfigError as error:
            show_error(error)
            split = split_seed
        if data is not None:
            window_suggestion.show(data, split, unit)

if data is None:
    with preview.container():
        st.info(
            "No series yet. Finish the settings on the left, or switch to the synthetic "
            "series, which works offline."
        )
    st.stop()

state.set_request(request.replace(data=data, split=split))
if form == "upload":
    st.session_state[SPLIT_FILE] = data.csv_path

with preview.container():
    series = None
    try:
        if downloads:
            with st.spinner("Fetching prices (a cached copy is used when it is recent)..."):
                series = services.series_for(data)
        else:
            series = services.series_for(data)
    except ForecastLabError as error:
        show_error(error)
        st.markdown("You can carry on with the synthetic series or your own CSV:")
        left, right = st.columns(2)
        left.button(
            "Use the synthetic series",
            icon=":material/auto_graph:",
            on_click=data_forms.switch_source,
            args=("synthetic",),
            help="Switch to the synthetic series, which works offline.",
        )
        right.button(
            "Upload a CSV instead",
            icon=":material/upload_file:",
            on_click=data_forms.switch_source,
            args=("csv",),
            help="Switch to uploading your own file of dates and values.",
        )
    if series is None:
        st.stop()

    prepared, split_problem = None, None
    try:
        prepared = services.prepared_for(data, split)
    except ForecastLabError as error:
        split_problem = error
    train_end_date = None
    if prepared is not None and prepared.train_end < len(prepared.series):
        train_end_date = prepared.series.dates[prepared.train_end]
    shown = prepared.series if prepared is not None else series
    st.plotly_chart(
        series_figure(
            shown.dates,
            shown.values,
            signal=shown.signal,
            train_end_date=train_end_date,
            title=owner.without_file_name(series.name, data.csv_path)  # maybe someone else's
            if data.source == "csv"
            else series.name,
        ),
        key="data_preview",
    )
    st.session_state[PREVIEWED] = data
    st.caption(
        "The grey line is the series"
        + (", the green dotted line its noise-free signal" if series.signal is not None else "")
        + ". The network trains on the white part and is tested on the shaded part at the end."
    )
    st.caption(f"Frequency: {describe_frequency(series.frequency)}.")
    if series.cleaning is not None and series.cleaning.notes:
        st.info("\n\n".join(series.cleaning.notes), icon=":material/healing:")
    if series.notice:
        st.warning(data_notice_words(series), icon=":material/cloud_off:")
        with st.expander("Details of the download problem"):
            st.caption(series.notice)
    if split_problem is not None:
        show_error(split_problem)

    # Two facts per row: four in this column cut their labels off ("Training wind...").
    top, bottom = st.columns(2), st.columns(2)
    facts = [top[0], top[1], bottom[0], bottom[1]]
    facts[0].metric("Rows", f"{len(series):,}", help="Number of values in the series.")
    if prepared is not None:
        facts[1].metric(
            "Training windows",
            f"{len(prepared.train_index):,}",
            help="Look-back windows the network learns from (a share of them checks progress).",
        )
        one = unit_word(series.frequency, 1)
        facts[2].metric(
            f"Test {unit}",
            f"{len(prepared.test_index):,}",
            help=f"{unit.capitalize()} in the shaded test part; every forecast there is one "
            f"{one} ahead.",
        )
        season = prepared.season_length
        facts[3].metric(
            "Season found",
            f"{season} {unit_word(series.frequency, season)}" if season > 1 else "none",
            help="The strongest repeating cycle in the training part; the seasonal-naive "
            "baseline uses it.",
        )
    first, last = date_texts(series.dates[[0, -1]], series.dates)
    st.caption(
        f"From {first} to {last}"
        + (
            f"; the test part runs from {date_texts([train_end_date], series.dates)[0]} to "
            f"{last}, and forecasts past the end start after {last}."
            if train_end_date is not None
            else "."
        )
    )
    if downloads:
        from core.data.market import describe_origin, refresh_prices

        st.caption(describe_origin(series))
        if st.button(
            "Refresh prices now",
            icon=":material/refresh:",
            help="Try the network again and download the latest prices, even if the copy in "
            "use (cached download or bundled snapshot) is recent.",
        ):
            try:
                with st.spinner("Downloading the latest prices..."):
                    refresh_prices(source, data.provider)
                services.series_for.clear()
                services.prepared_for.clear()
                services.key_for.clear()
                state.flash("Prices refreshed.")
                st.rerun()
            except ForecastLabError as error:
                show_error(error)

st.divider()
st.page_link(
    "pages/model.py",
    label="Next: choose the model",
    icon=":material/arrow_forward:",
    query_params=state.query_for_navigation(),
)
