"""Shared fixtures: an isolated FORECAST_LAB_HOME per test and the recorded market files that
ship with the tests (tests/fixtures: small cuts of real downloads, see tests/fixtures/README.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own data home, so downloads and runs never leak between tests."""
    home = tmp_path / "forecast-lab-home"
    monkeypatch.setenv("FORECAST_LAB_HOME", str(home))
    return home


@pytest.fixture
def datasets() -> Path:
    """The folder of recorded market files cut from real downloads (part of the repository)."""
    return FIXTURES
