"""Dense (feed-forward) family: the flattened window through input + hidden Dense layers."""

from __future__ import annotations

from typing import Any

from core.models.families.base import Family, add_dropout, dense_parameters

# He initialisation suits relu, Glorot (Keras' default) tanh and sigmoid.
INITIALIZERS = {"relu": "he_normal", "tanh": "glorot_uniform", "sigmoid": "glorot_uniform"}


def build_stack(features: Any, config: Any) -> Any:
    import keras  # lazy: TensorFlow loads only where a network is built

    hidden = keras.layers.Flatten(name="flatten")(features)
    for index in range(config.hidden_layers + 1):
        hidden = keras.layers.Dense(
            config.units,
            activation=config.activation,
            kernel_initializer=INITIALIZERS[config.activation],
            name="input_dense" if index == 0 else f"hidden_dense_{index}",
        )(hidden)
        hidden = add_dropout(hidden, config)
    return hidden


def count_stack(channels: int, lookback: int, config: Any) -> tuple[int, int]:
    total, width = 0, channels * lookback
    for _ in range(config.hidden_layers + 1):
        total += dense_parameters(width, config.units)
        width = config.units
    return total, width


FAMILY = Family(
    name="dense",
    label="Dense (feed-forward)",
    explanation="Looks at the whole window at once, with no notion of order; the simplest network.",
    layers_beyond_hidden=1,  # an input layer; no separate output layer
    build_stack=build_stack,
    count_stack=count_stack,
    in_sentence="Dense network",
    layer_noun="Dense",
)
