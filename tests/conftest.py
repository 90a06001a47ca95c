"""Shared fixtures: an isolated FORECAST_LAB_HOME per test and the shared datasets folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own data home, so downloads and runs never leak between tests."""
    home = tmp_path / "forecast-lab-home"
    monkeypatch.setenv("FORECAST_LAB_HOME", str(home))
    return home


@pytest.fixture
def datasets() -> Path:
    """The real recorded market files; skip with a reason where the folder is absent."""
    if not DATASETS.is_dir():
        pytest.skip(f"shared datasets folder absent: expected {DATASETS}")
    return DATASETS
