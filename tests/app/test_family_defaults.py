"""Model page: a family with its own starting values applies them when picked, says so, and
picking another family puts the shared values back."""

from __future__ import annotations

from core.config import ModelConfig, TrainConfig
from core.models.families import FAMILY_REGISTRY
from tests.app.conftest import assert_clean, open_page

OWN = [
    name
    for name, family in FAMILY_REGISTRY.items()
    if family.model_defaults or family.training_defaults
]
SHARED = [name for name in FAMILY_REGISTRY if name not in OWN]


def _own_values(family) -> dict[str, object]:
    """Widget key -> the family's own starting value."""
    return {
        **{f"w.model.{name}": value for name, value in family.model_defaults},
        **{f"w.train.{name}": value for name, value in family.training_defaults},
    }


def _shared_value(key: str) -> object:
    section, name = key.split(".")[1:]
    return getattr(ModelConfig() if section == "model" else TrainConfig(), name)


def test_picking_a_family_applies_its_own_starting_values_and_back():
    assert OWN and SHARED, "this test needs a family with its own values and one without"
    family = FAMILY_REGISTRY[OWN[0]]
    own = _own_values(family)
    at = open_page("pages/model.py")
    at.selectbox(key="w.model.family").set_value(OWN[0]).run()
    assert_clean(at)
    for key, value in own.items():
        assert at.session_state[key] == value
    assert any(family.defaults_reason in caption.value for caption in at.caption)
    at.selectbox(key="w.model.family").set_value(SHARED[0]).run()
    assert_clean(at)
    for key in own:
        assert at.session_state[key] == _shared_value(key)
