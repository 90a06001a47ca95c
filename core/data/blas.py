"""One BLAS thread for the small linear algebra of the window suggestion and the ridge line,
through one threadpoolctl controller built when this module is imported.

Building a controller walks the process's loaded libraries (dl_iterate_phdr) under the dynamic
loader's lock and imports Python modules from inside that walk. Built per call beside another
thread importing a C extension (a Dask worker's warm-up importing Keras), the two threads
deadlocked; a worker's preload imports this module before it starts any thread."""

from __future__ import annotations

import numpy  # noqa: F401  (loaded before the controller, so it sees their BLAS libraries)
import scipy.linalg  # noqa: F401
from threadpoolctl import ThreadpoolController

_CONTROLLER = ThreadpoolController()


def one_blas_thread():
    """A context manager: BLAS calls inside it use one thread."""
    return _CONTROLLER.limit(limits=1, user_api="blas")
