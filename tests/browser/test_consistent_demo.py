"""The demo never contradicts itself, in a real browser: Home -> Try the demo -> Train -> Results
(its Plotly charts drawn) -> Classify set-up -> train -> Classify -> back to the synthetic demo.
After every step the address bar names the page on screen and the settings the sidebar shows;
the Train page's "best at epoch N" is the loss chart's star; the verdict's tone follows the best
simple rule in the run's own scores. (It took over test_demo_path's checks: one demo journey.)"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from core.config import RunRequest
from core.data.sources import SOURCE_REGISTRY
from core.evaluation.verdict import SAME_BAND, describe_model
from core.links import request_from_query
from tests.browser.server import fresh_page

pytestmark = pytest.mark.browser
SLUGS = {"Train": "train", "Results": "results", "Up / flat / down": "classify", "Model": "model"}


def _request_in_url(url: str) -> RunRequest:
    params = dict(parse_qsl(urlsplit(url).query))
    parsed = request_from_query(params)
    assert not parsed.ignored, parsed.ignored
    return parsed.request


def _check_url(page, title: str) -> RunRequest:
    """The address bar names the page on screen and the settings its sidebar shows."""
    page.locator('[data-testid="stMain"] h1', has_text=title).wait_for(timeout=120_000)
    slug = SLUGS[title]
    page.wait_for_url(re.compile(rf"/{slug}(\?|$)"), timeout=10_000)
    request = _request_in_url(page.url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(describe_model(request.model), exact=False).first.wait_for(timeout=10_000)
    data = SOURCE_REGISTRY[request.data.source].summarize(request.data)
    sidebar.get_by_text(data, exact=False).first.wait_for(timeout=10_000)
    return request


def _open(page, name: str) -> None:
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name=name, exact=True).click()


def _best_epoch_agrees(page) -> None:
    """Train's "best at epoch N" and the loss chart's star name the same epoch."""
    said = page.get_by_text(re.compile(r"best at epoch \d+")).first.inner_text()
    epoch = re.search(r"best at epoch (\d+)", said).group(1)
    chart = page.locator(".js-plotly-plot").last
    chart.get_by_text(f"Best epoch {epoch}", exact=True).wait_for(timeout=30_000)
    assert chart.get_by_text(re.compile(r"^Best epoch \d+$")).count() == 1


def _tone_follows_best_rule(page, home, request: RunRequest) -> None:
    from core.runs.pipeline import request_key
    from core.runs.store import RunStore

    result = RunStore(home / "runs").load(request_key(request))
    assert result is not None, "the run on screen is not in the run store"
    model = result.metrics.test.mse
    best = min(scores.test_mse for scores in result.baselines.values() if not scores.failed)
    main = page.locator('[data-testid="stMain"]')
    alert = main.locator(
        '[data-testid="stAlertContentSuccess"], [data-testid="stAlertContentWarning"], '
        '[data-testid="stAlertContentInfo"]'
    ).first
    kind = alert.get_attribute("data-testid")
    if model < best * (1 - SAME_BAND):
        assert kind == "stAlertContentSuccess", alert.inner_text()
    elif model > best * (1 + SAME_BAND):
        assert kind == "stAlertContentWarning", alert.inner_text()
    else:
        assert kind == "stAlertContentInfo", alert.inner_text()


def test_demo_to_classify_and_back_never_contradicts_itself(app, browser):
    url, home = app.url, app.home
    with fresh_page(browser, height=2200) as page:
        page.goto(url)
        page.get_by_role("button", name="Try the demo").click(timeout=90_000)
        _check_url(page, "Train")
        results = page.get_by_role("button", name="See the results")
        results.wait_for(timeout=300_000)
        _best_epoch_agrees(page)
        results.click()
        shown = _check_url(page, "Results")
        # The demo's Results draw their Plotly charts and name the simplest rule.
        page.locator(".js-plotly-plot").nth(2).wait_for(state="attached", timeout=120_000)
        assert page.get_by_text("tomorrow = today").count() > 0
        assert page.locator('[data-testid="stException"]').count() == 0
        _tone_follows_best_rule(page, home, shown)

        _open(page, "Classify")
        _check_url(page, "Up / flat / down")
        page.get_by_role("button", name="Set up an up/flat/down model").click()
        model = _check_url(page, "Model")
        assert model.model.task == "classification" and model.model.layers == 3

        _open(page, "Train")
        _check_url(page, "Train")
        before = page.url
        page.get_by_role("button", name="Train the model").click()
        page.get_by_role("button", name="Train the model").wait_for(state="detached")
        page.wait_for_function("url => window.location.href !== url", arg=before)
        page.get_by_text("Your last training").wait_for(state="detached")
        results = page.get_by_role("button", name="See the results")
        results.wait_for(timeout=300_000)
        _best_epoch_agrees(page)
        results.click()
        shown = _check_url(page, "Up / flat / down")
        assert shown.model.task == "classification"

        _open(page, "Home")
        page.get_by_role("button", name="Try the demo").click(timeout=90_000)
        back = _check_url(page, "Train")
        assert back.model.task == "regression" and back.data.source == "synthetic"
        assert page.locator('[data-testid="stException"]').count() == 0
