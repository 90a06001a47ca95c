"""Bidirectional LSTM family: the first layer reads the window forwards and backwards (two LSTMs
side by side); the layers after it are forward LSTMs that read that two-way summary."""

from __future__ import annotations

from core.models.families import lstm
from core.models.families.recurrent import recurrent_family


def make_bidirectional_layer(units: int, activation: str, return_sequences: bool, name: str):
    import keras  # lazy: TensorFlow loads only where a network is built

    inner = keras.layers.LSTM(units, activation=activation, return_sequences=return_sequences)
    return keras.layers.Bidirectional(inner, name=name)


def bidirectional_parameters(inputs: int, units: int) -> int:
    return 2 * lstm.cell_parameters(inputs, units)


# Two-way in the first layer only reached the same error as two-way in every layer on the
# default series, in less time, since each two-way layer costs two LSTM passes (README,
# "Measured choices").
FAMILY = recurrent_family(
    name="bilstm",
    label="Bidirectional LSTM",
    explanation=(
        "Its first layer is two LSTMs reading the window forwards and backwards; the layers "
        "after it are ordinary LSTMs. More capacity than an LSTM, slower."
    ),
    make_layer=lstm.make_layer,
    cell_parameters=lstm.cell_parameters,
    in_sentence="bidirectional LSTM",
    first_layer=(make_bidirectional_layer, bidirectional_parameters, 2),  # both directions' states
)
