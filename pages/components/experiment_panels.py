"""Experiment panels: the sweep's live progress and results, and a search study's live view
(trials from every worker, read from Optuna storage by a polling fragment) with its charts."""

from __future__ import annotations

import math
import os

import pandas as pd
import streamlit as st

from core.charts import (
    cumulative_time_figure,
    forecast_figure,
    heatmap_best,
    heatmap_figure,
    importance_figure,
    parameter_figure,
    residual_histogram,
    sweep_line_figure,
    trial_metrics_figure,
    trials_figure,
)
from core.config import FAMILY_LABELS
from core.paths import home_dir
from core.scores import NaiveScores
from core.tuning.background import SearchBoard, SweepBoard
from core.tuning.settings import OBJECTIVE_TITLES
from core.tuning.storage import NAIVE_ATTR
from core.tuning.strategies import STRATEGIES
from core.tuning.study import (
    STOP_MESSAGES,
    TUNING_PAPER_REFERENCE,
    best_trial,
    list_studies,
    load_study,
    load_trial_predictions,
    parameter_importances,
    request_stop,
    stop_reason,
    study_config,
    study_is_running,
    trials_frame,
)
from core.tuning.sweep import SweepOutcome, layers_activation_grid, sweep_table, units_curve
from pages.components import services
from pages.components.guard import guarded_function

POLL_SECONDS = None if os.environ.get("NOPOLL") else 2.0
TABLE_COLUMNS = {
    "family_label": "Family",
    "layers": "Layers",
    "units": "Units",
    "activation": "Activation",
    "test_mae_scaled": "Test MAE (scaled)",
    "test_mse_scaled": "Test MSE (scaled)",
    "test_mae": "Test MAE",
    "test_mse": "Test MSE",
    "vs_naive": "MSE vs naive",
    "seconds": "Seconds",
}


@st.cache_resource(show_spinner=False)
def _sweep_board(home: str) -> SweepBoard:
    return SweepBoard(store=services.store())


@st.cache_resource(show_spinner=False)
def _worker_board(home: str) -> SearchBoard:
    return SearchBoard()


def sweep_board() -> SweepBoard:
    return _sweep_board(str(home_dir()))


def worker_board() -> SearchBoard:
    return _worker_board(str(home_dir()))


# ---------------------------------------------------------------- sweeps


def sweep_progress(task_id: str) -> None:
    """Live progress of a sweep (polls while it runs) with Cancel; results once finished."""
    task = sweep_board().get(task_id)
    if task is None:
        return
    st.fragment(_sweep_panel, run_every=None if task.finished else POLL_SECONDS)(task_id)


@guarded_function
def _sweep_panel(task_id: str) -> None:
    task = sweep_board().get(task_id)
    snapshot = task.snapshot()
    if snapshot["status"] == "running":
        fraction = snapshot["done"] / max(snapshot["total"], 1)
        epoch = f", epoch {snapshot['epoch']}/{snapshot['max_epochs']}" if snapshot["epoch"] else ""
        st.progress(
            fraction,
            text=f"Run {snapshot['done'] + 1} of {snapshot['total']}: {snapshot['current']}"
            f"{epoch} · {snapshot['elapsed']:.0f} s",
        )
        if st.button(
            "Cancel the sweep",
            icon=":material/stop:",
            key=f"cancel.{task_id}",
            help="Stops after the current run; finished runs stay in the run store.",
        ):
            task.cancel()
        return
    if snapshot["status"] == "failed":
        st.error(snapshot["error"] or "The sweep failed.")
    elif snapshot["status"] == "cancelled":
        st.warning(f"Cancelled after {snapshot['done']} runs; they stay in the run store.")
    else:
        st.success(f"Sweep finished: {snapshot['done']} runs in {snapshot['elapsed']:.0f} s.")
    if st.session_state.get("experiments.sweep_shown") != task_id:
        st.session_state["experiments.sweep_shown"] = task_id
        st.rerun()  # redraw the whole page once, so the results appear below


def _workers_words(count: int) -> str:
    if count == 0:
        return "no search worker on this machine"
    return f"{count} search worker{'s' if count != 1 else ''} on this machine"


def outcome_units(outcome: SweepOutcome) -> str:
    units = sorted({point.units for point in outcome.points if point.stage == "architecture"})
    return ", ".join(str(value) for value in units)


def sweep_results(outcome: SweepOutcome) -> None:
    """Leaderboard (naive persistence always a row), heat map, MAE vs units, best forecast."""
    table = sweep_table(outcome)
    if table.empty:
        st.info("No sweep results yet: run a sweep above.")
        return
    trained, cached = outcome.trained, outcome.cached
    st.caption(f"{trained} runs trained, {cached} loaded from the run store.")
    st.dataframe(
        table[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Every sweep point, best test MSE first; 'MSE vs naive' below 1 beats tomorrow = today."
    )
    frame = table[table["stage"] != "baseline"]
    families = list(dict.fromkeys(frame["family"]))
    columns = st.columns(min(len(families), 3) or 1)
    for position, family in enumerate(families):
        # Coloured and starred by validation error: the rule that picks "Best by validation
        # loss" below, so the star and that run agree (test error is in the table).
        grid = layers_activation_grid(outcome, family, value="validation_mse")
        if grid.empty:
            continue
        long = grid.reset_index().melt(id_vars="layers", value_name="validation_mse")
        best_cell = heatmap_best(long, "activation", "layers", "validation_mse")
        with columns[position % len(columns)]:
            st.plotly_chart(
                heatmap_figure(
                    long,
                    "activation",
                    "layers",
                    "validation_mse",
                    title=f"{FAMILY_LABELS[family]}: validation error, "
                    f"{outcome_units(outcome)} units",
                ),
                width="stretch",
            )
            if best_cell is not None:
                activation, layers = best_cell
                st.caption(
                    f"Darker is better; the star marks {layers} layers with {activation}, the "
                    "lowest validation error: the rule that picks each family's best."
                )
    curve = units_curve(outcome)
    if not curve.empty:
        st.plotly_chart(
            sweep_line_figure(curve, "units", "test_mae_scaled", color="family_label"),
            width="stretch",
        )
        st.caption("Test error against layer width on each family's best layers and activation.")
    best = outcome.best
    if best is not None:
        st.plotly_chart(
            forecast_figure(
                best.result.predictions,
                baselines=["naive"] if "naive" in best.result.predictions else [],
                show_train=False,
                title=f"Best by validation loss: {best.result.request.model.label}",
            ),
            width="stretch",
        )
        st.caption("The chosen model's test forecast against the actual values and persistence.")


# ---------------------------------------------------------------- searches


def start_search(name: str, storage: str | None, workers: int = 1) -> None:
    """Start search runners in this server for a study (each joins the shared study; trials
    train in the warm worker pool)."""
    board = worker_board()
    for index in range(workers):
        board.start(name, storage, seed=None if index == 0 else 1000 + index)


def stop_search(name: str, storage: str | None, *, now: bool = False) -> None:
    """Cancel: stop after the current trial; `now` also ends local workers at once."""
    request_stop(name, storage)
    if now:
        worker_board().terminate(name)


def study_choices(storage: str | None) -> list[dict]:
    return list_studies(storage)


def search_live(name: str, storage: str | None) -> None:
    """The study's live view; polls the storage while any worker of this server runs."""
    active = worker_board().running(name) > 0 or study_is_running(name, storage)
    st.fragment(_search_panel, run_every=POLL_SECONDS if active else None)(name, storage)


@guarded_function
def _search_panel(name: str, storage: str | None) -> None:
    study = load_study(name, storage)
    config = study_config(study)
    frame = trials_frame(study)
    board = worker_board()
    running_here = board.running(name)
    finished = 0 if frame.empty else int((frame["state"] != "running").sum())
    running = 0 if frame.empty else int((frame["state"] == "running").sum())
    reason = stop_reason(study, config, started=float("inf"))
    header, buttons = st.columns([3, 2], vertical_alignment="center")
    header.markdown(
        f"**{name}** · {STRATEGIES[config.strategy].label} · {finished} of "
        f"{config.trial_limit} trials finished, {running} running · "
        f"{_workers_words(running_here)} · chooses by {OBJECTIVE_TITLES[config.objective].lower()}"
    )
    if running_here or running:
        if buttons.button(
            "Cancel after this trial",
            icon=":material/stop:",
            key=f"stop.{name}",
            help="Every worker finishes its current trial, then stops; finished trials stay.",
        ):
            stop_search(name, storage)
        if running_here and buttons.button(
            "Stop now",
            icon=":material/cancel:",
            key=f"kill.{name}",
            help="Ends this server's workers at once; their running trials are marked "
            "interrupted and can be run again by resuming.",
        ):
            stop_search(name, storage, now=True)
    elif reason is None:
        if buttons.button(
            "Resume the search",
            icon=":material/play_arrow:",
            key=f"resume.{name}",
            help="Start a worker that continues this study until its stop rule holds.",
        ):
            study.set_user_attr("stop_requested", False)
            start_search(name, storage)
            st.rerun()
    else:
        buttons.caption(f"Stopped: {STOP_MESSAGES.get(reason, reason)}.")
    for worker in board.workers(name):
        if not worker.running and worker.error:
            st.error(f"A worker ended with an error: {worker.error}")
    if config.split.leaks:
        st.warning(
            "Whole-series scaling (as in the S&P 500 tuning paper) lets training see the test "
            "part's range: scores are optimistic.",
            icon=":material/warning:",
        )
    if frame.empty:
        st.info("Waiting for the first trial (a worker needs a few seconds to start).")
        return
    verdict(study, frame)
    search_charts(study, frame, config.space.names)


def verdict(study, frame: pd.DataFrame) -> None:
    """Best trial against naive persistence (and the tuning paper's published figures)."""
    best = best_trial(study)
    stored = study.user_attrs.get(NAIVE_ATTR)
    naive = None if stored is None else NaiveScores.from_dict(stored).mse
    if best is None:
        failures = frame["failure"].dropna()
        if len(failures):
            st.warning(f"No trial has finished successfully yet. Last failure: {failures.iloc[-1]}")
        return
    left, middle, right = st.columns(3)
    left.metric(
        "Best objective",
        f"{best.value:.3g}",
        help="Lowest objective so far (scaled units), reached at the trial shown below it.",
    )
    left.caption(f"trial {best.number}")
    if naive is not None and naive > 0:
        ratio = best.user_attrs.get("mse", math.nan) / naive
        middle.metric(
            "Test MSE vs naive persistence",
            f"{ratio:.2f}x",
            help="Below 1: the tuned network beats tomorrow = today on the test part.",
        )
        if ratio <= 1:
            st.success("The tuned model is at or below naive persistence on the test part.")
        else:
            st.warning(
                f"No trial is at or below naive persistence yet (MSE {naive:.3g}, scaled): the "
                "network is not better than copying the last value."
            )
    right.metric(
        "Search time",
        f"{frame['cumulative_seconds'].iloc[-1]:.0f} s",
        help="Sum of the trials' durations across every worker.",
    )
    reference = TUNING_PAPER_REFERENCE.get(study_config(study).strategy)
    if study_config(study).space.name == "study-b" and reference:
        st.caption(
            f"The S&P 500 tuning paper reported {reference['mse']:g} (test MSE, scaled) at "
            f"iteration {reference['trial']} for this strategy."
        )


def search_charts(study, frame: pd.DataFrame, params: list[str]) -> None:
    """Objective, time, settings, metrics, importance, and the best trial's forecast."""
    wanted = ["number", "state", "value", "seconds", *params, "failure", "worker"]
    table = frame[[column for column in wanted if column in frame.columns]]
    with st.expander(f"All {len(frame)} trials", expanded=False):
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption("Failed trials keep their reason; 'interrupted' ones can be run again.")
    left, right = st.columns(2)
    with left:
        objective = study_config(study).objective
        y_title = OBJECTIVE_TITLES[objective]
        st.plotly_chart(
            trials_figure(frame, title=f"{y_title} per trial", y_title=y_title), width="stretch"
        )
        st.caption(
            f"Dots: each trial's {y_title.lower()}, the value the search chooses by; solid: "
            "smoothed; dashed: the best so far. Lower is better."
        )
    with right:
        st.plotly_chart(cumulative_time_figure(frame), width="stretch")
        st.caption("Seconds spent after each trial: steep steps are slow trials.")
    left, right = st.columns(2)
    with left:
        st.plotly_chart(parameter_figure(frame, params), width="stretch")
        st.caption("The value of each setting every trial tried (log axis for wide ranges).")
    with right:
        st.plotly_chart(trial_metrics_figure(frame), width="stretch")
        st.caption("R² (higher is better), RMSE and MAE (lower is better) on the test part.")
        st.plotly_chart(importance_figure(parameter_importances(study)), width="stretch")
        st.caption("Which settings explain most of the differences between trials.")
    best = best_trial(study)
    if best is None:
        return
    predictions = load_trial_predictions(study.study_name, best.number)
    if predictions is None:
        st.info(
            f"Trial {best.number} ran on another machine, so its predictions are not here; "
            "its settings are in the table above."
        )
        return
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(
            forecast_figure(predictions, title=f"Best trial ({best.number}) on the test part"),
            width="stretch",
        )
        st.caption("The best trial's one-step forecasts against the actual values.")
    with right:
        st.plotly_chart(residual_histogram(predictions), width="stretch")
        st.caption("Errors of the best trial: centred on 0 = no bias; narrow = precise.")


def comparison(names: list[str], storage: str | None) -> None:
    """Two (or more) strategies side by side on one chart."""
    frames = []
    for name in names:
        study = load_study(name, storage)
        frame = trials_frame(study)
        if not frame.empty:
            frames.append(frame.assign(strategy=f"{name}"))
    if not frames:
        st.info("The chosen studies have no trials yet.")
        return
    joined = pd.concat(frames, ignore_index=True)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(trials_figure(joined, title="Objective per trial"), width="stretch")
        st.caption("Each study's trials, smoothed values and best so far; lower is better.")
    with right:
        st.plotly_chart(cumulative_time_figure(joined), width="stretch")
        st.caption("Time each study spent to get there.")


__all__ = [
    "comparison",
    "search_live",
    "start_search",
    "stop_search",
    "study_choices",
    "sweep_board",
    "sweep_progress",
    "sweep_results",
    "worker_board",
]
