"""What a model family declares: its name, label, explanation, layer builder and parameter count.

Families never import TensorFlow at module level, so the registry loads with the configs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Family:
    """One network family. build_stack turns the feature tensor (batch, lookback, channels) into
    the hidden tensor the heads read; count_stack gives (parameters, output width) of that stack
    for `channels` inputs per step, analytically, so the Model page needs no Keras."""

    name: str
    label: str
    explanation: str  # one line for the Model page
    layers_beyond_hidden: int  # layers besides config.hidden_layers (input, output)
    build_stack: Callable[[Any, Any], Any]  # (features, ModelConfig) -> hidden tensor
    count_stack: Callable[[int, int, Any], tuple[int, int]]  # (channels, lookback, config)
    in_sentence: str = ""  # the name mid-sentence ("bidirectional LSTM"); default: the label
    layer_noun: str = ""  # what its layers are called ("Dense" layers); default: the sentence name
    # Network and training settings (ModelConfig / TrainConfig field -> value) this family
    # starts with instead of the shared defaults, and why in one plain sentence; the Model page
    # applies them when the family is picked and says so, the bench trains the family with them.
    model_defaults: tuple[tuple[str, Any], ...] = ()
    training_defaults: tuple[tuple[str, Any], ...] = ()
    defaults_reason: str = ""

    @property
    def sentence_name(self) -> str:
        return self.in_sentence or self.label

    @property
    def layers_word(self) -> str:
        """The one word for the one layer count the app shows: "LSTM layers", "Dense layers"."""
        return f"{self.layer_noun or self.sentence_name} layers"

    def starting_model(self, model: Any) -> Any:
        """model (a ModelConfig) with this family's own starting values in place."""
        return model.replace(**dict(self.model_defaults)) if self.model_defaults else model

    def starting_training(self, train: Any) -> Any:
        """train (a TrainConfig) with this family's own starting values in place."""
        return train.replace(**dict(self.training_defaults)) if self.training_defaults else train

    def __post_init__(self) -> None:
        for attribute in ("name", "label", "explanation"):
            if not str(getattr(self, attribute)).strip():
                raise ValueError(f"model family '{self.name}' needs a non-empty {attribute}.")
        if not self.name.isidentifier():
            raise ValueError(f"model family name '{self.name}' must be a plain identifier.")
        declares = bool(self.model_defaults or self.training_defaults)
        if declares != bool(self.defaults_reason.strip()):
            raise ValueError(
                f"model family '{self.name}' must give a defaults_reason exactly when it declares "
                "model_defaults or training_defaults (the Model page shows why they differ)."
            )


def dense_parameters(inputs: int, units: int) -> int:
    """Weights and biases of a Dense layer."""
    return inputs * units + units


def add_dropout(hidden: Any, config: Any) -> Any:
    """Dropout after a layer when the config asks for it."""
    if config.dropout_rate <= 0:
        return hidden
    import keras  # lazy: TensorFlow loads only where a network is built

    return keras.layers.Dropout(config.dropout_rate)(hidden)
