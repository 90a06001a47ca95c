"""What one request may cost, checked before any work starts: the size and rows of an upload,
the room all uploads may take, and the memory a training's series, windows and network need.

Each limit is a setting (an environment variable) with a default sized for the machine."""

from __future__ import annotations

import os

MEGABYTE = 2**20
UPLOAD_MEGABYTES_ENV = "FORECAST_LAB_MAX_UPLOAD_MB"
UPLOAD_ROWS_ENV = "FORECAST_LAB_MAX_UPLOAD_ROWS"
UPLOADS_QUOTA_ENV = "FORECAST_LAB_UPLOADS_QUOTA_MB"
MEMORY_BUDGET_ENV = "FORECAST_LAB_MEMORY_BUDGET_MB"

DEFAULT_UPLOAD_MEGABYTES = 50  # as .streamlit/config.toml's maxUploadSize
DEFAULT_UPLOAD_ROWS = 200_000  # the longest synthetic series (DataConfig.length's high)
DEFAULT_UPLOADS_QUOTA_MEGABYTES = 500


def _number_from_env(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


def max_upload_bytes() -> int:
    """The largest file an upload (or a --csv on the command line) may be."""
    return int(_number_from_env(UPLOAD_MEGABYTES_ENV, DEFAULT_UPLOAD_MEGABYTES) * MEGABYTE)


def max_upload_rows() -> int:
    """The most lines an uploaded file may hold."""
    return int(_number_from_env(UPLOAD_ROWS_ENV, DEFAULT_UPLOAD_ROWS))


def uploads_quota_bytes() -> int:
    """The room every stored upload together may take in the uploads folder."""
    return int(_number_from_env(UPLOADS_QUOTA_ENV, DEFAULT_UPLOADS_QUOTA_MEGABYTES) * MEGABYTE)


def megabytes(count: float) -> str:
    """A byte count for people: '50 MB', '1.4 GB'."""
    if count >= 1024 * MEGABYTE:
        return f"{count / (1024 * MEGABYTE):.1f} GB"
    return f"{count / MEGABYTE:.0f} MB"


__all__ = [
    "max_upload_bytes",
    "max_upload_rows",
    "megabytes",
    "uploads_quota_bytes",
]
