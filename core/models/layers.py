"""Small custom Keras layers that keep feature making and the forecast recombination in the model.

Imported only by core.models.registry inside its builders, so it may import keras at module level.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

FEATURE_MODES = ("change", "level", "return")


class _Constants:
    """Train-part constants a layer computes with, held in one TensorFlow variable that Keras
    does not track: they are not weights (not counted, not in the .keras weight file, which
    keeps them in the layer config), but a compiled training step reads them at run time, so
    a warm network (core.training.warm_models) can be re-used on another series without
    re-tracing."""

    def __init__(self, *values: float) -> None:
        self.variable = tf.Variable([float(value) for value in values], trainable=False)

    def __getitem__(self, position: int):
        return self.variable[position]

    def values(self) -> list[float]:
        return [float(value) for value in self.variable.numpy()]

    def assign(self, values) -> None:
        self.variable.assign([float(value) for value in values])


@keras.saving.register_keras_serializable(package="forecast_lab")
class WindowFeatures(keras.layers.Layer):
    """One standardised channel per step of a scaled window (batch, lookback, 1):

    - "change": the window relative to its last value;
    - "level": the window around the training mean (for models that predict the level);
    - "return": log prices relative to the last one, i.e. the returns since each day (prices
      are scaled + offset, offset = the scaler's minimum over its span, so they stay positive).

    Networks see how the series moves, at a scale near 1, whatever its level or units: that is
    what lets them learn in a few epochs without a linear shortcut.
    """

    def __init__(
        self,
        mode: str = "change",
        mean: float = 0.0,
        relative_scale: float = 1.0,
        offset: float = 0.0,
        block: int = 1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if mode not in FEATURE_MODES:
            raise ValueError(f"feature mode '{mode}' is not one of {', '.join(FEATURE_MODES)}.")
        self.mode = mode
        self.block = max(1, int(block))
        self.constants = _Constants(mean, relative_scale, offset)

    @property
    def mean(self) -> float:
        return self.constants.values()[0]

    @property
    def relative_scale(self) -> float:
        return self.constants.values()[1]

    @property
    def offset(self) -> float:
        return self.constants.values()[2]

    def call(self, inputs):
        mean, relative_scale, offset = (self.constants[position] for position in range(3))
        values = inputs
        if self.mode == "return":
            values = ops.log(ops.maximum(inputs + offset, 1e-9))
        if self.mode == "level":
            return (values - mean) / relative_scale
        # One channel: a second one of step changes is a noisier copy of the same information
        # and made every family overfit when measured (README, "Measured choices").
        relative = (values - values[:, -1:, :]) / relative_scale
        if self.block == 1:
            return relative
        # Read in blocks: each step is `block` consecutive values, so a long window is a short
        # sequence; the oldest values short of a whole block are left out (padding them with
        # copies measured worse).
        steps = inputs.shape[1] // self.block
        return ops.reshape(relative[:, -steps * self.block :, :], (-1, steps, self.block))

    def compute_output_shape(self, input_shape):
        if self.block == 1:
            return input_shape
        return (input_shape[0], input_shape[1] // self.block, self.block)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "mode": self.mode,
            "mean": self.mean,
            "relative_scale": self.relative_scale,
            "offset": self.offset,
            "block": self.block,
        }


@keras.saving.register_keras_serializable(package="forecast_lab")
class CombineForecast(keras.layers.Layer):
    """Next scaled value = base + target_mean + target_scale * network (+ linear shortcut).

    base is the window's last value when predicting the change, else 0, so the network learns a
    standardised target (mean 0, spread 1 on the train windows) and its output layer can start
    at a normal initial scale.
    """

    def __init__(
        self,
        target_mean: float = 0.0,
        target_scale: float = 1.0,
        predict_change: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.constants = _Constants(target_mean, target_scale)
        self.predict_change = bool(predict_change)

    @property
    def target_mean(self) -> float:
        return self.constants.values()[0]

    @property
    def target_scale(self) -> float:
        return self.constants.values()[1]

    def call(self, inputs):
        window, network, *rest = inputs
        output = self.constants[0] + self.constants[1] * network
        if self.predict_change:
            output = output + window[:, -1, :]
        for extra in rest:
            output = output + extra
        return output

    def compute_output_shape(self, input_shape):
        return input_shape[1]

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "target_mean": self.target_mean,
            "target_scale": self.target_scale,
            "predict_change": self.predict_change,
        }
