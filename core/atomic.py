"""One way to write a file atomically: a temp file in the same folder, then os.replace, so a
reader (or a crash) never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from core.errors import disk_full


def write_atomic(path: Path, content: bytes | str) -> Path:
    """Write content (bytes, or text as UTF-8) to path in one step and return path. The temp
    file sits in path's folder (os.replace is atomic only within one file system) and is
    removed if anything fails, disk full included."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        handle, temp_name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        _raise_if_full(error, path)
        raise
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp_name, path)
    except BaseException as error:
        Path(temp_name).unlink(missing_ok=True)
        _raise_if_full(error, path)
        raise
    return path


def _raise_if_full(error: BaseException, path: Path) -> None:
    full = disk_full(error, path.name)
    if full is not None:
        raise full from error


__all__ = ["write_atomic"]
