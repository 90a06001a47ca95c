"""Plain words on screen, the technical name in the help (#20 item 9): the terms a teacher met
("Scaling headroom", "Validation share", "Share explained", "Bayesian (TPE)", "Correlated
(AR(1))", "Test mae scaled", "Hidden state of input recurrent") are gone from labels and titles,
and each technical name is still one hover away."""

from __future__ import annotations

from core.charts.experiments import _axis_title
from core.charts.inside import _layer_words
from core.config import DataConfig, SplitConfig
from core.evaluation.compare import SETTING_LABELS
from core.evaluation.verdict import METRIC_COLUMNS, METRIC_HELP
from core.settings import setting_of
from core.tuning.strategies import STRATEGIES

JARGON = ("headroom", "share", "tpe", "ar(1)", "mae scaled", "recurrent")


def _plain(label: str) -> bool:
    return not any(term in label.lower() for term in JARGON)


def test_labels_are_plain_and_the_help_names_the_term():
    margin = setting_of(SplitConfig, "scaling_margin")
    validation = setting_of(SplitConfig, "validation_fraction")
    noise = setting_of(DataConfig, "noise_kind")
    assert _plain(margin.label) and "scaling margin" in margin.help
    assert _plain(validation.label) and "validation fraction" in validation.help
    assert "AR(1)" in noise.help
    assert _plain(METRIC_COLUMNS["r2"]) and "R²" in METRIC_HELP["r2"]
    assert _plain(STRATEGIES["tpe"].label) and "TPE" in STRATEGIES["tpe"].description
    assert _plain(SETTING_LABELS["split.scaling_margin"])
    assert _plain(SETTING_LABELS["split.validation_fraction"])
    assert _axis_title("test_mae_scaled") == "Test error (MAE, 0..1 scale)"
    assert _layer_words("input_recurrent") == "first layer"
    assert _layer_words("hidden_recurrent_1") == "layer 2"
