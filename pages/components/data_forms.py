"""Data forms: the source picker (from the source registry), market prices and CSV upload."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.config import DataConfig
from core.data.export import neutralise_formulas
from core.data.sources import SOURCE_REGISTRY
from core.data.upload import (
    display_name,
    existing_upload,
    inspect_csv,
    save_upload,
    upload_reference,
)
from core.settings import settings_of
from pages.components import owner
from pages.components.form_helpers import explain, parse_date, widget_key
from pages.components.state import seed_widget

DATA = settings_of(DataConfig)  # labels, help and ranges: declared once, in core.data_config
PROVIDER_CHOICES = {"yahoo": "Yahoo Finance", "cdd": "CryptoDataDownload"}
EARLIEST_DATE, LATEST_DATE = dt.date(1920, 1, 1), dt.date(2100, 1, 1)  # the date pickers' span


def source_picker(data: DataConfig) -> str:
    """Where the series comes from."""
    key = seed_widget(widget_key("data", "source"), data.source)
    source = st.segmented_control(
        DATA["source"].label,
        options=list(SOURCE_REGISTRY),
        format_func=lambda name: SOURCE_REGISTRY[name].picker_label,
        key=key,
        help=DATA["source"].help,
    )
    source = source or data.source
    explain(SOURCE_REGISTRY[source].explanation)
    return source


def switch_source(source: str) -> None:
    """Callback: show another source's form (the request follows on the next run)."""
    for key in [key for key in st.session_state if str(key).startswith("w.data.")]:
        del st.session_state[key]
    st.session_state[widget_key("data", "source")] = source


def market_form(data: DataConfig, source: str) -> DataConfig:
    """Provider and date range of a market source's prices (Bitcoin, S&P 500)."""
    section = "data"
    providers = SOURCE_REGISTRY[source].providers
    provider = providers[0]
    if len(providers) > 1:
        provider = st.radio(
            DATA["provider"].label,
            options=list(providers),
            format_func=PROVIDER_CHOICES.get,
            horizontal=True,
            key=seed_widget(
                widget_key(section, "provider"),
                data.provider if data.provider in providers else provider,
            ),
            help=DATA["provider"].help,
        )
    else:
        st.caption(
            f"{DATA['provider'].label}: {PROVIDER_CHOICES[provider]} "
            f"({SOURCE_REGISTRY[source].label})."
        )
    preset_start = SOURCE_REGISTRY[source].default_data().start_date
    left, right = st.columns(2)
    start = left.date_input(
        DATA["start_date"].label,
        key=seed_widget(widget_key(section, "start_date"), parse_date(data.start_date)),
        min_value=EARLIEST_DATE,
        max_value=LATEST_DATE,
        help=DATA["start_date"].help
        + (
            f" The {SOURCE_REGISTRY[source].label} preset starts on {preset_start}."
            if preset_start
            else ""
        ),
    )
    end = right.date_input(
        DATA["end_date"].label,
        key=seed_widget(widget_key(section, "end_date"), parse_date(data.end_date)),
        min_value=EARLIEST_DATE,
        max_value=LATEST_DATE,
        help=DATA["end_date"].help,
    )
    return DataConfig(
        source=source,
        provider=provider,
        start_date=start.isoformat() if start else None,
        end_date=end.isoformat() if end else None,
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _inspect(content: bytes):
    return inspect_csv(content)


def upload_form(data: DataConfig) -> tuple[DataConfig | None, bool]:
    """A CSV file and its date and value columns: (None, False) until a file is there, then
    (the file with what is chosen so far, whether it can be read: columns and date order)."""

    section = "data"
    uploaded = st.file_uploader(
        DATA["csv_path"].label,
        type=["csv", "txt", "tsv", "xlsx"],
        key=widget_key(section, "upload"),
        help=DATA["csv_path"].help + " Up to 50 MB.",
    )
    if uploaded is not None:
        content = uploaded.getvalue()
        _inspect(content)  # stored only once it parses: a refused file leaves nothing behind
        path = save_upload(content, uploaded.name)
        owner.claim_upload(path.name)  # its name is this browser's: a shared link hides it
    elif (path := existing_upload(data.csv_path)) is not None:  # only files in uploads/
        content = path.read_bytes()
        if owner.sees_file(path.name):
            st.caption(f"Using the file you uploaded before: {display_name(path)}.")
        else:  # opened from someone's link: the file is named by its content hash only
            st.caption(f"Using {owner.file_label(path.name)} (its name stays with its owner).")
    else:
        if data.csv_path:
            st.warning(
                "The file named in this link is not among this app's uploads; upload it again.",
                icon=":material/warning:",
            )
        st.info("Upload a CSV file with a date column and a value column to continue.")
        return None, False
    preview = _inspect(content)
    columns = list(preview.columns)
    chosen_date = data.date_column if data.date_column in columns else preview.date_column
    chosen_value = data.value_column if data.value_column in columns else preview.value_column
    left, right = st.columns(2)
    date_column = left.selectbox(
        DATA["date_column"].label,
        options=columns,
        index=columns.index(chosen_date) if chosen_date in columns else None,
        placeholder="Pick the column with dates",
        key=widget_key(section, f"date_column_{path.name}"),
        help=DATA["date_column"].help,
    )
    value_column = right.selectbox(
        DATA["value_column"].label,
        options=columns,
        index=columns.index(chosen_value) if chosen_value in columns else None,
        placeholder="Pick the column with numbers",
        key=widget_key(section, f"value_column_{path.name}"),
        help=DATA["value_column"].help,
    )
    if len(preview.numeric_columns) > 1:
        st.caption(
            f"This file has {len(preview.numeric_columns)} columns of numbers "
            f"({', '.join(preview.numeric_columns)}): the value column is the one forecast."
        )
    date_order = _date_order_picker(data, preview.date_questions.get(date_column), path.name)
    st.caption(f"{preview.row_count:,} rows. The first rows of the file:")
    # Its download button exports these cells: none may run as a spreadsheet formula.
    st.dataframe(neutralise_formulas(preview.head), hide_index=True, height=210)
    fill, duplicates = _cleaning_pickers(data, section)
    chosen = DataConfig(
        source="csv",
        csv_path=upload_reference(path),
        date_column=date_column,
        value_column=value_column,
        date_order=date_order or "auto",
        fill=fill,
        duplicates=duplicates,
    )
    if date_column is None or value_column is None:
        st.info("Pick the date column and the value column above.")
        return chosen, False
    return chosen, date_order is not None


def _date_order_picker(data: DataConfig, question, file_key: str) -> str | None:
    """Asks day first or month first when the file cannot tell (every day <= 12): both
    readings of one of its dates side by side; None until the user answers. Files that tell
    ('31.01.2024') are read in their own order without a question."""
    if question is None:
        return "auto"
    choices = {
        "dayfirst": f"{question.example} is {question.dayfirst} (day first)",
        "monthfirst": f"{question.example} is {question.monthfirst} (month first)",
    }
    chosen = data.date_order if data.date_order in choices else None
    answer = st.radio(
        f"{question.text} Every day in this file is 12 or less, so it cannot tell.",
        options=list(choices),
        format_func=choices.get,
        index=list(choices).index(chosen) if chosen else None,
        key=widget_key("data", f"date_order_{file_key}"),
        help=DATA["date_order"].help,
    )
    if answer is None:
        st.warning(
            "Say how the dates are written before the series is read: a wrong guess would put "
            "every value on another day.",
            icon=":material/event:",
        )
    return answer


FILL_LABELS = {"interpolate": "Interpolate", "ffill": "Carry forward", "drop": "Drop them"}
DUPLICATE_LABELS = {"last": "Keep the last", "mean": "Average them"}


def _cleaning_pickers(data: DataConfig, section: str) -> tuple[str, str]:
    """How to handle empty cells and missing dates, and dates that appear twice."""
    left, right = st.columns(2)
    fill = left.selectbox(
        DATA["fill"].label,
        options=list(FILL_LABELS),
        format_func=FILL_LABELS.get,
        key=seed_widget(widget_key(section, "fill"), data.fill),
        help=DATA["fill"].help + " The page says how many.",
    )
    duplicates = right.selectbox(
        DATA["duplicates"].label,
        options=list(DUPLICATE_LABELS),
        format_func=DUPLICATE_LABELS.get,
        key=seed_widget(widget_key(section, "duplicates"), data.duplicates),
        help=DATA["duplicates"].help,
    )
    return fill, duplicates
