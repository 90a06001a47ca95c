"""Each browser's runs are its own, in a real browser: context A trains a tiny run, reloads
(the owner cookie brings it back) and may delete it; context B (another browser: no cookie)
neither lists it on the Runs page nor gets a Delete button, yet opens A's shared link read-only."""

from __future__ import annotations

import re

import pytest

from tests.browser.server import check_page, fresh_page, settle, tick_rows

pytestmark = pytest.mark.browser

TINY = "data.length=300&split.test_size=50&model.units=4&train.epochs=2&train.patience=0"


def _runs_page(page, url: str) -> None:
    page.goto(url + "/runs")
    page.get_by_role("heading", name="Runs").wait_for(timeout=60_000)
    settle(page)


def test_a_second_browser_cannot_delete_the_first_ones_run(app, browser):
    url = app.url
    with fresh_page(browser) as first, fresh_page(browser) as second:
        first.goto(f"{url}/train?{TINY}")
        first.get_by_role("heading", name="Train").wait_for(timeout=60_000)
        settle(first)
        first.get_by_role("button", name=re.compile("^Train the model")).click()
        first.get_by_role("button", name="See the results").wait_for(timeout=180_000)
        shared_link = first.url.replace("/train?", "/results?")
        first.reload()  # a new session: only the owner cookie says who this is
        settle(first)
        _runs_page(first, url)
        check_page(first, "owner-runs", None)
        tick_rows(first, [0])
        first.get_by_role("button", name=re.compile("^Delete 1 run")).wait_for(timeout=30_000)

        _runs_page(second, url)
        check_page(second, "other-runs", None)
        assert second.locator('[data-testid="stDataFrame"]').count() == 0
        assert second.get_by_text("of other people").count() >= 1
        assert second.get_by_role("button", name=re.compile("^Delete")).count() == 0
        second.goto(shared_link)
        second.get_by_role("heading", name="Results").wait_for(timeout=60_000)
        second.locator(".js-plotly-plot").first.wait_for(state="attached", timeout=60_000)
        settle(second)
        check_page(second, "other-results", None)
