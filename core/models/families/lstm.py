"""LSTM family: recurrent layers with input, forget and output gates."""

from __future__ import annotations

from core.models.families.recurrent import recurrent_family


def make_layer(units: int, activation: str, return_sequences: bool, name: str):
    import keras  # lazy: TensorFlow loads only where a network is built

    return keras.layers.LSTM(
        units, activation=activation, return_sequences=return_sequences, name=name
    )


def cell_parameters(inputs: int, units: int) -> int:
    return 4 * (inputs * units + units * units + units)


FAMILY = recurrent_family(
    name="lstm",
    label="LSTM",
    explanation="Reads day by day with gates that decide what to remember; the classic choice.",
    make_layer=make_layer,
    cell_parameters=cell_parameters,
)
