"""Command-line front of the experiments: `tune` (searches and their workers) and `sweep`
(the Bitcoin study's architecture and units sweeps), registered into `python -m core` by
add_subcommands.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
from contextlib import contextmanager
from typing import Any

from core.config import FAMILIES, DataConfig
from core.data.sources import SOURCE_REGISTRY, default_split_for
from core.errors import ConfigError
from core.json_values import json_ready
from core.runs import cluster
from core.tuning.space import load_space
from core.tuning.strategies import STRATEGIES
from core.tuning.study import (
    OBJECTIVES,
    STOP_MESSAGES,
    TUNING_PAPER_END_DATE,
    TuneConfig,
    best_trial,
    create_study,
    default_storage_url,
    describe_trial,
    list_studies,
    load_study,
    run_search,
    tuning_paper_config,
)
from core.tuning.sweep import SweepPlan, run_sweep, sweep_table

# Sources that need no file (a file-based source is given with --csv).
SOURCES = tuple(name for name, source in SOURCE_REGISTRY.items() if not source.needs_file)


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register `tune` (with a nested `worker` mode) and `sweep` on the main parser."""

    tune = subparsers.add_parser(
        "tune",
        help="hyperparameter search (grid, random, bayes, tpe, hyperband, generator)",
        description="Run a hyperparameter search; studies live in Optuna storage, so a second "
        "machine can join with `tune worker`.",
    )
    tune.add_argument("--strategy", choices=tuple(STRATEGIES), default="tpe")
    tune.add_argument(
        "--space",
        default="default",
        help="default | study-b (the S&P 500 tuning paper's space and protocol) | a JSON space "
        "file",
    )
    tune.add_argument("--trials", type=int, default=20, help="stop after this many trials")
    tune.add_argument("--timeout", type=float, default=None, help="time budget in seconds")
    tune.add_argument("--target", type=float, default=None, help="stop at this objective")
    tune.add_argument("--study", default=None, help="study name (default: from the settings)")
    tune.add_argument("--storage", default=None, help="journal file or Optuna RDB URL")
    tune.add_argument("--data", choices=SOURCES, default=None, help="data source")
    tune.add_argument("--csv", default=None, help="CSV file instead of a download")
    tune.add_argument("--end-date", default=None, help="last date kept (ISO)")
    tune.add_argument("--family", choices=FAMILIES, default=None, help="network family")
    tune.add_argument("--epochs", type=int, default=None, help="epochs per trial")
    tune.add_argument(
        "--trial-seconds", type=float, default=None, help="wall-time cap per trial (fast trials)"
    )
    tune.add_argument(
        "--objective",
        choices=tuple(OBJECTIVES),
        default=None,
        help="what chooses the best trial (default: validation_mse; test_mse for --space "
        "study-b, as the S&P 500 tuning paper did); test MSE is recorded for every trial either "
        "way",
    )
    tune.add_argument("--seed", type=int, default=0)
    tune.add_argument("--json", action="store_true", help="last stdout line: best trial JSON")
    tune.add_argument("--list", action="store_true", help="list the studies in the storage")
    tune.set_defaults(handler=command_tune)
    modes = tune.add_subparsers(dest="tune_mode", required=False)
    worker = modes.add_parser(
        "worker", help="join an existing study and run trials until its stop rule holds"
    )
    worker.add_argument("--study", required=True, dest="worker_study", help="study name")
    worker.add_argument(
        "--storage", default=None, dest="worker_storage", help="journal file or Optuna RDB URL"
    )
    worker.add_argument(
        "--seed", type=int, default=None, dest="worker_seed", help="this worker's sampler seed"
    )
    worker.add_argument(
        "--json", action="store_true", dest="worker_json", help="last stdout line: JSON summary"
    )
    worker.set_defaults(handler=command_worker)

    sweep = subparsers.add_parser(
        "sweep",
        help="layers x activation sweep from an RNN forecasting study, then units on the best",
        description="Each sweep point is an ordinary run (run store): re-running only trains "
        "what is new.",
    )
    sweep.add_argument("--family", default="lstm", help=f"{', '.join(FAMILIES)} or all")
    sweep.add_argument(
        "--layers",
        default="2-5",
        help="the family's own layers (as the Model page counts them: LSTM layers of an LSTM, "
        "the output neuron not counted), e.g. 2-5 or 2,3; counts a family cannot have (1 for a "
        "recurrent one) are skipped for it",
    )
    sweep.add_argument("--activations", default="tanh,relu")
    sweep.add_argument("--units", type=int, default=50, help="units in the depth sweep")
    sweep.add_argument(
        "--units-sweep", default="25,50,100,150,200,250", help="units to try on the best; none"
    )
    sweep.add_argument("--data", choices=SOURCES, default="synthetic")
    sweep.add_argument("--csv", default=None, help="CSV file instead of a download")
    sweep.add_argument("--length", type=int, default=None, help="synthetic series length")
    sweep.add_argument("--lookback", type=int, default=None)
    sweep.add_argument("--epochs", type=int, default=None)
    sweep.add_argument("--seed", type=int, default=0)
    sweep.add_argument("--json", action="store_true", help="last stdout line: best run JSON")
    sweep.set_defaults(handler=command_sweep)


# ---------------------------------------------------------------- tune


def _data_config(source: str | None, csv: str | None, end_date: str | None) -> DataConfig:
    if csv:
        return DataConfig(source="csv", csv_path=csv, end_date=end_date)
    return DataConfig(source=source or "synthetic", end_date=end_date)


def tune_config_from_args(args: argparse.Namespace):
    """The TuneConfig the flags describe: the tuning paper's protocol for --space study-b, else the
    chosen data with the interactive defaults."""

    if args.trials is not None and args.trials < 1:
        raise ConfigError(f"--trials ({args.trials}) must be at least 1.")
    space = load_space(args.space)
    if args.space == "study-b":
        config = tuning_paper_config(args.strategy, csv_path=args.csv, max_trials=args.trials)
        if args.data not in (None, "sp500") or args.end_date:
            config = config.replace(
                data=_data_config(args.data, args.csv, args.end_date or TUNING_PAPER_END_DATE)
            )
    else:
        data = _data_config(args.data, args.csv, args.end_date)
        base = TuneConfig()
        split = default_split_for(data).replace(lookback=base.split.lookback)
        config = base.replace(data=data, split=split, space=space, strategy=args.strategy)
    changes: dict[str, Any] = {
        "max_trials": args.trials,
        "timeout_seconds": args.timeout,
        "target": args.target,
        "seed": args.seed,
        "trial_seconds": args.trial_seconds,
    }
    if args.objective:
        changes["objective"] = args.objective
    if args.family:
        changes["model"] = config.model.replace(family=args.family)
    if args.epochs:
        changes["train"] = config.train.replace(epochs=args.epochs)
    return config.replace(**changes)


def _format_number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _trial_printer(best: dict[str, float]):
    def show(trial) -> None:
        row = describe_trial(trial)
        if row["value"] is not None and row["value"] < best.get("value", math.inf):
            best["value"] = row["value"]
        params = " ".join(f"{key}={_format_number(value)}" for key, value in row["params"].items())
        status = row["state"]
        if row["failure"]:
            status = f"failed ({row['failure']})"
        elif row["pruned_reason"]:
            status = f"pruned ({row['pruned_reason']})"
        elif row["capped"]:
            status = f"{status} (stopped at the time cap)"
        print(
            f"trial {row['number']:>3}  {status:<9} objective {_format_number(row['value']):>10}"
            f"  best {_format_number(best.get('value')):>10}"
            f"  test mse {_format_number(row['test_mse']):>10}  {_format_number(row['seconds'])}s"
            f"  rss {_format_number(row['rss_mb'])} MB  {params}",
            flush=True,
        )

    return show


def _current_best(name: str, storage: str | None) -> dict[str, float]:
    """The study's best value so far, so the per-trial rows show the study's running best."""

    best = best_trial(load_study(name, storage))
    return {} if best is None else {"value": float(best.value)}


def _handle_termination() -> None:
    """SIGTERM ends the running trial like Ctrl-C: Optuna records it as failed (interrupted)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if sys.platform != "win32":
        signal.signal(signal.SIGTERM, interrupt)


@contextmanager
def _worker_pool():
    """The warm pool's workers end with the command (also on Ctrl-C or SIGTERM), instead of
    the interpreter waiting at exit for a trial nobody will record. A cluster the caller had
    made before the command (the test session's, shared by every test) stays the caller's."""

    started_here = not cluster.exists()
    try:
        yield
    finally:
        if started_here:
            cluster.close()


def _print_outcome(outcome, as_json: bool) -> None:
    data = outcome.to_dict()
    message = STOP_MESSAGES.get(outcome.stop_reason, outcome.stop_reason)
    best = data["best"]
    print(
        f"stopped: {message}; this worker ran {outcome.trials_run} trials in "
        f"{outcome.wall_seconds:.1f}s"
    )
    if outcome.stale_trials:
        print(f"marked interrupted (their worker had stopped): trials {outcome.stale_trials}")
    if best is None:
        print("no trial finished yet")
    else:
        naive = math.nan if outcome.naive is None else outcome.naive.mse
        ratio = best.get("vs_naive")
        verdict = ""
        if ratio is not None and math.isfinite(ratio):
            verdict = f" ({ratio:.2f}x persistence's test mse {naive:.3g}: " + (
                "at or below persistence)" if ratio <= 1 else "worse than persistence)"
            )
        print(
            f"best: trial {best['number']} {outcome.objective} {_format_number(best['value'])}"
            f", test mse {_format_number(best['test_mse'])}{verdict}  {best['params']}"
        )
    if as_json:
        print(json.dumps(json_ready(data), separators=(",", ":")))


def command_tune(args: argparse.Namespace) -> int:
    """`python -m core tune ...`: create (or resume) a study and run it in this process."""

    if args.list:
        rows = list_studies(args.storage)
        for row in rows:
            print(
                f"{row['name']:<40} {row['strategy'] or '-':<10} trials {row['trials']:>4}  "
                f"best {row['objective'] or 'objective'} {_format_number(row['best'])}"
            )
        if args.json:
            print(json.dumps(json_ready(rows), separators=(",", ":")))
        return 0
    config = tune_config_from_args(args)
    study = create_study(config, args.study, args.storage)
    print(
        f"study {study.study_name} ({config.strategy}, space {config.space.name}, objective "
        f"{config.objective}) in {args.storage or default_storage_url()}",
        flush=True,
    )
    if config.split.leaks:
        print(
            "note: whole-series scaling (as in the S&P 500 tuning paper) leaks the test range "
            "into training"
        )
    _handle_termination()
    best = _current_best(study.study_name, args.storage)
    with _worker_pool():
        outcome = run_search(
            study.study_name,
            args.storage,
            seed=config.seed,
            on_trial=_trial_printer(best),
        )
    _print_outcome(outcome, args.json)
    return 0


def command_worker(args: argparse.Namespace) -> int:
    """`python -m core tune worker --study NAME [--storage URL]`: join a study."""

    _handle_termination()
    best = _current_best(args.worker_study, args.worker_storage)
    with _worker_pool():
        outcome = run_search(
            args.worker_study,
            args.worker_storage,
            seed=args.worker_seed,
            on_trial=_trial_printer(best),
        )
    _print_outcome(outcome, args.worker_json)
    return 0


# ---------------------------------------------------------------- sweep


def _int_list(text: str, what: str) -> list[int]:
    text = text.strip()
    if text.lower() in ("", "none"):
        return []
    try:
        if "-" in text and "," not in text:
            low, high = (int(part) for part in text.split("-", 1))
            return list(range(low, high + 1))
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise ConfigError(
            f"{what} '{text}' is not a list of whole numbers; write e.g. 0-3 or 25,50,100."
        ) from error


def command_sweep(args: argparse.Namespace) -> int:
    """`python -m core sweep ...`: the Bitcoin study's layers x activation sweep, then units."""

    families = list(FAMILIES) if args.family == "all" else [args.family]
    for family in families:
        if family not in FAMILIES:
            raise ConfigError(f"family '{family}' is unknown; pick {', '.join(FAMILIES)} or all.")
    data = _data_config(args.data, args.csv, None)
    if args.length and data.source == "synthetic":
        data = data.replace(length=args.length)
    plan = SweepPlan.for_data(
        data,
        families=tuple(families),
        layers=tuple(_int_list(args.layers, "--layers")),
        activations=tuple(part.strip() for part in args.activations.split(",") if part.strip()),
        units=args.units,
        units_sweep=tuple(_int_list(args.units_sweep, "--units-sweep")),
        lookback=args.lookback,
        epochs=args.epochs,
        seed=args.seed,
    )

    def show(point) -> None:
        row = point.row()
        spent = "cached" if row["cached"] else f"{row['seconds']:.1f}s"
        print(
            f"{row['stage']:<12} {row['family']:<10} {row['layers']} layers, units "
            f"{row['units']:>4} {row['activation']:<5} test MAE {row['test_mae_scaled']:.4g} "
            f"(scaled)  val {row['validation_mse']:.4g}  {spent}",
            flush=True,
        )

    with _worker_pool():
        outcome = run_sweep(plan, on_point=show)
    table = sweep_table(outcome)
    best = outcome.best
    naive = table[table["family"] == "naive"]
    runs = outcome.trained + outcome.cached
    print(f"{runs} runs, {outcome.trained} trained, {outcome.cached} from the run store")
    if best is not None:
        row = best.row()
        print(
            f"best (by validation loss): {row['family']} {row['layers']} layers, units "
            f"{row['units']} {row['activation']}: test MAE {row['test_mae_scaled']:.4g} scaled, "
            f"{row['test_mae']:.4g} original"
            + (f"; naive MAE {naive['test_mae'].iloc[0]:.4g}" if len(naive) else "")
        )
    if args.json:
        payload = {
            "best": None if best is None else best.row(),
            "rows": table.to_dict(orient="records"),
        }
        print(json.dumps(json_ready(payload), separators=(",", ":"), default=str))
    return 0


__all__ = ["add_subcommands", "command_sweep", "command_tune", "command_worker"]
