"""The straight line: least-squares linear autoregression on the network's own window."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.data.ridge import fit_ridge
from core.errors import ConfigError
from core.models.forecasters.base import Forecaster

if TYPE_CHECKING:
    from core.data.prepare import Prepared


def _train_windows(prepared: Prepared) -> tuple[np.ndarray, np.ndarray]:
    windows = np.asarray(prepared.x_train, dtype=float).reshape(len(prepared.x_train), -1)
    targets = np.asarray(prepared.y_train, dtype=float).reshape(-1)
    if len(windows) < 2:
        raise ConfigError(
            f"the linear AR baseline needs at least 2 training windows, got {len(windows)}; "
            "lengthen the series or shorten the look-back window."
        )
    return windows, targets


def fit_ridge_line(prepared: Prepared) -> dict:
    """The networks' linear shortcut: a ridge line of the next scaled value on the scaled window
    (train windows), its strength chosen by blocked cross-validation (core.data.ridge, the
    window suggestion's mechanism). Plain least squares overfitted long windows (README,
    "Measured choices").

    Returns {"coefficients": (lookback,), "intercept": float, "share": strength kept}.
    """
    line = fit_ridge(*_train_windows(prepared))
    return {"coefficients": line.coefficients, "intercept": line.intercept, "share": line.share}


def fit_linear_ar(prepared: Prepared) -> dict:
    """Least squares with intercept of the next scaled value on the scaled window (train windows).

    Returns {"coefficients": (lookback,), "intercept": float}: the straight-line peer.
    """
    windows, targets = _train_windows(prepared)
    design = np.hstack([windows, np.ones((len(windows), 1))])
    solution, *_ = np.linalg.lstsq(design, targets, rcond=None)
    return {"coefficients": solution[:-1], "intercept": float(solution[-1])}


class LinearAR(Forecaster):
    name = "linear_ar"
    label = "Straight-line rule"
    explanation = "linear AR: a least-squares linear autoregression on the same look-back window"

    fitted: dict | None = None

    def fit(self, prepared: Prepared) -> LinearAR:
        self.fitted = fit_linear_ar(prepared)
        return self

    def _next_scaled(self, windows: np.ndarray) -> np.ndarray:
        assert self.fitted is not None, "fit first"
        return windows @ self.fitted["coefficients"] + self.fitted["intercept"]

    def predict_one_step(self, prepared: Prepared) -> np.ndarray:
        windows = np.asarray(prepared.x_test, dtype=float).reshape(len(prepared.x_test), -1)
        return np.asarray(prepared.scaler.inverse(self._next_scaled(windows)), dtype=float)

    def predict_recursive(self, prepared: Prepared, horizon: int) -> np.ndarray:
        window = list(np.asarray(prepared.scaled, dtype=float)[-prepared.lookback :])
        out = []
        for _ in range(int(horizon)):
            value = float(self._next_scaled(np.asarray(window[-prepared.lookback :])))
            out.append(value)
            window.append(value)
        return np.asarray(prepared.scaler.inverse(np.asarray(out)), dtype=float)
