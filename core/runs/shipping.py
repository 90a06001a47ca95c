"""The uploaded file a task needs, read on the server and sent to the workers (a worker on
another machine cannot read the server's uploads folder; core.data.shipped registers it there):
a training's, and a stored run's (its forecast past the stored horizon, intervals, inside view).
It is sent once and kept on the workers for the run's other tasks (core.runs.sharing).
"""

from __future__ import annotations

import json

from core.config import DataConfig, RunRequest
from core.data.upload import display_name, read_bounded, resolve_upload
from core.errors import DataSourceError
from core.runs.sharing import Shared


def upload_of(data: DataConfig) -> dict[str, Shared] | None:
    """{content id: the upload} for the task reading `data` (None for the other sources): read
    and sent to the workers once, whatever the number of tasks naming it (core.runs.sharing);
    bounded by the upload limit, as every upload is."""

    if data.source != "csv" or not data.csv_path:
        return None
    path = resolve_upload(data.csv_path)

    def read() -> bytes:
        try:
            return read_bounded(path)
        except OSError as error:
            raise DataSourceError(
                f"could not read the uploaded file {display_name(path)} "
                f"({error.strerror or error}); upload it again."
            ) from error

    return {path.name: Shared(path.name, read)}


def packed_upload(files: dict[str, bytes]) -> dict[str, Shared] | None:
    """upload_of for a packed run (core.runs.store.RunStore.pack): its request says the data."""

    return upload_of(RunRequest.from_dict(json.loads(files["request.json"])).data)


__all__ = ["packed_upload", "upload_of"]
