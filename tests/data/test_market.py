"""Market loaders on real recorded rows (tests/fixtures): CryptoDataDownload over a loopback HTTP
server, yfinance patched at its download function, the disk cache and every announced fallback."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yfinance

from core.config import DataConfig
from core.data import snapshot
from core.data.market import (
    CDD_FILE,
    cache_paths,
    cached_prices,
    describe_origin,
    fetch_prices,
    filter_dates,
    load_market_series,
    parse_cdd_csv,
    parse_yahoo_frame,
)
from core.data.sources import SOURCE_REGISTRY, load_series
from core.errors import ConfigError, DataSourceError

OLD_CDD_HEADER = "Unix Timestamp,Date,Symbol,Open,High,Low,Close,Volume BTC,Volume USD"
CDD_ROWS = 725  # tests/fixtures/cdd_btcusd_daily.csv: 2023-10-01 .. 2025-09-24, one row a day
BTC_ROWS = 543  # tests/fixtures/btc-usd_yahoo_daily.csv: 2024-10-01 .. 2026-03-27
GSPC_ROWS = 422  # tests/fixtures/gspc_yahoo_daily.csv: 2024-10-01 .. 2026-06-08, trading days


# ----------------------------------------------------------------------------------------------
# Fixtures


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's parameter name
        pass


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No test reaches the internet: yfinance fails loudly unless a test patches it, and the CDD
    URL points at a loopback port nothing listens on unless a test serves a file."""
    monkeypatch.delenv("FORECAST_LAB_MAX_AGE_HOURS", raising=False)
    monkeypatch.setenv("FORECAST_LAB_CDD_URL", "http://127.0.0.1:9/cdd")

    def no_network(*args, **kwargs):
        raise AssertionError("a test called the real yfinance.download")

    monkeypatch.setattr(yfinance, "download", no_network)


def _serve(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def cdd_folder(tmp_path, monkeypatch, datasets):
    """A loopback server over a folder holding the real CDD file as Bitstamp_BTCUSD_d.csv."""
    folder = tmp_path / "cdd"
    folder.mkdir()
    shutil.copyfile(datasets / "cdd_btcusd_daily.csv", folder / CDD_FILE)
    server, thread = _serve(folder)
    monkeypatch.setenv("FORECAST_LAB_CDD_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    yield folder
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@functools.cache
def _yahoo_closes(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, index_col="Date", parse_dates=["Date"])


def yahoo_frame(path: Path, ticker: str, *, multi_level: bool = True) -> pd.DataFrame:
    """A frame in yfinance 1.x's shape: DatetimeIndex 'Date', Price columns Close, High, Low,
    Open, Volume (auto_adjust=True drops Adj Close), under a (Price, Ticker) MultiIndex."""
    raw = _yahoo_closes(path)
    frame = raw[["Close", "High", "Low", "Open", "Volume"]].copy()
    frame.index = pd.DatetimeIndex(frame.index, name="Date")
    if multi_level:
        frame.columns = pd.MultiIndex.from_product(
            [frame.columns, [ticker]], names=["Price", "Ticker"]
        )
    else:
        frame.columns.name = "Price"
    return frame


class FakeDownload:
    """Stands in for yfinance.download: records calls, returns a frame or raises."""

    def __init__(self, result):
        self.result = result
        self.calls: list[tuple[tuple, dict]] = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


@pytest.fixture
def gspc_download(monkeypatch, datasets):
    fake = FakeDownload(yahoo_frame(datasets / "gspc_yahoo_daily.csv", "^GSPC"))
    monkeypatch.setattr(yfinance, "download", fake)
    return fake


@pytest.fixture
def btc_download(monkeypatch, datasets):
    fake = FakeDownload(yahoo_frame(datasets / "btc-usd_yahoo_daily.csv", "BTC-USD"))
    monkeypatch.setattr(yfinance, "download", fake)
    return fake


def _close(series, day: str) -> float:
    return float(series.values[series.dates.get_loc(pd.Timestamp(day))])


# ----------------------------------------------------------------------------------------------
# CryptoDataDownload


def test_cdd_loader_reads_the_real_file_over_http(cdd_folder):
    series = load_market_series(DataConfig(source="btc", provider="cdd"))
    assert len(series) == CDD_ROWS
    assert series.dates[0] == pd.Timestamp("2023-10-01")
    assert series.dates[-1] == pd.Timestamp("2025-09-24")
    assert (np.diff(series.dates) > pd.Timedelta(0)).all()
    assert _close(series, "2023-10-01") == 27995.0
    assert _close(series, "2024-03-14") == 71371.0  # Bitstamp's own close (Yahoo differs)
    assert _close(series, "2024-12-31") == 93381.0
    assert _close(series, "2025-09-24") == 111970.0  # the partial newest day, as downloaded
    assert series.name == "BTC-USD close"
    assert series.source == "btc" and series.provider == "cdd"
    assert series.fetched_at is not None and series.fetched_at.tzinfo is not None
    assert series.notice is None


def test_cdd_old_header_with_float_unix_seconds(cdd_folder, datasets):
    old = (datasets / "cdd_btcusd_daily_old_header.csv").read_text().splitlines()
    current = (datasets / "cdd_btcusd_daily.csv").read_text().splitlines()
    assert old[1] == OLD_CDD_HEADER and current[1].startswith("unix,date,")
    assert old[2].split(",", 1)[0] == f"{float(current[2].split(',', 1)[0])}"  # same real rows
    shutil.copyfile(datasets / "cdd_btcusd_daily_old_header.csv", cdd_folder / CDD_FILE)

    series = load_market_series(DataConfig(source="btc", provider="cdd"))
    assert len(series) == CDD_ROWS
    assert series.dates[0] == pd.Timestamp("2023-10-01")
    assert series.dates[-1] == pd.Timestamp("2025-09-24")
    assert _close(series, "2024-12-31") == 93381.0


def test_cdd_parser_sorts_drops_duplicate_days_and_nans():
    text = (
        "https://www.CryptoDataDownload.com\n"
        "unix,date,symbol,open,high,low,close,Volume BTC,Volume USD\n"
        "1704153600,2024-01-02 00:00:00,BTC/USD,1,1,1,45000,1,1\n"
        "1704067200,2024-01-01 00:00:00,BTC/USD,1,1,1,,1,1\n"
        "1704110400,2024-01-01 12:00:00,BTC/USD,1,1,1,44000,1,1\n"
        "1703980800,2023-12-31 00:00:00,BTC/USD,1,1,1,42000,1,1\n"
    )
    prices = parse_cdd_csv(text.encode())
    assert list(prices.index.strftime("%Y-%m-%d")) == ["2023-12-31", "2024-01-01", "2024-01-02"]
    assert list(prices) == [42000.0, 44000.0, 45000.0]  # midnight dates; the NaN close is gone


def test_cdd_garbage_is_a_data_source_error():
    with pytest.raises(DataSourceError, match="header"):
        parse_cdd_csv(b"<html>Cloudflare says no</html>")


def test_cdd_missing_file_without_cache_uses_the_snapshot_and_says_why(cdd_folder):
    (cdd_folder / CDD_FILE).unlink()  # the server answers 404
    series = load_market_series(DataConfig(source="btc", provider="cdd"))
    assert series.provider == "snapshot" and series.fetched_at is None
    assert "CryptoDataDownload" in series.notice and "404" in series.notice
    assert "bundled snapshot, data as of 2026-03-26" in series.notice


def test_without_snapshot_the_error_names_the_cause_and_the_alternatives(cdd_folder, monkeypatch):
    (cdd_folder / CDD_FILE).unlink()
    monkeypatch.setattr(snapshot, "INDEX_FILE", "missing.json")
    with pytest.raises(DataSourceError) as caught:
        load_market_series(DataConfig(source="btc", provider="cdd"))
    message = str(caught.value)
    assert "CryptoDataDownload" in message and "404" in message
    assert "snapshot" in message
    assert "synthetic generator" in message and "CSV" in message


def test_cdd_is_bitcoin_only():
    with pytest.raises(ConfigError, match="only has Bitcoin"):
        load_market_series(DataConfig(source="sp500", provider="cdd"))


# ----------------------------------------------------------------------------------------------
# Yahoo Finance


def test_yahoo_sp500_from_a_multiindex_frame(gspc_download):
    series = load_market_series(DataConfig(source="sp500"))
    assert len(series) == GSPC_ROWS
    assert series.dates[0] == pd.Timestamp("2024-10-01")
    assert series.dates[-1] == pd.Timestamp("2026-06-08")
    assert _close(series, "2024-10-01") == pytest.approx(5708.75)
    assert _close(series, "2025-04-07") == pytest.approx(5062.25)
    assert _close(series, "2024-12-31") == pytest.approx(5881.63)
    assert _close(series, "2026-06-08") == pytest.approx(7405.73)
    assert series.name == "^GSPC close" and series.provider == "yahoo"
    (args, kwargs), *_ = gspc_download.calls
    assert args == ("^GSPC",)
    assert kwargs["interval"] == "1d" and kwargs["auto_adjust"] is True
    assert kwargs["progress"] is False and kwargs["multi_level_index"] is False
    assert "session" not in kwargs


def test_yahoo_bitcoin_from_the_flat_frame(monkeypatch, datasets):
    frame = yahoo_frame(datasets / "btc-usd_yahoo_daily.csv", "BTC-USD", multi_level=False)
    monkeypatch.setattr(yfinance, "download", FakeDownload(frame))
    series = load_series(DataConfig(source="btc", provider="yahoo"))
    assert len(series) == BTC_ROWS
    assert series.dates[0] == pd.Timestamp("2024-10-01")
    assert series.dates[-1] == pd.Timestamp("2026-03-27")
    assert _close(series, "2024-10-01") == 60837.0078125
    assert _close(series, "2024-10-31") == 70215.1875
    assert _close(series, "2024-12-31") == 93429.203125
    assert _close(series, "2025-10-06") == 124752.53125
    assert series.name == "BTC-USD close"


def test_yahoo_timezone_aware_index_keeps_the_calendar_date():
    index = pd.DatetimeIndex(["2024-01-02", "2024-01-03"]).tz_localize("America/New_York")
    frame = pd.DataFrame({"Close": [1.0, 2.0]}, index=index)
    prices = parse_yahoo_frame(frame, "^GSPC")
    assert list(prices.index) == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]


def test_bitcoin_study_date_range_filters_inclusively(btc_download):
    config = DataConfig(source="btc", start_date="2024-10-28", end_date="2024-12-31")
    series = load_market_series(config)
    assert series.dates[0] == pd.Timestamp("2024-10-28")
    assert series.dates[-1] == pd.Timestamp("2024-12-31")
    assert len(series) == (pd.Timestamp("2024-12-31") - pd.Timestamp("2024-10-28")).days + 1


def test_date_filter_errors_say_what_the_data_covers(btc_download):
    with pytest.raises(ConfigError, match="covers 2024-10-01 to 2026-03-27"):
        load_market_series(DataConfig(source="btc", start_date="2030-01-01"))
    with pytest.raises(ConfigError, match="after end date"):
        load_market_series(DataConfig(source="btc", start_date="2024-01-02", end_date="2024-01-01"))
    series = load_market_series(DataConfig(source="btc"))
    with pytest.raises(ConfigError, match="not a date"):
        filter_dates(series, "soon", None)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(),
        pd.DataFrame(
            {("Close", "^GSPC"): [np.nan, np.nan]},
            index=pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name="Date"),
        ),
    ],
    ids=["empty", "all-nan"],
)
def test_empty_or_nan_frame_is_a_failure_not_data(monkeypatch, frame):
    monkeypatch.setattr(yfinance, "download", FakeDownload(frame))
    with pytest.raises(DataSourceError, match="Yahoo Finance"):
        fetch_prices("sp500", "yahoo")
    series = load_market_series(DataConfig(source="sp500"))
    assert series.provider == "snapshot" and "Yahoo Finance returned" in series.notice
    assert cached_prices("sp500", "yahoo") is None  # nothing was cached


def test_rate_limit_error_is_caught_by_name(monkeypatch):
    error = yfinance.exceptions.YFRateLimitError()
    monkeypatch.setattr(yfinance, "download", FakeDownload(error))
    with pytest.raises(DataSourceError, match="rate limit"):
        fetch_prices("btc", "yahoo")
    series = load_market_series(DataConfig(source="btc"))
    assert "rate limit" in series.notice and "bundled snapshot" in series.notice


# ----------------------------------------------------------------------------------------------
# Disk cache


def test_download_is_cached_with_metadata_and_reused(gspc_download):
    first = load_market_series(DataConfig(source="sp500"))
    csv_path, meta_path = cache_paths("sp500", "yahoo")
    assert csv_path.parent.name == "downloads" and csv_path.is_file()
    meta = json.loads(meta_path.read_text())
    assert meta["provider"] == "yahoo" and meta["ticker"] == "^GSPC"
    assert pd.Timestamp(meta["fetched_at"]) == first.fetched_at
    assert not [path for path in csv_path.parent.iterdir() if path.suffix == ".tmp"]

    second = load_market_series(DataConfig(source="sp500"))
    assert len(gspc_download.calls) == 1  # the second load never touched the network
    assert second.fingerprint() == first.fingerprint()  # the CSV round trip is exact
    assert second.fetched_at == first.fetched_at and second.notice is None


def test_failed_refresh_returns_the_cached_copy_with_a_notice(gspc_download, monkeypatch):
    first = load_market_series(DataConfig(source="sp500"))
    monkeypatch.setenv("FORECAST_LAB_MAX_AGE_HOURS", "0")  # every copy is stale now
    gspc_download.result = ConnectionError("no route to host")

    series = load_market_series(DataConfig(source="sp500", start_date="2025-01-01"))
    assert len(gspc_download.calls) == 2
    assert series.notice is not None
    assert series.notice.startswith("Could not refresh ^GSPC from Yahoo Finance (")
    assert "no route to host" in series.notice
    as_of = first.fetched_at.strftime("%Y-%m-%d %H:%M UTC")
    assert f"showing the cached copy, data as of {as_of}." in series.notice
    assert series.fetched_at == first.fetched_at
    assert series.dates[0] == pd.Timestamp("2025-01-02")  # the date filter still applies


def test_cdd_outage_falls_back_to_its_cache(cdd_folder, monkeypatch):
    load_market_series(DataConfig(source="btc", provider="cdd"))
    (cdd_folder / CDD_FILE).unlink()
    monkeypatch.setenv("FORECAST_LAB_MAX_AGE_HOURS", "0")
    series = load_market_series(DataConfig(source="btc", provider="cdd"))
    assert len(series) == CDD_ROWS
    assert "from CryptoDataDownload" in series.notice and "data as of" in series.notice


def test_stale_cache_is_refreshed(gspc_download, monkeypatch):
    first = load_market_series(DataConfig(source="sp500"))
    monkeypatch.setenv("FORECAST_LAB_MAX_AGE_HOURS", "0")
    second = load_market_series(DataConfig(source="sp500"))
    assert len(gspc_download.calls) == 2
    assert second.notice is None and second.fetched_at >= first.fetched_at


def test_fetch_prices_force_always_downloads(gspc_download):
    fetch_prices("sp500", "yahoo")
    fetch_prices("sp500", "yahoo")
    assert len(gspc_download.calls) == 1
    series = fetch_prices("sp500", "yahoo", force=True)
    assert len(gspc_download.calls) == 2 and len(series) == GSPC_ROWS


def test_fetch_prices_raises_without_falling_back(gspc_download):
    fetch_prices("sp500", "yahoo")
    gspc_download.result = pd.DataFrame()
    with pytest.raises(DataSourceError, match="no rows"):
        fetch_prices("sp500", "yahoo", force=True)
    assert cached_prices("sp500", "yahoo") is not None  # the old copy survives a failed refresh


def test_damaged_cache_counts_as_no_cache(gspc_download, monkeypatch):
    load_market_series(DataConfig(source="sp500"))
    csv_path, _ = cache_paths("sp500", "yahoo")
    csv_path.write_text("date,value\n2024-01-02,not-a-price\n")
    assert cached_prices("sp500", "yahoo") is None
    monkeypatch.setenv("FORECAST_LAB_MAX_AGE_HOURS", "0")
    gspc_download.result = pd.DataFrame()
    series = load_market_series(DataConfig(source="sp500"))
    assert series.provider == "snapshot" and "nothing is cached" in series.notice


def test_bad_max_age_setting_is_a_config_error(monkeypatch):
    monkeypatch.setenv("FORECAST_LAB_MAX_AGE_HOURS", "twelve")
    with pytest.raises(ConfigError, match="FORECAST_LAB_MAX_AGE_HOURS"):
        fetch_prices("sp500", "yahoo")


# ----------------------------------------------------------------------------------------------
# Bundled snapshots (the network unplugged, nothing cached)


@pytest.mark.parametrize(
    ("source", "ticker", "first", "last", "close"),
    [
        ("btc", "BTC-USD", "2014-09-17", "2026-03-26", 68791.62),
        ("sp500", "^GSPC", "1927-12-30", "2026-06-08", 7405.73),
    ],
)
def test_offline_demo_uses_the_bundled_snapshot(monkeypatch, source, ticker, first, last, close):
    monkeypatch.setattr(yfinance, "download", FakeDownload(ConnectionError("network is down")))
    config = SOURCE_REGISTRY[source].default_data()
    series = load_series(config)
    assert series.provider == "snapshot" and series.name == f"{ticker} close"
    assert f"bundled snapshot, data as of {last}" in series.notice
    assert "network is down" in series.notice
    assert describe_origin(series) == (
        f"Bundled snapshot (Yahoo Finance daily closes) · data as of {last}."
    )
    whole = snapshot.snapshot_prices(source, "offline")
    assert whole.dates[0] == pd.Timestamp(first) and whole.dates[-1] == pd.Timestamp(last)
    assert whole.values[-1] == close
    assert (np.diff(whole.dates) > pd.Timedelta(0)).all() and np.isfinite(whole.values).all()
    assert cached_prices(source, "yahoo") is None  # a snapshot is never written as a download
    if config.end_date:
        assert series.dates[-1] == pd.Timestamp(config.end_date)  # the date range still applies


def test_snapshot_files_are_small_and_described():
    index = snapshot.snapshot_index()
    folder = Path(snapshot.__file__).parent / "snapshots"
    sizes = [(folder / entry["file"]).stat().st_size for entry in index.values()]
    assert set(index) == {"btc", "sp500"} and sum(sizes) < 300_000
    for entry in index.values():
        assert entry["origin"] and entry["last_date"] and entry["rows"] > 4000


def test_a_refresh_replaces_the_snapshot_once_the_network_is_back(monkeypatch, btc_download):
    offline = FakeDownload(ConnectionError("network is down"))
    monkeypatch.setattr(yfinance, "download", offline)
    assert load_market_series(DataConfig(source="btc")).provider == "snapshot"
    monkeypatch.setattr(yfinance, "download", btc_download)
    fetch_prices("btc", "yahoo", force=True)  # what the Data page's Refresh button calls
    series = load_market_series(DataConfig(source="btc"))
    assert series.provider == "yahoo" and series.notice is None and len(series) == BTC_ROWS


def test_cli_fetch_offline_names_the_snapshot_and_exits_with_1(monkeypatch, capsys):
    from core.__main__ import main

    monkeypatch.setattr(yfinance, "download", FakeDownload(ConnectionError("network is down")))
    assert main(["fetch", "sp500"]) == 1
    output = capsys.readouterr().out
    assert "^GSPC close: 24725 rows, 1927-12-30 .. 2026-06-08." in output
    assert "Bundled snapshot (Yahoo Finance daily closes) · data as of 2026-06-08." in output
    assert "note: Could not download ^GSPC from Yahoo Finance (ConnectionError: network" in output


def test_offline_the_download_is_tried_once_until_refresh(monkeypatch):
    """#20 item 11: every page visit retried the download while offline (2-4 s and a log line
    each); now the first failure sends later loads to the snapshot until Refresh."""
    from core.data.market import load_market_series, refresh_prices

    calls = []

    def offline_download(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("no network")

    monkeypatch.setattr(yfinance, "download", offline_download)
    config = DataConfig(source="sp500")
    first = load_market_series(config)
    assert first.provider == "snapshot" and len(calls) == 1
    again = load_market_series(config)
    assert again.provider == "snapshot" and len(calls) == 1
    with pytest.raises(DataSourceError, match="Could not refresh"):
        refresh_prices("sp500", "yahoo")
    assert len(calls) == 2
    load_market_series(config)
    assert len(calls) == 2
