"""Shareable links: RunRequest <-> URL query parameters round-trip, defaults stay out of the URL,
bad values are ignored and reported instead of crashing, and no link names a file to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.data.upload import save_upload
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
        model=ModelConfig(
            family="gru", units=4, linear_skip=not ModelConfig().linear_skip, task="classification"
        ),
        train=TrainConfig(epochs=2, learning_rate=0.0005, max_seconds=30.0, seed=3),
        horizon=12,
    )
    query = request_to_query(request)
    assert query["model.family"] == "gru"
    assert query["data.seasonal_periods"] == "30"
    assert query["model.linear_skip"] == ("false" if ModelConfig().linear_skip else "true")
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


def test_an_out_of_range_value_is_ignored_alone_by_its_declared_range():
    parsed = request_from_query({"model.units": "0", "model.family": "gru", "train.epochs": "4"})
    assert parsed.request.model == ModelConfig(family="gru")
    assert parsed.request.train.epochs == 4
    assert any(item.startswith("model.units=0") and "2048" in item for item in parsed.ignored)


# ----------------------------------------------------------------------------------------------
# A link can only name an upload (by its content id), never a path on the server


CSV = "Date,Close\n" + "".join(
    f"2024-{1 + day // 28:02d}-{1 + day % 28:02d},{day}\n" for day in range(80)
)


def test_an_upload_travels_by_its_content_id_only():
    path = save_upload(CSV.encode(), "prices.csv")
    request = RunRequest(data=DataConfig(source="csv", csv_path=str(path)))
    query = request_to_query(request)
    assert query["data.csv_path"] == path.name[:16]  # its content hash: no folder, no name
    parsed = request_from_query(query)
    assert parsed.ignored == ()
    assert parsed.request.data.csv_path == path.name
    # an older link holding the full path inside the uploads folder still opens the upload
    legacy = request_from_query({"data.source": "csv", "data.csv_path": str(path)})
    assert legacy.ignored == () and legacy.request.data.csv_path == path.name


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd.csv",
        "/etc/passwd",
        "../../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "~/.ssh/id_rsa",
        "0123456789abcdef_x.csv/../../../../etc/passwd",
    ],
)
def test_a_path_in_a_link_is_ignored_with_a_notice(path):
    parsed = request_from_query({"data.source": "csv", "data.csv_path": path, "train.epochs": "3"})
    assert parsed.request.data.csv_path is None and parsed.request.data.source == "synthetic"
    assert any(
        item.startswith(f"data.csv_path={path} (not an uploaded file") for item in parsed.ignored
    )
    assert parsed.request.train.epochs == 3  # the rest of the link still applies


def test_a_symlink_among_the_uploads_leading_out_is_ignored(tmp_path):
    from core.paths import sub_dir

    secret = tmp_path / "secret.csv"
    secret.write_text(CSV)
    link = sub_dir("uploads") / "0123456789abcdef_secret.csv"
    link.symlink_to(secret)
    for text in (link.name, str(link)):
        parsed = request_from_query({"data.source": "csv", "data.csv_path": text})
        assert parsed.request.data.csv_path is None
        assert any("not an uploaded file" in item for item in parsed.ignored)
    assert Path(secret).read_text() == CSV


def test_links_carry_the_one_layer_count_and_read_old_links():
    request = RunRequest(model=ModelConfig(hidden_layers=1, units=50))
    query = request_to_query(request)
    assert query["model.layers"] == "3" and "model.hidden_layers" not in query
    assert request_from_query(query).request.model == request.model
    old = request_from_query({"model.hidden_layers": "1", "model.units": "50"})
    assert old.request.model.label == request.model.label == "LSTM 3x50 tanh"
    dense = request_from_query({"model.family": "dense", "model.layers": "1"})
    assert dense.request.model.layers == 1 and not dense.ignored
    refused = request_from_query({"model.layers": "1"})
    assert refused.request.model.layers == 2 and "model.layers=1" in refused.ignored[0]
