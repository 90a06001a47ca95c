"""SimpleRNN family: a plain recurrent layer with a short memory."""

from __future__ import annotations

from core.models.families.recurrent import recurrent_family


def make_layer(units: int, activation: str, return_sequences: bool, name: str):
    import keras  # lazy: TensorFlow loads only where a network is built

    return keras.layers.SimpleRNN(
        units, activation=activation, return_sequences=return_sequences, name=name
    )


def cell_parameters(inputs: int, units: int) -> int:
    return inputs * units + units * units + units


# At the shared learning rate of 0.01 and no dropout a SimpleRNN fits the training data's noise
# within a few epochs (training error below the noise floor, validation error rising), so early
# stopping keeps an early, rough epoch. A lower learning rate, with a little dropout, did best
# on the default series over several seeds (README, "Measured choices").
LEARNING_RATE = 0.001
DROPOUT_RATE = 0.1

FAMILY = recurrent_family(
    name="simple_rnn",
    label="SimpleRNN",
    explanation="Reads the window day by day with a short memory; fast but forgets quickly.",
    make_layer=make_layer,
    cell_parameters=cell_parameters,
    model_defaults=(("dropout_rate", DROPOUT_RATE),),
    training_defaults=(("learning_rate", LEARNING_RATE),),
    defaults_reason=(
        f"Unlike the other families it starts with a smaller learning rate ({LEARNING_RATE:g}) "
        f"and dropout {DROPOUT_RATE:g}: without them it soon memorises the random noise of the "
        "training data instead of learning the pattern."
    ),
)
