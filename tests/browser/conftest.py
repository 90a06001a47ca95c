"""One running app and one Chromium for all the browser tests (torn down after the last of
them): starting `streamlit run` (and its Dask workers, which load TensorFlow) is the costliest
step of a journey. Every test opens its pages in a new browser context of its own (no cookie,
storage or cache of another test: the runs it lists are the ones it trains). The demo is the
real one, only shorter (FORECAST_LAB_DEMO_*)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.server import chromium, running_app

DEMO = {"FORECAST_LAB_DEMO_EPOCHS": "3", "FORECAST_LAB_DEMO_LENGTH": "700"}


@dataclass(frozen=True)
class App:
    url: str
    home: Path  # the server's FORECAST_LAB_HOME


@pytest.fixture(scope="package")
def app(tmp_path_factory) -> App:
    folder = tmp_path_factory.mktemp("browser-app")
    with running_app(folder / "home", folder / "server.log", DEMO) as url:
        yield App(url, folder / "home")


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, launched once (tests open contexts of their own: fresh_page)."""
    with chromium() as running:
        yield running
