"""Numbers and dates outside what the app can hold: infinities and NaN in links, series whose
dates leave pandas' calendar (1677-2262), and the command line's one-line refusals."""

from __future__ import annotations

import pandas as pd
import pytest

from core.config import DataConfig, ModelConfig, RunRequest
from core.data.synthetic import generate_series
from core.data.upload import load_csv_series, save_upload
from core.errors import ConfigError, DataSourceError
from core.links import request_from_query
from tests.test_cli import run_main


@pytest.mark.parametrize(
    "params",
    [
        {"model.units": "inf"},
        {"model.units": "1e309"},
        {"horizon": "1e309"},
        {"data.trend_slope": "inf"},
        {"data.level": "-inf"},
        {"data.trend_slope": "nan"},
        {"train.max_seconds": "inf"},
    ],
)
def test_infinite_and_nan_numbers_in_a_link_are_ignored_and_reported(params):
    parsed = request_from_query(params)
    (name,) = params
    assert len(parsed.ignored) == 1 and parsed.ignored[0].startswith(name)
    assert parsed.request == RunRequest()


def test_a_config_refuses_infinities_even_without_a_range():
    with pytest.raises(ConfigError, match="not a finite number"):
        DataConfig(level=float("inf"))
    with pytest.raises(ConfigError, match="not a finite number"):
        ModelConfig(class_threshold=float("nan"))


def test_a_synthetic_series_past_2262_is_refused_with_the_longest_length_that_fits():
    with pytest.raises(ConfigError, match="lower the length to at most 89,220"):
        generate_series(DataConfig(length=100_000))
    with pytest.raises(ConfigError, match="at most 1"):
        generate_series(DataConfig(synthetic_start="2262-04-11"))
    assert (
        generate_series(DataConfig(length=60, synthetic_start="1700-01-01")).dates[0].year == 1700
    )
    with pytest.raises(ConfigError, match="start date 1500-01-01 is outside"):
        generate_series(DataConfig(synthetic_start="1500-01-01"))
    assert (
        len(generate_series(DataConfig(length=89_220, seasonal_periods=(), seasonal_amplitudes=())))
        == 89_220
    )


def test_a_csv_with_dates_after_2262_is_refused_in_one_sentence():
    dates = pd.date_range("2262-01-01", periods=120, freq="D", unit="s")
    text = "date,value\n" + "\n".join(f"{day:%Y-%m-%d},{n}" for n, day in enumerate(dates))
    path = save_upload(text.encode(), "late.csv")
    with pytest.raises(DataSourceError, match="dates from 1677-09-22 to 2262-04-11 only"):
        load_csv_series(DataConfig(source="csv", csv_path=path.name))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["train", "--length", "100000"], "lower the length to at most"),
        (["train", "--csv", "/dev/zero", "--source", "csv"], "larger than 50 MB"),
    ],
)
def test_the_command_line_refuses_in_one_line_with_exit_two(capsys, args, expected):
    result = run_main(capsys, *args)  # tests/test_cli.py runs a refusal in a process of its own
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and expected in result.stderr
