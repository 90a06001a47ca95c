"""Network registry: family name -> Keras model builder, plus an analytic parameter count.

Keras is imported inside the builders so `import core.models.registry` stays TensorFlow-free.
A model maps scaled windows (batch, lookback, 1) to the next scaled value (batch, 1), or to
up/flat/down probabilities (batch, 3); standardisation, predict-change and the linear skip path
live inside the model, so a saved .keras file needs nothing else to predict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from core.config import FAMILIES, ModelConfig
from core.errors import ConfigError

if TYPE_CHECKING:
    import keras

NUM_CLASSES = 3
# The recurrent/dense branch's output starts this small, so a model with a linear skip path
# initialised from least squares begins at the AR solution instead of at random noise.
BRANCH_OUTPUT_SCALE = 0.01


def _recurrent_layer(family: str, units: int, activation: str, return_sequences: bool, name: str):
    import keras

    if family == "simple_rnn":
        return keras.layers.SimpleRNN(
            units, activation=activation, return_sequences=return_sequences, name=name
        )
    if family == "lstm":
        return keras.layers.LSTM(
            units, activation=activation, return_sequences=return_sequences, name=name
        )
    if family == "gru":
        return keras.layers.GRU(
            units, activation=activation, return_sequences=return_sequences, name=name
        )
    if family == "bilstm":
        inner = keras.layers.LSTM(units, activation=activation, return_sequences=return_sequences)
        return keras.layers.Bidirectional(inner, name=name)
    raise ConfigError(f"'{family}' is not a recurrent family; pick one of {', '.join(FAMILIES)}.")


def _window_statistics(linear_init: dict | None) -> tuple[float, float]:
    if not linear_init:
        return 0.0, 1.0
    mean = float(linear_init.get("mean", 0.0))
    std = float(linear_init.get("std", 1.0))
    return mean, (std if std > 1e-12 else 1.0)


def _build(config: ModelConfig, lookback: int, linear_init: dict | None) -> keras.Model:
    import keras

    from core.models.layers import CombineForecast, Standardize

    mean, std = _window_statistics(linear_init)
    window = keras.Input(shape=(lookback, 1), name="window")
    hidden = Standardize(mean, std, name="standardize")(window)
    for index in range(config.dense_front_layers):
        hidden = keras.layers.Dense(
            config.units, activation=config.activation, name=f"front_dense_{index + 1}"
        )(hidden)
    if config.family == "dense":
        hidden = keras.layers.Flatten(name="flatten")(hidden)
        for index in range(config.hidden_layers + 1):
            name = "input_dense" if index == 0 else f"hidden_dense_{index}"
            hidden = keras.layers.Dense(config.units, activation=config.activation, name=name)(
                hidden
            )
            if config.dropout_rate > 0:
                hidden = keras.layers.Dropout(config.dropout_rate)(hidden)
    else:
        names = (
            ["input_recurrent"]
            + [f"hidden_recurrent_{index + 1}" for index in range(config.hidden_layers)]
            + ["output_recurrent"]
        )
        for position, name in enumerate(names):
            last = position == len(names) - 1
            layer = _recurrent_layer(config.family, config.units, config.activation, not last, name)
            hidden = layer(hidden)
            if config.dropout_rate > 0:
                hidden = keras.layers.Dropout(config.dropout_rate)(hidden)

    if config.task == "classification":
        probabilities = keras.layers.Dense(NUM_CLASSES, activation="softmax", name="classes")(
            hidden
        )
        return keras.Model(window, probabilities, name=f"{config.family}_classifier")

    small = keras.initializers.RandomNormal(stddev=BRANCH_OUTPUT_SCALE / np.sqrt(config.units))
    network = keras.layers.Dense(1, kernel_initializer=small, name="network_output")(hidden)
    parts = [window, network]
    if config.linear_skip:
        coefficients = np.zeros(lookback)
        intercept = 0.0
        if linear_init and linear_init.get("coefficients") is not None:
            coefficients = np.asarray(linear_init["coefficients"], dtype=float).reshape(-1)
            intercept = float(linear_init.get("intercept", 0.0))
            if coefficients.shape != (lookback,):
                raise ConfigError(
                    f"linear_init has {coefficients.size} coefficients for a window of "
                    f"{lookback}; fit the least-squares AR on windows of the same length."
                )
        if config.predict_change:
            coefficients = coefficients.copy()
            coefficients[-1] -= 1.0  # the model adds the last value back
        if not config.predict_change:
            intercept -= mean  # the model adds the training mean back
        skip = keras.layers.Dense(
            1,
            kernel_initializer=keras.initializers.Constant(coefficients.reshape(lookback, 1)),
            bias_initializer=keras.initializers.Constant(intercept),
            name="linear_skip",
        )(keras.layers.Flatten(name="flatten_window")(window))
        parts.append(skip)
    output = CombineForecast(mean, std, config.predict_change, name="forecast")(parts)
    return keras.Model(window, output, name=f"{config.family}_forecaster")


def _builder(family: str) -> Callable[[ModelConfig, int, dict | None], Any]:
    def build(config: ModelConfig, lookback: int, linear_init: dict | None = None):
        if config.family != family:
            config = config.replace(family=family)
        return _build(config, lookback, linear_init)

    build.__name__ = f"build_{family}"
    build.__doc__ = f"Build the {family} network for windows of `lookback` steps."
    return build


MODEL_BUILDERS: dict[str, Callable[[ModelConfig, int, dict | None], Any]] = {
    family: _builder(family) for family in FAMILIES
}


def build_model(
    config: ModelConfig, lookback: int, *, linear_init: dict | None = None
) -> keras.Model:
    """Build the network `config` describes; linear_init may hold least-squares AR coefficients
    ("coefficients", "intercept") and window statistics ("mean", "std") from the train part."""
    if config.family not in MODEL_BUILDERS:
        raise ConfigError(
            f"model family '{config.family}' is not registered; pick one of "
            f"{', '.join(MODEL_BUILDERS)}."
        )
    if lookback < 1:
        raise ConfigError(f"look-back window ({lookback}) must be at least 1 step.")
    return MODEL_BUILDERS[config.family](config, lookback, linear_init)


def _dense_parameters(inputs: int, units: int) -> int:
    return inputs * units + units


def _recurrent_parameters(family: str, inputs: int, units: int) -> int:
    if family == "simple_rnn":
        return inputs * units + units * units + units
    if family in ("lstm", "bilstm"):
        single = 4 * (inputs * units + units * units + units)
        return 2 * single if family == "bilstm" else single
    if family == "gru":  # Keras 3 default reset_after=True keeps two bias vectors
        return 3 * (inputs * units + units * units + 2 * units)
    raise ConfigError(f"'{family}' is not a recurrent family.")


def count_parameters(config: ModelConfig, lookback: int) -> int:
    """Trainable + non-trainable parameter count of build_model(config, lookback), analytically."""
    units = config.units
    total = 0
    features = 1
    for _ in range(config.dense_front_layers):
        total += _dense_parameters(features, units)
        features = units
    if config.family == "dense":
        features = features * lookback
        for _ in range(config.hidden_layers + 1):
            total += _dense_parameters(features, units)
            features = units
    else:
        for _ in range(config.hidden_layers + 2):
            total += _recurrent_parameters(config.family, features, units)
            features = 2 * units if config.family == "bilstm" else units
    if config.task == "classification":
        return total + _dense_parameters(features, NUM_CLASSES)
    total += _dense_parameters(features, 1)
    if config.linear_skip:
        total += _dense_parameters(lookback, 1)
    return total


__all__ = ["MODEL_BUILDERS", "build_model", "count_parameters", "NUM_CLASSES"]
