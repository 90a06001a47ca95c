"""`python -m core bench --real` reads only files in the repository: every listed series loads
from tests/fixtures/real/ and prepares with the app's default split (no training here)."""

from __future__ import annotations

import pytest

from core.bench_real import REAL, SERIES, default_request
from core.data.prepare import prepare


@pytest.mark.parametrize("entry", SERIES, ids=[entry.name for entry in SERIES])
def test_every_benchmark_series_ships_with_the_repository_and_prepares(entry):
    assert (REAL / entry.file).is_file()
    request, series = default_request(entry)
    prepared = prepare(series, request.split, request.model)
    assert len(prepared.test_index) >= 20 and len(prepared.x_train) >= 50
    assert series.frequency != "irregular"


def test_the_table_says_what_the_network_adds_over_its_own_statistical_part(monkeypatch):
    import statistics

    from core import bench_real

    parts = {entry.name: (index + 1.0, 0.5 + index) for index, entry in enumerate(SERIES[:3])}

    def fake(entry, store):  # no training: the figures one series' run gives back
        app, part = parts[entry.name]
        return {
            "series": entry.name,
            "frequency": "monthly",
            "test_points": 20,
            "app_mse": app,
            "statistical_part_mse": part,
            "peers": {"naive": 2 * app},
            "best_peer": "naive",
            "ratio": 0.5,
            "vs_naive": 0.5,
            "random_walk": False,
            "seconds": 0.0,
        }

    monkeypatch.setattr(bench_real, "bench_series", fake)
    lines: list[str] = []
    summary = bench_real.run_real_bench(lines.append, tuple(parts))["summary"]
    expected = statistics.median(app / part for app, part in parts.values())
    assert summary["median_network_adds"] == pytest.approx(expected)
    assert "net adds" in lines[0]
    assert any(f"median {expected:.3f}" in line for line in lines if line.startswith("net adds"))
