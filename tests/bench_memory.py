"""Memory benchmark (a script, not a test): the issue's worst link and a 1,000,000-row upload
against a real server, with the peak resident memory of the server process and of its worker
processes (its children) while each request is served or refused.

    python -m tests.bench_memory            # prints one line per step, then a summary

Targets (issue 21): the server stays under 500 MB; a worker under its memory limit
(FORECAST_LAB_WORKER_MEMORY_MB, 2000 MB by default); the request is refused or served within
the memory budget (core.limits.memory_budget).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import psutil

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, running_app

WORST_LINK = "/train?data.length=200000&data.synthetic_start=1700-01-01&split.lookback=1000"
UPLOAD_ROWS = 1_000_000
MEGABYTE = 2**20


class PeakSampler:
    """Samples the server's RSS and its largest child's RSS every 0.2 s."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.server = self.worker = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _process(self) -> psutil.Process | None:
        for connection in psutil.net_connections("tcp"):
            if connection.laddr and connection.laddr.port == self.port and connection.pid:
                if connection.status == psutil.CONN_LISTEN:
                    return psutil.Process(connection.pid)
        return None

    def _run(self) -> None:
        process = self._process()
        while not self._stop.is_set() and process is not None:
            try:
                self.server = max(self.server, process.memory_info().rss / MEGABYTE)
                for child in process.children(recursive=True):
                    self.worker = max(self.worker, child.memory_info().rss / MEGABYTE)
            except psutil.Error:
                pass
            time.sleep(0.2)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _settle(page, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    page.wait_for_timeout(500)
    while time.time() < deadline and page.locator('[data-testid="stStatusWidget"]').count():
        page.wait_for_timeout(200)
    page.wait_for_timeout(1500)


def _big_csv(folder: Path) -> Path:
    path = folder / "million.csv"
    start = 0
    with path.open("w") as stream:
        stream.write("date,value\n")
        for row in range(UPLOAD_ROWS):
            stream.write(f"{1_000_000_000 + row * 60},{100 + (row % 97) * 0.5}\n")
            start += 1
    return path


def _alerts(page) -> str:
    texts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    return " | ".join(text.strip().replace("\n", " ")[:220] for text in texts)


def main() -> None:
    from playwright.sync_api import sync_playwright

    from core.limits import megabytes, memory_budget

    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    csv = _big_csv(folder)
    print(f"load average {os.getloadavg()[0]:.1f}; memory budget {megabytes(memory_budget())}")
    with (
        running_app(folder / "home", folder / "server.log") as url,
        sync_playwright() as driver,
    ):
        port = int(url.rsplit(":", 1)[1])
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        with PeakSampler(port) as idle:
            page.goto(url)
            _settle(page)
            page.wait_for_timeout(8000)  # the worker pool warms up TensorFlow
        print(f"idle home page: server {idle.server:.0f} MB, worker {idle.worker:.0f} MB")

        with PeakSampler(port) as link:
            started = time.time()
            page.goto(url + WORST_LINK)
            _settle(page)
            page.wait_for_timeout(5000)
            seconds = time.time() - started
        print(
            f"worst link (not training): server {link.server:.0f} MB, worker "
            f"{link.worker:.0f} MB, {seconds:.0f} s; page says: {_alerts(page)}"
        )

        with PeakSampler(port) as upload:
            page.goto(url + "/data")
            _settle(page)
            page.get_by_text("Upload CSV", exact=True).click()
            _settle(page)
            started = time.time()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
            _settle(page, 300)
            seconds = time.time() - started
        print(
            f"1,000,000-row upload ({csv.stat().st_size / MEGABYTE:.0f} MB): server "
            f"{upload.server:.0f} MB, worker {upload.worker:.0f} MB, {seconds:.0f} s; page says: "
            f"{_alerts(page)}"
        )
        stored = list((folder / "home" / "uploads").glob("*")) if (folder / "home").exists() else []
        print(f"files stored in uploads/: {len(stored)}")
        browser.close()
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    if not CHROMIUM.exists():
        raise SystemExit("needs Debian's chromium at /usr/bin/chromium")
    main()
