"""Model predictions: batched one-step predictions, recursive multi-step forecasts, future dates.

TensorFlow is never imported here: a model is a Keras model or any callable on a (batch,
lookback, 1) window returning one value per window, so the recursion is testable with stubs.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from core.data.series import next_dates

WHOLE_BATCH_LIMIT = 16_384  # windows predicted in one call; more go through model.predict


def _to_numpy(output: Any) -> np.ndarray:
    if hasattr(output, "numpy"):  # eager tensors
        output = output.numpy()
    return np.asarray(output, dtype=float)


def predict_next(model: Any, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """One-step predictions for a batch of windows (n, lookback, 1).

    A single-output model gives a flat (n,) array; a multi-output model (class probabilities)
    gives (n, outputs). Models without `predict` are called on the whole batch.
    """
    windows = np.asarray(x, dtype=np.float32)
    if windows.ndim == 2:
        windows = windows[..., np.newaxis]
    if windows.ndim != 3:
        raise ValueError(
            f"windows must have shape (n, lookback, 1); received shape {windows.shape}."
        )
    if len(windows) == 0:
        return np.empty(0, dtype=float)
    if hasattr(model, "predict_on_batch") and len(windows) <= WHOLE_BATCH_LIMIT:
        # One call of the compiled function recursive forecasts use too: after two window
        # counts TensorFlow traces it for any count, while `predict` builds a data pipeline per
        # call and traces a function of its own (slower per call, and a trace more per run).
        output = model.predict_on_batch(windows)
    elif hasattr(model, "predict"):
        output = model.predict(windows, batch_size=batch_size, verbose=0)
    else:
        output = model(windows)
    predictions = _to_numpy(output)
    if len(predictions) != len(windows):
        raise ValueError(
            f"the model returned {len(predictions)} predictions for {len(windows)} windows; "
            "it must return one row per window."
        )
    if predictions.ndim == 1 or predictions.shape[1:] in ((), (1,)):
        return predictions.reshape(-1)
    return predictions.reshape(len(windows), -1)


def _accepts_training_flag(model: Any) -> bool:
    try:
        parameters = inspect.signature(model).parameters.values()
    except (TypeError, ValueError):  # builtins and some C callables have no signature
        return False
    return any(
        parameter.name == "training" or parameter.kind is inspect.Parameter.VAR_KEYWORD
        for parameter in parameters
    )


def _single_window_function(model: Any) -> Callable[[np.ndarray], Any]:
    """The fastest way to run one window through `model` (see forecast_recursive)."""
    if hasattr(model, "predict_on_batch"):
        return model.predict_on_batch
    if _accepts_training_flag(model):
        return functools.partial(model, training=False)
    return model


def forecast_recursive(model: Any, last_window: np.ndarray, horizon: int) -> np.ndarray:
    """Forecast `horizon` steps past the window, feeding each prediction back as the next input.

    `last_window` holds the last `lookback` scaled values, shape (lookback,) or (lookback, 1);
    the result is scaled too. A Keras model is stepped with `predict_on_batch` (its compiled
    predict function: a few ms per step, where an eager `model(window)` call on a recurrent
    network takes hundreds and `model.predict` sets up a whole data pipeline per call); any
    other callable is called as `model(window, training=False)`, or `model(window)`.
    """
    if horizon < 0:
        raise ValueError(f"horizon must be 0 or more steps; received {horizon}.")
    window = np.asarray(last_window, dtype=np.float32)
    if window.ndim == 3 and window.shape[0] == 1:
        window = window[0]
    if window.ndim == 2 and window.shape[1] == 1:
        window = window[:, 0]
    if window.ndim != 1 or window.size == 0:
        raise ValueError(
            f"last_window must have shape (lookback,) or (lookback, 1); "
            f"received shape {np.shape(last_window)}."
        )
    if horizon == 0:
        return np.empty(0, dtype=float)

    step_model = _single_window_function(model)
    lookback = window.size
    # One buffer holding the window followed by the forecasts; each step reads the last
    # `lookback` values, so a prediction becomes input for the next step without copying.
    buffer = np.concatenate([window, np.zeros(horizon, dtype=np.float32)])
    for step in range(horizon):
        inputs = buffer[step : step + lookback].reshape(1, lookback, 1)
        output = _to_numpy(step_model(inputs))
        if output.size != 1:
            raise ValueError(
                f"recursive forecasting needs a model returning one value per window; "
                f"received output of shape {output.shape} (a classifier cannot be rolled forward)."
            )
        buffer[lookback + step] = output.reshape(-1)[0]
    return buffer[lookback:].astype(float)


def future_dates(
    dates: pd.DatetimeIndex, horizon: int, frequency: str | None = None
) -> pd.DatetimeIndex:
    """The `horizon` dates after the last one, in the series' own frequency
    (core.data.series.detect_frequency unless given): calendar days, business days (trading-day
    series such as the S&P 500), weeks, month ends or starts, quarters, years; irregular series
    continue with their median step.
    """

    if horizon < 0:
        raise ValueError(f"horizon must be 0 or more steps; received {horizon}.")
    index = pd.DatetimeIndex(dates)
    if len(index) == 0:
        raise ValueError("dates is empty; a forecast needs the series' last date.")
    if horizon == 0:
        return pd.DatetimeIndex([], dtype=index.dtype, name="date")
    return next_dates(index, horizon, frequency)
