"""Experiment widget groups: the sweep form (-> SweepPlan) and the search form with its search
space editor (-> TuneConfig and a study name). No engine calls beyond building configs."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.config import ACTIVATIONS, FAMILIES, FAMILY_LABELS, FAMILY_REGISTRY, RunRequest
from core.errors import ConfigError
from core.tuning.space import PARAMETER_LABELS, TARGETS, Parameter, SearchSpace, default_space
from core.tuning.storage import page_storage_url
from core.tuning.strategies import STRATEGIES
from core.tuning.study import (
    OBJECTIVES,
    TuneConfig,
    default_objective,
    default_study_name,
    tuning_paper_config,
)
from core.tuning.sweep import BITCOIN_STUDY_UNITS, SweepPlan

PRESETS = {
    "interactive": "Interactive default (the data chosen on the Data page)",
    "study-b": "Reproduce the S&P 500 tuning paper (data to 2024-10-31, 80/20, 10 epochs)",
}
EDITOR_COLUMNS = ["name", "kind", "low", "high", "log", "step", "choices"]


def sweep_form(request: RunRequest) -> SweepPlan:
    """The Bitcoin study's sweep on the current data: families, depths, activations and units."""
    left, right = st.columns(2)
    every = left.toggle(
        "All families at once",
        value=False,
        key="w.sweep.all",
        help="Sweep Dense, SimpleRNN, LSTM, GRU and bidirectional LSTM together (5x the runs).",
    )
    family = left.selectbox(
        "Network family",
        FAMILIES,
        index=FAMILIES.index(request.model.family),
        format_func=FAMILY_LABELS.get,
        disabled=every,
        key="w.sweep.family",
        help="The kind of network whose layers and activation are swept.",
    )
    word = "layers" if every else FAMILY_REGISTRY[family].layers_word
    layers = left.slider(
        f"{word[0].upper() + word[1:]} to try",
        1,
        8,
        (2, 5),
        key="w.sweep.layers",
        help="How many of the family's own layers each run has, counted as on the Model page "
        "and in run names (LSTM 3x50 = 3 LSTM layers of 50 units; the output neuron is not "
        "counted). Recurrent networks have at least 2, so 1 is tried only for Dense. The RNN "
        "forecasting study tried 2 to 5 recurrent layers.",
    )
    activations = left.multiselect(
        "Activations",
        ACTIVATIONS,
        default=["tanh", "relu"],
        key="w.sweep.activations",
        help="The RNN forecasting study compared tanh and relu at every number of layers.",
    )
    units = right.number_input(
        "Units while the layers are swept",
        1,
        1000,
        50,
        key="w.sweep.units",
        help="Neurons per layer while layers and activation are swept (the master's study used "
        "50).",
    )
    units_sweep = right.multiselect(
        "Units to try on the best layers/activation",
        [4, 8, 16, *BITCOIN_STUDY_UNITS, 500, 1000],
        default=list(BITCOIN_STUDY_UNITS),
        key="w.sweep.units_sweep",
        help="After the layers sweep, these layer widths are tried on each family's best "
        "layers and activation (picked by validation error, as the master's study did).",
    )
    epochs = right.number_input(
        "Epochs per run (most stop early)",
        1,
        1000,
        request.train.epochs,
        key="w.sweep.epochs",
        help="Upper limit of passes over the data; early stopping ends most runs sooner.",
    )
    if not activations:
        raise ConfigError("pick at least one activation for the sweep.")
    base = request.replace(train=request.train.replace(epochs=int(epochs)))
    return SweepPlan(
        base=base,
        families=tuple(FAMILIES) if every else (family,),
        layers=tuple(range(layers[0], layers[1] + 1)),
        activations=tuple(activations),
        units=int(units),
        units_sweep=tuple(sorted(units_sweep)),
    )


def _space_rows(space: SearchSpace) -> pd.DataFrame:
    rows = []
    for parameter in space.parameters:
        rows.append(
            {
                "name": parameter.name,
                "kind": parameter.kind,
                "low": parameter.low,
                "high": parameter.high,
                "log": parameter.log,
                "step": parameter.step,
                "choices": ", ".join(str(choice) for choice in parameter.choices),
            }
        )
    return pd.DataFrame(rows, columns=EDITOR_COLUMNS)


def _choice(text: str):
    text = text.strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _space_from_rows(rows: pd.DataFrame, name: str) -> SearchSpace:
    parameters = []
    for row in rows.to_dict(orient="records"):
        if not row.get("name"):
            continue

        def number(value):
            return None if value is None or pd.isna(value) else float(value)

        choices = tuple(_choice(part) for part in str(row.get("choices") or "").split(",") if part)
        parameters.append(
            Parameter(
                name=str(row["name"]),
                kind=str(row.get("kind") or "int"),
                low=number(row.get("low")),
                high=number(row.get("high")),
                log=bool(row.get("log")) if not pd.isna(row.get("log")) else False,
                step=number(row.get("step")),
                choices=choices,
            )
        )
    return SearchSpace(parameters=tuple(parameters), name=name)


def space_editor(preset: SearchSpace, key: str) -> SearchSpace:
    """A table of the parameters (edit, add or delete rows) plus JSON download and upload."""
    uploaded = st.file_uploader(
        "Load a space file (JSON)",
        type=["json"],
        key=f"{key}.upload",
        help="A file saved with the download button below, or written by hand "
        "(the same format as `python -m core tune --space FILE`).",
    )
    if uploaded is not None:
        preset = SearchSpace.from_json(uploaded.getvalue().decode("utf-8", errors="replace"))
    edited = st.data_editor(
        _space_rows(preset),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"{key}.{preset.name}.{uploaded.file_id if uploaded is not None else 'preset'}",
        column_config={
            "name": st.column_config.SelectboxColumn(
                "Setting",
                options=list(TARGETS),
                required=True,
                help="Which setting to search: " + ", ".join(PARAMETER_LABELS.values()),
            ),
            "kind": st.column_config.SelectboxColumn(
                "Kind",
                options=["int", "float", "categorical"],
                required=True,
                help="Whole numbers, decimals, or a list of choices.",
            ),
            "low": st.column_config.NumberColumn("Low", help="Smallest value tried."),
            "high": st.column_config.NumberColumn("High", help="Largest value tried."),
            "log": st.column_config.CheckboxColumn(
                "Log scale", help="Spread tries evenly over orders of magnitude (learning rate)."
            ),
            "step": st.column_config.NumberColumn("Step", help="Only multiples of this step."),
            "choices": st.column_config.TextColumn(
                "Choices", help="For the kind 'categorical': values separated by commas."
            ),
        },
    )
    space = _space_from_rows(
        edited, preset.name if edited.equals(_space_rows(preset)) else "custom"
    )
    st.download_button(
        "Download this space (JSON)",
        data=json.dumps(space.to_dict(), indent=2),
        file_name=f"space-{space.name}.json",
        mime="application/json",
        key=f"{key}.download",
        help="Save the space to reuse it here or with `python -m core tune --space FILE`.",
    )
    return space


def search_form(request: RunRequest) -> tuple[TuneConfig, str, str | None, int]:
    """The search settings -> (TuneConfig, study name, storage URL or None for the local file,
    local worker processes); the multi-machine settings sit under "Advanced"."""
    preset = st.radio(
        "Starting point",
        list(PRESETS),
        format_func=PRESETS.get,
        horizontal=True,
        key="w.search.preset",
        help="The S&P 500 tuning paper scaled with the whole series' range, which "
        "leaks the test part's range into training: its scores are optimistic and labelled as "
        "such.",
    )
    left, middle, right = st.columns(3)
    strategy = left.selectbox(
        "Strategy",
        list(STRATEGIES),
        index=list(STRATEGIES).index("tpe"),
        format_func=lambda name: STRATEGIES[name].label,
        key="w.search.strategy",
        help=" · ".join(f"{item.label}: {item.description}" for item in STRATEGIES.values()),
    )
    trials = left.number_input(
        "Trials",
        1,
        1000,
        20 if preset == "study-b" else 10,
        key=f"w.search.trials.{preset}",
        help="Stop after this many trials (the S&P 500 tuning paper ran 20).",
    )
    timeout = middle.number_input(
        "Time budget (minutes, 0 = none)",
        0.0,
        1440.0,
        0.0,
        step=1.0,
        key="w.search.timeout",
        help="Stop starting new trials after this long; the running trial finishes.",
    )
    target = middle.number_input(
        "Stop once the error reaches (0 = never)",
        0.0,
        10.0,
        0.0,
        format="%.6f",
        key="w.search.target",
        help="The target objective: stop as soon as a trial's objective (the error the search "
        "chooses by) reaches this value or lower (the S&P 500 tuning paper "
        "stopped its Bayesian search once it matched the generator's best).",
    )
    epochs = right.number_input(
        "Epochs per trial",
        1,
        500,
        10,
        key=f"w.search.epochs.{preset}",
        help="Training passes per trial (the S&P 500 tuning paper: 10). Hyperband uses this "
        "as its maximum.",
    )
    trial_seconds = right.number_input(
        "Time cap per trial (seconds, 0 = none)",
        0,
        3600,
        0,
        key="w.search.trial_seconds",
        help="A trial stops training at this wall time and is scored as it is: keeps slow "
        "configurations (tiny batches, long windows) from eating the budget.",
    )
    objective = st.selectbox(
        "Objective",
        list(OBJECTIVES),
        index=list(OBJECTIVES).index(default_objective(preset)),
        format_func=lambda name: OBJECTIVES[name].split(":")[0],
        key=f"w.search.objective.{preset}",
        help=" · ".join(OBJECTIVES.values()),
    )
    if preset == "study-b":
        csv = request.data.csv_path if request.data.source == "csv" else None
        base = tuning_paper_config(strategy, csv_path=csv)
        st.caption(
            "The paper's data: the S&P 500 (Yahoo) to 2024-10-31"
            + (" from your uploaded CSV" if csv else "")
            + "; whole-series scaling (leaks the test range), 80/20 split."
        )
    else:
        base = TuneConfig(
            data=request.data,
            split=request.split,
            model=request.model,
            train=request.train.replace(patience=0),
            strategy=strategy,
        )
    with st.expander("Search space", expanded=False):
        space = space_editor(base.space if preset == "study-b" else default_space(), "w.space")
    config = base.replace(
        strategy=strategy,
        space=space,
        objective=objective,
        max_trials=int(trials),
        timeout_seconds=float(timeout) * 60 if timeout else None,
        target=float(target) if target else None,
        train=base.train.replace(epochs=int(epochs)),
        trial_seconds=float(trial_seconds) if trial_seconds else None,
    )
    with st.expander("Advanced: parallel workers, study name and several machines"):
        workers = st.number_input(
            "Local worker processes",
            1,
            4,
            1,
            key="w.search.workers",
            help="Processes running trials in parallel on this machine (each uses the CPU "
            "fully: more than the number of cores slows every trial down).",
        )
        name = st.text_input(
            "Study name",
            value="",
            placeholder=default_study_name(config),
            key="w.search.study",
            help="Same name and settings = resume that study; leave empty for a name made from "
            "the settings.",
        )
        storage = st.text_input(
            "Storage URL",
            value="",
            placeholder="local file under the data folder",
            key="w.search.storage",
            help="Empty: a local file. A database URL (e.g. postgresql://user:pass@host/db) "
            "lets workers on other machines join with `python -m core tune worker --study NAME "
            "--storage URL`.",
        )
    storage = page_storage_url(storage)  # a database server or a file under studies/ only
    return config, name.strip() or default_study_name(config), storage, workers


__all__ = ["PRESETS", "search_form", "space_editor", "sweep_form"]
