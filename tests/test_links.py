"""Shareable links: RunRequest <-> URL query parameters round-trip, defaults stay out of the URL,
bad values are ignored and reported instead of crashing."""

from __future__ import annotations

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.links import request_from_query, request_to_query


def test_default_request_has_an_empty_query():
    assert request_to_query(RunRequest()) == {}
    assert request_from_query({}).request == RunRequest()


def test_round_trip_of_every_kind_of_field():
    request = RunRequest(
        data=DataConfig(
            length=400,
            seasonal_periods=(30.0,),
            seasonal_amplitudes=(2.5,),
            noise_kind="ar1",
            seed=7,
        ),
        split=SplitConfig(method="fraction", test_fraction=0.25, scaling_scope="full_series"),
        model=ModelConfig(family="gru", units=4, linear_skip=False, task="classification"),
        train=TrainConfig(epochs=2, learning_rate=0.0005, max_seconds=30.0, seed=3),
        horizon=12,
    )
    query = request_to_query(request)
    assert query["model.family"] == "gru"
    assert query["data.seasonal_periods"] == "30"
    assert query["model.linear_skip"] == "false"
    assert "model.activation" not in query  # defaults stay out of the link
    assert all(isinstance(value, str) for value in query.values())
    parsed = request_from_query(query)
    assert parsed.ignored == ()
    assert parsed.request == request


def test_market_dates_and_none_values_round_trip():
    request = RunRequest(
        data=DataConfig(source="btc", provider="cdd", start_date="2020-10-28"),
        split=SplitConfig(method="calendar_year", test_year=2024, scaling_margin=5.0),
    )
    assert request_from_query(request_to_query(request)).request == request


def test_unknown_and_invalid_parameters_are_ignored_and_reported():
    parsed = request_from_query(
        {
            "model.units": "lots",
            "model.colour": "blue",
            "train.epochs": "5",
            "job": "abc",  # not a setting: left alone, not reported
            "utm_source": "mail",
        }
    )
    assert parsed.request.train.epochs == 5
    assert parsed.request.model.units == ModelConfig().units
    assert len(parsed.ignored) == 2
    assert any("model.units" in item for item in parsed.ignored)


def test_an_out_of_range_section_falls_back_to_its_defaults():
    parsed = request_from_query({"model.units": "0", "train.epochs": "4"})
    assert parsed.request.model == ModelConfig()
    assert parsed.request.train.epochs == 4
    assert any("model settings" in item for item in parsed.ignored)
