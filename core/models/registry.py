"""Network assembly: features, the registered family's stack, the head; analytic parameter count.

Keras is imported inside the builders, so importing this module stays TensorFlow-free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from core.config import ModelConfig
from core.errors import ConfigError
from core.models.families import FAMILY_REGISTRY
from core.models.families.base import dense_parameters
from core.models.families.dense import INITIALIZERS
from core.models.features import NetworkConstants

if TYPE_CHECKING:
    import keras

NUM_CLASSES = 3
# Windows longer than this are read in blocks of whole weeks (7 steps), each step of the network
# one block, so a long window is a short sequence (26 to 51 steps): a year is 26 steps of 14 days,
# its oldest day left out. On the default series a year read in weekly blocks beat 90 or 182
# steps read one by one, and blocks that are not whole weeks lost most of the gain (the weekly
# pattern moves between channels); README, "Measured choices", has the figures.
BLOCK_FROM = 60
BLOCK_UNIT = 7
READ_STEPS = 26


def reading_block(config: ModelConfig, lookback: int) -> int:
    """Steps per input step of the network: 1, or whole weeks for a long forecasting window."""
    if config.task != "regression" or not config.predict_change or lookback <= BLOCK_FROM:
        return 1
    return BLOCK_UNIT * max(1, lookback // (BLOCK_UNIT * READ_STEPS))


def _network_branch(config: ModelConfig, features):
    """Optional Dense front layers, then the family's own stack (from the family registry)."""
    import keras  # lazy: TensorFlow loads only where a network is built

    hidden = features
    initializer = INITIALIZERS[config.activation]
    for index in range(config.dense_front_layers):
        hidden = keras.layers.Dense(
            config.units,
            activation=config.activation,
            kernel_initializer=initializer,
            name=f"front_dense_{index + 1}",
        )(hidden)
    return FAMILY_REGISTRY[config.family].build_stack(hidden, config)


def _linear_skip(config: ModelConfig, lookback: int, constants: NetworkConstants):
    """The LSTNet-style shortcut: a Dense(1) on the raw scaled window holding the least-squares
    AR, frozen: with the network branch at 0 the model forecasts exactly the linear AR, and the
    network learns only what the straight line misses. (Left trainable, measured: the
    optimiser's first steps at the default learning rate knock it off its optimum.)"""
    import keras  # lazy: TensorFlow loads only where a network is built

    coefficients = np.zeros(lookback)
    intercept = 0.0
    if constants.coefficients is not None:
        coefficients = np.asarray(constants.coefficients, dtype=float).reshape(-1).copy()
        intercept = float(constants.intercept)
        if coefficients.shape != (lookback,):
            raise ConfigError(
                f"the linear shortcut has {coefficients.size} coefficients for a window of "
                f"{lookback}; fit the least-squares AR on windows of the same length."
            )
    if config.predict_change:
        coefficients[-1] -= 1.0  # CombineForecast adds the last value back
    intercept -= constants.target_mean  # and the target mean
    return keras.layers.Dense(
        1,
        kernel_initializer=keras.initializers.Constant(coefficients.reshape(lookback, 1)),
        bias_initializer=keras.initializers.Constant(intercept),
        trainable=False,
        name="linear_skip",
    )


def _build(config: ModelConfig, lookback: int, constants: NetworkConstants) -> keras.Model:
    import keras  # lazy: TensorFlow loads only where a network is built

    from core.models.layers import CombineForecast, WindowFeatures  # imports Keras

    window = keras.Input(shape=(lookback, 1), name="window")
    features = WindowFeatures(
        constants.mode,
        constants.mean,
        constants.relative_scale,
        constants.offset,
        reading_block(config, lookback),
        name="features",
    )(window)
    hidden = _network_branch(config, features)

    if config.task == "classification":
        probabilities = keras.layers.Dense(NUM_CLASSES, activation="softmax", name="classes")(
            hidden
        )
        return keras.Model(window, probabilities, name=f"{config.family}_classifier")

    network = keras.layers.Dense(1, name="network_output")(hidden)
    parts = [window, network]
    if config.linear_skip:
        skip = _linear_skip(config, lookback, constants)
        parts.append(skip(keras.layers.Flatten(name="flatten_window")(window)))
    output = CombineForecast(
        constants.target_mean, constants.target_scale, config.predict_change, name="forecast"
    )(parts)
    return keras.Model(window, output, name=f"{config.family}_forecaster")


def linear_part(model: Any, windows: np.ndarray) -> np.ndarray | None:
    """The forecast of a regression model's linear shortcut alone (network branch set to 0), in
    scaled units, read from the saved model's linear_skip layer (the frozen least-squares AR);
    None without a shortcut."""
    get_layer = getattr(model, "get_layer", None)
    if get_layer is None:
        return None
    try:
        skip = get_layer("linear_skip")
        combine = get_layer("forecast")
    except ValueError:
        return None
    kernel, bias = (np.asarray(weight, dtype=np.float64) for weight in skip.get_weights())
    flat = np.asarray(windows, dtype=np.float64).reshape(len(windows), -1)
    output = flat @ kernel.reshape(-1) + float(bias.reshape(-1)[0]) + combine.target_mean
    if combine.predict_change:
        output = output + flat[:, -1]
    return output


def build_model(
    config: ModelConfig, lookback: int, *, constants: NetworkConstants | None = None
) -> keras.Model:
    """Build the network `config` describes: scaled windows (batch, lookback, 1) to the next
    scaled value (batch, 1) or up/flat/down probabilities (batch, 3). Features, target scaling
    and the optional shortcut live inside it, so a saved .keras file needs nothing else.
    `constants` are the train part's (core.training.trainer.model_constants); without them the
    network starts from identity-like ones. The family's own stack comes from
    core.models.families (ModelConfig accepts registered families only)."""
    if lookback < 1:
        raise ConfigError(f"look-back window ({lookback}) must be at least 1 step.")
    return _build(config, lookback, constants or NetworkConstants.neutral(config))


def count_parameters(config: ModelConfig, lookback: int) -> int:
    """Trainable + non-trainable parameter count of build_model(config, lookback), analytically."""
    total = 0
    width = reading_block(config, lookback)  # WindowFeatures: one channel, read in blocks
    steps = lookback // width  # the oldest values short of a whole block are left out
    for _ in range(config.dense_front_layers):
        total += dense_parameters(width, config.units)
        width = config.units
    stack, width = FAMILY_REGISTRY[config.family].count_stack(width, steps, config)
    total += stack
    if config.task == "classification":
        return total + dense_parameters(width, NUM_CLASSES)
    total += dense_parameters(width, 1)
    if config.linear_skip:
        total += dense_parameters(lookback, 1)
    return total


__all__ = [
    "NUM_CLASSES",
    "build_model",
    "count_parameters",
    "linear_part",
    "reading_block",
]
