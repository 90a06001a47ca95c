"""Runs and jobs belong to the browser that made them: another browser does not see them on the
Runs page and cannot delete them, the owner can, and the teacher (admin token) can manage all."""

from __future__ import annotations

import shutil

from core.runs.jobs import JobRegistry
from core.runs.owners import RunOwners, Viewer, admin_token_matches
from core.runs.store import RunStore
from tests.app.conftest import assert_clean, runs_page_of
from tests.runs.test_jobs import FakeRunner, tiny_request, wait_until

ALICE, BOB = "a" * 32, "b" * 32


def _home_of_alice(trained_home, tmp_path, monkeypatch):
    home = tmp_path / "copy"
    shutil.copytree(trained_home, home)
    monkeypatch.setenv("FORECAST_LAB_HOME", str(home))
    owners = RunOwners(home / "runs")
    for folder in (home / "runs").iterdir():
        if not folder.name.startswith("."):
            owners.claim(folder.name, ALICE)
    return home


def _delete_buttons(at) -> list:
    return [button for button in at.button if button.label.startswith("Delete")]


def test_another_browser_neither_sees_nor_deletes_the_owners_runs(
    trained_home, tmp_path, monkeypatch
):
    home = _home_of_alice(trained_home, tmp_path, monkeypatch)
    at = runs_page_of(home, owner_id=BOB)
    assert_clean(at)
    assert not at.dataframe, "Bob's Runs page lists no run of Alice's"
    assert "2 runs of other people are not listed" in "\n".join(c.value for c in at.caption)
    assert _delete_buttons(at) == []
    assert len([p for p in (home / "runs").iterdir() if not p.name.startswith(".")]) == 2


def test_the_teacher_sees_and_may_delete_every_run(trained_home, tmp_path, monkeypatch):
    home = _home_of_alice(trained_home, tmp_path, monkeypatch)
    at = runs_page_of(home, owner_id=BOB, admin=True)
    assert len(at.dataframe[0].value) == 2
    at.session_state["runs_table_0"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert _delete_buttons(at)


def test_jobs_carry_their_owner_and_the_run_is_claimed_once(tmp_path, monkeypatch):
    runner = FakeRunner()
    registry = JobRegistry(store=RunStore(tmp_path), runner=runner)
    job_id = registry.submit(tiny_request(), owner=ALICE)
    assert registry.snapshot(job_id).owner == ALICE
    assert registry.submit(tiny_request(), owner=BOB) == job_id  # Bob joins Alice's job
    runner.release.set()
    wait_until(lambda: registry.snapshot(job_id).finished)
    registry.owners.claim(job_id, BOB)  # the same settings trained again later
    assert registry.owners.owner_of(job_id) == ALICE
    assert Viewer(ALICE).may_manage(ALICE) and not Viewer(BOB).may_manage(ALICE)
    assert not Viewer(BOB).may_manage(None) and Viewer(BOB, admin=True).may_manage(ALICE)


def test_the_admin_token_is_off_unless_set(monkeypatch):
    monkeypatch.delenv("FORECAST_LAB_ADMIN_TOKEN", raising=False)
    assert not admin_token_matches("") and not admin_token_matches("anything")
    monkeypatch.setenv("FORECAST_LAB_ADMIN_TOKEN", "s3cret")
    assert admin_token_matches("s3cret") and not admin_token_matches("s3cre")


def test_an_interrupted_training_is_offered_to_its_owner_only(tmp_path, monkeypatch):
    import json

    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP, TIMEOUT, TINY, texts

    home = tmp_path / "home"
    markers = home / "runs" / ".in-progress"
    markers.mkdir(parents=True)
    marker = {
        "key": "lostkey",
        "request": TINY.to_dict(),
        "submitted_at": 1_700_000_000.0,
        "owner_pid": 999_999_999,  # no such process: its server is gone
        "owner_started": 0.0,
        "owner": ALICE,
    }
    (markers / "lostkey.json").write_text(json.dumps(marker))
    monkeypatch.setenv("FORECAST_LAB_HOME", str(home))
    shown = {}
    for viewer in (BOB, ALICE):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.session_state["forecast_lab.owner_id"] = viewer
        at.run()
        at.switch_page("pages/train.py")
        at.run()
        shown[viewer] = "A training was interrupted" in texts(at.warning)
        assert (
            not [button for button in at.button if button.key == "dismiss_lostkey"] or shown[viewer]
        )
    assert shown == {BOB: False, ALICE: True}


def test_the_train_page_refuses_settings_over_the_memory_budget_before_train(monkeypatch):
    from core.config import TrainConfig
    from core.limits import MEMORY_BUDGET_ENV, estimate_memory
    from tests.app.conftest import TINY, open_page, texts

    request = TINY.replace(train=TrainConfig(epochs=2, batch_size=4096))
    small = estimate_memory(TINY.data.length, TINY.split.lookback, TINY.model, 1).total
    monkeypatch.setenv(MEMORY_BUDGET_ENV, str(small * 1.01 / 2**20))
    at = open_page("pages/train.py", request)
    assert not at.exception
    assert "a smaller batch than 4096" in texts(at.error)
    assert not [button for button in at.button if button.label.startswith("Train")]
