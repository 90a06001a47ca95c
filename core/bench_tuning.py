"""Search strategies benchmarked in one run, per strategy: the default space (chooses on validation
MSE) and the tuning paper's protocol (test MSE, as the paper chose); usage:
python core/bench_tuning.py --strategies tpe,hyperband --trials 20 --trial-seconds 12
(the load average is printed too)"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script (python core/bench_tuning.py)
    sys.path.insert(0, str(REPO))

from core.config import DataConfig  # noqa: E402
from core.data.sources import default_split_for  # noqa: E402
from core.data.upload import save_upload  # noqa: E402
from core.errors import ForecastLabError  # noqa: E402
from core.runs import cluster  # noqa: E402
from core.tuning.budget import CAP_REASON, OVERRUN_TOLERANCE  # noqa: E402
from core.tuning.runner import run_search  # noqa: E402
from core.tuning.settings import TuneConfig, tuning_paper_config  # noqa: E402
from core.tuning.storage import create_study  # noqa: E402
from core.tuning.tables import trials_frame  # noqa: E402
from core.tuning.trials import PRUNED_ATTR, TIMING_ATTR  # noqa: E402

# A cut of the recorded ^GSPC daily closes (Yahoo), kept in the project: nothing is downloaded.
TUNING_PAPER_CSV = REPO / "tests" / "fixtures" / "gspc_close_1990_2024.csv"
SPACES = ("default", "study-b")
MEMORY_AFTER = (1, 10)  # resident MB after these trials, and after the last


def bench_config(space: str, strategy: str, trials: int, trial_seconds: float | None, csv: str):
    """The settings `python -m core tune --space SPACE` would use (the paper's protocol)."""

    if space == "study-b":
        # CSV sources read only the uploads folder: copy the file in, as `--csv` does.
        upload = save_upload(Path(csv).read_bytes(), Path(csv).name)
        config = tuning_paper_config(strategy, csv_path=upload.name, max_trials=trials)
    else:
        base = TuneConfig()
        data = DataConfig()
        split = default_split_for(data).replace(lookback=base.split.lookback)
        config = base.replace(data=data, split=split, strategy=strategy, max_trials=trials)
    return config.replace(trial_seconds=trial_seconds)


def bench_one(space: str, strategy: str, *, trials: int, trial_seconds, csv: str, storage) -> dict:
    """Run one strategy on one space from scratch; figures for the row of the table."""

    config = bench_config(space, strategy, trials, trial_seconds, csv)
    name = f"bench-{space}-{strategy}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    study = create_study(config, name, storage)

    def show(trial) -> None:
        value = "-" if trial.value is None else f"{trial.value:.3g}"
        attrs = trial.user_attrs
        note = attrs.get(PRUNED_ATTR) or ("capped" if attrs.get("capped") else "")
        print(
            f"  {space} {strategy} trial {trial.number} {trial.state.name.lower()} {value} "
            f"{attrs.get('seconds', 0):.1f}s worker rss {attrs.get('rss_mb')} MB "
            f"load {os.getloadavg()[0]:.1f} {trial.params} {note} {attrs.get(TIMING_ATTR)}",
            flush=True,
        )

    load_before = os.getloadavg()[0]
    started = time.monotonic()
    outcome = run_search(name, storage, on_trial=show)
    # The search's own time; a cold pool's start (paid once per server) is reported apart.
    wall = outcome.wall_seconds
    waited = time.monotonic() - started - wall
    load_after = os.getloadavg()
    frame = trials_frame(study)
    complete = frame[frame["state"] == "complete"]
    best = complete.loc[complete["value"].idxmin()] if len(complete) else None
    naive = outcome.naive.mse
    marks = [number for number in MEMORY_AFTER if number < len(frame)] + [len(frame)]
    memory = {
        str(number): _number(frame.loc[frame["number"] == number - 1, "rss_mb"].iloc[0])
        for number in marks
        if (frame["number"] == number - 1).any()
    }
    over_cap = over_tolerance = None
    if trial_seconds:
        over_cap = round(float(frame["seconds"].max()) / trial_seconds, 3)
        limit = trial_seconds * (1 + OVERRUN_TOLERANCE)
        over_tolerance = int((frame["seconds"] > limit).sum())
    reasons = frame["pruned_reason"].fillna("")
    return {
        "space": space,
        "strategy": strategy,
        "objective": config.objective,
        "trials": int(len(frame)),
        "pruned": int((frame["state"] == "pruned").sum()),
        "pruned_by_cap": int(reasons.str.startswith(CAP_REASON).sum()),
        "capped": int(frame["capped"].sum()),
        "failed": int(frame["state"].isin(["fail", "interrupted"]).sum()),
        "best_trial": None if best is None else int(best["number"]),
        "best_validation_mse": None if best is None else _number(best["validation_mse"]),
        "best_test_mse": None if best is None else _number(best["mse"]),
        "naive_test_mse": naive,
        "vs_persistence": None if best is None else _number(best["mse"] / naive),
        "wall_seconds": round(wall, 1),
        "waited_for_worker_seconds": round(waited, 1),
        "trial_seconds_total": round(float(frame["seconds"].fillna(0).sum()), 1),
        "longest_trial_vs_cap": over_cap,
        "trials_over_cap_tolerance": over_tolerance,
        "load_average": {"before": round(load_before, 2), "after_1_5_15": load_after},
        "worker_rss_mb_after_trial": memory,
        "best_params": None if best is None else study.trials[int(best["number"])].params,
    }


def _number(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def print_table(rows: list[dict]) -> None:
    header = (
        f"{'space':<8} {'strategy':<10} {'objective':<15} {'best val MSE':>12} "
        f"{'its test MSE':>12} {'vs persist.':>11} {'wall s':>7} {'pruned':>9} "
        f"{'capped':>6} {'max trial/cap':>13} {'load':>9}  worker MB after trials"
    )
    print(header)
    for row in rows:
        marks = row["worker_rss_mb_after_trial"].items()
        memory = ", ".join(f"{key}: {value:.0f}" for key, value in marks if value is not None)
        pruned = f"{row['pruned']} ({row['pruned_by_cap']} cap)"
        averages = row["load_average"]
        load = f"{averages['before']:.1f}-{averages['after_1_5_15'][1]:.1f}"
        print(
            f"{row['space']:<8} {row['strategy']:<10} {row['objective']:<15} "
            f"{_text(row['best_validation_mse']):>12} {_text(row['best_test_mse']):>12} "
            f"{_text(row['vs_persistence'], '.3f'):>11} {row['wall_seconds']:>7.0f} "
            f"{pruned:>9} {row['capped']:>6} {_text(row['longest_trial_vs_cap'], '.2f'):>13} "
            f"{load:>9}  {memory}"
        )


def _text(value, form: str = ".3g") -> str:
    return "-" if value is None else format(value, form)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.bench_tuning", description=__doc__)
    parser.add_argument("--strategies", default="tpe,hyperband", help="comma-separated")
    parser.add_argument("--spaces", default=",".join(SPACES), help="default, study-b or both")
    parser.add_argument("--trials", type=int, default=20, help="trials per strategy and space")
    parser.add_argument("--trial-seconds", type=float, default=12.0, help="cap per trial; 0 none")
    parser.add_argument(
        "--csv", default=str(TUNING_PAPER_CSV), help="S&P 500 closes for the paper's protocol"
    )
    parser.add_argument("--storage", default=None, help="study storage (default: journal file)")
    parser.add_argument("--out", default=None, help="append the rows here as JSON lines")
    args = parser.parse_args(argv)

    rows = []
    try:
        for space in (part.strip() for part in args.spaces.split(",") if part.strip()):
            for strategy in (part.strip() for part in args.strategies.split(",") if part.strip()):
                row = bench_one(
                    space,
                    strategy,
                    trials=args.trials,
                    trial_seconds=args.trial_seconds or None,
                    csv=args.csv,
                    storage=args.storage,
                )
                rows.append(row)
                text = json.dumps(row, default=str)
                print(text, flush=True)
                if args.out:
                    with open(args.out, "a", encoding="utf-8") as handle:
                        handle.write(text + "\n")
    except ForecastLabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        cluster.close()
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
