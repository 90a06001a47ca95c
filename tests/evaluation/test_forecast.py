"""Recursive forecasting feeds predictions back; future dates follow the series' calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.evaluation.forecast import forecast_recursive, future_dates, predict_next


def last_plus_one(window, training=False):
    """A stub model: next value = last value of the window + 1."""
    return np.array([[window[0, -1, 0] + 1.0]])


def window_mean(window):
    """A stub model without a training flag: next value = mean of the window."""
    return np.array([[window.mean()]])


class RecordingModel:
    """A stub that records every window it sees (to prove predictions are fed back)."""

    def __init__(self):
        self.windows: list[np.ndarray] = []

    def __call__(self, window, training=False):
        assert training is False
        self.windows.append(window.copy())
        return np.array([[window[0, -1, 0] * 2.0]])


def test_forecast_recursive_feeds_each_prediction_back():
    result = forecast_recursive(last_plus_one, np.array([0.1, 0.2, 0.3]), horizon=4)
    np.testing.assert_allclose(result, [1.3, 2.3, 3.3, 4.3], rtol=1e-6)


def test_forecast_recursive_with_window_mean_gives_exact_values():
    result = forecast_recursive(window_mean, np.array([[1.0], [2.0], [3.0]]), horizon=3)
    expected = [2.0, (2.0 + 3.0 + 2.0) / 3, (3.0 + 2.0 + 7 / 3) / 3]
    np.testing.assert_allclose(result, expected, rtol=1e-6)
    assert result.shape == (3,)


def test_forecast_recursive_slides_the_window():
    model = RecordingModel()
    result = forecast_recursive(model, np.array([1.0, 2.0]), horizon=3)
    np.testing.assert_allclose(result, [4.0, 8.0, 16.0])
    seen = [window.reshape(-1).tolist() for window in model.windows]
    assert seen == [[1.0, 2.0], [2.0, 4.0], [4.0, 8.0]]
    assert all(window.shape == (1, 2, 1) for window in model.windows)


def test_forecast_recursive_prefers_the_compiled_predict_on_batch():
    class KerasLike:
        def __call__(self, window, training=False):
            raise AssertionError("the slow eager call must not be used")

        def predict_on_batch(self, window):
            return np.array([[window[0, -1, 0] - 1.0]])

    np.testing.assert_allclose(forecast_recursive(KerasLike(), np.array([5.0]), 2), [4.0, 3.0])


def test_forecast_recursive_edge_cases():
    assert forecast_recursive(last_plus_one, np.zeros(5), horizon=0).shape == (0,)
    with pytest.raises(ValueError, match="horizon"):
        forecast_recursive(last_plus_one, np.zeros(5), horizon=-1)
    with pytest.raises(ValueError, match="last_window"):
        forecast_recursive(last_plus_one, np.zeros((5, 2)), horizon=2)
    with pytest.raises(ValueError, match="one value"):
        forecast_recursive(lambda window: np.ones((1, 3)), np.zeros(5), horizon=2)


def test_predict_next_flattens_and_keeps_class_probabilities():
    windows = np.arange(12, dtype=float).reshape(4, 3, 1)
    flat = predict_next(lambda batch: batch[:, -1, :] + 1, windows)
    np.testing.assert_allclose(flat, [3.0, 6.0, 9.0, 12.0])
    probabilities = predict_next(lambda batch: np.full((len(batch), 3), 1 / 3), windows)
    assert probabilities.shape == (4, 3)
    assert predict_next(lambda batch: batch, np.empty((0, 3, 1))).shape == (0,)


def test_future_dates_continue_on_calendar_days_when_weekends_are_present():
    dates = pd.date_range("2024-01-01", "2024-01-31", freq="D")  # includes weekends
    result = future_dates(dates, 5)
    assert list(result) == list(pd.date_range("2024-02-01", periods=5, freq="D"))
    assert result.name == "date"


def test_future_dates_continue_on_business_days_for_trading_day_series():
    dates = pd.bdate_range("2024-01-01", "2024-01-26")  # ends on a Friday
    result = future_dates(dates, 3)
    expected = [pd.Timestamp(day) for day in ("2024-01-29", "2024-01-30", "2024-01-31")]
    assert list(result) == expected
    assert not (result.dayofweek >= 5).any()


def test_future_dates_edge_cases():
    dates = pd.date_range("2024-01-01", periods=10, freq="D")
    assert len(future_dates(dates, 0)) == 0
    weekly = pd.date_range("2024-01-07", periods=10, freq="W")
    assert future_dates(weekly, 2)[0] == weekly[-1] + pd.Timedelta(days=7)
    with pytest.raises(ValueError, match="empty"):
        future_dates(pd.DatetimeIndex([]), 3)


def test_predict_next_and_recursion_on_a_real_keras_model():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    lookback = 4
    model = keras.Sequential(
        [keras.Input((lookback, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    windows = np.random.default_rng(0).random((6, lookback, 1)).astype("float32")
    batched = predict_next(model, windows)
    assert batched.shape == (6,)
    direct = np.asarray(model(windows, training=False)).reshape(-1)
    np.testing.assert_allclose(batched, direct, rtol=1e-5, atol=1e-6)

    forecast = forecast_recursive(model, windows[0, :, 0], horizon=3)
    window = windows[0, :, 0].tolist()
    expected = []
    for _ in range(3):  # the same recursion by hand, one predict per step
        inputs = np.array(window[-lookback:], dtype="float32").reshape(1, lookback, 1)
        value = float(model.predict(inputs, verbose=0)[0, 0])
        expected.append(value)
        window.append(value)
    np.testing.assert_allclose(forecast, expected, rtol=1e-5, atol=1e-6)
