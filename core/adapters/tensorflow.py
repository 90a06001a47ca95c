"""TensorFlow internals in one place: its global gradient registry, which a long-lived training
process empties between networks, and the environment variables its thread pools read. Importing
this module does not import TensorFlow."""

from __future__ import annotations

import sys

CUSTOM_GRADIENT_PREFIX = "CustomGradient-"
# Read by TensorFlow when it makes its thread pools, at a process's first op.
INTRA_OP_ENV = "TF_NUM_INTRAOP_THREADS"
INTER_OP_ENV = "TF_NUM_INTEROP_THREADS"


def thread_environment(intra_op_threads: int) -> dict[str, str]:
    """Environment variables that give each op `intra_op_threads` threads and run ops one at a
    time, whatever runs a process's first op (set before it): unlike tf.config.threading, they
    need no import of TensorFlow and cannot come too late for the pools."""
    return {INTRA_OP_ENV: str(max(1, int(intra_op_threads))), INTER_OP_ENV: "1"}


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
