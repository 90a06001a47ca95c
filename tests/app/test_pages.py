"""One AppTest per page of the real app: no exception, the key elements present, and the
settings written to the URL."""

from __future__ import annotations

import json
import re

import pandas as pd

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig
from core.models.registry import count_parameters
from tests.app.conftest import (
    TINY,
    TINY_CLASSIFIER,
    assert_clean,
    open_page,
    runs_page_of,
    texts,
)

DATASETS_BTC = "cdd_btcusd_daily.csv"  # in tests/fixtures (the `datasets` fixture)


def test_home_explains_the_app_and_offers_the_demo():
    at = open_page()
    assert_clean(at)
    assert at.title[0].value == "Forecast Lab"
    body = texts(at.markdown)
    for step in ("1 · Data", "2 · Model", "3 · Train", "4 · Results"):
        assert step in body
    assert any(button.label == "Try the demo" for button in at.button)
    assert "Synthetic" in texts(at.sidebar.caption)


def test_the_demo_trains_with_the_window_its_series_suggests(monkeypatch):
    from core.data.sources import load_series
    from core.data.sources.synthetic import nonlinear_demo_request
    from core.data.window import suggest_lookback
    from pages.components import services

    monkeypatch.delenv("FORECAST_LAB_DEMO_LENGTH", raising=False)
    demo = services.demo_request("linear")
    suggestion = suggest_lookback(load_series(demo.data), demo.split)
    assert demo.split.lookback == suggestion.lookback != SplitConfig().lookback
    chaotic = services.demo_request("nonlinear")  # the preset the bench measures keeps its window
    assert chaotic.split.lookback == nonlinear_demo_request().split.lookback
    monkeypatch.setenv("FORECAST_LAB_DEMO_LENGTH", "400")  # a test-sized demo: a small window
    assert services.demo_request("linear").split.lookback == SplitConfig().lookback


def test_demo_button_starts_the_job_and_opens_train(monkeypatch):
    monkeypatch.setenv("FORECAST_LAB_DEMO_EPOCHS", "1")
    monkeypatch.setenv("FORECAST_LAB_DEMO_LENGTH", "400")
    from pages.components import services

    at = open_page()
    next(button for button in at.button if button.label == "Try the demo").click().run()
    assert_clean(at)
    assert at.title[0].value == "Train"
    job_id = at.session_state["forecast_lab.job"]
    assert at.query_params["job"] == job_id
    registry = services.registry()
    registry.cancel(job_id)
    registry.wait(job_id, timeout=120)


def test_data_page_synthetic_preview_and_url_sync():
    at = open_page("pages/data.py")
    assert_clean(at)
    assert at.get("plotly_chart"), "the series preview is missing"
    assert any("noise-free signal" in caption.value for caption in at.caption)
    at.slider(key="w.data.length").set_value(400).run()
    at.number_input(key="w.split.test_size").set_value(80).run()
    assert_clean(at)
    assert at.query_params["data.length"] == "400"
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Rows"] == "400"
    assert metrics["Test days"] == "80"
    seed_before = at.number_input(key="w.data.seed").value
    next(button for button in at.button if button.label == "New noise").click().run()
    assert at.number_input(key="w.data.seed").value != seed_before
    assert "data.seed" in at.query_params


def test_data_page_market_data_from_the_download_cache(datasets):
    from core.data.market import cache_paths, parse_cdd_csv

    prices = parse_cdd_csv((datasets / DATASETS_BTC).read_bytes())
    csv_path, meta_path = cache_paths("btc", "cdd")
    pd.DataFrame({"date": prices.index.strftime("%Y-%m-%d"), "value": prices.to_numpy()}).to_csv(
        csv_path, index=False
    )
    meta_path.write_text(json.dumps({"fetched_at": pd.Timestamp.now(tz="UTC").isoformat()}))
    request = RunRequest(
        data=DataConfig(source="btc", provider="cdd", start_date="2023-10-28"),
        split=SplitConfig(method="calendar_year", test_year=2024, scaling_margin=5.0),
    )
    at = open_page("pages/data.py", request)
    assert_clean(at)
    assert not at.error, texts(at.error)
    assert at.get("plotly_chart")
    assert "data as of" in texts(at.caption)
    assert "From 2023-10-28 to" in texts(at.caption)


def test_data_page_offline_shows_the_bundled_snapshot_and_a_refresh(monkeypatch):
    monkeypatch.setenv("FORECAST_LAB_CDD_URL", "http://127.0.0.1:9")  # nothing listens there
    request = RunRequest(data=DataConfig(source="btc", provider="cdd"))
    at = open_page("pages/data.py", request)
    assert_clean(at)
    assert not at.error, texts(at.error)
    assert at.get("plotly_chart")
    assert "stored inside the app, up to 26 March 2026" in texts(at.warning)
    assert "bundled snapshot, data as of 2026-03-26" in texts(at.caption)  # the details box
    assert "Bundled snapshot (Yahoo Finance daily closes) · data as of 2026-03-26." in texts(
        at.caption
    )
    next(button for button in at.button if button.label == "Refresh prices now").click().run()
    assert_clean(at)
    assert "Could not refresh BTC-USD from CryptoDataDownload" in texts(at.error)
    assert at.get("plotly_chart")  # the snapshot stays on screen


def test_data_page_failed_fetch_offers_synthetic_or_csv(monkeypatch):
    import streamlit as st

    from core.data import snapshot

    monkeypatch.setenv("FORECAST_LAB_CDD_URL", "http://127.0.0.1:9")
    monkeypatch.setattr(snapshot, "INDEX_FILE", "missing.json")  # no bundled copy either
    st.cache_data.clear()  # an earlier test may have cached the snapshot for this config
    request = RunRequest(data=DataConfig(source="btc", provider="cdd"))
    at = open_page("pages/data.py", request)
    assert_clean(at)
    assert "synthetic generator" in texts(at.error)
    labels = [button.label for button in at.button]
    assert "Use the synthetic series" in labels and "Upload a CSV instead" in labels
    next(button for button in at.button if button.label == "Use the synthetic series").click()
    at.run()
    assert_clean(at)
    assert at.query_params.get("data.source") is None  # back to the default: synthetic
    assert at.get("plotly_chart")


def test_data_page_csv_upload_with_column_pickers():
    dates = pd.date_range("2023-01-01", periods=120, freq="D")
    frame = pd.DataFrame({"Day": dates.strftime("%Y-%m-%d"), "Sales": range(120)})
    at = open_page("pages/data.py", RunRequest(), **{})
    at.segmented_control(key="w.data.source").set_value("csv").run()
    assert_clean(at)
    assert "Upload a CSV file" in texts(at.info)
    at.file_uploader(key="w.data.upload").upload(
        "sales.csv", frame.to_csv(index=False).encode(), "text/csv"
    ).run()
    assert_clean(at)
    assert not at.error, texts(at.error)
    assert at.get("plotly_chart")
    assert at.query_params["data.source"] == "csv"
    assert at.query_params["data.value_column"] == "Sales"


def test_model_page_parameter_count_and_explanations():
    at = open_page("pages/model.py")
    assert_clean(at)
    metric = next(metric for metric in at.metric if metric.label == "Weights to learn")
    assert metric.value == f"{count_parameters(ModelConfig(), 30):,}"
    assert any("gates" in caption.value for caption in at.caption)
    at.selectbox(key="w.model.family").set_value("gru").run()
    assert_clean(at)
    assert at.query_params["model.family"] == "gru"
    metric = next(metric for metric in at.metric if metric.label == "Weights to learn")
    assert metric.value == f"{count_parameters(ModelConfig(family='gru'), 30):,}"
    # the season: chosen from the data (with its reason) until set by hand, then in the request
    assert any("calendar season of daily data" in caption.value for caption in at.caption)
    at.number_input(key="w.split.season").set_value(14).run()
    assert_clean(at)
    assert at.query_params["split.season"] == "14"
    assert not any("calendar season" in caption.value for caption in at.caption)


def test_train_page_offers_training_and_reports_bad_settings():
    at = open_page("pages/train.py", TINY)
    assert_clean(at)
    assert any(button.label == "Train the model" for button in at.button)
    bad = TINY.replace(split=TINY.split.replace(lookback=365))
    at = open_page("pages/train.py", bad)
    assert_clean(at)
    assert at.error, "a window longer than the training part must be explained"


def test_train_page_loads_a_stored_run_at_once(use_trained_home):
    at = open_page("pages/train.py", TINY)
    button = next(button for button in at.button if button.label == "Load the trained model")
    button.click().run()
    assert_clean(at)
    assert "Loaded from cache" in texts(at.success)
    assert any(button.label == "See the results" for button in at.button)
    assert at.query_params["job"]


def test_results_page_charts_table_and_verdict(use_trained_home):
    at = open_page("pages/results.py", TINY)
    assert_clean(at)
    assert len(at.get("plotly_chart")) >= 4  # forecast, residuals, histogram, bars
    assert at.dataframe, "the metrics table is missing"
    verdict = texts(at.success) + texts(at.info) + texts(at.warning)
    assert "tomorrow = today" in verdict
    assert "noise floor" in verdict
    labels = [button.label for button in at.download_button]
    assert labels == ["Predictions (CSV)", "Model (.keras)", "Run settings (JSON)"]
    at.slider(key="w.results.horizon").set_value(8).run()
    assert_clean(at)
    assert at.query_params["horizon"] == "8"


def test_results_page_without_a_run_explains_what_to_do():
    at = open_page("pages/results.py", TINY)
    assert_clean(at)
    assert "no trained model" in texts(at.info)
    assert any(button.label == "Train these settings" for button in at.button)


def test_classify_page_guard_without_a_classifier():
    at = open_page("pages/classify.py", TINY)
    assert_clean(at)
    assert "up, flat or down" in texts(at.info)
    button = next(button for button in at.button if "up/flat/down" in button.label)
    button.click().run()
    assert_clean(at)
    assert at.query_params["model.task"] == "classification"


def test_classify_page_with_a_classifier_run(use_trained_home):
    at = open_page("pages/classify.py", TINY_CLASSIFIER)
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 2
    assert at.dataframe
    verdict = texts(at.success) + texts(at.info) + texts(at.warning)
    assert "most common class" in verdict


def test_runs_page_empty_then_listing(use_trained_home):
    at = open_page("pages/runs.py")
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) == 2
    assert set(table["task"]) == {"next value", "up/flat/down"}


def test_runs_page_without_runs():
    at = open_page("pages/runs.py")
    assert_clean(at)
    assert "No runs yet" in texts(at.info)


def test_a_broken_link_is_reported_not_fatal():
    at = open_page(None, None, **{"model.units": "many", "train.epochs": "3"})
    assert_clean(at)
    assert "could not be used" in texts(at.warning)
    assert at.session_state["forecast_lab.request"].train.epochs == 3


def test_runs_page_compare_open_and_delete(trained_home, tmp_path, monkeypatch):
    import shutil

    home = tmp_path / "copy"
    shutil.copytree(trained_home, home)
    monkeypatch.setenv("FORECAST_LAB_HOME", str(home))
    at = runs_page_of(home, owner_id="a" * 32, claim=True)
    table = at.dataframe[0].value
    regression_row = int(table.index[table["task"] == "next value"][0])
    at.session_state["runs_table_0"] = {"selection": {"rows": [regression_row], "columns": []}}
    at.run()
    assert_clean(at)
    assert any(button.label == "Open" for button in at.button)  # one run: open or delete it
    next(button for button in at.button if button.label.startswith("Delete 1 run")).click().run()
    assert "for good" in texts(at.warning)
    next(button for button in at.button if button.label == "Yes, delete").click().run()
    assert_clean(at)
    assert "Deleted 1 run" in texts(at.success)
    assert len(at.dataframe[0].value) == 1


def test_train_page_joins_a_running_job_and_queues_another(dask_cluster):
    from pages.components import services

    long_request = TINY.replace(train=TINY.train.replace(epochs=400, patience=0))
    registry = services.registry()
    running_id = registry.submit(long_request)
    # Every other worker busy too, so the next training has to wait for one.
    busy = [
        registry.submit(long_request.replace(data=TINY.data.replace(seed=100 + number)))
        for number in range(dask_cluster.slots(fresh=True) - 1)
    ]
    try:
        # A second session with the same settings joins the running job instead of starting one.
        at = open_page("pages/train.py", long_request)
        assert_clean(at)
        assert at.session_state["forecast_lab.job"] == running_id
        assert not any(button.label == "Train the model" for button in at.button)
        assert any(button.label == "Cancel training" for button in at.button)

        # Different settings wait in line until a worker is free, with the expected wait.
        other = open_page("pages/train.py", TINY.replace(model=ModelConfig(units=8)))
        next(button for button in other.button if button.label == "Train the model").click()
        other.run()
        assert_clean(other)
        assert re.search(r"number 1 in line, about \d+ (s|min) to wait", texts(other.info))
        next(button for button in other.button if button.label == "Cancel training").click()
        other.run()
        next(button for button in other.button if button.label == "Yes, stop it").click()
        other.run()
        assert_clean(other)
        assert "Cancelled" in texts(other.warning)
    finally:
        for job_id in (running_id, *busy):
            registry.cancel(job_id)
        for job_id in (running_id, *busy):
            registry.wait(job_id, timeout=120)


def test_runs_page_open_in_results(use_trained_home):
    at = open_page("pages/runs.py")
    table = at.dataframe[0].value
    row = int(table.index[table["task"] == "up/flat/down"][0])
    at.session_state["runs_table_0"] = {"selection": {"rows": [row], "columns": []}}
    at.run()
    next(button for button in at.button if button.label == "Open").click().run()
    assert_clean(at)
    assert at.title[0].value == "Up / flat / down"
    assert at.query_params["model.task"] == "classification"
    assert len(at.get("plotly_chart")) == 2


def test_data_page_names_the_new_series_in_the_sidebar_before_the_link(monkeypatch):
    """While a new source loads, the browser never shows its link over the old sidebar: the
    page redraws the sidebar's setup before it rewrites the URL (CI once caught one 50 ms
    sample of an S&P 500 link with "Bitcoin" in the sidebar, when the link came first)."""
    from core.errors import ForecastLabError
    from pages.components import services, sidebar, state

    order: list[tuple[str, str]] = []
    draw_setup, write_link = sidebar._setup_lines, state.sync_query_params

    def drawn(slot):
        order.append(("sidebar", state.current_request().data.source))
        draw_setup(slot)

    def linked():
        order.append(("link", state.current_request().data.source))
        write_link()

    def offline(data):
        raise ForecastLabError("offline in this test")

    monkeypatch.setattr(sidebar, "_setup_lines", drawn)
    monkeypatch.setattr(state, "sync_query_params", linked)
    monkeypatch.setattr(services, "series_for", offline)
    at = open_page("pages/data.py", RunRequest())
    order.clear()
    at.segmented_control(key="w.data.source").set_value("sp500").run()
    assert_clean(at)
    assert at.query_params["data.source"] == "sp500"
    first_link = order.index(("link", "sp500"))
    assert ("sidebar", "sp500") in order[:first_link], order
