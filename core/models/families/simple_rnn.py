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


# Measured on the default series over seeds 0-4 (2 layers of 32, window 30): at the shared
# learning rate of 0.01 a SimpleRNN fits the training data's noise within a few epochs (training
# error below the noise floor, validation error rising), so early stopping keeps an early,
# rough epoch: 1.28-1.35x the noise floor on average, up to 1.5x. At 0.001 it averages 1.24x
# (at most 1.29x); 0.0005 gave the same, 0.002 1.27x.
LEARNING_RATE = 0.001

FAMILY = recurrent_family(
    name="simple_rnn",
    label="SimpleRNN",
    explanation="Reads the window day by day with a short memory; fast but forgets quickly.",
    make_layer=make_layer,
    cell_parameters=cell_parameters,
    training_defaults=(("learning_rate", LEARNING_RATE),),
    defaults_reason=(
        f"It starts with a smaller learning rate ({LEARNING_RATE:g}) than the other families: "
        "with bigger steps it soon starts memorising the random noise of the training data "
        "instead of the pattern."
    ),
)
