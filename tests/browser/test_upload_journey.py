"""The whole journey in a real browser: Home -> Data (upload a CSV through the file uploader) ->
Model -> Train -> Results -> Classify (set up and train an up/flat/down model) -> Runs (tick two
runs and compare them), with no error box and no exception on any page.

Tiny settings come through the URL (units, epochs), so the two trainings take seconds. Set
FORECAST_LAB_SCREENSHOTS to a folder to keep a full-page screenshot of every step.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.browser.server import (
    check_page,
    fresh_page,
    settle,
    tick_rows,
    train_and_open_results,
)

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sp500_monthly_close.csv"
TINY = "&model.units=4&train.epochs=2&train.patience=0"


def _open(page, label: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(label, exact=True).click()
    settle(page)


def test_upload_journey_through_every_page(app, browser):
    shots = os.environ.get("FORECAST_LAB_SCREENSHOTS")
    shots = Path(shots) if shots else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    started = time.time()
    url = app.url
    with fresh_page(browser) as page:
        page.goto(url)
        page.get_by_role("heading", name="Forecast Lab").wait_for(timeout=60_000)
        settle(page)
        check_page(page, "1-home", shots)

        _open(page, "Data")
        page.get_by_text("Upload CSV", exact=True).click(timeout=60_000)
        settle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(FIXTURE))
        page.get_by_text("The first rows of the file").wait_for(timeout=30_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
        settle(page)
        check_page(page, "2-data-upload", shots)

        page.goto(page.url.replace("/data?", "/model?") + TINY)
        page.get_by_role("heading", name="Model").wait_for(timeout=30_000)
        settle(page)
        check_page(page, "3-model", shots)

        _open(page, "Train")
        assert page.get_by_text("sp500_monthly_close.csv").count() > 0
        check_page(page, "4-train", shots)
        train_and_open_results(page, "4-train", shots, "Results")
        assert page.get_by_text("tomorrow = today").count() > 0
        check_page(page, "5-results", shots)

        _open(page, "Classify")
        page.get_by_role("button", name="Set up an up/flat/down model").click()
        page.get_by_role("heading", name="Model").wait_for(timeout=30_000)
        settle(page)
        check_page(page, "6-classifier-model", shots)
        _open(page, "Train")
        train_and_open_results(page, "6-classifier-train", shots, "Up / flat / down")
        page.get_by_role("heading", name="Up / flat / down").wait_for(timeout=30_000)
        assert page.locator(".js-plotly-plot").count() >= 2
        check_page(page, "7-classify", shots)

        _open(page, "Runs")
        tick_rows(page, [0, 1])
        page.get_by_text("runs side by side").wait_for(timeout=30_000)
        page.get_by_text("What differs between their settings").wait_for(timeout=10_000)
        check_page(page, "8-runs-compare", shots)
        assert page.get_by_role("button", name="Open", exact=True).count() >= 1
    print(f"upload journey: {time.time() - started:.0f} s")
