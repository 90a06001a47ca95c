"""Files as people have them (tests/fixtures/formats): one real price series written as a
European, US, ISO, BOM, UTF-16 and Excel file lands on the same days and values; a file whose
dates read both ways asks; numbers in every common style; text in a value column is located."""

from __future__ import annotations

import pandas as pd
import pytest

from core.config import DataConfig, RunRequest
from core.data.reading import AmbiguousDateOrder, parse_dates, parse_numbers
from core.data.upload import inspect_csv, load_csv_series, save_upload
from core.errors import ConfigError, DataSourceError
from core.links import request_from_query, request_to_query
from tests.conftest import FIXTURES

FORMATS = FIXTURES / "formats"


def upload(path, **settings) -> object:
    reference = save_upload(path.read_bytes(), path.name).name
    return load_csv_series(DataConfig(source="csv", csv_path=reference, **settings))


def iso_rows() -> pd.DataFrame:
    return pd.read_csv(FORMATS / "iso.csv", parse_dates=["Date"], date_format="%Y-%m-%d")


@pytest.mark.parametrize(
    "name", ["european.csv", "us.csv", "iso.csv", "bom.csv", "utf16.txt", "prices.xlsx"]
)
def test_every_date_of_each_format_lands_on_its_own_day(name):
    expected = iso_rows()
    series = upload(FORMATS / name)
    assert series.frequency == "daily" and len(series) == len(expected) == 151
    assert list(series.dates) == list(expected.Date)  # 06.01.2025 is 6 January, not 1 June
    assert list(series.values) == pytest.approx(list(expected.Close), abs=1e-9)


def test_the_european_file_is_read_day_first_line_by_line():
    lines = (FORMATS / "european.csv").read_text().splitlines()[1:]
    series = upload(FORMATS / "european.csv")
    for line, date, value in zip(lines, series.dates, series.values, strict=True):
        day, month, year = (int(part) for part in line.split(";")[0].split("."))
        assert (date.day, date.month, date.year) == (day, month, year)
        assert f"{value:,.2f}".translate(str.maketrans(",.", ".,")) == line.split(";")[1]


def test_a_file_that_reads_both_ways_asks_and_takes_the_answer():
    path = FORMATS / "dayfirst_ambiguous.csv"
    preview = inspect_csv(path.read_bytes())
    question = preview.date_questions["Datum"]
    assert question.text == "01.02.1949 = 1 February 1949 or 2 January 1949?"
    with pytest.raises(AmbiguousDateOrder, match="--dayfirst or --monthfirst"):
        upload(path)
    series = upload(path, date_order="dayfirst")
    assert series.frequency == "monthly" and len(series) == 144
    assert series.dates[1] == pd.Timestamp("1949-02-01")
    assert series.dates[-1] == pd.Timestamp("1960-12-01")
    month_first = upload(path, date_order="monthfirst")
    assert month_first.dates[1] == pd.Timestamp("1949-01-02")  # what the user asked for


def test_the_date_order_is_in_the_link_and_the_run_key():
    reference = save_upload((FORMATS / "dayfirst_ambiguous.csv").read_bytes(), "a.csv").name
    chosen = RunRequest(data=DataConfig(source="csv", csv_path=reference, date_order="dayfirst"))
    other = RunRequest(data=chosen.data.replace(date_order="monthfirst"))
    query = request_to_query(chosen)
    assert query["data.date_order"] == "dayfirst"
    assert request_from_query(query).request.data.date_order == "dayfirst"
    assert chosen.data.content_hash() != other.data.content_hash()


def test_an_order_the_file_contradicts_or_a_mixed_column_is_refused():
    cells = pd.Series(["13.01.2024", "14.01.2024", "15.01.2024"])
    with pytest.raises(ConfigError, match="data row 1 .* day first, not month first"):
        parse_dates(cells, "monthfirst")
    assert list(parse_dates(cells, "dayfirst").dt.day) == [13, 14, 15]
    mixed = pd.Series(["13.01.2024", "01.02.2024", "02.13.2024"])
    with pytest.raises(DataSourceError, match="data row 1 .* data row 3"):
        parse_dates(mixed)


def test_times_and_two_digit_years_keep_their_order():
    cells = pd.Series(["31/12/99 23:00", "01/01/00 00:00", "01/01/00 01:30"])
    assert list(parse_dates(cells)) == [
        pd.Timestamp("1999-12-31 23:00"), pd.Timestamp("2000-01-01"),
        pd.Timestamp("2000-01-01 01:30"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("cells", "separator", "expected"),
    [
        (["1.234,5", "-0,25", "12"], ";", [1234.5, -0.25, 12.0]),
        (["1,234.5", "-0.25", "1e3"], ",", [1234.5, -0.25, 1000.0]),
        (["1 234,5", "2\u00a0000,75", "3"], "\t", [1234.5, 2000.75, 3.0]),
        (["1'234.50", "999.5", ""], ",", [1234.5, 999.5, None]),
        (["1.234.567,89", "0,01", "NA"], ",", [1234567.89, 0.01, None]),
    ],
)
def test_numbers_in_every_common_style(cells, separator, expected):
    numbers = parse_numbers(pd.Series(cells), separator)
    assert [None if pd.isna(n) else n for n in numbers] == expected


def test_text_in_a_value_column_names_its_rows():
    lines = [f"2024-01-{day:02d},{day}" for day in range(1, 31)] + [
        f"2024-02-{day:02d},{day}" for day in range(1, 29)
    ] + ["2024-03-01,10", "2024-03-02,11"]  # fmt: skip
    for row in (4, 9, 40):
        lines[row] = lines[row].split(",")[0] + ",n/v"
    expected = "holds text, not a number, in data rows 5, 10 and 41"
    with pytest.raises(DataSourceError, match=expected):
        upload_text("Date,Value\n" + "\n".join(lines) + "\n")


def upload_text(text: str, **settings) -> object:
    reference = save_upload(text.encode(), "values.csv").name
    return load_csv_series(DataConfig(source="csv", csv_path=reference, **settings))


def test_utf16_without_a_byte_order_mark():
    days = pd.date_range("2024-01-01", "2024-03-10")
    text = "Date,Value\n" + "".join(f"{day:%Y-%m-%d},{k}\n" for k, day in enumerate(days))
    reference = save_upload(text.encode("utf-16-le"), "plain.csv").name
    series = load_csv_series(DataConfig(source="csv", csv_path=reference))
    assert len(series) == 70 and series.dates[-1] == pd.Timestamp("2024-03-10")


def test_a_file_with_two_value_columns_offers_both():
    path = FORMATS / "two_value_columns.csv"
    preview = inspect_csv(path.read_bytes())
    assert preview.numeric_columns == ("realgdp", "realcons") and preview.value_column is None
    with pytest.raises(ConfigError, match="Choose the value column"):
        upload(path)
    series = upload(path, value_column="realcons")
    assert series.frequency == "quarterly" and series.values[0] == 1707.4
    reference = save_upload(path.read_bytes(), path.name).name
    first = RunRequest(data=DataConfig(source="csv", csv_path=reference, value_column="realgdp"))
    second = RunRequest(data=first.data.replace(value_column="realcons"))
    assert request_to_query(second)["data.value_column"] == "realcons"
    assert first.data.content_hash() != second.data.content_hash()


def test_the_command_line_takes_the_order_or_refuses_to_guess(capsys):
    from core.__main__ import build_parser, main

    args = build_parser().parse_args(["train", "--dayfirst"])
    assert args.data__date_order == "dayfirst"
    path = str(FORMATS / "dayfirst_ambiguous.csv")
    assert main(["train", "--source", "csv", "--csv", path, "--epochs", "1"]) == 2
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1 and "--dayfirst or --monthfirst" in message
