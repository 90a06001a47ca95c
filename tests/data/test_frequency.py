"""Frequencies from yearly down to minutes on real series (tests/fixtures/real): the step, its
words, the calendar seasons, the gaps a daylight-saving change leaves, and the next dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.config import DataConfig
from core.data.frequency import (
    calendar_season,
    calendar_seasons,
    default_lookback,
    describe_frequency,
    detect_frequency,
    next_dates,
)
from core.data.upload import load_csv_series, save_upload
from tests.conftest import FIXTURES

REAL = FIXTURES / "real"


def upload(path, **columns) -> object:
    reference = save_upload(path.read_bytes(), path.name).name
    return load_csv_series(DataConfig(source="csv", csv_path=reference, **columns))


@pytest.mark.parametrize(
    ("name", "frequency", "units", "seasons", "first", "last"),
    [
        ("seattle_temps_hourly.csv", "hourly", "hours", (24, 168), "2010-02-01 00:00",
         "2010-03-31 23:00"),
        ("seattle_temps_half_hourly_dst.csv", "half_hourly", "half-hours", (48, 336),
         "2010-03-07 00:00", "2010-03-21 23:30"),
        ("seattle_temps_15_minutes.csv", "15_minutes", "quarter-hours", (96, 672),
         "2010-06-01 00:00", "2010-06-10 23:45"),
        ("co2_weekly.csv", "weekly", "weeks", (52,), "1958-03-29", "2001-12-29"),
        ("air_passengers_monthly.csv", "monthly", "months", (12,), "1949-01-01", "1960-12-01"),
        ("macrodata_gdp_quarterly.csv", "quarterly", "quarters", (4,), "1959-01-01",
         "2009-07-01"),
        ("sunspots_yearly.csv", "yearly", "years", (), "1700-01-01", "2008-01-01"),
        ("nile_yearly.csv", "yearly", "years", (), "1871-01-01", "1970-01-01"),
    ],
)  # fmt: skip
def test_real_series_land_on_their_dates_frequency_units_and_seasons(
    name, frequency, units, seasons, first, last
):
    series = upload(REAL / name, value_column="realgdp" if name.startswith("macro") else None)
    assert series.frequency == frequency and series.unit == units
    assert calendar_seasons(series.frequency) == seasons
    assert series.dates[0] == pd.Timestamp(first) and series.dates[-1] == pd.Timestamp(last)
    step = series.dates[1] - series.dates[0]
    following = next_dates(series.dates, 2, series.frequency)
    if frequency in ("hourly", "half_hourly", "15_minutes"):
        assert following[0] - series.dates[-1] == step and following[1] - following[0] == step
    assert following[0] > series.dates[-1] and detect_frequency(series.dates) == frequency


@pytest.mark.parametrize(
    ("name", "absent"), [("seattle_temps_hourly.csv", 1), ("seattle_temps_half_hourly_dst.csv", 2)]
)
def test_a_daylight_saving_gap_is_filled_like_any_gap_and_counted(name, absent):
    series = upload(REAL / name)
    rows = len((REAL / name).read_text().splitlines()) - 1
    assert len(series) == rows + absent  # the skipped clock hour is back, filled
    unit = "hour" if absent == 1 else "half-hours"
    assert f"{absent} {unit} absent from the dates" in " ".join(series.cleaning.notes)
    hour = series.dates.get_loc(pd.Timestamp("2010-03-14 03:00"))
    before, after = series.values[hour - 1], series.values[hour + 1]
    assert min(before, after) <= series.values[hour] <= max(before, after)


def test_the_autumn_repeat_of_an_hour_is_merged_by_the_duplicates_rule():
    times = pd.date_range("2010-11-06", periods=72, freq="h").strftime("%Y-%m-%d %H:%M").tolist()
    times.insert(25, times[25])  # 2010-11-07 01:00 twice, as a local clock writes it
    text = "time,load\n" + "".join(f"{t},{k}\n" for k, t in enumerate(times))
    series = load_csv_series(
        DataConfig(source="csv", csv_path=save_upload(text.encode(), "load.csv").name)
    )
    assert series.frequency == "hourly" and len(series) == 72
    assert "1 dates appeared more than once" in series.cleaning.notes[0]


def test_the_calendar_season_comes_from_the_frequency():
    expected = {
        "hourly": 24, "half_hourly": 48, "daily": 7, "weekly": 52, "monthly": 12,
        "quarterly": 4, "yearly": 1, "irregular": 1, "business_days": 5,
    }  # fmt: skip
    assert {name: calendar_season(name) for name in expected} == expected
    assert calendar_seasons("hourly") == (24, 168) and calendar_seasons("half_hourly") == (48, 336)
    assert default_lookback("hourly") == 48 and default_lookback("monthly") == 13
    assert describe_frequency("hourly") == "hourly (one value per hour)"


@pytest.mark.parametrize(
    ("step", "name"), [("min", "minutely"), ("5min", "5_minutes"), ("2h", "2_hours")]
)
def test_other_intraday_steps_are_named_and_counted(step, name):
    dates = pd.date_range("2024-03-01 08:00", periods=200, freq=step)
    assert detect_frequency(dates) == name
    assert next_dates(dates, 1)[0] == dates[-1] + pd.tseries.frequencies.to_offset(step)


def test_truly_irregular_times_are_refused_in_the_files_own_units():
    rng = np.random.default_rng(5)
    minutes = np.cumsum(rng.integers(7, 200, size=90))
    times = pd.Timestamp("2024-03-01") + pd.to_timedelta(minutes, unit="min")
    text = "time,reading\n" + "".join(f"{t:%Y-%m-%d %H:%M},{k}\n" for k, t in enumerate(times))
    series = load_csv_series(
        DataConfig(source="csv", csv_path=save_upload(text.encode(), "sensor.csv").name)
    )
    assert series.frequency == "irregular"
    steps = np.diff(minutes) / 60
    assert f"steps from {steps.min():g} to {steps.max():g} hours" in series.cleaning.notes[-1]
