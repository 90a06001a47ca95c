"""Reading people's files right: the text encoding (BOM, UTF-16), the separator, Excel
workbooks, numbers with decimal commas or thousands separators, and one date order for a whole
column, chosen from all of its values (never guessed cell by cell)."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.data_config import DATE_ORDERS  # noqa: F401  (declared with the setting)
from core.errors import ConfigError, DataSourceError

MISSING_TOKENS = ("", "na", "n/a", "#n/a", "nan", "null", "none", "-", "--", ".", "?")
SEPARATORS = (",", ";", "\t")
EXCEL_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
LISTED_ROWS = 8  # rows named in a message; the rest are counted
# 06.01.2024, 6/1/24, 06-01-2024 13:00: two small numbers, then the year (then a time, if any)
NUMERIC_DATE = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})((?:[ T]\S.*)?)$")
# 1,234.56 | 1234.56 | -0.5 | 1e-3, and the same with the roles of ',' and '.' swapped
DOT_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)?(\.\d*)?([eE][+-]?\d+)?$")
COMMA_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)?(,\d*)?([eE][+-]?\d+)?$")
DIGIT_GROUPS = re.compile(r"(?<=\d)[\s\u00a0\u202f'’](?=\d{3}(\D|$))")  # 1 234,5 or 1'234.5
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class DateOrderQuestion:
    """A date the file alone cannot place, with both readings, for the page to ask about."""

    example: str  # the cell as written, e.g. 06.01.2024
    dayfirst: str  # 6 January 2024
    monthfirst: str  # 1 June 2024

    @property
    def text(self) -> str:
        return f"{self.example} = {self.dayfirst} or {self.monthfirst}?"


class AmbiguousDateOrder(ConfigError):
    """Every date in the column reads both ways (all days <= 12): the user must say which."""

    def __init__(self, column: str, question: DateOrderQuestion) -> None:
        super().__init__(
            f"the dates in column '{column}' read both ways ({question.text}): every day and "
            "month is 12 or less, so the file cannot tell. Choose the date order (day first or "
            "month first; on the command line --dayfirst or --monthfirst)."
        )
        self.question = question


# ----------------------------------------------------------------------------------------------
# Text and tables


def decode(data: bytes) -> str:
    """Text from bytes: UTF-16 (with a BOM, or without one but with NUL bytes between
    letters), UTF-8 with or without a BOM, else Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    sample = data[:2000]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        little = sample[1::2].count(b"\x00") > sample[::2].count(b"\x00")
        return data.decode("utf-16-le" if little else "utf-16-be")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def find_header(text: str) -> tuple[int, str]:
    """The header line number and separator: the first of the opening lines whose separator
    count (outside quotes) the next lines repeat; banner lines without a separator are skipped."""
    lines = [line for line in text.splitlines()[:12]]
    for number, line in enumerate(lines[:10]):
        counts = {separator: _unquoted(line).count(separator) for separator in SEPARATORS}
        best = max(counts, key=lambda separator: counts[separator])
        if counts[best] > 0:
            following = [_unquoted(other).count(best) for other in lines[number + 1 : number + 4]]
            if not following or any(count == counts[best] for count in following):
                return number, best
    return 0, ","


def _read_excel(data: bytes) -> pd.DataFrame:
    try:
        frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
    except ImportError as error:  # pragma: no cover - openpyxl is pinned in requirements.txt
        raise DataSourceError(
            "reading Excel files needs the openpyxl package (pip install openpyxl); or save "
            "the sheet as CSV and upload that."
        ) from error
    except (ValueError, OSError, KeyError) as error:
        raise DataSourceError(
            f"the Excel file could not be read ({error}); save the sheet as CSV and upload that."
        ) from error
    frame = frame.fillna("")
    # whole-day timestamps come out as '2025-01-01 00:00:00': keep the date alone
    for column in frame.columns:
        cells = frame[column]
        if cells.str.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00|").all():
            frame[column] = cells.str.slice(0, 10)
    return frame


def read_table(data: bytes) -> tuple[pd.DataFrame, str]:
    """Text cells of a CSV (comma, semicolon or tab separated; quoted cells; BOM, UTF-8,
    UTF-16 or Windows-1252) or of the first sheet of an .xlsx workbook; and the separator."""
    if not data or not data.strip():
        raise DataSourceError("the file is empty; upload a file with a header row and data.")
    if data[:4] == EXCEL_MAGIC:
        frame, separator = _read_excel(data), "xlsx"
    else:
        text = decode(data)
        header_line, separator = find_header(text)
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                skiprows=header_line,
                sep=separator,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                skip_blank_lines=True,
            )
        except (ValueError, pd.errors.ParserError) as error:
            raise DataSourceError(
                f"the file could not be read as CSV ({error}); save it as comma-separated text "
                "with one header row."
            ) from error
    frame.columns = [str(column).strip() for column in frame.columns]
    frame = frame.apply(lambda column: column.astype(str).str.strip())
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataSourceError(
            "the file has a header but no data rows; upload a file with data below the header."
        )
    return frame, separator


def is_missing(cells: pd.Series) -> pd.Series:
    """Cells that mean 'no value': empty, NA, N/A, #N/A, NaN, null, -, ? and the like."""
    return cells.str.strip().str.lower().isin(MISSING_TOKENS)


def name_rows(rows: np.ndarray) -> str:
    """'data rows 3, 8 and 12' (1 = the first row under the header), the first few of many."""
    shown = [str(int(row) + 1) for row in rows[:LISTED_ROWS]]
    if len(rows) == 1:
        return f"data row {shown[0]}"
    listed = ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(rows) <= LISTED_ROWS else ""
    if not listed:
        listed = ", ".join(shown) + f" and {len(rows) - LISTED_ROWS} more"
    return f"data rows {listed}"


# ----------------------------------------------------------------------------------------------
# Numbers


def number_style(cells: pd.Series, separator: str) -> str:
    """'dot' (1,234.5) or 'comma' (1.234,5) for a whole column: the style more cells fit; where
    both fit every cell (1,234 or plain integers) a ';' file is taken as European."""
    text = cells[~is_missing(cells)].str.replace(DIGIT_GROUPS, "", regex=True)
    dot = int(text.str.fullmatch(DOT_NUMBER).sum())
    comma = int(text.str.fullmatch(COMMA_NUMBER).sum())
    if dot != comma:
        return "dot" if dot > comma else "comma"
    return "comma" if separator == ";" else "dot"


def parse_numbers(cells: pd.Series, separator: str = ",") -> pd.Series:
    """Numbers from text cells in the column's one number style; NaN where a cell is missing
    or not a number."""
    missing = is_missing(cells)
    text = cells.mask(missing, "").str.replace(DIGIT_GROUPS, "", regex=True)
    if number_style(cells, separator) == "comma":
        valid = text.str.fullmatch(COMMA_NUMBER)
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        valid = text.str.fullmatch(DOT_NUMBER)
        text = text.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(text.where(valid & ~missing), errors="coerce")
    if separator == "xlsx":  # Excel number cells come as Python floats' text: 94419.76
        numbers = numbers.fillna(pd.to_numeric(cells.mask(missing), errors="coerce"))
    return numbers.astype(float)


# ----------------------------------------------------------------------------------------------
# Dates


def _spelled(day: int, month: int, year: str) -> str:
    return f"{day} {MONTH_NAMES[month - 1]} {year}" if 1 <= month <= 12 else "no date"


def date_order_of(cells: pd.Series) -> tuple[str | None, pd.DataFrame]:
    """The order the numeric dates of a column must be read in: 'dayfirst' (a first field over
    12), 'monthfirst' (a second field over 12), 'either' (all 12 or less), or None when the
    column is not written as day/month/year numbers; and the fields of each cell."""
    fields = cells.str.extract(NUMERIC_DATE)
    filled = cells != ""
    if filled.sum() == 0 or fields[0][filled].notna().mean() < 0.9:
        return None, fields
    first = pd.to_numeric(fields[0], errors="coerce")
    second = pd.to_numeric(fields[2], errors="coerce")
    day_first, month_first = first > 12, second > 12
    if day_first.any() and month_first.any():
        one, other = np.flatnonzero(day_first)[0], np.flatnonzero(month_first)[0]
        raise DataSourceError(
            f"the dates mix two orders: data row {one + 1} holds '{cells.iloc[one]}' (day "
            f"first) and data row {other + 1} holds '{cells.iloc[other]}' (month first). Write "
            "every date in one order (best: 2024-01-31) and upload the file again."
        )
    if day_first.any():
        return "dayfirst", fields
    if month_first.any():
        return "monthfirst", fields
    return "either", fields


def question_for(cells: pd.Series, fields: pd.DataFrame) -> DateOrderQuestion:
    """Both readings of the first cell whose day and month differ (06.01.2024)."""
    first = pd.to_numeric(fields[0], errors="coerce")
    second = pd.to_numeric(fields[2], errors="coerce")
    differ = np.flatnonzero((first != second).to_numpy() & first.notna().to_numpy())
    row = int(differ[0]) if len(differ) else int(np.flatnonzero(first.notna().to_numpy())[0])
    year = _full_year(fields[3].iloc[row : row + 1]).iloc[0]
    one, two = int(first.iloc[row]), int(second.iloc[row])
    return DateOrderQuestion(
        example=cells.iloc[row],
        dayfirst=_spelled(one, two, year),
        monthfirst=_spelled(two, one, year),
    )


def _full_year(years: pd.Series) -> pd.Series:
    """Two-digit years as Python's %y reads them: 69-99 -> 1900s, 00-68 -> 2000s."""
    short = years.str.len() == 2
    numbers = pd.to_numeric(years.where(short), errors="coerce")
    century = np.where(numbers >= 69, "19", "20")
    return years.where(~short, pd.Series(century, index=years.index) + years)


def _numeric_dates(fields: pd.DataFrame, order: str) -> pd.Series:
    day, month = (fields[0], fields[2]) if order == "dayfirst" else (fields[2], fields[0])
    iso = (
        _full_year(fields[3].fillna(""))
        + "-"
        + month.str.zfill(2)
        + "-"
        + day.str.zfill(2)
        + fields[4].fillna("").str.replace("T", " ", regex=False)
    )
    return pd.to_datetime(iso.where(fields[0].notna()), errors="coerce", format="mixed")


def _pandas_dates(cleaned: pd.Series) -> pd.Series:
    """Dates pandas can read without a day/month question (2024-01-31, Jan 31 2024, 2024Q1,
    1949-01, plain years): one format for the column where it has one, else cell by cell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            dates = pd.to_datetime(cleaned, errors="coerce")
            if dates.isna().sum() > cleaned.isna().sum():
                dates = pd.to_datetime(cleaned, errors="coerce", format="mixed")
        except (ValueError, TypeError):
            dates = pd.to_datetime(cleaned, errors="coerce", format="mixed", utc=True)
    return dates


def parse_dates(cells: pd.Series, order: str = "auto", column: str = "date") -> pd.Series:
    """Dates from text cells, NaT where a cell is not a date. Day/month/year numbers are read
    in one order for the whole column: the order the values show (a day over 12), else the
    given one; AmbiguousDateOrder when neither tells. Time zones are dropped."""
    cleaned = cells.replace("", np.nan)
    found, fields = date_order_of(cells)
    if found is None:
        dates = _pandas_dates(cleaned)
    else:
        if found == "either" and order == "auto":
            raise AmbiguousDateOrder(column, question_for(cells, fields))
        if found != "either" and order not in ("auto", found):
            wrong = int(np.flatnonzero(
                (pd.to_numeric(fields[0 if found == "dayfirst" else 2], errors="coerce") > 12)
                .to_numpy()
            )[0])  # fmt: skip
            words = {"dayfirst": "day first", "monthfirst": "month first"}
            raise ConfigError(
                f"data row {wrong + 1} of column '{column}' holds '{cells.iloc[wrong]}', which "
                f"is {words[found]}, not {words[order]} as chosen; choose {words[found]} (or "
                "leave the order to the file)."
            )
        dates = _numeric_dates(fields, found if found != "either" else order)
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates


def looks_like_dates(cells: pd.Series) -> pd.Series:
    """The cells that read as dates in some order (for guessing which column holds them)."""
    try:
        return parse_dates(cells, order="auto")
    except AmbiguousDateOrder:
        return parse_dates(cells, order="dayfirst")
    except (ConfigError, DataSourceError):
        return _pandas_dates(cells.replace("", np.nan))


__all__ = [
    "AmbiguousDateOrder",
    "DATE_ORDERS",
    "DateOrderQuestion",
    "date_order_of",
    "decode",
    "find_header",
    "is_missing",
    "looks_like_dates",
    "name_rows",
    "number_style",
    "parse_dates",
    "parse_numbers",
    "read_table",
]
