"""One home directory for downloads, runs, uploads and studies (FORECAST_LAB_HOME overrides it)."""

from __future__ import annotations

import os
from pathlib import Path


def home_dir() -> Path:
    """The data home: $FORECAST_LAB_HOME, else the user's cache dir (~/.cache/forecast-lab)."""
    override = os.environ.get("FORECAST_LAB_HOME")
    if override:
        path = Path(override).expanduser()
    else:
        cache_root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(cache_root) / "forecast-lab"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sub_dir(name: str) -> Path:
    """A named folder under the home dir (downloads, runs, uploads, studies), created on demand."""
    path = home_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
