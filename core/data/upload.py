"""The user's own CSV (SPEC 1.2): preview and column guessing, content-addressed saving under the
uploads folder, and strict validation into a Series with messages that say how to fix the file."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core.atomic import write_atomic
from core.config import DataConfig
from core.data.clean import clean_series, describe_frequency
from core.data.market import filter_dates
from core.data.reading import (
    MISSING_TOKENS,  # noqa: F401  (re-exported)
    AmbiguousDateOrder,
    DateOrderQuestion,
    date_order_of,
    is_missing,
    looks_like_dates,
    name_rows,
    parse_dates,
    parse_numbers,
    question_for,
)
from core.data.reading import (
    read_table as read_cells,
)
from core.data.series import Series, check_calendar, unit
from core.data.shipped import shipped_bytes
from core.errors import ConfigError, DataSourceError
from core.limits import max_upload_bytes, max_upload_rows, megabytes, uploads_quota_bytes
from core.paths import sub_dir

MIN_ROWS = 60
PREVIEW_ROWS = 5
DATE_NAMES = (
    "date", "datetime", "timestamp", "time", "day", "dates", "week", "month", "quarter", "year",
    "period",
)  # fmt: skip
VALUE_NAMES = ("close", "adj close", "adj_close", "adjclose", "value", "price", "closing price")
PARSED_SHARE = 0.9  # a column "parses" as dates or numbers when 90% of its filled cells do


@dataclass(frozen=True, eq=False)
class CsvPreview:
    """What the upload form shows: columns, guessed date and value columns, the first rows."""

    columns: list[str]
    date_column: str | None  # None = no unambiguous guess; the user must pick
    value_column: str | None
    head: pd.DataFrame
    row_count: int
    separator: str = ","
    # date columns whose day/month order the file cannot tell, with the question to ask
    date_questions: dict[str, DateOrderQuestion] = field(default_factory=dict)
    numeric_columns: tuple[str, ...] = ()  # columns of numbers: the choices to forecast


# ----------------------------------------------------------------------------------------------
# Reading


BINARY_SAMPLE = 65536
ZIP_SIGNATURE = b"PK\x03\x04"  # an .xlsx workbook: its reader judges it, not this check


def _looks_binary(sample: bytes) -> bool:
    """NUL bytes that are not UTF-16 text (where every other byte of plain text is NUL)."""
    nuls = sample.count(b"\x00")
    if not nuls:
        return False
    half = max(1, len(sample) // 2)
    even, odd = sample[0::2].count(b"\x00"), sample[1::2].count(b"\x00")
    return max(even, odd) < 0.4 * half or min(even, odd) > 0.1 * half


def check_upload_size(data: bytes) -> None:
    """Refuse, before parsing, a file over the upload limits (bytes, then lines): a million-row
    file held the server at 4.9 GB while pandas read it."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise DataSourceError(
            f"the file holds {megabytes(len(data))}, more than the {megabytes(limit)} a file may "
            "hold here; upload a shorter file (fewer years, or weekly instead of daily values)."
        )
    if not data.startswith(ZIP_SIGNATURE) and _looks_binary(data[:BINARY_SAMPLE]):
        raise DataSourceError(
            "the file is not text (it holds binary data, e.g. a spreadsheet, an image or an "
            "archive); save it as a CSV file (File > Save as > CSV) and upload that."
        )
    rows, most = data.count(b"\n"), max_upload_rows()
    if rows > most + 1:  # the header line besides the data rows
        raise DataSourceError(
            f"the file has about {rows:,} rows, more than the {most:,} a series may have here; "
            "upload fewer rows (a shorter period, or weekly instead of daily values)."
        )


def read_table(data: bytes) -> tuple[pd.DataFrame, str]:
    """Text cells of an upload (see core.data.reading.read_table), after the size checks."""
    if data and data.strip():
        check_upload_size(data)
    return read_cells(data)


def _mostly(parsed: pd.Series, cells: pd.Series) -> bool:
    filled = int((cells != "").sum())
    return filled > 0 and parsed.notna().sum() >= PARSED_SHARE * filled


def _is_numeric(cells: pd.Series, separator: str) -> bool:
    return _mostly(parse_numbers(cells, separator), cells)


def _is_dates(cells: pd.Series, separator: str) -> bool:
    if _is_numeric(cells, separator):
        return False  # plain numbers (prices, years, unix seconds) are not taken as dates
    return _mostly(looks_like_dates(cells), cells)


def _normalised(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


def guess_columns(
    frame: pd.DataFrame, separator: str = ",", date_column: str | None = None
) -> tuple[str | None, str | None]:
    """The date and value columns where the choice is unambiguous, else None for that role.

    Date (unless given): the column named date/time/timestamp (or containing 'date' or 'time'),
    else the only column that parses as dates. Value: a column named close/adj close/value/price
    (in that order of preference), else the only numeric column besides the date.
    """
    columns = list(frame.columns)
    sample = frame.head(500)
    if date_column is None:
        date_column = _guess_date_column(frame, sample, separator)
    others = [column for column in columns if column != date_column]
    value_column: str | None = None
    for wanted in VALUE_NAMES:
        match = [column for column in others if _normalised(column) == wanted]
        if len(match) == 1:
            value_column = match[0]
            break
    if value_column is None:
        numeric = [column for column in others if _is_numeric(sample[column], separator)]
        value_column = numeric[0] if len(numeric) == 1 else None
    return date_column, value_column


def _guess_date_column(frame: pd.DataFrame, sample: pd.DataFrame, separator: str) -> str | None:
    columns = list(frame.columns)
    exact = [column for column in columns if _normalised(column) in DATE_NAMES]
    named = [c for c in columns if "date" in _normalised(c) or "time" in _normalised(c)]
    if len(exact) == 1:
        date_column: str | None = exact[0]
    elif len(exact) > 1 and "date" in [_normalised(column) for column in exact]:
        date_column = next(column for column in exact if _normalised(column) == "date")
    elif not exact and len(named) == 1:
        date_column = named[0]
    else:
        parsed = [c for c in columns if _is_dates(sample[c], separator)]
        date_column = parsed[0] if len(parsed) == 1 else None
    return date_column


def _date_questions(frame: pd.DataFrame) -> dict[str, DateOrderQuestion]:
    questions = {}
    for column in frame.columns:
        try:
            order, fields = date_order_of(frame[column])
        except DataSourceError:
            continue  # mixed orders: loading names the rows
        if order == "either":
            questions[column] = question_for(frame[column], fields)
    return questions


def inspect_csv(data: bytes) -> CsvPreview:
    """Read an uploaded file and guess its date and value columns for the upload form; list
    its numeric columns and the date columns whose day/month order must be asked."""
    frame, separator = read_table(data)
    date_column, value_column = guess_columns(frame, separator)
    sample = frame.head(500)
    numeric = tuple(
        column
        for column in frame.columns
        if column != date_column and _is_numeric(sample[column], separator)
    )
    return CsvPreview(
        date_questions=_date_questions(frame),
        numeric_columns=numeric,
        columns=list(frame.columns),
        date_column=date_column,
        value_column=value_column,
        head=frame.head(PREVIEW_ROWS).reset_index(drop=True),
        row_count=len(frame),
        separator=separator,
    )


# ----------------------------------------------------------------------------------------------
# Saving


def _safe_name(name: str) -> str:
    base = Path(str(name)).name  # never let a client-supplied name climb out of the folder
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or not stem or suffix.lower() not in ("csv", "txt", "tsv", "xlsx"):
        stem, suffix = cleaned, "csv"
    return f"{stem[:72]}.{suffix.lower()}"


def save_upload(data: bytes, name: str) -> Path:
    """Store uploaded bytes as uploads/<sha256 prefix>_<sanitised name> and return that path.

    The same content under the same name maps to the same file, so re-uploading changes nothing.
    """
    if not data:
        raise DataSourceError("the uploaded file is empty; pick a CSV file with data.")
    check_upload_size(data)
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = sub_dir("uploads") / f"{digest}_{_safe_name(name)}"
    if path.is_file() and path.stat().st_size == len(data):
        path.touch()  # recently used: the last to make room for new uploads
        return path
    _make_room(path.parent, len(data))
    return write_atomic(path, data)  # a crash never leaves a half-written upload


RECENT_SECONDS = 600  # an upload this fresh may be about to be trained on: never removed


def _make_room(folder: Path, size: int) -> None:
    """Keep all uploads together under the quota (FORECAST_LAB_UPLOADS_QUOTA_MB): the uploads
    used longest ago are removed first, never one from the last ten minutes; DataSourceError
    when that still leaves no room. Stored runs keep their own data, so they stay loadable."""
    quota = uploads_quota_bytes()
    if size > quota:
        raise DataSourceError(
            f"the file holds {megabytes(size)}, more than the {megabytes(quota)} all uploads may "
            "take on this server; upload a shorter file."
        )
    stored = []
    for item in folder.iterdir():
        try:
            status = item.stat()
        except OSError:
            continue  # removed meanwhile
        if item.is_file():
            stored.append((status.st_mtime, status.st_size, item))
    used = sum(item_size for _, item_size, _ in stored)
    now = time.time()
    for modified, item_size, item in sorted(stored):
        if used + size <= quota or now - modified < RECENT_SECONDS:
            break
        item.unlink(missing_ok=True)
        used -= item_size
    if used + size > quota:
        raise DataSourceError(
            f"the uploads on this server already take {megabytes(used)} of the "
            f"{megabytes(quota)} allowed, all from the last ten minutes; try again in a few "
            "minutes, or upload a shorter file."
        )


UPLOAD_NAME = re.compile(r"[0-9a-f]{16}_[A-Za-z0-9._-]{1,80}")  # save_upload's names


def resolve_upload(reference: str | Path) -> Path:
    """The file in this server's uploads folder that a DataConfig names, or a ConfigError.

    A reference is an upload's content id (the name save_upload gave it, e.g.
    '3f2a...9c_prices.csv') or a path to that file inside the uploads folder. Anything else
    (another folder, '..', a symlink leading out, a name save_upload never makes) is refused,
    so settings from a link can never make the server read a file of the link's choosing.
    """
    text = str(reference).strip()
    folder = sub_dir("uploads").resolve()
    name = Path(text).name
    refusal = ConfigError(
        f"'{text[:120]}' is not a file uploaded to this app: only uploads (named by their "
        "content id, e.g. 3f2a9c0d1b4e5f60_prices.csv) can be read. Upload the file on the Data "
        "page, or on the command line pass it with --csv (it is copied into the uploads folder)."
    )
    if not UPLOAD_NAME.fullmatch(name):
        raise refusal
    given = Path(text)
    if not given.is_absolute() and text != name:
        raise refusal  # a relative path with folders in it, e.g. ../../uploads/<id>_x.csv
    candidate = given if given.is_absolute() else folder / name
    resolved = candidate.resolve()  # follows symlinks: a link out of the folder is caught below
    if resolved.parent != folder or candidate.parent.resolve() != folder:
        raise refusal
    return resolved


def existing_upload(reference: str | Path | None) -> Path | None:
    """The uploaded file a reference names if it is still there; None if it is gone or the
    reference does not name an upload (see resolve_upload)."""
    if not reference:
        return None
    try:
        path = resolve_upload(reference)
    except ConfigError:
        return None
    return path if path.is_file() else None


def upload_reference(path: str | Path) -> str:
    """What a DataConfig (and so a link) holds for an upload: its content-id file name only."""
    return resolve_upload(path).name


def read_bounded(path: Path) -> bytes:
    """The bytes of a file, read no further than the upload limit (so /dev/zero or a huge file
    costs one limit's worth of memory, not all of it); DataSourceError past the limit."""
    limit = max_upload_bytes()
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise DataSourceError(
            f"{path} is larger than {megabytes(limit)}, the most a file may hold here; "
            "upload a shorter file (e.g. fewer years, or weekly instead of daily values)."
        )
    return data


def import_file(path: str | Path) -> str:
    """Copy a user's own file (a command-line --csv path, trusted) into the uploads folder and
    return its upload reference; the server side only ever reads the copy."""
    source = Path(path).expanduser()
    try:
        data = read_bounded(source)
    except OSError as error:
        raise DataSourceError(
            f"could not read {source} ({error.strerror or error}); check the path of the CSV file."
        ) from error
    read_table(data)  # stored only once it parses
    return save_upload(data, source.name).name


def display_name(path: str | Path) -> str:
    """The user's file name without the content-hash prefix save_upload adds.

    Accepts the str a DataConfig holds as well as a Path."""
    name = Path(path).name
    match = re.fullmatch(r"[0-9a-f]{16}_(.+)", name)
    return match.group(1) if match else name


# ----------------------------------------------------------------------------------------------
# Validation


def _pick_column(
    frame: pd.DataFrame, chosen: str | None, guessed: str | None, role: str, file_name: str
) -> str:
    available = ", ".join(f"'{column}'" for column in frame.columns)
    if chosen is not None:
        if chosen in frame.columns:
            return chosen
        raise ConfigError(
            f"{role} column '{chosen}' is not in {file_name}; available columns: {available}. "
            f"Pick one of those as the {role} column."
        )
    if guessed is None:
        raise ConfigError(
            f"could not tell which column of {file_name} holds the {role}s; available columns: "
            f"{available}. Choose the {role} column."
        )
    return guessed


def load_csv_series(config: DataConfig) -> Series:
    """Validate the CSV at config.csv_path and return it as an ascending Series.

    Checks: readable and non-empty, columns exist, every date parses, every value is a number
    or empty/NA (a missing value), at least 60 rows after cleaning (see clean_series: repeated
    dates merged, missing values filled or dropped; series.cleaning says what was done). Each
    failure names the row or column and the fix.
    """
    if not config.csv_path:
        raise ConfigError("the CSV source needs a file; upload one or pick another source.")
    path = resolve_upload(config.csv_path)
    file_name = display_name(path)
    try:
        data = shipped_bytes(path.name) or path.read_bytes()  # shipped: sent with a task
    except FileNotFoundError as error:
        raise DataSourceError(
            f"the uploaded file {file_name} is no longer on this server; upload it again."
        ) from error
    except OSError as error:
        raise DataSourceError(f"could not read {file_name} ({error}); upload it again.") from error
    frame, separator = read_table(data)
    if config.date_column is None or config.value_column is None:
        known_date = config.date_column if config.date_column in frame.columns else None
        guessed_date, guessed_value = guess_columns(frame, separator, known_date)
    else:
        guessed_date = guessed_value = None
    date_column = _pick_column(frame, config.date_column, guessed_date, "date", file_name)
    value_column = _pick_column(frame, config.value_column, guessed_value, "value", file_name)
    if date_column == value_column:
        raise ConfigError(
            f"the date and value columns are both '{date_column}'; pick two different columns."
        )

    # Messages count data rows from 1 below the header ("data row 1" is the first value).
    date_cells, value_cells = frame[date_column], frame[value_column]
    empty_row = (date_cells == "") & is_missing(value_cells)
    rows = np.flatnonzero(~empty_row.to_numpy())  # rows with neither a date nor a value: skipped
    date_cells, value_cells = date_cells.iloc[rows], value_cells.iloc[rows]
    dates = parse_dates(date_cells.reset_index(drop=True), config.date_order, date_column)
    bad_dates = np.flatnonzero(dates.isna().to_numpy())
    if len(bad_dates):
        row = int(rows[bad_dates[0]])
        cell = frame[date_column].iloc[row]
        what = "is empty" if cell == "" else f"holds '{cell}', which is not a date"
        raise DataSourceError(
            f"data row {row + 1} of {file_name}: date column '{date_column}' {what} "
            f"({name_rows(rows[bad_dates])}). Fix those cells (e.g. 2024-01-31) or pick another "
            "date column."
        )
    check_calendar(dates, file_name)
    values = parse_numbers(value_cells, separator)
    bad_values = np.flatnonzero((values.isna() & ~is_missing(value_cells)).to_numpy())
    bad_values = np.union1d(bad_values, np.flatnonzero(np.isinf(values.to_numpy())))
    if len(bad_values):
        row = int(rows[bad_values[0]])
        cell = frame[value_column].iloc[row]
        raise DataSourceError(
            f"value column '{value_column}' of {file_name} holds text, not a number, in "
            f"{name_rows(rows[bad_values])} (data row {row + 1}: '{cell}'). Fix those cells "
            "(empty or NA cells count as missing values and are filled), or pick another value "
            "column."
        )
    clean_dates, clean_values, cleaning = clean_series(
        pd.DatetimeIndex(dates.to_numpy()),
        values.to_numpy(dtype=np.float64),
        config.fill,
        config.duplicates,
    )
    series = Series(
        dates=clean_dates,
        values=clean_values,
        name=f"{Path(file_name).stem} · {value_column}",
        source="csv",
        provider="upload",
        cleaning=cleaning,
    )
    if len(series) < MIN_ROWS:
        raise DataSourceError(_too_short(file_name, len(rows), series))
    return filter_dates(series, config.start_date, config.end_date)


def _too_short(file_name: str, row_count: int, series: Series) -> str:
    """What would work instead: more rows, or the same period at a finer frequency."""
    frequency = series.frequency
    usable = len(series)
    message = (
        f"{file_name} has {usable} usable rows ({row_count} in the file, "
        f"{describe_frequency(frequency)}); at least {MIN_ROWS} are needed to train and test a "
        f"model, i.e. {MIN_ROWS} {unit(frequency)} of data."
    )
    finer = {"yearly": "quarterly or monthly", "quarterly": "monthly", "monthly": "weekly"}
    if frequency in finer:
        return message + (
            f" Upload a longer history, or {finer[frequency]} values over the same period."
        )
    if series.cleaning is not None and series.cleaning.dropped:
        return message + (
            f" {series.cleaning.dropped} rows were left out for missing values; pick fill "
            "'interpolate' or 'ffill' to keep them, or upload a longer series."
        )
    return message + " Upload a longer series."


__all__ = [
    "AmbiguousDateOrder",
    "CsvPreview",
    "MIN_ROWS",
    "display_name",
    "existing_upload",
    "guess_columns",
    "import_file",
    "inspect_csv",
    "load_csv_series",
    "read_table",
    "resolve_upload",
    "save_upload",
    "upload_reference",
]
