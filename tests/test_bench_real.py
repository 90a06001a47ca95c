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
