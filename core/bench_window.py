"""How long the look-back suggestion (core.data.window.suggest_lookback) takes on long series:
`python -m core.bench_window` prints the median of five calls per length (target: 0.5 s for
10,000 rows) and the window each suggests."""

from __future__ import annotations

import os
import statistics
import time

from core.config import DataConfig, SplitConfig
from core.data.synthetic import generate_series
from core.data.window import suggest_lookback

LENGTHS = (2555, 10_000, 50_000)
REPEATS = 5


def main() -> None:
    split = SplitConfig(method="fraction", test_fraction=0.2)
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}")
    for length in LENGTHS:
        series = generate_series(DataConfig(length=length))
        seconds = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            suggestion = suggest_lookback(series, split)
            seconds.append(time.perf_counter() - started)
        print(
            f"{length:>7,} rows: median {statistics.median(seconds):.3f} s "
            f"(min {min(seconds):.3f}, max {max(seconds):.3f}) -> window {suggestion.lookback}"
        )


if __name__ == "__main__":
    main()
