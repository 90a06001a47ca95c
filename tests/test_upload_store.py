"""Uploads are stored only after they parse, binary files never, and all uploads together stay
under a quota (the ones used longest ago make room; the last ten minutes' are kept)."""

from __future__ import annotations

import os
import time

import pytest
from streamlit.testing.v1 import AppTest

from core.data.upload import import_file, save_upload
from core.errors import DataSourceError
from core.paths import sub_dir

GOOD = ("date,value\n" + "\n".join(f"2020-01-{day:02d},{day}" for day in range(1, 29))).encode()


def _upload_through_the_form() -> None:
    """The Data page's upload form with a file from the browser (AppTest has no uploads)."""
    import streamlit as st

    from core.config import DataConfig
    from core.errors import ForecastLabError
    from pages.components import data_forms

    class Uploaded:
        name = "prices.csv"

        def getvalue(self):
            return st.session_state["content"]

    # Put back afterwards: the module is shared, and later page tests' upload forms would get
    # this fake file (KeyError 'content' in test_pages and test_said_changes run after this).
    original = st.file_uploader
    st.file_uploader = lambda *args, **kwargs: Uploaded()
    try:
        data_forms.upload_form(DataConfig())
    except ForecastLabError as error:
        st.error(str(error))
    finally:
        st.file_uploader = original


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, b"date,value\n"],
    ids=["image", "header only"],
)
def test_a_file_that_does_not_parse_is_never_stored(content):
    at = AppTest.from_function(_upload_through_the_form, default_timeout=60)
    at.session_state["content"] = content
    at.run()
    assert at.error, "the refusal is shown"
    assert not at.exception
    assert list(sub_dir("uploads").iterdir()) == []


def test_a_file_that_parses_is_stored_by_the_form():
    at = AppTest.from_function(_upload_through_the_form, default_timeout=60)
    at.session_state["content"] = GOOD
    at.run()
    assert not at.exception and not at.error
    assert len(list(sub_dir("uploads").iterdir())) == 1


def test_the_command_line_stores_nothing_for_a_binary_file(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x00\x01\x02\x03garbage\x00" * 100)
    with pytest.raises(DataSourceError, match="not text"):
        import_file(path)
    assert list(sub_dir("uploads").iterdir()) == []


def test_the_uploads_quota_removes_the_oldest_and_keeps_recent_ones(monkeypatch):
    monkeypatch.setenv("FORECAST_LAB_UPLOADS_QUOTA_MB", str(2.5 * len(GOOD) / 2**20))
    first = save_upload(GOOD, "first.csv")
    hour_ago = time.time() - 3600
    os.utime(first, (hour_ago, hour_ago))
    second = save_upload(GOOD + b"\n", "second.csv")
    third = save_upload(GOOD + b"\n\n", "third.csv")  # no room for three: the oldest goes
    assert not first.exists() and second.exists() and third.exists()
    with pytest.raises(DataSourceError, match="all from the last ten minutes"):
        save_upload(GOOD + b"\n\n\n", "fourth.csv")
    assert sorted(path.name for path in sub_dir("uploads").iterdir()) == sorted(
        [second.name, third.name]
    )
