"""Model page: a family with its own training starting values applies them when picked, says so,
and picking another family puts the shared values back."""

from __future__ import annotations

from core.config import TrainConfig
from core.models.families import FAMILY_REGISTRY
from tests.app.conftest import assert_clean, open_page

OWN = [name for name, family in FAMILY_REGISTRY.items() if family.training_defaults]
SHARED = [name for name, family in FAMILY_REGISTRY.items() if not family.training_defaults]


def test_picking_a_family_applies_its_own_learning_rate_and_back():
    assert OWN and SHARED, "this test needs a family with its own values and one without"
    family = FAMILY_REGISTRY[OWN[0]]
    own = dict(family.training_defaults)
    at = open_page("pages/model.py")
    at.selectbox(key="w.model.family").set_value(OWN[0]).run()
    assert_clean(at)
    for name, value in own.items():
        assert at.session_state[f"w.train.{name}"] == value
    assert any(family.defaults_reason in caption.value for caption in at.caption)
    at.selectbox(key="w.model.family").set_value(SHARED[0]).run()
    assert_clean(at)
    for name in own:
        assert at.session_state[f"w.train.{name}"] == getattr(TrainConfig(), name)
