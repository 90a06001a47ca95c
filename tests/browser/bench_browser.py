"""Browser benchmark (prints figures, asserts nothing): on a fresh server, "Try the demo" -> first
epoch on the live chart -> Results charts, the same for a what-if (another family), then each
page's time until interactive in a warm session.
Run: python -m tests.browser.bench_browser [--rounds 3] [--keep]"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tests.browser.cpu import CpuMeter, phase_words
from tests.browser.server import chromium_page, running_app

PAGES = {  # sidebar link -> the page's title
    "Data": "Data",
    "Model": "Model",
    "Train": "Train",
    "Results": "Results",
    "Classify": "Up / flat / down",
    "Runs": "Runs",
    "Experiments": "Experiments",
}
TARGETS = {"first epoch": 2.0, "results": 15.0, "page": 1.0}
# Interactive: the page's own title is up, Streamlit shows no running indicator and no skeleton.
SETTLED = """title => {
    const heading = document.querySelector('[data-testid="stMain"] h1');
    return !!heading && heading.innerText.trim().startsWith(title)
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-testid="stSkeleton"]');
}"""
LOSS_CHART_SHOWN = """() => {
    const heading = document.querySelector('[data-testid="stMain"] h1');
    return !!heading && heading.innerText.trim().startsWith("Train")
        && !!document.querySelector('[data-testid="stMain"] .js-plotly-plot');
}"""
EPOCH_SHOWN = """() => /Epoch \\d+ of at most/.test(
    document.querySelector('[data-testid="stMain"]')?.innerText || '')"""
STEADY_SECONDS = 0.4  # a page counts as settled once it stays so this long (reruns re-grey it)


def _settle(page, title: str, timeout: float = 120.0) -> float:
    """Monotonic time at which the page became interactive and stayed so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.wait_for_function(SETTLED, arg=title, polling=25, timeout=timeout * 1000)
        settled_at = time.monotonic()
        page.wait_for_timeout(STEADY_SECONDS * 1000)
        if page.evaluate(f"({SETTLED})", title):
            return settled_at
    raise TimeoutError(f"page '{title}' did not settle within {timeout:.0f} s")


def _navigate(page, link: str) -> float:
    sidebar = page.locator('[data-testid="stSidebarNav"]')
    started = time.monotonic()
    sidebar.get_by_role("link", name=link, exact=True).click()
    return _settle(page, PAGES[link]) - started


def _demo(page) -> tuple[float, float]:
    """Seconds from the click on "Try the demo" to the first epoch on the chart, and to the
    Results page with its charts drawn."""
    page.get_by_role("button", name="Try the demo").click()
    clicked = time.monotonic()
    # The loss chart on the Train page (Home has charts of its own: wait for the page first).
    page.wait_for_function(LOSS_CHART_SHOWN, polling=25, timeout=300_000)
    return time.monotonic() - clicked, _results(page, clicked)


def _results(page, clicked: float) -> float:
    """Click "See the results" once it shows; seconds from `clicked` to Results with charts."""
    results = page.get_by_role("button", name="See the results")
    results.wait_for(timeout=600_000)
    results.click()
    page.locator('[data-testid="stMain"] h1', has_text="Results").wait_for(timeout=120_000)
    charts = page.locator('[data-testid="stMain"] .js-plotly-plot')
    charts.first.wait_for(timeout=120_000)
    charts.nth(2).wait_for(state="attached", timeout=120_000)  # some sit in closed tabs
    return _settle(page, "Results") - clicked


def _what_if(page, think_seconds: float, family_label: str = "GRU") -> tuple[float, float]:
    """A what-if after the demo: another family on the Model page (a network the worker has
    not compiled yet), `think_seconds` there, then "Train the model": seconds to the first
    epoch and to Results."""
    _navigate(page, "Model")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Network family").click()
    page.get_by_role("option", name=family_label, exact=True).click()
    page.wait_for_timeout(STEADY_SECONDS * 1000)
    _settle(page, "Model")
    page.wait_for_timeout(think_seconds * 1000)
    _navigate(page, "Train")
    page.get_by_role("button", name="Train the model").click()
    clicked = time.monotonic()
    page.wait_for_function(EPOCH_SHOWN, polling=25, timeout=300_000)
    return time.monotonic() - clicked, _results(page, clicked)


def _verdict(seconds: float, target: float) -> str:
    return f"{seconds:6.2f} s  (target <= {target:g} s: {'met' if seconds <= target else 'MISSED'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="measured visits per page")
    parser.add_argument("--keep", action="store_true", help="keep the data home and server log")
    parser.add_argument(
        "--read-seconds",
        type=float,
        default=0.0,
        help="time spent on the home page before the click (0: at once; the workers load "
        "TensorFlow meanwhile)",
    )
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=5.0,
        help="time spent on the Model page after changing the family (the worker traces the "
        "new network meanwhile)",
    )
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="forecast-lab-bench-"))
    meter, phases = CpuMeter(), {}
    meter.start()
    with (
        chromium_page(height=1800) as page,
        running_app(folder / "home", folder / "server.log") as url,
    ):
        loaded = time.monotonic()
        page.goto(url)
        home_seconds = _settle(page, "Forecast Lab") - loaded
        page.wait_for_timeout(options.read_seconds * 1000)
        phases["before the demo's click (server start, page load, warm-up)"] = meter.checkpoint()
        try:
            first_epoch, results = _demo(page)
        except Exception:
            page.screenshot(path=str(folder / "demo-failed.png"), full_page=True)
            print(f"the demo did not reach Results; screenshot and server log in {folder}")
            raise
        phases["the demo: click -> Results"] = meter.checkpoint()
        what_if_epoch, what_if_results = _what_if(page, options.think_seconds)
        phases["the what-if: Model page, think, Train -> Results"] = meter.checkpoint()
        first_visit = {link: _navigate(page, link) for link in PAGES}
        visits: dict[str, list[float]] = {link: [] for link in PAGES}
        for _ in range(options.rounds):
            for link in PAGES:
                visits[link].append(_navigate(page, link))
        page.screenshot(path=str(folder / "last-page.png"), full_page=True)
        phases["page visits"] = meter.checkpoint()
    meter.stop()

    print("Forecast Lab browser benchmark (Chromium, fresh server and data home; one run on a")
    print("shared machine, so figures are noisy)")
    print(f"home page interactive after load   {home_seconds:6.2f} s")
    print(f"time on the home page before click {options.read_seconds:6.2f} s")
    print(f"Try the demo -> first epoch        {_verdict(first_epoch, TARGETS['first epoch'])}")
    print(f"Try the demo -> Results charts     {_verdict(results, TARGETS['results'])}")
    print(f"what-if: family GRU, then {options.think_seconds:g} s on the Model page before Train:")
    print(f"what-if: family GRU -> first epoch {_verdict(what_if_epoch, TARGETS['first epoch'])}")
    print(f"what-if: family GRU -> Results     {_verdict(what_if_results, TARGETS['results'])}")
    print(f"pages until interactive, warm session (median of {options.rounds}; first visit):")
    for link, seconds in visits.items():
        median = statistics.median(seconds)
        print(f"  {link:<12} {_verdict(median, TARGETS['page'])}  first {first_visit[link]:.2f} s")
    print("CPU seconds per phase:")
    before: dict[str, float] = {}
    for phase, totals in phases.items():
        print(f"  {phase}: {phase_words(before, totals)}")
        before = totals
    print(meter.report(trainings=2))
    if options.keep:
        print(f"data home and server log kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
