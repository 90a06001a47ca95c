"""Strict JSON for run files and CLI output: NaN and infinities become null, and back again."""

from __future__ import annotations

import math
from typing import Any


def json_ready(value: Any) -> Any:
    """A copy of value that json.dumps writes as strict JSON: NaN/inf -> None, numpy scalars ->
    Python numbers, tuples -> lists, dict keys -> strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return json_ready(value.item())
    return value


def restore_nan(value: Any) -> Any:
    """The inverse for numbers read back: None -> NaN, inside dicts and lists."""
    if value is None:
        return float("nan")
    if isinstance(value, dict):
        return {key: restore_nan(item) for key, item in value.items()}
    if isinstance(value, list):
        return [restore_nan(item) for item in value]
    return value
