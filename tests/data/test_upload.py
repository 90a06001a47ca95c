"""CSV upload: previews and column guesses, content-addressed saving, and each validation error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config import DataConfig
from core.data.sources import load_series
from core.data.upload import (
    MIN_ROWS,
    display_name,
    existing_upload,
    import_file,
    inspect_csv,
    load_csv_series,
    resolve_upload,
    save_upload,
    upload_reference,
)
from core.errors import ConfigError, DataSourceError
from core.paths import sub_dir


def make_csv(
    rows: int = 100,
    *,
    header: str = "Date,Close",
    separator: str = ",",
    start: str = "2024-01-01",
    reverse: bool = False,
) -> str:
    dates = pd.date_range(start, periods=rows, freq="D").strftime("%Y-%m-%d")
    lines = [f"{day}{separator}{100 + index * 0.5}" for index, day in enumerate(dates)]
    if reverse:
        lines.reverse()
    return "\n".join([header.replace(",", separator), *lines]) + "\n"


def saved(text: str | bytes, name: str = "prices.csv") -> str:
    data = text.encode() if isinstance(text, str) else text
    return str(save_upload(data, name))


def load(path: str, **columns) -> object:
    return load_csv_series(DataConfig(source="csv", csv_path=path, **columns))


# ----------------------------------------------------------------------------------------------
# Happy paths


def test_good_file_loads_sorted_ascending_through_the_registry():
    path = saved(make_csv(100, reverse=True))
    series = load_series(DataConfig(source="csv", csv_path=path))
    assert len(series) == 100
    assert series.dates[0] == pd.Timestamp("2024-01-01")
    assert series.dates[-1] == pd.Timestamp("2024-04-09")
    assert series.values[0] == 100.0 and series.values[-1] == 149.5
    assert (np.diff(series.values) > 0).all()
    assert series.source == "csv" and series.provider == "upload"
    assert series.name == "prices · Close"


def test_real_yahoo_export_is_auto_detected(datasets):
    data = (datasets / "btc-usd_yahoo_daily.csv").read_bytes()
    preview = inspect_csv(data)
    assert preview.columns[:5] == ["Date", "Open", "High", "Low", "Close"]
    assert (preview.date_column, preview.value_column) == ("Date", "Close")
    assert preview.row_count == 543
    assert len(preview.head) == 5 and preview.head.iloc[0]["Date"] == "2024-10-01"
    series = load(saved(data, "btc-usd_yahoo_daily.csv"))
    assert len(series) == 543
    assert series.values[0] == 60837.0078125


def test_banner_line_of_the_cdd_file_is_skipped(datasets):
    preview = inspect_csv((datasets / "cdd_btcusd_daily.csv").read_bytes())
    assert (preview.date_column, preview.value_column) == ("date", "close")
    assert preview.row_count == 725


@pytest.mark.parametrize(
    ("text", "date_column", "value_column"),
    [
        ("timestamp,price\n2024-01-01,1\n2024-01-02,2\n", "timestamp", "price"),
        ("when,reading\n2024-01-01,1\n2024-01-02,2\n", "when", "reading"),  # only candidates
        ("Day,Visitors,Sales\n2024-01-01,1,3\n2024-01-02,2,4\n", "Day", None),  # two numbers
        ("a,b\nx,1\ny,2\n", None, "b"),  # no column holds dates
        ("Date,Open,Close,Adj Close\n2024-01-01,1,2,2\n", "Date", "Close"),
    ],
)
def test_column_guesses_only_where_unambiguous(text, date_column, value_column):
    preview = inspect_csv(text.encode())
    assert (preview.date_column, preview.value_column) == (date_column, value_column)


def test_explicit_columns_override_the_guess():
    text = "Day,Visitors,Sales\n" + "".join(
        f"2024-01-{1 + index % 28:02d}T{index // 28:02d}:00,{index},{2 * index}\n"
        for index in range(70)
    )
    series = load(saved(text), date_column="Day", value_column="Sales")
    assert len(series) == 70 and series.dates.is_monotonic_increasing
    assert series.values[-1] == 110.0  # the latest time is 2024-01-28 01:00, data row 56


def test_chosen_date_column_is_left_out_of_the_value_guess():
    text = "Stamp,Reading\n" + "".join(
        f"{day},{index * 0.5}\n"
        for index, day in enumerate(pd.date_range("2024-01-01", periods=70).strftime("%Y%m%d"))
    )
    assert inspect_csv(text.encode()).value_column is None  # two numeric-looking columns
    series = load(saved(text), date_column="Stamp")
    assert series.dates[0] == pd.Timestamp("2024-01-01") and series.values[-1] == 34.5


def test_semicolon_separator_bom_and_decimal_comma():
    text = "\ufeffDatum;Schlusskurs\n" + "".join(
        f"{day};{1000 + index},25\n"
        for index, day in enumerate(pd.date_range("2024-01-01", periods=80).strftime("%Y-%m-%d"))
    )
    preview = inspect_csv(text.encode("utf-8"))
    assert preview.separator == ";" and preview.columns == ["Datum", "Schlusskurs"]
    assert (preview.date_column, preview.value_column) == ("Datum", "Schlusskurs")
    series = load(saved(text.encode("utf-8")))
    assert len(series) == 80 and series.values[0] == 1000.25


# ----------------------------------------------------------------------------------------------
# Saving


def test_save_upload_is_content_addressed_and_sanitised(isolated_home):
    first = save_upload(b"Date,Close\n", "../../my prices (v2).csv")
    again = save_upload(b"Date,Close\n", "../../my prices (v2).csv")
    other = save_upload(b"Date,Close\n2024-01-01,1\n", "../../my prices (v2).csv")
    assert first == again and first != other
    assert first.parent == isolated_home / "uploads"
    assert first.name.endswith("_my_prices_v2_.csv")
    assert first.read_bytes() == b"Date,Close\n"
    assert save_upload(b"x", "notes").suffix == ".csv"
    with pytest.raises(DataSourceError, match="empty"):
        save_upload(b"", "empty.csv")


# ----------------------------------------------------------------------------------------------
# Validation errors


def test_missing_file_says_upload_again():
    path = Path(saved(make_csv()))
    path.unlink()
    with pytest.raises(DataSourceError, match="no longer on this server; upload it again"):
        load(path.name)


@pytest.mark.parametrize("text", ["", "   \n\n", "Date,Close\n"])
def test_empty_file_or_header_only(text):
    path = sub_dir("uploads") / "0123456789abcdef_empty.csv"  # save_upload refuses empty data
    path.write_text(text)
    with pytest.raises(DataSourceError, match="empty|no data rows"):
        load(path.name)


def test_unknown_column_lists_the_available_columns():
    path = saved(make_csv())
    expected = r"'Price' is not in .*available columns: 'Date', 'Close'"
    with pytest.raises(ConfigError, match=expected):
        load(path, value_column="Price")
    with pytest.raises(ConfigError, match="date column 'When'"):
        load(path, date_column="When")


def test_ambiguous_value_column_asks_the_user_to_choose():
    text = "Date,Visitors,Sales\n" + "".join(
        f"{day},{index},{index * 2}\n"
        for index, day in enumerate(pd.date_range("2024-01-01", periods=70).strftime("%Y-%m-%d"))
    )
    with pytest.raises(ConfigError, match="Choose the value column") as caught:
        load(saved(text))
    assert "'Visitors', 'Sales'" in str(caught.value)


def test_bad_date_names_the_row_and_value():
    lines = make_csv(70).splitlines()
    lines[5] = "2024-13-45,101"  # data row 5
    with pytest.raises(DataSourceError, match=r"data row 5 .*'2024-13-45', which is not a date"):
        load(saved("\n".join(lines)), date_column="Date", value_column="Close")


def test_non_numeric_value_names_the_row():
    lines = make_csv(70).splitlines()
    lines[12] = lines[12].split(",")[0] + ",twelve"
    with pytest.raises(DataSourceError, match=r"not a number, in data row 12 .*'twelve'"):
        load(saved("\n".join(lines)))


@pytest.mark.parametrize("cell", ["", "NA", "n/a", "#N/A", "null", "-"])
def test_empty_or_na_cells_are_missing_values_filled_by_interpolation(cell):
    lines = make_csv(70).splitlines()
    lines[3] = lines[3].split(",")[0] + "," + cell  # data row 3: 2024-01-03, true value 101.0
    series = load(saved("\n".join(lines)))
    assert len(series) == 70 and series.values[2] == pytest.approx(101.0)
    assert (series.cleaning.missing, series.cleaning.filled) == (1, 1)
    assert (
        "1 missing values (1 empty or NA cells) were filled by linear interpolation"
        in (series.cleaning.notes[0])
    )


def test_fill_carry_forward_and_drop():
    lines = make_csv(70).splitlines()
    lines[3] = lines[3].split(",")[0] + ","
    carried = load(saved("\n".join(lines)), fill="ffill")
    assert carried.values[2] == carried.values[1] == 100.5 and carried.cleaning.filled == 1
    dropped = load(saved("\n".join(lines)), fill="drop")
    assert len(dropped) == 69 and pd.Timestamp("2024-01-03") not in dropped.dates
    assert dropped.cleaning.dropped == 1 and "left out (fill: drop)" in dropped.cleaning.notes[0]
    days = "\n".join(lines[:20] + lines[23:])  # three days not in the file: they stay absent
    assert "Dates absent from the file stay absent with fill 'drop' (3 days)" in " ".join(
        load(saved(days), fill="drop").cleaning.notes
    )


def test_missing_days_are_restored_and_filled():
    lines = make_csv(70).splitlines()
    del lines[10:13]  # data rows 10-12 (2024-01-10 .. 2024-01-12) are not in the file
    series = load(saved("\n".join(lines)))
    assert len(series) == 70 and series.frequency == "daily"
    assert series.values[9:12] == pytest.approx([104.5, 105.0, 105.5])
    assert "3 days absent from the dates" in series.cleaning.notes[0]


def test_empty_edges_are_left_out_and_said():
    lines = make_csv(70).splitlines()
    lines[1] = lines[1].split(",")[0] + ","
    series = load(saved("\n".join(lines)))
    assert len(series) == 69 and series.dates[0] == pd.Timestamp("2024-01-02")
    assert "no neighbour on both sides" in " ".join(series.cleaning.notes)


def test_rows_without_date_and_value_are_skipped_but_a_value_without_date_is_not():
    lines = make_csv(70).splitlines()
    series = load(saved("\n".join([*lines, ",", " , "])))
    assert len(series) == 70
    with pytest.raises(DataSourceError, match=r"data row 71 .*'Date' is empty"):
        load(saved("\n".join([*lines, ",123"])))


@pytest.mark.parametrize(("rule", "expected"), [("last", 123.0), ("mean", (101.5 + 123) / 2)])
def test_repeated_dates_follow_the_stated_rule(rule, expected):
    lines = make_csv(70).splitlines()
    lines.insert(10, "2024-01-04,123")  # 2024-01-04 again (the first one holds 101.5)
    series = load(saved("\n".join(lines)), duplicates=rule)
    assert len(series) == 70
    assert series.values[3] == pytest.approx(expected)
    assert series.cleaning.repeated_dates == 1
    assert f"(duplicates rule: {rule})" in series.cleaning.notes[0]


def test_too_few_rows_says_what_would_work():
    expected = f"has {MIN_ROWS - 1} usable rows .*at least {MIN_ROWS} .*60 days of data"
    with pytest.raises(DataSourceError, match=expected):
        load(saved(make_csv(MIN_ROWS - 1)))
    assert len(load(saved(make_csv(MIN_ROWS)))) == MIN_ROWS
    years = "Date,Close\n" + "".join(f"{1990 + k}-12-31,{100 + k}\n" for k in range(30))
    with pytest.raises(DataSourceError, match="60 years of data.*quarterly or monthly values"):
        load(saved(years))


def test_irregular_dates_load_with_a_note_on_what_would_work():
    rng = np.random.default_rng(3)
    days = np.cumsum(rng.integers(1, 30, size=80))
    dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")
    text = "Date,Value\n" + "".join(f"{day:%Y-%m-%d},{k}\n" for k, day in enumerate(dates))
    series = load(saved(text))
    assert series.frequency == "irregular" and series.unit == "steps"
    steps = np.diff(days)
    assert f"steps from {steps.min()} to {steps.max()} days" in series.cleaning.notes[-1]
    assert "one value per hour, day, week or month" in series.cleaning.notes[-1]


def test_same_column_for_dates_and_values():
    with pytest.raises(ConfigError, match="two different columns"):
        load(saved(make_csv()), date_column="Date", value_column="Date")


def test_the_date_range_of_the_settings_applies_to_an_upload():
    dates = pd.date_range("2020-01-01", periods=200, freq="D")
    text = pd.DataFrame({"date": dates, "value": range(200)}).to_csv(index=False)
    config = DataConfig(
        source="csv", csv_path=saved(text), start_date="2020-02-01", end_date="2020-05-31"
    )
    series = load_csv_series(config)
    assert series.dates[0] == pd.Timestamp("2020-02-01")
    assert series.dates[-1] == pd.Timestamp("2020-05-31")
    assert len(series) == 121


# ----------------------------------------------------------------------------------------------
# Real files at other frequencies (tests/fixtures, derived from the recorded ^GSPC closes)


def test_gappy_weekly_file_is_weekly_filled_and_forecast_in_weeks(datasets):
    from core.data.prepare import prepare
    from core.data.sources import default_split_for
    from core.evaluation.forecast import future_dates
    from core.models.baselines import BASELINES

    data = (datasets / "sp500_weekly_gappy.csv").read_bytes()
    preview = inspect_csv(data)
    assert (preview.date_column, preview.value_column) == ("Week ending", "S&P 500 close")
    config = DataConfig(source="csv", csv_path=saved(data, "sp500_weekly_gappy.csv"))
    series = load_series(config)
    assert series.frequency == "weekly" and series.unit == "weeks"
    assert len(series) == 522 and preview.row_count == 514  # 8 weeks were not in the file
    assert (np.diff(series.dates) == pd.Timedelta(days=7)).all()
    cleaning = series.cleaning
    assert (cleaning.missing, cleaning.filled, cleaning.dropped) == (13, 13, 0)
    assert cleaning.notes[0] == (
        "13 missing values (5 empty or NA cells and 8 weeks absent from the dates) were "
        "filled by linear interpolation between their neighbours."
    )
    # 2019-10-18 .. 2019-11-01 are absent: a straight line from 2019-10-11 to 2019-11-08
    before, after = (
        series.values[series.dates.get_loc(pd.Timestamp(day))]
        for day in ("2019-10-11", "2019-11-08")
    )
    middle = series.values[series.dates.get_loc(pd.Timestamp("2019-10-25"))]
    assert middle == pytest.approx(before + (after - before) / 2)

    split = default_split_for(config, series.frequency)
    assert split.lookback == 13 and split.method == "fraction"
    prepared = prepare(series, split)
    assert prepared.calendar_season == 52 and prepared.season_length >= 2
    for name, baseline in BASELINES.items():
        assert np.isfinite(baseline(prepared)).all(), name
    future = future_dates(series.dates, 3)
    assert list(future) == [pd.Timestamp(day) for day in ("2025-01-03", "2025-01-10", "2025-01-17")]

    dropped = load_series(config.replace(fill="drop"))
    assert len(dropped) == 509 and dropped.cleaning.dropped == 5


def test_yearly_file_is_yearly_without_a_season(datasets):
    from core.data.prepare import prepare
    from core.data.sources import default_split_for
    from core.evaluation.forecast import future_dates
    from core.models.baselines import BASELINES

    config = DataConfig(
        source="csv", csv_path=saved((datasets / "sp500_yearly_close.csv").read_bytes())
    )
    series = load_series(config)
    assert series.frequency == "yearly" and series.unit == "years" and len(series) == 99
    assert series.cleaning.notes == ()
    split = default_split_for(config, series.frequency)
    assert split.lookback == 5
    prepared = prepare(series, split)
    assert prepared.calendar_season == 1
    if prepared.season_length == 1:  # no cycle in the data: seasonal naive is the naive forecast
        np.testing.assert_array_equal(
            BASELINES["seasonal_naive"](prepared), BASELINES["naive"](prepared)
        )
    assert np.isfinite(BASELINES["holt_winters"](prepared)).all()
    future = future_dates(series.dates, 2)
    assert list(future) == [pd.Timestamp("2026-12-31"), pd.Timestamp("2027-12-31")]


# ----------------------------------------------------------------------------------------------
# Only uploads are ever read (a link or form can not name another file on the server)


def test_an_upload_is_read_by_its_content_id_or_its_path_in_the_uploads_folder():
    path = saved(make_csv(70))
    name = Path(path).name
    assert upload_reference(path) == name and resolve_upload(name) == Path(path).resolve()
    assert len(load(name)) == len(load(path)) == 70


@pytest.mark.parametrize(
    "reference",
    [
        "/etc/passwd",
        "/etc/passwd.csv",
        "../../../../etc/passwd",
        "../uploads/0123456789abcdef_prices.csv",  # climbs out and back: still a path
        "uploads/0123456789abcdef_prices.csv",
        "prices.csv",  # a name save_upload never makes
        "0123456789abcdef_../../etc/passwd",
        "{tmp}/0123456789abcdef_prices.csv",  # the right kind of name in another folder
    ],
)
def test_paths_outside_the_uploads_folder_are_refused_before_any_read(reference, tmp_path):
    if reference.startswith("{tmp}"):
        reference = reference.format(tmp=tmp_path)
        Path(reference).write_text(make_csv(70))  # it exists and is a good CSV: still refused
    with pytest.raises(ConfigError, match="not a file uploaded to this app"):
        load(reference)
    assert existing_upload(reference) is None


def test_a_symlink_in_the_uploads_folder_leading_out_is_refused(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(make_csv(70))
    link = sub_dir("uploads") / "0123456789abcdef_secret.csv"
    link.symlink_to(secret)
    with pytest.raises(ConfigError, match="not a file uploaded to this app"):
        load(link.name)
    with pytest.raises(ConfigError, match="not a file uploaded to this app"):
        load(str(link))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "0123456789abcdef_other.csv").write_text(make_csv(70))
    folder_link = sub_dir("uploads") / "0123456789abcdef_folder"
    folder_link.symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError, match="not a file uploaded to this app"):
        load(str(folder_link / "0123456789abcdef_other.csv"))


def test_the_command_line_copies_a_users_file_into_the_uploads_folder(tmp_path):
    own = tmp_path / "my prices.csv"
    own.write_text(make_csv(70))
    reference = import_file(own)
    assert (sub_dir("uploads") / reference).read_text() == own.read_text()
    assert display_name(reference) == "my_prices.csv"
    with pytest.raises(DataSourceError, match="could not read .*missing.csv"):
        import_file(tmp_path / "missing.csv")


def test_command_line_fill_flag_and_weekly_window(datasets):
    from core.__main__ import _import_csv_paths, build_parser, request_from_args

    path = str(datasets / "sp500_weekly_gappy.csv")
    args = build_parser().parse_args(["train", "--source", "csv", "--csv", path, "--fill", "ffill"])
    _import_csv_paths(args)  # what main() does first: the user's file is copied into uploads
    request = request_from_args(args)
    assert request.data.fill == "ffill" and request.data.duplicates == "last"
    assert resolve_upload(request.data.csv_path).parent == sub_dir("uploads").resolve()
    # --lookback auto (the default): the window the data suggests, on the default split
    from core.data.sources import default_split_for, load_series
    from core.data.window import suggest_lookback

    series = load_series(request.data)
    suggested = suggest_lookback(series, default_split_for(request.data, series.frequency))
    assert request.split.lookback == suggested.lookback != 13
    flags = ["train", "--source", "csv", "--csv", path, "--lookback", "13"]
    fixed = build_parser().parse_args(flags)
    _import_csv_paths(fixed)
    assert request_from_args(fixed).split.lookback == 13  # a number fixes it
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--fill", "guess"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--lookback", "long"])


def test_a_year_column_of_plain_numbers_is_taken_as_the_dates(datasets):
    rows = (datasets / "sp500_yearly_close.csv").read_text().splitlines()[1:]
    text = "Year,S&P 500\n" + "".join(f"{row[:4]},{row.split(',')[1]}\n" for row in rows)
    preview = inspect_csv(text.encode())
    assert (preview.date_column, preview.value_column) == ("Year", "S&P 500")
    series = load(saved(text))
    assert series.frequency == "yearly" and series.dates[0] == pd.Timestamp("1927-01-01")
