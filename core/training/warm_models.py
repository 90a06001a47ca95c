"""Warm networks: a process keeps the last few compiled networks it has finished with, so the
next training of the same architecture re-uses their traced training step instead of tracing a
new one (about 2 s for a two-layer LSTM on 2 cores: most of the wait for the first epoch).

Re-use is exact: the warm network takes every variable of a freshly built, seeded network (its
initial weights, its random-generator state) and the fresh one's train-part constants, and its
optimizer starts from zero, as a new one would. Only networks handed back with `release` are
re-used, so a network a caller still holds is never changed under it. Each Dask worker warms the
default network when it starts (core.runs.preload), which makes "Try the demo" start at once.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

KEEP = 2  # warm networks kept per process, least recently used dropped first
_ATTRIBUTE = "_forecast_lab_warm_signature"
_lock = threading.Lock()
_warm: OrderedDict[str, Any] = OrderedDict()


def signature(model_config: Any, lookback: int, feature_mode: str, train_config: Any) -> str:
    """What fixes a network's compiled graph: its whole model configuration, the window length,
    the feature mode and the optimizer (the rate, the schedule, batch size and data do not)."""
    return json.dumps(
        {
            "model": model_config.to_dict(),
            "lookback": int(lookback),
            "feature_mode": feature_mode,
            "optimizer": train_config.optimizer,
        },
        sort_keys=True,
    )


def take(key: str, fresh: Any, learning_rate: float) -> Any | None:
    """A warm network for `key` set to the state of `fresh` (a new, uncompiled network of the
    same architecture), or None when there is none or it does not match."""
    with _lock:
        warm = _warm.pop(key, None)
    if warm is None:
        return None
    warm_variables, fresh_variables = list(warm.variables), list(fresh.variables)
    warm_layers = [layer for layer in warm.layers if hasattr(layer, "constants")]
    fresh_layers = [layer for layer in fresh.layers if hasattr(layer, "constants")]
    shapes_match = len(warm_variables) == len(fresh_variables) and all(
        tuple(a.shape) == tuple(b.shape)
        for a, b in zip(warm_variables, fresh_variables, strict=True)
    )
    if not shapes_match or len(warm_layers) != len(fresh_layers):
        return None
    for target, source in zip(warm_variables, fresh_variables, strict=True):
        target.assign(source)
    for target, source in zip(warm_layers, fresh_layers, strict=True):
        target.constants.assign(source.constants.values())
    optimizer = warm.optimizer
    rate = getattr(optimizer, "_learning_rate", None)
    for variable in optimizer.variables:
        if variable is rate:
            variable.assign(learning_rate)
        else:
            variable.assign(variable.numpy() * 0)
    return warm


def mark(model: Any, key: str) -> None:
    """Note which signature a compiled network was trained under (release files it there)."""
    setattr(model, _ATTRIBUTE, key)


def release(model: Any) -> None:
    """Hand a finished network back for re-use (its owner must not use it afterwards)."""
    key = getattr(model, _ATTRIBUTE, None)
    if key is None:
        return
    with _lock:
        _warm[key] = model
        _warm.move_to_end(key)
        while len(_warm) > KEEP:
            _warm.popitem(last=False)


def forget() -> None:
    """Drop every warm network (tests; a worker about to be recycled needs nothing)."""
    with _lock:
        _warm.clear()


def has(key: str) -> bool:
    with _lock:
        return key in _warm


def count() -> int:
    with _lock:
        return len(_warm)


__all__ = ["KEEP", "count", "forget", "has", "mark", "release", "signature", "take"]
