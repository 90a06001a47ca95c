"""GRU family: a leaner gated recurrent layer (update and reset gates)."""

from __future__ import annotations

from core.models.families.recurrent import recurrent_family


def make_layer(units: int, activation: str, return_sequences: bool, name: str):
    import keras  # lazy: TensorFlow loads only where a network is built

    return keras.layers.GRU(
        units, activation=activation, return_sequences=return_sequences, name=name
    )


def cell_parameters(inputs: int, units: int) -> int:
    # Keras 3's default reset_after=True keeps two bias vectors per gate.
    return 3 * (inputs * units + units * units + 2 * units)


FAMILY = recurrent_family(
    name="gru",
    label="GRU",
    explanation="A leaner LSTM with fewer gates; often as good and a little faster.",
    make_layer=make_layer,
    cell_parameters=cell_parameters,
)
