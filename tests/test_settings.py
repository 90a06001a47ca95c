"""Every config field declares its setting (label, help, choices, range), and the CLI shows it."""

from __future__ import annotations

import dataclasses

import pytest

from core.__main__ import SECTIONS, build_parser
from core.config import DataConfig, ModelConfig, SplitConfig, TrainConfig
from core.errors import ConfigError
from core.settings import METADATA_KEY, Setting, setting_of

CONFIGS = (DataConfig, SplitConfig, ModelConfig, TrainConfig)
FIELDS = [(config, item.name) for config in CONFIGS for item in dataclasses.fields(config)]


@pytest.mark.parametrize(
    ("config", "name"), FIELDS, ids=lambda value: getattr(value, "__name__", value)
)
def test_every_field_declares_a_label_and_help(config, name):
    declared = setting_of(config, name)
    assert isinstance(declared, Setting), f"{config.__name__}.{name} has no declaration"
    assert declared.label.strip() and len(declared.help.strip()) > 10
    if declared.low is not None and declared.high is not None:
        assert declared.low <= declared.high
    default = getattr(config(), name)
    declared.check(default)  # the default itself is accepted


@pytest.mark.parametrize(
    ("config", "name"), FIELDS, ids=lambda value: getattr(value, "__name__", value)
)
def test_validation_reads_the_declared_range_and_choices(config, name):
    declared = setting_of(config, name)
    if declared.choice_names:
        with pytest.raises(ConfigError, match=declared.label):
            declared.check("no-such-choice")
    if declared.high is not None:
        with pytest.raises(ConfigError, match="must be between"):
            declared.check(declared.high * 2 + 1)


def _train_help(capsys) -> str:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_train_help_gives_every_flag_its_declared_help_and_no_placeholder_metavar(capsys):
    text = _train_help(capsys)
    for section, config in SECTIONS.items():
        for item in dataclasses.fields(config):
            if (section, item.name) == ("model", "hidden_layers"):
                continue  # hidden from --help: --layers counts the family's layers instead
            declared = item.metadata[METADATA_KEY]
            assert " ".join(declared.help.split())[:30] in text, (
                f"--help lost {section}.{item.name}"
            )
    assert "__" not in text  # no SPLIT__LOOKBACK-style metavars
    assert "default: X" not in text
    assert ".;" not in text and ". ." not in text  # whole sentences


def test_train_help_names_each_sources_preset_where_they_differ(capsys):
    text = _train_help(capsys)
    assert "btc 5.0" in text  # scaling margin: Bitcoin's preset differs from the others
    assert "(465 = one year plus 100 days). From 1 to 1,000,000 steps. Default per source:" in text
    assert "btc 2020-10-28" in text
