"""Contract tests over every data source: label, loader, presets and a tiny load, offline."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from core.config import DataConfig, SplitConfig
from core.data.sources import SOURCE_REGISTRY, default_split_for, load_series, source_title
from core.data.sources.base import FORMS, Source
from core.data.upload import save_upload
from core.errors import DataSourceError

CSV_TEXT = "date,close\n" + "".join(
    f"{date:%Y-%m-%d},{100 + index}\n"
    for index, date in enumerate(pd.date_range("2024-01-01", periods=90))
)


def _settings_for(source: Source) -> dict:
    """What a user must give before the source can load (an uploaded file)."""
    if source.needs_file:
        return {"csv_path": str(save_upload(CSV_TEXT.encode(), "prices.csv"))}
    return {}


@pytest.fixture
def offline(monkeypatch):
    """Downloads fail, so market sources take their announced fallback (the bundled snapshot)."""
    import core.data.market as market

    def refuse(*args, **kwargs):
        raise DataSourceError("offline in tests")

    monkeypatch.setattr(market, "fetch_prices", refuse)


@pytest.mark.parametrize("name", sorted(SOURCE_REGISTRY))
def test_every_source_declares_a_label_a_form_its_fields_and_presets(name):
    source = SOURCE_REGISTRY[name]
    assert source.name == name
    assert source.label.strip() and source.picker_label.strip() and source.explanation.strip()
    assert source.form in FORMS
    field_names = {item.name for item in dataclasses.fields(DataConfig)}
    assert set(source.fields) <= field_names
    assert callable(source.load)
    data = SOURCE_REGISTRY[name].default_data(**_settings_for(source))
    assert data.source == name
    assert isinstance(default_split_for(data), SplitConfig)
    assert source.summarize(data).strip()
    assert source_title(data).startswith(source.label)


@pytest.mark.parametrize("name", sorted(SOURCE_REGISTRY))
def test_every_source_loads_a_series_offline(name, offline):
    source = SOURCE_REGISTRY[name]
    data = SOURCE_REGISTRY[name].default_data(**_settings_for(source))
    if name == "synthetic":
        data = data.replace(length=120)
    series = load_series(data)
    assert len(series) > 20
    assert series.source == name


def test_a_source_without_an_explanation_is_refused_at_registration():
    synthetic = SOURCE_REGISTRY["synthetic"]
    with pytest.raises(ValueError, match="explanation"):
        dataclasses.replace(synthetic, explanation="")


def test_the_bitcoin_preset_keeps_given_settings_over_its_own():
    data = SOURCE_REGISTRY["btc"].default_data(start_date="2022-01-01")
    assert data.start_date == "2022-01-01" and data.end_date is None
    assert SOURCE_REGISTRY["btc"].default_data(end_date="2024-12-31").end_date == "2024-12-31"


def test_the_configs_list_every_registered_source_and_which_need_a_file():
    # DataConfig sits below the sources, so it names them itself (core.data_config.SOURCES)
    from core.data_config import FILE_SOURCES, SOURCES

    assert SOURCES == tuple(SOURCE_REGISTRY), "add the new source's name to SOURCES as well"
    assert FILE_SOURCES == tuple(name for name, s in SOURCE_REGISTRY.items() if s.needs_file)
