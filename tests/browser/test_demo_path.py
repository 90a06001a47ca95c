"""The demo path in a real browser: Home -> Try the demo -> Train -> Results, with Plotly charts.

Starts `streamlit run app.py` on a free loopback port with its own data home and drives Debian's
Chromium through Playwright. The demo is the real one, only shorter (FORECAST_LAB_DEMO_*).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """A running app on a free port; yields its URL and stops it afterwards."""
    port = _free_port()
    env = dict(os.environ)
    env.update(
        FORECAST_LAB_HOME=str(tmp_path / "home"),
        FORECAST_LAB_DEMO_EPOCHS="3",
        FORECAST_LAB_DEMO_LENGTH="700",
        TF_CPP_MIN_LOG_LEVEL="2",
        CUDA_VISIBLE_DEVICES="-1",
    )
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("streamlit did not start within 60 s; see " + str(tmp_path / "server.log"))
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_demo_path_renders_plotly_charts(server, tmp_path):
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        page.goto(server)
        page.get_by_role("button", name="Try the demo").click(timeout=60_000)
        started = time.time()
        page.get_by_text("Train", exact=True).first.wait_for(timeout=60_000)
        results = page.get_by_role("button", name="See the results")
        results.wait_for(timeout=300_000)
        results.click()
        page.locator(".js-plotly-plot").nth(2).wait_for(timeout=120_000)
        seconds = time.time() - started
        page.wait_for_timeout(1500)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator(".js-plotly-plot").count() >= 3
        assert page.get_by_text("tomorrow = today").count() > 0
        page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
        print(f"demo path: {seconds:.1f} s from Try the demo to Results charts")
        browser.close()
