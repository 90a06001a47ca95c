"""The uploaded file a task needs, read on the server to travel with the task (a worker on
another machine cannot read the server's uploads folder; core.data.shipped registers it there):
a training's, and a stored run's (its forecast past the stored horizon, intervals, inside view).
"""

from __future__ import annotations

import json

from core.config import DataConfig, RunRequest
from core.data.upload import display_name, read_bounded, resolve_upload
from core.errors import DataSourceError


def upload_of(data: DataConfig) -> dict[str, bytes] | None:
    """{content id: bytes} of the upload `data` reads (None for the other sources); bounded by
    the upload limit, as every upload is."""

    if data.source != "csv" or not data.csv_path:
        return None
    path = resolve_upload(data.csv_path)
    try:
        return {path.name: read_bounded(path)}
    except OSError as error:
        raise DataSourceError(
            f"could not read the uploaded file {display_name(path)} ({error.strerror or error}); "
            "upload it again."
        ) from error


def packed_upload(files: dict[str, bytes]) -> dict[str, bytes] | None:
    """upload_of for a packed run (core.runs.store.RunStore.pack): its request says the data."""

    return upload_of(RunRequest.from_dict(json.loads(files["request.json"])).data)


__all__ = ["packed_upload", "upload_of"]
