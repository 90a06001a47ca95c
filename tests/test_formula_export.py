"""The Data preview's table (and so its CSV download) neutralises text cells a spreadsheet would
run as formulas; numbers, negative ones included, are left alone."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from core.data.export import neutralise_formulas
from tests.test_upload_store import _upload_through_the_form

ROWS = [f"2020-01-{day:02d},{day - 10}.5,note" for day in range(1, 28)]
HOSTILE = (
    "date,value,=cmd|' /C calc'!A0\n"
    + '2019-12-31,1,"=HYPERLINK(""http://example.test"",""x"")"\n'
    + "\n".join(ROWS)
).encode()


def test_formula_cells_and_names_get_an_apostrophe_and_numbers_do_not():
    frame = pd.DataFrame(
        {"a": ["=1+1", "+SUM(A1)", "-2.5", "@x", "\tcmd", "plain", "-x"], "n": range(7)}
    )
    shown = neutralise_formulas(frame)
    assert shown["a"].tolist() == ["'=1+1", "'+SUM(A1)", "-2.5", "'@x", "'\tcmd", "plain", "'-x"]
    assert shown["n"].tolist() == list(range(7))


def test_the_data_preview_shows_no_formula_cells():
    at = AppTest.from_function(_upload_through_the_form, default_timeout=60)
    at.session_state["content"] = HOSTILE
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    cells = [str(cell) for column in shown.columns for cell in shown[column]]
    cells += [str(column) for column in shown.columns]
    assert not [cell for cell in cells if cell[:1] in "=+@"], cells
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert "-9.5" in cells  # a negative number stays a number
