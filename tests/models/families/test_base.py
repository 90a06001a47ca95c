"""What a family declares: its own starting values come with a plain reason."""

from __future__ import annotations

import pytest

from core.config import ModelConfig, TrainConfig
from core.models.families import FAMILY_REGISTRY
from core.models.families.base import Family


def _family(**extra) -> Family:
    return Family(
        name="tiny",
        label="Tiny",
        explanation="A test family.",
        layers_beyond_hidden=1,
        build_stack=lambda features, config: features,
        count_stack=lambda channels, lookback, config: (0, channels),
        **extra,
    )


def test_own_training_values_need_a_reason_and_a_reason_needs_values():
    with pytest.raises(ValueError, match="defaults_reason"):
        _family(training_defaults=(("learning_rate", 0.001),))
    with pytest.raises(ValueError, match="defaults_reason"):
        _family(model_defaults=(("dropout_rate", 0.1),))
    with pytest.raises(ValueError, match="defaults_reason"):
        _family(defaults_reason="It learns slower.")


def test_starting_values_put_the_family_values_in_place():
    family = _family(
        model_defaults=(("dropout_rate", 0.2),),
        training_defaults=(("learning_rate", 0.002),),
        defaults_reason="Slower.",
    )
    started = family.starting_training(TrainConfig(epochs=3))
    assert started.learning_rate == 0.002 and started.epochs == 3
    model = family.starting_model(ModelConfig(units=4))
    assert model.dropout_rate == 0.2 and model.units == 4
    assert _family().starting_training(TrainConfig(epochs=3)) == TrainConfig(epochs=3)
    assert _family().starting_model(ModelConfig(units=4)) == ModelConfig(units=4)


@pytest.mark.parametrize("family", sorted(FAMILY_REGISTRY))
def test_every_declared_starting_value_is_a_valid_training_setting(family):
    entry = FAMILY_REGISTRY[family]
    started = entry.starting_training(TrainConfig())  # validates like any TrainConfig
    for name, value in entry.training_defaults:
        assert getattr(started, name) == value
    model = entry.starting_model(ModelConfig(family=family))  # and like any ModelConfig
    for name, value in entry.model_defaults:
        assert getattr(model, name) == value
