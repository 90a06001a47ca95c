"""Python internals in one place: threading's exit hooks, which run before atexit's and before
concurrent.futures waits for its running tasks."""

from __future__ import annotations

import threading
from collections.abc import Callable


def register_before_thread_joins(hook: Callable[[], None]) -> bool:
    """Run hook at interpreter exit before concurrent.futures joins its worker threads (hooks
    run newest first), so a server stopped mid-task need not wait for the task. Private in
    Python 3.11 (threading._register_atexit); returns False where it is missing."""
    register = getattr(threading, "_register_atexit", None)
    if register is None:
        return False
    register(hook)
    return True


__all__ = ["register_before_thread_joins"]
