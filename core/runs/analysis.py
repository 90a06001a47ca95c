"""Worker tasks behind the Results page's extra views, so the page server never loads a model:
intervals for runs saved before they existed, and the inside view of one test window. The run's
files (and its upload, if it was trained on one) go along with the task (the worker may be on
another machine)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.data.series import unit
from core.errors import ConfigError
from core.runs import cluster
from core.runs.pipeline import intervals_run, load_prepared
from core.runs.shipping import packed_upload
from core.runs.store import load_model, unpacked
from core.training.inside_view import inspect_window, window_end_dates

if TYPE_CHECKING:
    from core.runs.store import RunStore


def intervals_stored(
    files: dict[str, bytes], key: str, upload: dict[str, bytes] | None = None
) -> dict[str, Any]:
    """In a worker: calibrate a stored run's intervals (the server saves them with the run)."""

    with unpacked(key, files, upload) as result:
        return result.intervals or intervals_run(result)


def inspect_stored(
    files: dict[str, bytes],
    key: str,
    window_end: str | None,
    upload: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    """In a worker: the inside view of a stored run for the window ending on `window_end`."""

    with unpacked(key, files, upload) as result:
        return inspect_run(result, window_end)


def inspect_run(result: Any, window_end: str | None = None) -> dict[str, Any]:
    """inspect_window for a saved run (its model loaded from the run store); the last test
    window when no date is given."""

    if result.task != "regression" or result.model_path is None:
        raise ConfigError("the inside view needs a saved forecasting (regression) run.")
    prepared = load_prepared(result.request)
    ends = window_end_dates(prepared)
    chosen = window_end or ends[-1].strftime("%Y-%m-%d")
    return inspect_window(
        load_model(result.model_path),
        prepared,
        result.request.model.family,
        chosen,
        unit(prepared.series.frequency, 1),
    )


def in_pool(function_name: str, store: RunStore, key: str, *args: Any) -> Any:
    """Run one of this module's tasks on a worker for a run of this server's store."""

    if not store.has(key):
        if function_name == "intervals":
            return {}
        raise ConfigError(f"run {key} is no longer in the run store; train it again.")
    function = {"intervals": intervals_stored, "inspect": inspect_stored}[function_name]
    files = store.pack(key)
    answer = cluster.run(
        function, files, key, *args, lane=cluster.QUICK, upload=packed_upload(files)
    )
    if function_name == "intervals" and answer:
        store.save_intervals(key, answer)
    return answer


__all__ = ["in_pool", "inspect_run", "inspect_stored", "intervals_stored"]
