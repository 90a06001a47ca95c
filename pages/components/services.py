"""Cached access to the engine: the warm worker pool, the run store and job registry, series, run
keys, runs and forecasts; thin st.cache_* wrappers, so pages stay one-liners.
"""

from __future__ import annotations

import logging
import os

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig
from core.data.prepare import prepare
from core.data.recipe import recipe_for as choose
from core.data.series import Series
from core.data.sources import load_series
from core.data.sources.synthetic import nonlinear_demo_request
from core.data.window import suggest_lookback
from core.errors import ForecastLabError
from core.models.registry import count_parameters
from core.paths import home_dir
from core.runs import cluster
from core.runs.jobs import JobRegistry
from core.runs.pipeline import request_key
from core.runs.store import RunStore
from core.runs.worker import forecast_in_pool

logger = logging.getLogger("forecast_lab.app")

MAX_CONCURRENT_ENV = "FORECAST_LAB_MAX_JOBS"
DEMO_EPOCHS_ENV = "FORECAST_LAB_DEMO_EPOCHS"
DEMO_LENGTH_ENV = "FORECAST_LAB_DEMO_LENGTH"
LONGEST_FORECAST = 365  # the Results slider's end: one pool call serves every shorter horizon


@st.cache_resource(show_spinner=False)
def start_pool() -> None:
    """Start the Dask cluster once per server (core.runs.cluster), so the first training finds
    TensorFlow loaded in the workers."""

    # Two single-threaded workers unless told otherwise (README, "Serving a class").
    cluster.prefer(workers=cluster.APP_WORKERS)
    cluster.start()


@st.cache_resource(show_spinner=False)
def _store(home: str):
    return RunStore()


@st.cache_resource(show_spinner=False)
def _registry(home: str):
    limit = os.environ.get(MAX_CONCURRENT_ENV)  # unset: the cluster queues, session by session
    return JobRegistry(
        store=_store(home), max_concurrent=int(limit) if limit else None, session_of=session_name
    )


def session_name() -> str:
    """The browser session running this script (its jobs take turns with other sessions')."""
    context = get_script_run_ctx()
    return context.session_id if context is not None else ""


def store():
    """The run store of this server's data home (one per home, shared by every session)."""
    return _store(str(home_dir()))


def registry():
    """The job registry of this server (one per data home, shared by every session and tab)."""
    return _registry(str(home_dir()))


@st.cache_data(max_entries=12, ttl=900, show_spinner=False)
def series_for(data: DataConfig) -> Series:
    """The series a DataConfig describes (market data from the download cache where fresh)."""
    return load_series(data)


@st.cache_data(max_entries=64, ttl=900, show_spinner=False)
def key_for(request: RunRequest) -> str:
    """The run key of a request (same inputs, same key)."""

    return request_key(request)


@st.cache_data(max_entries=16, ttl=900, show_spinner=False)
def prepared_for(data: DataConfig, split, model: ModelConfig | None = None):
    """The split, scaled and windowed series (for the data page's split chart)."""

    return prepare(load_series(data), split, model)


def recipe_for(request: RunRequest) -> dict | None:
    """What the run will choose from the data (core.data.recipe), or None when the data or
    split cannot be prepared (the Data page says why)."""

    try:
        prepared = prepared_for(request.data, request.split, request.model)
    except ForecastLabError:
        return None
    return choose(prepared, request.split, request.train)


@st.cache_resource(max_entries=8, show_spinner=False)
def _run(home: str, key: str):
    return _store(home).load(key)


def load_run(key: str):
    """A stored run (RunResult) or None; cached per key, cleared on delete."""
    result = _run(str(home_dir()), key)
    if result is None:
        _run.clear(str(home_dir()), key)  # do not remember a miss: it may be trained soon
    return result


def forget_run(key: str) -> None:
    _run.clear(str(home_dir()), key)
    _forecast.clear()


@st.cache_data(max_entries=16, show_spinner=False)
def _forecast(home: str, key: str, horizon: int) -> pd.DataFrame:
    return forecast_in_pool(_store(home), key, horizon)


def forecast_for(result, horizon: int) -> pd.DataFrame:
    """The recursive forecast of a stored run for a horizon, computed in the worker pool (the
    server never loads a model); each step only feeds on earlier ones, so a longer forecast's
    first days are the shorter one and a single pool call serves the whole slider."""
    if horizon <= len(result.forecast):
        return result.forecast.iloc[:horizon]
    longest = _forecast(str(home_dir()), result.key, max(int(horizon), LONGEST_FORECAST))
    return longest.iloc[:horizon]


def parameter_count(model: ModelConfig, lookback: int) -> int:
    return count_parameters(model, lookback)


DEMO_KINDS = ("linear", "nonlinear")


@st.cache_data(max_entries=8, show_spinner=False)
def suggested_lookback(data: DataConfig, split: SplitConfig) -> int:
    """The look-back window the series suggests (core.data.window), or the split's own when it
    cannot suggest one."""
    try:
        return suggest_lookback(series_for(data), split).lookback
    except ForecastLabError:
        return split.lookback


def demo_request(kind: str = "linear") -> RunRequest:
    """A demo: "linear" = the default synthetic series and the default LSTM with the window the
    series suggests (365 days; what a user gets on Data with one click); "nonlinear" = the
    chaotic Mackey-Glass preset (nonlinear_demo_request, its fixed 30-step window is the one the
    bench measures against a straight line). Smaller via env for tests."""
    if kind == "nonlinear":
        request = nonlinear_demo_request()
    else:
        request = RunRequest()
        if not os.environ.get(DEMO_LENGTH_ENV):  # a test-sized demo keeps its small fixed window
            window = suggested_lookback(request.data, request.split)
            request = request.replace(split=request.split.replace(lookback=window))
    epochs = os.environ.get(DEMO_EPOCHS_ENV)
    if epochs:
        request = request.replace(train=request.train.replace(epochs=int(epochs)))
    length = os.environ.get(DEMO_LENGTH_ENV)
    if length:
        length_value = int(length)
        request = request.replace(
            data=request.data.replace(length=length_value),
            split=request.split.replace(test_size=max(30, length_value // 5)),
        )
    return request
