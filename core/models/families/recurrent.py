"""The stack every recurrent family shares: input, hidden and output layers of one cell kind.

A family module gives only its layer maker, the cell's parameter count and its output width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.models.families.base import Family, add_dropout

LayerMaker = Callable[[int, str, bool, str], Any]  # (units, activation, sequences, name)


def recurrent_family(
    name: str,
    label: str,
    explanation: str,
    make_layer: LayerMaker,
    cell_parameters: Callable[[int, int], int],
    in_sentence: str = "",
    width_factor: int = 1,
) -> Family:
    """A Family whose stack is input + hidden_layers + output recurrent layers; only the output
    layer returns its last state. cell_parameters(inputs, units) counts one layer's weights;
    width_factor is the output width per unit (2 for bidirectional layers)."""

    def build_stack(features: Any, config: Any) -> Any:
        names = (
            ["input_recurrent"]
            + [f"hidden_recurrent_{index + 1}" for index in range(config.hidden_layers)]
            + ["output_recurrent"]
        )
        hidden = features
        for position, layer_name in enumerate(names):
            last = position == len(names) - 1
            layer = make_layer(config.units, config.activation, not last, layer_name)
            hidden = add_dropout(layer(hidden), config)
        return hidden

    def count_stack(channels: int, lookback: int, config: Any) -> tuple[int, int]:
        total, width = 0, channels
        for _ in range(config.hidden_layers + 2):
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
    )
