"""An upload's file name belongs to whoever uploaded it: a shared link names the upload by its
content hash only, another browser opening that link (or an ownerless run trained on it) sees
"a file someone uploaded", the uploader and the teacher see the name. Runs without an owner
(command line, or from before owners) say so on the Runs page: read-only, the teacher deletes."""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.data.upload import save_upload
from core.links import request_from_query, request_to_query
from core.paths import sub_dir
from core.runs.owners import HIDDEN_FILE, UploadOwners
from tests.app.conftest import APP, TIMEOUT, assert_clean, rendered, runs_page_of, texts

ALICE, BOB = "a" * 32, "b" * 32
FILE = "alice-salaries.csv"


def _csv() -> bytes:
    lines = ["date,value"] + [
        f"2021-{1 + day // 28:02d}-{1 + day % 28:02d},{100 + 10 * math.sin(day / 5):.3f}"
        for day in range(300)
    ]
    return ("\n".join(lines) + "\n").encode()


def _request(reference: str) -> RunRequest:
    return RunRequest(
        data=DataConfig(source="csv", csv_path=reference),
        split=SplitConfig(test_size=50, lookback=5),
        model=ModelConfig(units=4),
        train=TrainConfig(epochs=1),
        horizon=5,
    )


@pytest.fixture
def alices_upload() -> str:
    """Alice's file, stored as an upload she claimed (what the Data page's form does)."""
    reference = save_upload(_csv(), FILE).name
    UploadOwners(sub_dir("upload-owners")).claim(reference, ALICE)
    return reference


def test_a_shared_link_names_the_upload_by_its_content_hash_only(alices_upload):
    request = _request(alices_upload)
    query = request_to_query(request)
    assert query["data.csv_path"] == alices_upload[:16]
    assert not any("salaries" in value for value in query.values())
    assert request_from_query(query).request == request  # the same settings, the same run
    old_link = {**query, "data.csv_path": alices_upload}  # links from before: still read
    assert request_from_query(old_link).request == request
    unknown = request_from_query({**query, "data.csv_path": "0123456789abcdef"})
    assert unknown.request.data.source != "csv" and unknown.ignored


def _page_through_link(owner_id: str, reference: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["forecast_lab.owner_id"] = owner_id
    for name, value in request_to_query(_request(reference)).items():
        at.query_params[name] = value
    at.run()
    at.switch_page(page)
    at.run()
    return at


def test_another_browser_opening_the_link_does_not_see_the_file_name(alices_upload):
    bob = _page_through_link(BOB, alices_upload, "pages/data.py")
    assert_clean(bob)
    shown = rendered(texts(bob.caption) + texts(bob.markdown))
    assert "salaries" not in shown
    assert HIDDEN_FILE in shown
    charts = [chart.proto.spec for chart in bob.get("plotly_chart")]
    assert charts and not any("salaries" in spec for spec in charts)  # the preview's title
    alice = _page_through_link(ALICE, alices_upload, "pages/data.py")
    assert FILE in rendered(texts(alice.caption) + texts(alice.markdown))


@pytest.fixture
def ownerless_csv_run(alices_upload, isolated_home):
    """A run trained on Alice's upload with no owner (as the command line trains)."""
    from core.runs.pipeline import run_experiment
    from core.runs.store import RunStore

    run_experiment(_request(alices_upload), store=RunStore(isolated_home / "runs"))
    return isolated_home


def test_runs_without_an_owner_are_read_only_and_keep_file_names_private(ownerless_csv_run):
    bob = runs_page_of(ownerless_csv_run, owner_id=BOB)
    assert_clean(bob)
    table = bob.dataframe[0].value
    assert list(table["owner"]) == ["nobody · read-only"]
    assert "salaries" not in table["data"].iloc[0] and HIDDEN_FILE in table["data"].iloc[0]
    assert "owned by **nobody** were trained from the command line" in texts(bob.caption)
    bob.session_state["runs_table_0"] = {"selection": {"rows": [0], "columns": []}}
    bob.run()
    assert not [button for button in bob.button if button.label.startswith("Delete")]
    alice = runs_page_of(ownerless_csv_run, owner_id=ALICE)  # she uploaded it: her file's name
    assert "salaries" in alice.dataframe[0].value["data"].iloc[0]
    teacher = runs_page_of(ownerless_csv_run, owner_id=BOB, admin=True)
    assert "salaries" in teacher.dataframe[0].value["data"].iloc[0]
    teacher.session_state["runs_table_0"] = {"selection": {"rows": [0], "columns": []}}
    teacher.run()
    assert [button for button in teacher.button if button.label.startswith("Delete")]
