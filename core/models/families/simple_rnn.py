"""SimpleRNN family: a plain recurrent layer with a short memory."""

from __future__ import annotations

from core.models.families.recurrent import recurrent_family


def make_layer(units: int, activation: str, return_sequences: bool, name: str):
    import keras

    return keras.layers.SimpleRNN(
        units, activation=activation, return_sequences=return_sequences, name=name
    )


def cell_parameters(inputs: int, units: int) -> int:
    return inputs * units + units * units + units


FAMILY = recurrent_family(
    name="simple_rnn",
    label="SimpleRNN",
    explanation="Reads the window day by day with a short memory; fast but forgets quickly.",
    make_layer=make_layer,
    cell_parameters=cell_parameters,
)
