"""The demo path in a real browser: Home -> Try the demo -> Train -> Results, with Plotly charts.

Starts `streamlit run app.py` on a free loopback port with its own data home and drives Debian's
Chromium through Playwright. The demo is the real one, only shorter (FORECAST_LAB_DEMO_*).
"""

from __future__ import annotations

import time

import pytest

from tests.browser.server import chromium_page, running_app

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    """A running app on a free port; yields its URL and stops it afterwards."""
    demo = {"FORECAST_LAB_DEMO_EPOCHS": "3", "FORECAST_LAB_DEMO_LENGTH": "700"}
    with running_app(tmp_path / "home", tmp_path / "server.log", demo) as url:
        yield url


def test_demo_path_renders_plotly_charts(server, tmp_path):
    with chromium_page(height=2200) as page:
        page.goto(server)
        page.get_by_role("button", name="Try the demo").click(timeout=60_000)
        started = time.time()
        page.get_by_text("Train", exact=True).first.wait_for(timeout=60_000)
        results = page.get_by_role("button", name="See the results")
        results.wait_for(timeout=300_000)
        results.click()
        page.locator('[data-testid="stMain"] h1', has_text="Results").wait_for(timeout=120_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
        page.locator(".js-plotly-plot").nth(2).wait_for(state="attached", timeout=120_000)
        seconds = time.time() - started
        page.wait_for_timeout(1500)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator(".js-plotly-plot").count() >= 3
        assert page.get_by_text("tomorrow = today").count() > 0
        page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
        print(f"demo path: {seconds:.1f} s from Try the demo to Results charts")
