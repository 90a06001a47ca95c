"""Files sent to the Dask workers once and kept there for every task that needs them (an upload
a run trains on: each sweep point, backtest cut-off and forecast of the run names the same
bytes), instead of being read and sent again with each task.

A task's arguments name such a file with Shared(name, read); core.runs.cluster swaps it for a
Dask future before submitting, and the worker's task receives the bytes. `name` must say the
content (an upload's name begins with the sha256 of its bytes, core.data.upload), so one
name is one set of bytes everywhere. The file is scattered to every worker (a worker that
joins later fetches it from one that has it), so losing a worker loses no run's file; the
last KEPT files stay, older ones are released once no task holds them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KEPT = 4  # files kept on the workers (each at most the upload limit)


@dataclass(frozen=True)
class Shared:
    """Bytes named by their content, read on the server only when no worker keeps them."""

    name: str
    read: Callable[[], bytes]


class SharedFiles:
    """The futures of the files sent to the workers, newest last (thread-safe)."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self.sent = 0  # how many times a file was read and sent (once per file, unless lost)
        self._futures: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def resolve(self, client: Any, value: Any) -> Any:
        """`value` with every Shared in it (in dicts, lists, tuples) swapped for its future."""
        if isinstance(value, Shared):
            return self._future(client, value)
        if isinstance(value, dict):
            return {key: self.resolve(client, item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.resolve(client, item) for item in value)
        return value

    def _future(self, client: Any, shared: Shared) -> Any:
        with self._lock:
            future = self._futures.get(shared.name)
            if future is not None and future.status == "finished":
                self._futures.move_to_end(shared.name)
                return future
        future = client.scatter(shared.read(), broadcast=True, hash=False)
        with self._lock:
            self.sent += 1
            self._futures[shared.name] = future
            self._futures.move_to_end(shared.name)
            while len(self._futures) > self.kept:
                self._futures.popitem(last=False)  # released once no task needs it
        return future


__all__ = ["KEPT", "Shared", "SharedFiles"]
