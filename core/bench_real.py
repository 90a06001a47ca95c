"""Benchmark on real series cut into the repository (tests/fixtures/real/): the app's default
pipeline against its statistical peers, one step ahead on the same test points; prints a table.
Runs on a fresh clone: the CSV files ship with the repository."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import DataConfig, RunRequest
from core.data.sources import default_split_for, load_series
from core.data.upload import import_file
from core.runs.pipeline import run_experiment
from core.runs.store import RunStore

REAL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real"
PEERS = ("naive", "seasonal_naive", "linear_ar", "holt_winters", "ets")
PEER_HEADINGS = ("naive", "s.naive", "line", "HW", "ETS")


@dataclass(frozen=True)
class RealSeries:
    """A fixture, the column to forecast and whether it is (close to) a random walk, where
    nothing should beat tomorrow = today by much."""

    name: str
    file: str
    value_column: str | None = None
    random_walk: bool = False


SERIES = (
    RealSeries("AirPassengers", "air_passengers_monthly.csv"),
    RealSeries("CO2 weekly", "co2_weekly.csv"),
    RealSeries("sunspots yearly", "sunspots_yearly.csv"),
    RealSeries("Nile yearly", "nile_yearly.csv"),
    RealSeries("US real GDP", "macrodata_gdp_quarterly.csv", value_column="realgdp"),
    RealSeries("Seattle hourly", "seattle_temps_hourly.csv"),
    RealSeries("Seattle half-hourly", "seattle_temps_half_hourly_dst.csv"),
    RealSeries("S&P 500 daily", "sp500_close_2015_2024.csv", random_walk=True),
)


def default_request(entry: RealSeries):
    """The request the app makes for this file at its defaults (Data page -> Train)."""

    data = DataConfig(
        source="csv", csv_path=import_file(REAL / entry.file), value_column=entry.value_column
    )
    series = load_series(data)
    return RunRequest(data=data, split=default_split_for(data, series.frequency)), series


def bench_series(entry: RealSeries, store) -> dict[str, Any]:
    """One series through the app's pipeline (no run store copy): its MSE and every peer's."""

    request, series = default_request(entry)
    started = time.perf_counter()
    result = run_experiment(request, store=store, use_cache=False)
    seconds = time.perf_counter() - started
    peers = {
        name: scores.test.mse
        for name, scores in result.baselines.items()
        if not scores.failed and scores.test is not None
    }
    best = min(peers, key=peers.get)
    test_points = int((result.predictions["part"] == "test").sum())
    return {
        "series": entry.name,
        "frequency": series.frequency,
        "test_points": test_points,
        "app_mse": result.metrics.test.mse,
        "statistical_part_mse": result.metrics.linear_part_mse,
        "peers": peers,
        "best_peer": best,
        "ratio": result.metrics.test.mse / peers[best],
        "vs_naive": result.metrics.test.mse / peers["naive"],
        "random_walk": entry.random_walk,
        "seconds": seconds,
        "train_seconds": result.train_seconds,
        "recipe": getattr(result, "recipe", None),
    }


def _row(figures: dict[str, Any]) -> str:
    peers = " ".join(f"{figures['peers'].get(name, float('nan')):>10.4g}" for name in PEERS)
    return (
        f"{figures['series']:<20} {figures['frequency']:<11} {figures['test_points']:>5} "
        f"{figures['app_mse']:>10.4g} {peers} {figures['ratio']:>6.3f} {figures['best_peer']:<14} "
        f"{figures['vs_naive']:>6.3f} {_share(figures):>9} {figures['seconds']:>6.1f}"
    )


def network_adds(figures: dict[str, Any]) -> float | None:
    """What the network adds: the app's MSE over its own statistical part's alone (the frozen
    line of the hybrid, network branch at 0); below 1 the network adds skill, None without a
    statistical part."""
    part = figures.get("statistical_part_mse")
    return figures["app_mse"] / part if part else None


def _share(figures: dict[str, Any]) -> str:
    adds = network_adds(figures)
    return "-" if adds is None else f"{adds:.3f}"


def run_real_bench(
    out: Callable[[str], None] = print, names: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Every real series in one process (timings share the machine's load); prints the table
    and the median and worst ratio app / best peer."""

    heading = " ".join(f"{name:>10}" for name in PEER_HEADINGS)
    out(
        f"{'series':<20} {'frequency':<11} {'test':>5} {'app MSE':>10} {heading} "
        f"{'app/best':>6} {'best peer':<14} {'/naive':>6} {'net adds':>9} {'s':>6}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        store = RunStore(Path(folder))
        for entry in SERIES:
            if names and entry.name not in names:
                continue
            try:
                figures = bench_series(entry, store)
            except Exception as error:  # one refused file must not hide the others' figures
                out(f"{entry.name:<20} refused: {type(error).__name__}: {error}")
                rows.append({"series": entry.name, "error": f"{type(error).__name__}: {error}"})
                continue
            rows.append(figures)
            out(_row(figures))
    scored = [row for row in rows if "ratio" in row]
    summary: dict[str, Any] = {}
    if scored:
        ratios = [row["ratio"] for row in scored]
        worst = max(scored, key=lambda row: row["ratio"])
        losing = [
            row["series"] for row in scored if not row["random_walk"] and row["vs_naive"] >= 1
        ]
        adds = [value for value in map(network_adds, scored) if value is not None]
        summary = {
            "median_network_adds": statistics.median(adds) if adds else None,
            "median_ratio": statistics.median(ratios),
            "worst_ratio": worst["ratio"],
            "worst_series": worst["series"],
            "not_below_naive": losing,
        }
        out(
            f"app / best peer: median {summary['median_ratio']:.3f}x (target <= 1.05), worst "
            f"{summary['worst_ratio']:.3f}x on {worst['series']} (target <= 1.3); not below "
            f"naive (random walks aside): {', '.join(losing) or 'none'}; load average "
            f"{os.getloadavg()[0]:.2f}"
        )
        if adds:
            out(
                f"net adds (app / its own statistical part; below 1 = the network adds): median "
                f"{summary['median_network_adds']:.3f}, {sum(value < 0.99 for value in adds)} of "
                f"{len(adds)} series below 0.99"
            )
    return {"rows": rows, "summary": summary}


__all__ = [
    "SERIES",
    "RealSeries",
    "bench_series",
    "default_request",
    "network_adds",
    "run_real_bench",
]
