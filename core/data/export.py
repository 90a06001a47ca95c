"""Tables that leave the app as CSV (the preview's download, exports): a text cell a spreadsheet
would run as a formula (=, +, -, @, tab or carriage return first) gets a leading apostrophe;
numbers, including negative ones, stay as they are."""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^[+-]?(\d+[.,]?\d*|[.,]\d+)([eE][+-]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """The cell, or "'" + the cell when it is text that starts like a formula."""
    if not isinstance(value, str) or not FORMULA_START.match(value):
        return value
    if NUMBER.match(value.strip()):
        return value
    return "'" + value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names cannot start a formula."""
    result = frame.copy()
    for column in result.columns:
        if result[column].dtype == object or pd.api.types.is_string_dtype(result[column]):
            result[column] = result[column].map(neutralise_cell)
    result.columns = [neutralise_cell(column) for column in result.columns]
    return result


__all__ = ["neutralise_cell", "neutralise_formulas"]
