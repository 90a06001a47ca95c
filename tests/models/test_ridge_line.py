"""The linear shortcut's ridge line: its strength chosen by blocked cross-validation, so a long
window with few training rows stops fitting noise (the plain least-squares line did)."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig, SplitConfig
from core.data.prepare import prepare
from core.data.ridge import RIDGE_SHARES, fit_ridge
from core.data.synthetic import generate_series
from core.models.forecasters.linear_ar import fit_linear_ar, fit_ridge_line


def _test_mse(prepared, fit: dict) -> float:
    windows = np.asarray(prepared.x_test, float).reshape(len(prepared.x_test), -1)
    predicted = prepared.scaler.inverse(windows @ fit["coefficients"] + fit["intercept"])
    return float(np.mean((predicted - prepared.values_test) ** 2))


@pytest.fixture(scope="module")
def long_window():
    """91 coefficients from about 210 training rows of a noisy weekly series."""
    config = DataConfig(
        length=400, seasonal_periods=(7.0,), seasonal_amplitudes=(5.0,), noise_level=2.0, seed=4
    )
    return prepare(generate_series(config), SplitConfig(lookback=90, test_size=100))


def test_ridge_line_beats_the_least_squares_line_on_unseen_points(long_window):
    ridge = fit_ridge_line(long_window)
    plain = fit_linear_ar(long_window)
    assert ridge["share"] in RIDGE_SHARES
    assert _test_mse(long_window, ridge) < 0.9 * _test_mse(long_window, plain)


def test_ridge_line_keeps_the_strength_that_cross_validates_best(long_window):
    windows = np.asarray(long_window.x_train, float).reshape(len(long_window.x_train), -1)
    line = fit_ridge(windows, long_window.y_train)
    assert line.share == min(line.scores, key=line.scores.get)
    assert line.scores[line.share] < line.scores[RIDGE_SHARES[0]] or line.share == RIDGE_SHARES[0]


def test_ridge_line_reads_raw_windows_like_the_shortcut_does():
    """Fitted on windows relative to their last value, returned on raw windows: a noiseless
    line next = 0.5 * last + 0.3 * previous + 0.1 is recovered (no strength helps it: the plain
    least-squares line is kept)."""
    rng = np.random.default_rng(0)
    windows = rng.uniform(0, 1, size=(400, 3))
    targets = 0.5 * windows[:, -1] + 0.3 * windows[:, -2] + 0.1
    line = fit_ridge(windows, targets)
    assert line.share == 0.0
    predicted = windows @ line.coefficients + line.intercept
    assert np.abs(predicted - targets).max() < 0.01
