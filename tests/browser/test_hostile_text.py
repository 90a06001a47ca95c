"""A file's text is shown as text in a real browser: a CSV whose value column is named with
Markdown (a link and an image pointing at a loopback server) is uploaded and trained on; no page
shows a live link or fetches the image (the loopback server counts every request)."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from tests.browser.server import (
    check_page,
    free_port,
    fresh_page,
    settle,
    train_and_open_results,
)
from tests.browser.test_upload_journey import TINY

pytestmark = pytest.mark.browser


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Counter.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def _hostile_csv(folder: Path, trap: str) -> Path:
    column = f"[click]({trap}/link) ![x]({trap}/image.png) <b>bold</b> :red[red]"
    lines = [f'date,"{column}"']
    lines += [f"2024-{1 + day // 28:02d}-{1 + day % 28:02d},{100 + day % 9}" for day in range(336)]
    path = folder / "prices.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _no_live_markup(page, trap: str, step: str) -> None:
    links = page.locator(f'a[href^="{trap}"]')
    contexts = [
        links.nth(number).evaluate("a => a.parentElement.outerHTML.slice(0, 300)")
        for number in range(links.count())
    ]
    assert links.count() == 0, f"{step}: a live link in {contexts}"
    assert page.locator(f'img[src^="{trap}"]').count() == 0, f"{step}: an image"
    assert page.locator('[data-testid="stMain"] b', has_text="bold").count() == 0, step
    assert page.get_by_text("[click]", exact=False).count() > 0, f"{step}: the name as text"


def test_a_markdown_column_name_is_shown_as_text_and_fetches_nothing(app, browser, tmp_path):
    port = free_port()
    trap_server = http.server.HTTPServer(("127.0.0.1", port), _Counter)
    threading.Thread(target=trap_server.serve_forever, daemon=True).start()
    trap = f"http://127.0.0.1:{port}"
    _Counter.hits.clear()
    try:
        url = app.url
        with fresh_page(browser) as page:
            page.goto(url + "/data")
            page.get_by_role("heading", name="Data").wait_for(timeout=60_000)
            settle(page)
            page.get_by_text("Upload CSV", exact=True).click(timeout=60_000)
            settle(page)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                str(_hostile_csv(tmp_path, trap))
            )
            page.get_by_text("The first rows of the file").wait_for(timeout=30_000)
            page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
            settle(page)
            check_page(page, "data", None)
            _no_live_markup(page, trap, "data")

            page.goto(page.url.replace("/data?", "/train?") + TINY)
            page.get_by_role("heading", name="Train").wait_for(timeout=30_000)
            settle(page)
            train_and_open_results(page, "train", None, "Results")
            check_page(page, "results", None)
            _no_live_markup(page, trap, "results")
    finally:
        trap_server.shutdown()
    assert _Counter.hits == [], f"the browser fetched {_Counter.hits}"
