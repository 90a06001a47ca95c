"""What the browser tests and benchmarks share: `streamlit run app.py` on a free loopback port
with its own data home, Debian's Chromium (through Playwright, with the flags it needs in a
container) and the page helpers every journey uses (settle, check, train and open results)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(home: Path, log_path: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A running app (its URL) with `home` as FORECAST_LAB_HOME; stopped on exit."""
    port = free_port()
    variables = dict(os.environ)
    variables.update(
        FORECAST_LAB_HOME=str(home), TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="-1"
    )
    variables.update(env or {})
    command = [
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
    ]
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env=variables, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.time() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                    break
                except OSError:
                    if time.time() > deadline or process.poll() is not None:
                        raise RuntimeError(
                            f"streamlit did not start within 60 s; see {log_path}"
                        ) from None
                    time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's Chromium, headless, through Playwright; closed on exit. A missing Chromium or
    Playwright skips the test."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator:
    """One page of a fresh Chromium (a browser of its own: no cookies) at width x height."""
    with chromium() as browser:
        yield browser.new_page(viewport={"width": width, "height": height})


@contextlib.contextmanager
def fresh_page(browser, width: int = 1400, height: int = 1000) -> Iterator:
    """One page in a new context of a running Chromium: a browser profile of its own (no
    cookies, storage or cache of earlier contexts) at width x height; closed on exit."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        yield context.new_page()
    finally:
        context.close()


def settle(page, seconds: float = 60) -> None:
    """Wait until the app stops running and no grey skeleton is left."""
    deadline = time.time() + seconds
    page.wait_for_timeout(300)
    while time.time() < deadline and (
        page.locator('[data-testid="stStatusWidget"]').count()
        or page.locator('[data-testid="stSkeleton"]').count()
    ):
        page.wait_for_timeout(150)
    page.wait_for_timeout(400)


def check_page(page, step: str, shots: Path | None) -> None:
    """No exception element, no error box and no traceback text on the page (and, with `shots`,
    a screenshot of the fold and of the whole page)."""
    if shots is not None:
        page.screenshot(path=str(shots / f"{step}-fold.png"))  # what a 1000 px screen shows
        page.set_viewport_size({"width": 1400, "height": 3400})  # the app scrolls inside
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / f"{step}.png"), full_page=True)
        page.set_viewport_size({"width": 1400, "height": 1000})
    assert page.locator('[data-testid="stException"]').count() == 0, step
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, f"{step}: {errors.all_inner_texts()}"
    body = page.locator("body").inner_text()
    for marker in ("Traceback", "Something unexpected went wrong", "AttributeError"):
        assert marker not in body, f"{step}: '{marker}' on the page"


def train_and_open_results(page, step: str, shots: Path | None, heading: str) -> None:
    """Press Train, wait for this training's "See the results" (above the fold) and open them."""
    page.get_by_role("button", name=re.compile("^(Train the model|Train again)")).first.click()
    # The page may still show the previous training's panel ("Your last training"): wait until
    # it has made way for this one, so the button below is this training's.
    page.get_by_text("Your last training").wait_for(state="detached", timeout=60_000)
    page.get_by_role("button", name=re.compile("^(Train the model|Train again)")).wait_for(
        state="detached", timeout=60_000
    )
    results = page.get_by_role("button", name="See the results")
    results.wait_for(timeout=150_000)
    settle(page)
    if shots is not None:
        page.screenshot(path=str(shots / f"{step}-trained-fold.png"))
    box = results.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 1000, "See the results is below the fold"
    results.click()
    page.locator('[data-testid="stMain"] h1', has_text=heading).wait_for(timeout=60_000)
    # Some charts sit in tabs that are closed: attached is enough.
    page.locator(".js-plotly-plot").first.wait_for(state="attached", timeout=60_000)
    settle(page)


def tick_rows(page, rows: list[int]) -> None:
    """Tick rows of the Runs table (a canvas grid: click the checkbox column of each row)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    row_height = 35
    for row in rows:
        page.mouse.click(box["x"] + 18, box["y"] + row_height * (row + 1) + row_height / 2)
        settle(page)
