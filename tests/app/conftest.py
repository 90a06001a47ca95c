"""AppTest helpers: open a page of the real app (app.py router) with a request in the URL, and
a data home holding tiny trained runs (one regression, one up/flat/down), trained once."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.links import request_to_query

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
TIMEOUT = 120

TINY = RunRequest(
    data=DataConfig(length=400),
    split=SplitConfig(test_size=80),
    model=ModelConfig(units=4),
    train=TrainConfig(epochs=2),
    horizon=5,
)
TINY_CLASSIFIER = TINY.replace(model=ModelConfig(units=4, task="classification", class_horizon=3))


def open_page(
    page: str | None = None,
    request: RunRequest | None = None,
    owner_id: str | None = None,
    **params,
) -> AppTest:
    """Run app.py (optionally with a request, the browser's owner id and extra query
    parameters), then switch pages."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if owner_id is not None:
        at.session_state["forecast_lab.owner_id"] = owner_id
    query = request_to_query(request) if request is not None else {}
    query.update(params)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


# CommonMark shows a backslash-escaped ASCII punctuation mark as the mark itself.
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def rendered(markdown: str) -> str:
    """What a reader sees of `markdown` text: backslash escapes (pages/components/plain.py)
    shown as their characters and the invisible space that keeps addresses unlinked dropped."""
    return _MARKDOWN_ESCAPE.sub(r"\1", markdown).replace("\u200b", "")


WIDGET_KINDS = (
    "button",
    "download_button",
    "slider",
    "select_slider",
    "selectbox",
    "radio",
    "number_input",
    "checkbox",
    "toggle",
    "date_input",
    "segmented_control",
    "pills",
    "file_uploader",
)


def assert_clean(at: AppTest) -> None:
    """No exception on the page, and every control carries a help tooltip."""
    assert not at.exception, [item.value for item in at.exception]
    missing = []
    for kind in WIDGET_KINDS:
        for widget in getattr(at, kind):
            if not getattr(widget.proto, "help", ""):
                missing.append(f"{kind} '{getattr(widget, 'label', '?')}'")
    assert not missing, f"controls without a help tooltip: {missing}"


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory) -> Path:
    """A data home with TINY and TINY_CLASSIFIER already trained (shared by the page tests)."""
    from core.runs.pipeline import run_experiment
    from core.runs.store import RunStore

    home = tmp_path_factory.mktemp("trained-home")
    store = RunStore(home / "runs")
    run_experiment(TINY, store=store)
    run_experiment(TINY_CLASSIFIER, store=store)
    return home


@pytest.fixture
def use_trained_home(trained_home, monkeypatch) -> Path:
    monkeypatch.setenv("FORECAST_LAB_HOME", str(trained_home))
    return trained_home


@pytest.fixture(autouse=True)
def _quiet_tensorflow(monkeypatch):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # No networks warmed ahead of trainings in page tests (tests/training/test_jobs.py tests
    # it; the browser tests run it for real): it would only add work to the pool.
    monkeypatch.setenv("FORECAST_LAB_HEAD_START", "0")


def runs_page_of(home, owner_id: str, claim: bool = False, admin: bool = False):
    """The Runs page seen by the browser `owner_id` (optionally owning every stored run)."""
    from core.runs.owners import RunOwners

    if claim:
        owners = RunOwners(home / "runs")
        for folder in (home / "runs").iterdir():
            if not folder.name.startswith("."):
                owners.claim(folder.name, owner_id)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["forecast_lab.owner_id"] = owner_id
    at.session_state["forecast_lab.admin"] = admin
    at.run()
    at.switch_page("pages/runs.py")
    at.run()
    return at
