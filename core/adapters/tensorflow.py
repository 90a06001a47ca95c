"""TensorFlow internals in one place: its global gradient registry, which a long-lived training
process empties between networks. Importing this module does not import TensorFlow."""

from __future__ import annotations

import sys

CUSTOM_GRADIENT_PREFIX = "CustomGradient-"


def gradient_registry() -> dict | None:
    """TensorFlow's registry of gradient functions (op type -> function), or None when
    TensorFlow is not loaded in this process or keeps it elsewhere."""
    ops = sys.modules.get("tensorflow.python.framework.ops")
    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


def forget_custom_gradients() -> int:
    """Drop the custom gradient functions traced steps registered; returns how many.

    Every traced training step registers a gradient function for the optimizer's (one-replica)
    gradient sum in this registry, which TensorFlow never empties; each holds the whole traced
    graph of a network long gone. The registry is only read
    while a step is being traced, so emptying it between tasks is safe."""
    registry = gradient_registry()
    if registry is None:
        return 0
    names = [name for name in registry if name.startswith(CUSTOM_GRADIENT_PREFIX)]
    for name in names:
        del registry[name]
    return len(names)


__all__ = ["forget_custom_gradients", "gradient_registry"]
