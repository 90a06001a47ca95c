"""Where each network is warm: a worker that traced a network (a head start) or trained it keeps
it compiled (core.training.warm_models), so the next training of that architecture starts at
once there and traces it again (about 2 s) anywhere else. The cluster sends such a training to
that worker when it is free; when it is busy, to any free worker, never to wait for that one."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

REMEMBERED = 256  # architectures remembered, least recently started forgotten first


def warmth_key(request: Any) -> str:
    """What fixes a request's compiled network, as the server sees it: the model, the window,
    the optimizer and the data (which sets the network's input mode; core.models.features)."""
    return json.dumps(
        {
            "data": request.data.to_dict(),
            "lookback": request.split.lookback,
            "model": request.model.to_dict(),
            "optimizer": request.train.optimizer,
        },
        sort_keys=True,
        default=str,
    )


class WarmPlaces:
    """The worker each architecture last started on (a head start or a training)."""

    def __init__(self) -> None:
        self._worker_of: OrderedDict[str, str] = OrderedDict()

    def started(self, key: str | None, worker: str | None) -> None:
        if key is None or worker is None:
            return
        self._worker_of.pop(key, None)
        self._worker_of[key] = worker
        while len(self._worker_of) > REMEMBERED:
            self._worker_of.popitem(last=False)

    def preferred(self, key: str | None, *tasks: Mapping[Any, Any]) -> str | None:
        """The worker where `key` is warm, unless one of `tasks` (the cluster's, by number) holds
        it: its turn come and not ended, started there or sent there (counted from the moment it
        was chosen, before Dask has it). None: any free worker."""
        worker = self._worker_of.get(key) if key is not None else None
        busy = {
            task.worker or task.bound
            for running in tasks
            for task in running.values()
            if task.submitted.is_set() and not task.ended.is_set()
        }
        return None if worker is None or worker in busy else worker
