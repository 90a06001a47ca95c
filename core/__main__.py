"""The command line: python -m core train | backtest | inspect | fetch | bench | tune | sweep.

Options of `train` are generated from the config dataclasses, so every setting has a flag.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import time
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from core.bench import run_bench
from core.bench_real import run_real_bench
from core.config import (
    SECTIONS,
    DataConfig,
    ModelConfig,
    RunRequest,
    TrainConfig,
)
from core.data.clean import describe_frequency
from core.data.market import describe_origin, fallback_prices, fetch_prices
from core.data.recipe import recipe_for, recipe_summary
from core.data.sources import SOURCE_REGISTRY, default_split_for, load_series
from core.data.upload import import_file
from core.data.window import with_suggested_lookback
from core.errors import (
    DataSourceError,
    ForecastLabError,
)
from core.json_values import json_ready
from core.models.families import FAMILY_REGISTRY
from core.runs.analysis import inspect_run
from core.runs.backtest import NETWORK, run_backtest
from core.runs.pipeline import load_prepared, run_experiment
from core.scores import ClassificationScores
from core.settings import Setting, settings_of
from core.tuning.cli import add_subcommands
from core.units import currency_of, score_lines

# Flag names that differ from the field name (the rest are the field name with dashes).
RENAMED = {
    ("data", "seed"): "data-seed",
    ("data", "provider"): "btc-provider",
    ("data", "csv_path"): "csv",
    ("data", "length"): "length",
    ("split", "method"): "split",
    ("train", "seed"): "seed",
}


LAYERS_DEST = "model__layers"


def _flag(section: str, name: str) -> str:
    return "--" + RENAMED.get((section, name), name.replace("_", "-"))


def _dest(section: str, name: str) -> str:
    return f"{section}__{name}"


def _parse_tuple(text: str) -> tuple[float, ...]:
    if not text.strip():
        return ()
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated numbers, got '{text}'"
        ) from error


def _preset_defaults(section: str, name: str, default: Any) -> str:
    """The default a flag gets: the field's, or each source's preset where those differ."""
    presets = {}
    if section in ("data", "split") and name != "source":
        for source_name, source in SOURCE_REGISTRY.items():
            if source.needs_file:
                continue  # the file decides (e.g. the window from its frequency)
            data = source.default_data()
            value = getattr(data if section == "data" else default_split_for(data), name)
            presets[source_name] = value
    if all(value == default for value in presets.values()):
        return "" if default in (None, "", ()) else f"default: {_shown(default)}"
    parts = [f"{source} {_shown(value)}" for source, value in presets.items()]
    return "default per source: " + ", ".join(parts)


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(f"{item:g}" if isinstance(item, float) else str(item) for item in value)
    return "none" if value is None else str(value)


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _metavar(declared: Setting, name: str, annotation: str) -> str:
    if declared.unit and declared.unit not in ("per step", "per step²"):
        return declared.unit.upper().replace(" ", "_")
    if "int" in annotation and "float" not in annotation:
        return "N"
    if "float" in annotation:
        return "X"
    return name.split("_")[-1].upper()


def _lookback_value(text: str) -> int | str:
    """--lookback: a number of steps, or auto (the default: the window the data suggests)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number or auto") from error


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    """One flag per config field, with the help, unit, choices and range its declaration gives."""
    for section, cls in SECTIONS.items():
        group = parser.add_argument_group(f"{section} settings")
        defaults = cls()
        declarations = settings_of(cls)
        for item in dataclasses.fields(cls):
            declared = declarations[item.name]
            default = getattr(defaults, item.name)
            kwargs: dict[str, Any] = {"dest": _dest(section, item.name), "default": None}
            annotation = str(item.type)
            if isinstance(default, bool):
                kwargs["action"] = argparse.BooleanOptionalAction
            elif isinstance(default, tuple):
                kwargs["type"] = _parse_tuple
                kwargs["metavar"] = "N,N"
            elif "int" in annotation and "float" not in annotation:
                kwargs["type"] = int
            elif "float" in annotation:
                kwargs["type"] = float
            else:
                kwargs["type"] = str
            if (section, item.name) == ("split", "lookback"):
                kwargs["type"], kwargs["metavar"] = _lookback_value, "N|auto"
            if declared.choice_names:
                kwargs["choices"] = declared.choice_names
            elif "metavar" not in kwargs and "action" not in kwargs:
                kwargs["metavar"] = _metavar(declared, item.name, annotation)
            details = [declared.help.rstrip().rstrip(".") + "."]  # whole sentences
            if declared.low is not None and declared.high is not None:
                unit = f" {declared.unit}" if declared.unit not in ("", "date", "year") else ""
                low, high = (
                    (f"{declared.low:g}", f"{declared.high:g}")  # a year without a comma
                    if declared.unit == "year"
                    else (_number(declared.low), _number(declared.high))
                )
                details.append(f"From {low} to {high}{unit}.")
            preset = _preset_defaults(section, item.name, default)
            if preset:
                details.append(preset[0].upper() + preset[1:] + ".")
            kwargs["help"] = " ".join(details).replace("%", "%%")
            if (section, item.name) == ("model", "hidden_layers"):
                kwargs["help"] = argparse.SUPPRESS  # scripts written before --layers still run
                group.add_argument(
                    "--layers",
                    dest=LAYERS_DEST,
                    type=int,
                    default=None,
                    metavar="LAYERS",
                    help="the family's own layers (LSTM layers of an LSTM, Dense layers of a "
                    "Dense network; the output neuron is not counted), as the Model page and "
                    "run names count them: 2 to 12 for recurrent families, 1 to 11 for Dense",
                )
            group.add_argument(_flag(section, item.name), **kwargs)
        if section == "data":  # the short forms of --date-order
            for order in ("dayfirst", "monthfirst"):
                group.add_argument(
                    f"--{order}",
                    dest=_dest("data", "date_order"),
                    action="store_const",
                    const=order,
                    help=f"read dates like 06.01.2024 {order.replace('first', ' first')} "
                    "(the same as --date-order " + order + ")",
                )


def request_from_args(args: argparse.Namespace) -> RunRequest:
    """Defaults for the chosen source (study presets), then every flag the user gave."""
    given = {
        section: {
            item.name: getattr(args, _dest(section, item.name))
            for item in dataclasses.fields(cls)
            if getattr(args, _dest(section, item.name)) is not None
        }
        for section, cls in SECTIONS.items()
    }
    source = SOURCE_REGISTRY[given["data"].get("source", "synthetic")]
    data = source.default_data(**given["data"])

    lookback = given["split"].pop("lookback", "auto")
    series = load_series(data) if source.needs_file or lookback == "auto" else None
    frequency = series.frequency if source.needs_file else None  # the file's own frequency
    split = default_split_for(data, frequency).replace(**given["split"])
    if lookback == "auto":  # the window the data suggests, unless a number fixes it
        split, suggestion = with_suggested_lookback(series, split)
        if suggestion is not None:  # said by the command once the request is valid
            reason = f"{split.lookback} steps, chosen from your data: {suggestion.reason}"
            args.window_reason = reason
    else:
        split = split.replace(lookback=lookback)
    # The family's own starting values (as the Model page and the bench use), then the flags.
    family = FAMILY_REGISTRY[given["model"].get("family", ModelConfig().family)]
    model = family.starting_model(ModelConfig()).replace(**given["model"])
    if getattr(args, LAYERS_DEST, None) is not None:
        model = model.with_layers(getattr(args, LAYERS_DEST))
    train_given = dict(given["train"])
    # An epoch count or batch size given on the command line is used as given.
    if "epochs" in train_given:
        train_given.setdefault("budget_steps", 0)
    if "batch_size" in train_given:
        train_given.setdefault("auto_batch", False)
    train = family.starting_training(TrainConfig()).replace(**train_given)
    return RunRequest(data=data, split=split, model=model, train=train, horizon=args.horizon)


def _print_cleaning(data: DataConfig) -> None:
    """What loading the file did (frequency, filled or dropped values, repeated dates)."""

    series = load_series(data)
    print(f"file: {len(series)} rows, {describe_frequency(series.frequency)}")
    for note in series.cleaning.notes if series.cleaning else ():
        print(f"note: {note}")


def _print_progress(update: Any) -> None:
    val = "" if update.val_loss is None else f" val_loss {update.val_loss:.6f}"
    print(
        f"epoch {update.epoch}/{update.max_epochs} loss {update.loss:.6f}{val}"
        f" ({update.seconds:.1f}s)",
        file=sys.stderr,
        flush=True,
    )


def command_train(args: argparse.Namespace) -> int:
    request = request_from_args(args)
    if SOURCE_REGISTRY[request.data.source].needs_file:
        _print_cleaning(request.data)
    if getattr(args, "window_reason", None):
        print(f"window: {args.window_reason}", file=sys.stderr)
    started = time.perf_counter()
    result = run_experiment(request, progress=_print_progress, use_cache=not args.retrain)
    summary = result.summary()
    summary["recipe"] = _recipe(request)
    for name, choice in summary["recipe"].items():
        print(f"recipe: {name} {choice['value']} ({choice['reason']})")
    print(
        f"run {result.key} ({'loaded from the run store' if result.cached else 'trained'}"
        f" in {time.perf_counter() - started:.1f}s)"
    )
    print(
        f"data: {result.series_info.name} ({result.series_info.rows} rows, "
        f"{result.series_info.first_date} .. {result.series_info.last_date})"
    )
    if result.series_info.notice:
        print(f"note: {result.series_info.notice}")
    print(
        f"model: {request.model.label}, {result.parameter_count} parameters, "
        f"{result.epochs_run} epochs ({result.stop_reason}), {result.train_seconds:.1f}s"
    )
    test = result.metrics.test
    if isinstance(test, ClassificationScores):
        print(
            f"test accuracy {test.accuracy:.3f} vs majority class "
            f"{test.majority_baseline_accuracy:.3f}"
        )
    else:
        scaled = result.metrics.test_scaled
        rules = {name: figures.test_mse for name, figures in result.baselines.items()}
        for line in score_lines(
            test.mse,
            test.mae,
            None if scaled is None else scaled.mse,
            rules,
            result.noise_floor_mse,
            currency_of(request.data.source),
        ):
            print(line)
    if args.json:
        print(json.dumps(json_ready(summary), separators=(",", ":")))
    return 0


def _recipe(request: RunRequest) -> dict:
    """What the run chose from the data (core.data.recipe), for the summary."""

    return recipe_summary(recipe_for(load_prepared(request), request.split, request.train))


def command_backtest(args: argparse.Namespace) -> int:
    """Walk-forward backtest: each cut-off an ordinary cached run, then MSE per cut-off."""

    request = request_from_args(args)

    def announce(fold: Any) -> None:
        print(
            f"cut-off {fold.number}/{args.folds}: train {fold.train_rows} rows, test "
            f"{fold.cutoff} .. {fold.test_end}",
            file=sys.stderr,
            flush=True,
        )

    report = run_backtest(
        request, args.folds, on_fold=announce, progress=_print_progress, use_cache=not args.retrain
    )
    names = list(report["summary"])
    print(
        f"backtest: {report['model']} on {report['data']}, {report['folds']} cut-offs, "
        f"{report['trained']} trained now (the rest from the run store); test MSE"
    )
    print(f"{'cut-off':<12}" + "".join(f"{name:>15}" for name in names))
    for row in report["cutoffs"]:
        print(
            f"{row['cutoff']:<12}"
            + "".join(
                f"{row['metrics'].get(name, {}).get('mse', float('nan')):>15.5g}" for name in names
            )
        )
    for statistic, label in (("mean_mse", "mean"), ("spread_mse", "spread (sd)")):
        print(
            f"{label:<12}"
            + "".join(f"{report['summary'][name][statistic]:>15.5g}" for name in names)
        )
    best = report["summary"][NETWORK]["best_count"]
    print(f"the network had the lowest MSE at {best} of {report['folds']} cut-offs")
    if args.json:
        print(json.dumps(json_ready(report), separators=(",", ":")))
    return 0


def command_inspect(args: argparse.Namespace) -> int:
    """The inside view of one test window (trains the run first if the store lacks it)."""

    result = run_experiment(request_from_args(args), progress=_print_progress)
    report = inspect_run(result, args.window_end)
    print(
        f"run {result.key}: {report['family']} window {report['dates'][0]} .. "
        f"{report['window_end']} -> forecast {report['forecast']:.5g} for "
        f"{report['target_date']} (actual {report['actual']:.5g})"
    )
    print(report["captions"]["lags"])
    for layer in report["layers"]:
        steps, units = len(layer["hidden"]), len(layer["hidden"][0])
        print(f"{layer['name']} ({layer['kind']}): hidden state {steps} steps x {units} units")
        for name, caption in layer["captions"].items():
            if name != "hidden":
                print(f"  {caption}")
    if args.json:
        print(json.dumps(json_ready(report), separators=(",", ":")))
    return 0


def command_fetch(args: argparse.Namespace) -> int:
    """Download into the cache; when that fails, say which copy (cached or bundled snapshot) the
    app and `train` will use instead, and exit with 1."""

    provider = args.provider or SOURCE_REGISTRY[args.source].providers[0]
    try:
        series = fetch_prices(args.source, provider, force=True)
        status = 0
    except DataSourceError as error:
        series = fallback_prices(args.source, provider, error)
        status = 1
    print(
        f"{series.name}: {len(series)} rows, {series.dates[0]:%Y-%m-%d} .. "
        f"{series.dates[-1]:%Y-%m-%d}. {describe_origin(series)}"
    )
    if series.notice:
        print(f"note: {series.notice}")
    return status


def command_bench(args: argparse.Namespace) -> int:
    if args.real:
        run_real_bench()
        return 0

    run_bench(quick=args.quick, seeds=args.seeds)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="show library logs")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train (or load from the run store) one model")
    _add_config_options(train)
    train.add_argument("--horizon", type=int, default=30, help="future steps to forecast")
    train.add_argument("--json", action="store_true", help="last stdout line: a JSON summary")
    train.add_argument("--retrain", action="store_true", help="ignore the run store's copy")
    train.set_defaults(handler=command_train)

    backtest = commands.add_parser(
        "backtest", help="walk-forward backtest: train at several expanding cut-offs"
    )
    _add_config_options(backtest)
    backtest.add_argument("--folds", type=int, default=5, help="number of cut-offs")
    backtest.add_argument("--horizon", type=int, default=30, help="future steps to forecast")
    backtest.add_argument("--json", action="store_true", help="last stdout line: the report")
    backtest.add_argument("--retrain", action="store_true", help="ignore the run store's copies")
    backtest.set_defaults(handler=command_backtest)

    inspect = commands.add_parser(
        "inspect", help="hidden states, gates or lag weights for one test window"
    )
    _add_config_options(inspect)
    inspect.add_argument("--window-end", default=None, help="last date of the window (ISO)")
    inspect.add_argument("--horizon", type=int, default=30, help="future steps to forecast")
    inspect.add_argument("--json", action="store_true", help="last stdout line: the report")
    inspect.set_defaults(handler=command_inspect)

    fetch = commands.add_parser("fetch", help="download market data into the cache")
    fetch.add_argument(
        "source",
        choices=[name for name, source in SOURCE_REGISTRY.items() if source.downloads],
        help="the market source to download",
    )
    fetch.add_argument(
        "--provider",
        choices=sorted({name for source in SOURCE_REGISTRY.values() for name in source.providers}),
        default=None,
        help="where the prices come from (default: the source's first provider)",
    )
    fetch.set_defaults(handler=command_fetch)

    bench = commands.add_parser("bench", help="print the engine's speed and quality figures")
    bench.add_argument("--quick", action="store_true", help="fewer families and epochs")
    bench.add_argument(
        "--real",
        action="store_true",
        help="the app's defaults against the statistical peers on the real series in "
        "tests/fixtures/real/",
    )
    bench.add_argument("--seeds", action="store_true", help="seed spread per family; stored")
    bench.set_defaults(handler=command_bench)

    add_subcommands(commands)
    return parser


def _import_csv_paths(args: argparse.Namespace) -> None:
    """A --csv PATH on the command line is the user's own file: copy it into the uploads folder
    and use that copy, as the app does with an upload. The engine itself only reads uploads."""

    for name in (_dest("data", "csv_path"), "csv"):
        if getattr(args, name, None):
            setattr(args, name, import_file(getattr(args, name)))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR)
    try:
        _import_csv_paths(args)
        return int(args.handler(args) or 0)
    except ForecastLabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
