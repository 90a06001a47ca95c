"""Text from a user's file is escaped before Markdown or a chart renders it (the real browser
check is tests/browser/test_hostile_text.py)."""

from __future__ import annotations

import re

import pandas as pd
from streamlit.testing.v1 import AppTest

from core.charts.series import series_figure
from pages.components.plain import plain

HOSTILE = "[click](http://example.test/a) ![x](https://example.test/i.png) <b>x</b> :red[y] `z`"


def test_plain_escapes_every_markdown_character_and_breaks_bare_addresses():
    text = plain(HOSTILE + "\nsecond line")
    assert re.search(r"(?<!\\)[\[\]()!<>`:]", text) is None  # each one escaped
    assert "://\u200b" not in HOSTILE and text.count("\u200b") == 2
    assert "\n" not in text


def _error_from_a_file():
    from core.errors import DataSourceError
    from pages.components.guard import show_error

    show_error(DataSourceError("value column '[click](http://example.test/a)' holds 'x'"))


def test_an_error_quoting_a_file_is_shown_escaped():
    at = AppTest.from_function(_error_from_a_file)
    at.run()
    assert "\\[click\\]\\(" in at.error[0].value


def test_a_chart_title_from_a_file_cannot_carry_tags():
    dates = pd.date_range("2024-01-01", periods=5)
    figure = series_figure(dates, [1.0, 2, 3, 4, 5], title="<a href='http://example.test'>x</a>")
    assert "<a" not in figure.layout.title.text and "&lt;a" in figure.layout.title.text
