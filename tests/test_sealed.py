"""The sealed server, beyond uploads (tests/data/test_upload.py, tests/test_links.py): run keys,
study storage typed on the Experiments page and study names never reach outside the data home."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from core.paths import home_dir, sub_dir
from core.runs.store import RunStore


@pytest.mark.parametrize(
    "key", ["../outside", "..", "/etc", "a/b", ".tmp-abc", "", "x" * 65, "abc\x00", "~root"]
)
def test_a_run_key_is_a_plain_name_or_nothing_is_touched(key, tmp_path):
    store = RunStore(tmp_path / "runs")
    victim = tmp_path / "outside"
    victim.mkdir()
    (victim / "meta.json").write_text("{}")
    assert store.load(key) is None and not store.has(key)
    with pytest.raises(ConfigError, match="is not a run key"):
        store.folder(key)
    with pytest.raises(ConfigError, match="is not a run key"):
        store.delete(key)
    assert (victim / "meta.json").is_file()  # nothing outside the store was read or removed


def test_real_run_keys_still_work(tmp_path):
    store = RunStore(tmp_path)
    assert store.folder("3f2a9c0d1b4e5f607a8b") == tmp_path / "3f2a9c0d1b4e5f607a8b"
    assert store.load("3f2a9c0d1b4e5f607a8b") is None


def test_storage_typed_on_the_page_stays_in_the_studies_folder(tmp_path):
    from core.tuning.storage import page_storage_url

    studies = sub_dir("studies").resolve()
    assert page_storage_url("") is None and page_storage_url(None) is None
    assert (
        page_storage_url("postgresql://user:pass@db/optuna") == "postgresql://user:pass@db/optuna"
    )
    assert page_storage_url("team.journal") == str(studies / "team.journal")
    assert page_storage_url("sqlite:///team.db") == f"sqlite:///{studies / 'team.db'}"
    assert page_storage_url(str(studies / "a.journal")) == str(studies / "a.journal")
    link = studies / "out"
    link.symlink_to(tmp_path, target_is_directory=True)
    for text in (
        "/etc/cron.d/evil",
        "../runs/x.journal",
        "../../../../tmp/x.journal",
        "sqlite:////etc/evil.db",
        "sqlite:///../evil.db",
        "file:///etc/passwd",
        "out/x.journal",  # a symlink in studies/ leading out
        str(home_dir() / "x.journal"),
    ):
        with pytest.raises(ConfigError, match="not allowed from the page"):
            page_storage_url(text)
    assert not any(Path(tmp_path).glob("*.journal"))


@pytest.mark.parametrize("name", ["..", ".", "../../x", "/etc/x", "a/../../b"])
def test_a_study_name_is_one_folder_inside_studies(name):
    from core.tuning.objective import predictions_file

    path = predictions_file(name, 1)
    studies = sub_dir("studies").resolve()
    assert path.resolve().parent.parent == studies
