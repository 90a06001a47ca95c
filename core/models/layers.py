"""Small custom Keras layers that keep standardisation and the forecast recombination in the model.

Imported only by core.models.registry inside its builders, so it may import keras at module level.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="forecast_lab")
class Standardize(keras.layers.Layer):
    """(x - mean) / std with constants fixed at build time from the training windows."""

    def __init__(self, mean: float = 0.0, std: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.mean = float(mean)
        self.std = float(std)

    def call(self, inputs):
        return (inputs - self.mean) / self.std

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "std": self.std}


@keras.saving.register_keras_serializable(package="forecast_lab")
class CombineForecast(keras.layers.Layer):
    """Next scaled value = base + std * network output (+ linear autoregressive path).

    base is the window's last value when predicting the change, else the training mean, so the
    network only learns a standardised correction and starts near a sensible forecast.
    """

    def __init__(self, mean: float = 0.0, std: float = 1.0, predict_change: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.mean = float(mean)
        self.std = float(std)
        self.predict_change = bool(predict_change)

    def call(self, inputs):
        window, network, *rest = inputs
        base = window[:, -1, :] if self.predict_change else ops.full_like(network, self.mean)
        output = base + self.std * network
        for extra in rest:
            output = output + extra
        return output

    def compute_output_shape(self, input_shape):
        return input_shape[1]

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "mean": self.mean,
            "std": self.std,
            "predict_change": self.predict_change,
        }
