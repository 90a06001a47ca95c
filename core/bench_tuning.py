"""Benchmark of the search strategies on study B's reproduction: best test MSE (scaled), the
trial that reached it, wall seconds and resident memory, against study B and persistence.

python -m core.bench_tuning --csv path/to/gspc_daily.csv --trials 20
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from datetime import UTC, datetime

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from core.errors import ForecastLabError  # noqa: E402


def bench_strategy(
    strategy: str,
    *,
    csv_path: str | None,
    trials: int,
    trial_seconds: float | None,
    storage: str | None,
    extra_trials: int = 0,
) -> dict:
    """Run one strategy on study B's protocol; figures use the first `trials` trials."""
    from core.tuning.study import create_study, run_search, study_b_config, trials_frame

    config = study_b_config(strategy, csv_path=csv_path, max_trials=trials + extra_trials)
    config = config.replace(trial_seconds=trial_seconds)
    name = f"bench-{strategy}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    study = create_study(config, name, storage)
    started = time.monotonic()

    def show(trial) -> None:
        value = "-" if trial.value is None else f"{trial.value:.3g}"
        print(
            f"  {strategy} trial {trial.number} {trial.state.name.lower()} {value} "
            f"{trial.user_attrs.get('seconds', 0):.1f}s rss {trial.user_attrs.get('rss_mb')} MB "
            f"{trial.params}",
            flush=True,
        )

    outcome = run_search(name, storage, on_trial=show)
    frame = trials_frame(study)
    first = frame[frame["number"] < trials]
    complete = first[first["state"] == "complete"]
    best_row = complete.loc[complete["value"].idxmin()] if len(complete) else None
    seconds_to_n = float(first["seconds"].fillna(0).sum())
    memory = {
        str(number + 1): float(frame.loc[frame["number"] == number, "rss_mb"].iloc[0])
        for number in (0, 9, 29)
        if (frame["number"] == number).any()
    }
    naive = outcome.naive["mse"]
    best = None if best_row is None else float(best_row["value"])
    return {
        "strategy": strategy,
        "study": name,
        "trials": int(len(first)),
        "complete": int(len(complete)),
        "pruned": int((first["state"] == "pruned").sum()),
        "failed": int(first["state"].isin(["fail", "interrupted"]).sum()),
        "best_mse_scaled": best,
        "best_trial": None if best_row is None else int(best_row["number"]) + 1,
        "best_params": None if best_row is None else study.trials[int(best_row["number"])].params,
        "trial_seconds_total": round(seconds_to_n, 1),
        "wall_seconds": round(time.monotonic() - started, 1),
        "naive_mse_scaled": naive,
        "vs_naive": None if best is None else best / naive,
        "rss_mb_after_trial": memory,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.bench_tuning", description=__doc__)
    parser.add_argument("--csv", default=None, help="S&P 500 CSV (default: Yahoo download)")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--strategies", default="generator,bayes,hyperband,tpe,random,grid")
    parser.add_argument("--trial-seconds", type=float, default=None, help="cap per trial")
    parser.add_argument("--memory-trials", type=int, default=0, help="extra trials (memory)")
    parser.add_argument("--storage", default=None)
    parser.add_argument("--out", default=None, help="append JSON lines here")
    args = parser.parse_args(argv)
    try:
        if args.csv:  # the user's own file: read through a copy in the uploads folder
            from core.data.upload import import_file

            args.csv = import_file(args.csv)
        for strategy in args.strategies.split(","):
            row = bench_strategy(
                strategy.strip(),
                csv_path=args.csv,
                trials=args.trials,
                trial_seconds=args.trial_seconds,
                storage=args.storage,
                extra_trials=args.memory_trials if strategy.strip() == "random" else 0,
            )
            text = json.dumps(
                {
                    key: (None if isinstance(value, float) and not math.isfinite(value) else value)
                    for key, value in row.items()
                },
                default=str,
            )
            print(text, flush=True)
            if args.out:
                with open(args.out, "a", encoding="utf-8") as handle:
                    handle.write(text + "\n")
    except ForecastLabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
