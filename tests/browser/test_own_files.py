"""Own files in a real browser: a European export (31.01.2025;94.419,76), an hourly file and a
half-hourly one with a daylight-saving gap (Seattle temperatures) are uploaded on Data, trained
with tiny settings and reach Results with the test part starting on the date the file itself
gives (read here without the app's reader).

Set FORECAST_LAB_SCREENSHOTS to a folder to keep a screenshot of every step.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from core.config import SplitConfig
from core.data.prepare import split_point
from core.data.series import Series
from tests.browser.server import (
    check_page,
    fresh_page,
    settle,
    train_and_open_results,
)

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TINY = "&model.units=4&train.epochs=1&train.patience=0"
CASES = [  # file, its date format, the look-back, what the Data page says about the frequency
    (FIXTURES / "formats" / "european.csv", "%d.%m.%Y", 14, "daily (one value per day)"),
    (FIXTURES / "real" / "seattle_temps_hourly.csv", "%Y/%m/%d %H:%M", 24,
     "hourly (one value per hour)"),
    (FIXTURES / "real" / "seattle_temps_half_hourly_dst.csv", "%Y-%m-%d %H:%M", 48,
     "half-hourly (one value per half-hour)"),
]  # fmt: skip


def first_test_date(path: Path, date_format: str) -> str:
    """The first test date of the upload's default split (the last 20%), from the file."""
    separator = ";" if path.read_text().splitlines()[0].count(";") else ","
    frame = pd.read_csv(path, sep=separator, dtype=str)
    dates = pd.to_datetime(frame.iloc[:, 0], format=date_format)
    grid = pd.date_range(dates.min(), dates.max(), freq=pd.infer_freq(dates[:24]))  # gaps filled
    series = Series(dates=grid, values=[0.0] * len(grid), name="file", source="csv")
    _, train_end = split_point(series, SplitConfig(method="fraction", test_fraction=0.2))
    date = grid[train_end]
    return date.strftime("%Y-%m-%d %H:%M" if grid.hour.any() else "%Y-%m-%d")


@pytest.mark.parametrize(("path", "date_format", "lookback", "frequency"), CASES)
def test_an_own_file_reaches_results_on_its_own_dates(
    path, date_format, lookback, frequency, app, browser
):
    shots = os.environ.get("FORECAST_LAB_SCREENSHOTS")
    shots = Path(shots) / path.stem if shots else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    expected = first_test_date(path, date_format)
    url = app.url
    with fresh_page(browser) as page:
        page.goto(f"{url}/data")
        page.get_by_text("Upload CSV", exact=True).click(timeout=90_000)
        settle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        page.get_by_text("The first rows of the file").wait_for(timeout=60_000)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        settle(page)
        body = page.locator("body").inner_text()
        assert f"Frequency: {frequency}." in body
        assert f"the test part runs from {expected}" in body
        check_page(page, "1-data", shots)

        page.goto(page.url.replace("/data?", "/model?") + TINY + f"&split.lookback={lookback}")
        page.get_by_role("heading", name="Model").wait_for(timeout=60_000)
        settle(page)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Train", exact=True).click()
        settle(page)
        train_and_open_results(page, "2-train", shots, "Results")
        body = page.locator("body").inner_text()
        assert f"up to the test part, {expected} to" in body
        # the forecast chart's traces: the test part (what the chart opens on) ends on the
        # file's last date and the first test date is among the x values
        xs = page.evaluate(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".flatMap(plot => (plot.data || []).map(trace =>"
            " Array.isArray(trace.x) ? trace.x.map(String) : []))"
        )
        dates = {text.replace("T", " ")[: len(expected)] for trace in xs for text in trace}
        assert expected in dates
        check_page(page, "3-results", shots)
