"""Bidirectional LSTM family: two LSTMs read the window forwards and backwards."""

from __future__ import annotations

from core.models.families.lstm import cell_parameters as lstm_cell_parameters
from core.models.families.recurrent import recurrent_family


def make_layer(units: int, activation: str, return_sequences: bool, name: str):
    import keras

    inner = keras.layers.LSTM(units, activation=activation, return_sequences=return_sequences)
    return keras.layers.Bidirectional(inner, name=name)


def cell_parameters(inputs: int, units: int) -> int:
    return 2 * lstm_cell_parameters(inputs, units)


FAMILY = recurrent_family(
    name="bilstm",
    label="Bidirectional LSTM",
    explanation="Two LSTMs read the window forwards and backwards; more capacity, slower.",
    make_layer=make_layer,
    cell_parameters=cell_parameters,
    in_sentence="bidirectional LSTM",
    width_factor=2,  # forwards and backwards states side by side
)
