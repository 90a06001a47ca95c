"""The bidirectional LSTM family: two-way first layer, forward LSTM layers after it."""

from __future__ import annotations

import pytest

from core.config import ModelConfig
from core.models.registry import build_model, count_parameters


@pytest.mark.parametrize("hidden_layers", [0, 2])
def test_only_the_first_layer_reads_both_ways(hidden_layers):
    config = ModelConfig(family="bilstm", units=4, hidden_layers=hidden_layers)
    model = build_model(config, 6)
    recurrent = [layer for layer in model.layers if "recurrent" in layer.name]
    assert len(recurrent) == hidden_layers + 2
    assert [type(layer).__name__ for layer in recurrent] == ["Bidirectional"] + ["LSTM"] * (
        hidden_layers + 1
    )
    assert recurrent[0].output.shape[-1] == 8  # forward and backward states side by side
    assert recurrent[-1].output.shape[-1] == 4
    assert count_parameters(config, 6) == model.count_params()
