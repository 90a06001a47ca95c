"""Typed run results and the strict-JSON helper; the run store no longer needs the pipeline."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np

from core.json_values import json_ready, restore_nan
from core.results import SeriesInfo


def test_json_ready_writes_strict_json_and_restore_nan_reads_it_back():
    value = {"mse": float("nan"), "skill": np.float64(0.5), "steps": (1, 2), 3: float("inf")}
    text = json.dumps(json_ready(value), allow_nan=False)  # raises on any NaN left
    back = restore_nan(json.loads(text))
    assert math.isnan(back["mse"]) and back["skill"] == 0.5 and back["steps"] == [1, 2]
    assert math.isnan(back["3"])


def test_series_info_round_trips_and_ignores_unknown_keys():
    info = SeriesInfo(
        name="S&P 500",
        source="sp500",
        provider="yahoo",
        rows=10,
        first_date="2024-01-01",
        last_date="2024-01-12",
        notice="bundled copy",
    )
    again = SeriesInfo.from_dict({**json.loads(json.dumps(info.to_dict())), "extra": 1})
    assert again == info


def test_the_run_store_loads_without_importing_the_pipeline():
    code = "import sys, core.runs.store; print('core.runs.pipeline' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
