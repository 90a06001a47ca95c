"""The whole journey in a real browser: Home -> Data (upload a CSV through the file uploader) ->
Model -> Train -> Results -> Classify (set up and train an up/flat/down model) -> Runs (tick two
runs and compare them), with no error box and no exception on any page.

Tiny settings come through the URL (units, epochs), so the two trainings take seconds. Set
FORECAST_LAB_SCREENSHOTS to a folder to keep a full-page screenshot of every step.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, running_app

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sp500_monthly_close.csv"
TINY = "&model.units=4&train.epochs=2&train.patience=0"


def _settle(page, seconds: float = 60) -> None:
    """Wait until the app stops running and no grey skeleton is left."""
    deadline = time.time() + seconds
    page.wait_for_timeout(300)
    while time.time() < deadline and (
        page.locator('[data-testid="stStatusWidget"]').count()
        or page.locator('[data-testid="stSkeleton"]').count()
    ):
        page.wait_for_timeout(150)
    page.wait_for_timeout(400)


def _check(page, step: str, shots: Path | None) -> None:
    """No exception element, no error box and no traceback text on the page."""
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


def _open(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(label, exact=True).click()
    _settle(page)


def _train_and_open_results(page, step: str, shots: Path | None, heading: str) -> None:
    page.get_by_role("button", name=re.compile("^(Train the model|Train again)")).first.click()
    # The page may still show the previous training's panel ("Your last training"): wait until
    # it has made way for this one, so the button below is this training's.
    page.get_by_text("Your last training").wait_for(state="detached", timeout=60_000)
    page.get_by_role("button", name=re.compile("^(Train the model|Train again)")).wait_for(
        state="detached", timeout=60_000
    )
    results = page.get_by_role("button", name="See the results")
    results.wait_for(timeout=150_000)
    _settle(page)
    if shots is not None:
        page.screenshot(path=str(shots / f"{step}-trained-fold.png"))
    box = results.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 1000, "See the results is below the fold"
    results.click()
    page.locator('[data-testid="stMain"] h1', has_text=heading).wait_for(timeout=60_000)
    # Some charts sit in tabs that are closed: attached is enough.
    page.locator(".js-plotly-plot").first.wait_for(state="attached", timeout=60_000)
    _settle(page)


def _tick_rows(page, rows: list[int]) -> None:
    """Tick rows of the Runs table (a canvas grid: click the checkbox column of each row)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    row_height = 35
    for row in rows:
        page.mouse.click(box["x"] + 18, box["y"] + row_height * (row + 1) + row_height / 2)
        _settle(page)


def test_upload_journey_through_every_page(tmp_path):
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    shots = os.environ.get("FORECAST_LAB_SCREENSHOTS")
    shots = Path(shots) if shots else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with (
        running_app(tmp_path / "home", tmp_path / "server.log") as url,
        playwright.sync_playwright() as driver,
    ):
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_role("heading", name="Forecast Lab").wait_for(timeout=60_000)
        _settle(page)
        _check(page, "1-home", shots)

        _open(page, "Data")
        page.get_by_text("Upload CSV", exact=True).click(timeout=60_000)
        _settle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(FIXTURE))
        page.get_by_text("The first rows of the file").wait_for(timeout=30_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        _settle(page)
        _check(page, "2-data-upload", shots)

        page.goto(page.url.replace("/data?", "/model?") + TINY)
        page.get_by_role("heading", name="Model").wait_for(timeout=30_000)
        _settle(page)
        _check(page, "3-model", shots)

        _open(page, "Train")
        assert page.get_by_text("sp500_monthly_close.csv").count() > 0
        _check(page, "4-train", shots)
        _train_and_open_results(page, "4-train", shots, "Results")
        assert page.get_by_text("tomorrow = today").count() > 0
        _check(page, "5-results", shots)

        _open(page, "Classify")
        page.get_by_role("button", name="Set up an up/flat/down model").click()
        page.get_by_role("heading", name="Model").wait_for(timeout=30_000)
        _settle(page)
        _check(page, "6-classifier-model", shots)
        _open(page, "Train")
        _train_and_open_results(page, "6-classifier-train", shots, "Up / flat / down")
        page.get_by_role("heading", name="Up / flat / down").wait_for(timeout=30_000)
        assert page.locator(".js-plotly-plot").count() >= 2
        _check(page, "7-classify", shots)

        _open(page, "Runs")
        _tick_rows(page, [0, 1])
        page.get_by_text("runs side by side").wait_for(timeout=30_000)
        page.get_by_text("What differs between their settings").wait_for(timeout=10_000)
        _check(page, "8-runs-compare", shots)
        assert page.get_by_role("button", name="Open", exact=True).count() >= 1
        browser.close()
    print(f"upload journey: {time.time() - started:.0f} s")
