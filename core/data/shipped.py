"""Uploaded files that travel with a task to a Dask worker, which may run on another machine and
not see the server's uploads folder: the server reads the upload a request names
(core.runs.worker), the task registers it here by its content id while it runs (shipped), and
core.data.upload reads a registered file before looking in the local uploads folder.

An upload's name begins with the sha256 prefix of its bytes (core.data.upload.save_upload), so
a name means the same bytes everywhere: a file whose bytes do not match its name is refused,
and tasks running at once on one worker may share an entry.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from core.errors import DataSourceError

_lock = threading.Lock()
_files: dict[str, bytes] = {}
_users: Counter[str] = Counter()


@contextmanager
def shipped(files: dict[str, bytes] | None) -> Iterator[None]:
    """In a worker: the uploads a task brought are readable by their content id while it runs."""
    files = files or {}
    for name, content in files.items():
        if name[16:17] != "_" or hashlib.sha256(content).hexdigest()[:16] != name[:16]:
            raise DataSourceError(f"the upload {name[:60]!r} arrived damaged; train again.")
    with _lock:
        for name, content in files.items():
            _files[name] = content
            _users[name] += 1
    try:
        yield
    finally:
        with _lock:
            for name in files:
                _users[name] -= 1
                if _users[name] <= 0:
                    del _users[name]
                    _files.pop(name, None)


def shipped_bytes(name: str) -> bytes | None:
    """The bytes of an upload a running task brought, if one did."""
    with _lock:
        return _files.get(name)


__all__ = ["shipped", "shipped_bytes"]
