"""The one-BLAS-thread limit reuses the controller built at import: building one per call walks
the loaded libraries under the loader's lock, which deadlocked beside a thread importing Keras."""

from __future__ import annotations

import numpy as np
import pytest
import threadpoolctl

from core.data import ridge, window
from core.data.blas import one_blas_thread


@pytest.fixture
def no_new_controllers(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a threadpoolctl controller was built during a call")

    monkeypatch.setattr(threadpoolctl.ThreadpoolController, "__init__", refuse)


def test_the_limit_builds_no_controller(no_new_controllers):
    with one_blas_thread() as limiter:
        for library in limiter.get_original_num_threads().values():
            assert library is None or library >= 1


def test_the_ridge_line_builds_no_controller(no_new_controllers):
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(200, 12)).cumsum(axis=1)
    ridge.fit_ridge(windows, windows[:, -1] + rng.normal(size=200))


def test_the_window_suggestion_uses_the_shared_limit():
    assert window.one_blas_thread is one_blas_thread and ridge.one_blas_thread is one_blas_thread
