"""The stack every recurrent family shares: input, hidden and output layers of one cell kind.

A family module gives only its layer maker, the cell's parameter count and its output width,
and optionally a different first (input) layer, as the bidirectional LSTM does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.models.families.base import Family, add_dropout

LayerMaker = Callable[[int, str, bool, str], Any]  # (units, activation, sequences, name)
CellCount = Callable[[int, int], int]  # (inputs, units) -> one layer's weights


def layer_names(hidden_layers: int) -> list[str]:
    """The stack's layer names, input first; only the last returns its final state alone."""
    return (
        ["input_recurrent"]
        + [f"hidden_recurrent_{index + 1}" for index in range(hidden_layers)]
        + ["output_recurrent"]
    )


def recurrent_family(
    name: str,
    label: str,
    explanation: str,
    make_layer: LayerMaker,
    cell_parameters: CellCount,
    in_sentence: str = "",
    width_factor: int = 1,
    first_layer: tuple[LayerMaker, CellCount, int] | None = None,
    model_defaults: tuple[tuple[str, Any], ...] = (),
    training_defaults: tuple[tuple[str, Any], ...] = (),
    defaults_reason: str = "",
) -> Family:
    """A Family whose stack is input + hidden_layers + output recurrent layers; only the output
    layer returns its last state. cell_parameters(inputs, units) counts one layer's weights;
    width_factor is the output width per unit (2 for bidirectional layers). first_layer, when
    given, is (layer maker, cell count, width factor) of the input layer alone."""
    first_make, first_count, first_width = first_layer or (
        make_layer,
        cell_parameters,
        width_factor,
    )

    def build_stack(features: Any, config: Any) -> Any:
        names = layer_names(config.hidden_layers)
        hidden = features
        for position, layer_name in enumerate(names):
            last = position == len(names) - 1
            maker = first_make if position == 0 else make_layer
            layer = maker(config.units, config.activation, not last, layer_name)
            hidden = add_dropout(layer(hidden), config)
        return hidden

    def count_stack(channels: int, lookback: int, config: Any) -> tuple[int, int]:
        total = first_count(channels, config.units)
        width = first_width * config.units
        for _ in range(config.hidden_layers + 1):
            total += cell_parameters(width, config.units)
            width = width_factor * config.units
        return total, width

    return Family(
        name=name,
        label=label,
        explanation=explanation,
        layers_beyond_hidden=2,
        build_stack=build_stack,
        count_stack=count_stack,
        in_sentence=in_sentence,
        model_defaults=model_defaults,
        training_defaults=training_defaults,
        defaults_reason=defaults_reason,
    )
