"""Pool tasks behind the Results page's extra views, so the page server never loads a model:
intervals for runs saved before they existed, and the inside view of one test window."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.runs.store import RunStore


def _stored_run(store_root: str, key: str, home: str | None):
    from core.runs.store import RunStore

    if home:  # uploads and downloads live in the submitting server's home
        os.environ["FORECAST_LAB_HOME"] = home
    return RunStore(Path(store_root)), RunStore(Path(store_root)).load(key)


def intervals_stored(store_root: str, key: str, home: str | None = None) -> dict[str, Any]:
    """In a worker: calibrate a stored run's intervals and save them with the run."""
    from core.runs.pipeline import intervals_run

    store, result = _stored_run(store_root, key, home)
    if result is None:
        return {}
    if not result.intervals:
        result.intervals = intervals_run(result)
        store.save_intervals(key, result.intervals)
    return result.intervals


def inspect_stored(
    store_root: str, key: str, window_end: str | None, home: str | None = None
) -> dict[str, Any]:
    """In a worker: the inside view of a stored run for the window ending on `window_end`."""
    from core.errors import ConfigError
    from core.training.inside_view import inspect_run

    _, result = _stored_run(store_root, key, home)
    if result is None:
        raise ConfigError(f"run {key} is no longer in the run store; train it again.")
    return inspect_run(result, window_end)


def in_pool(function_name: str, store: RunStore, *args: Any) -> Any:
    """Run one of this module's tasks in the warm pool for a store of this server's home."""
    from core.paths import home_dir
    from core.training import pool

    function = {"intervals": intervals_stored, "inspect": inspect_stored}[function_name]
    return pool.run(function, str(store.root), *args, home=str(home_dir()))


__all__ = ["in_pool", "inspect_stored", "intervals_stored"]
