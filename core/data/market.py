"""Market prices (SPEC 1.2): Bitcoin and S&P 500 daily closes from Yahoo Finance (yfinance) or
CryptoDataDownload (requests), cached on disk with their fetch time; on failure the cached copy
is used with a visible notice, and with no copy the bundled snapshot (core/data/snapshots)."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import requests  # lazy: only the CryptoDataDownload path needs it

from core.atomic import write_atomic
from core.config import DataConfig
from core.data.series import Series
from core.data.snapshot import (
    SNAPSHOT_PROVIDER,
    price_series,
    snapshot_info,
    snapshot_prices,
)
from core.errors import ConfigError, DataSourceError
from core.paths import sub_dir

TICKERS = {"btc": "BTC-USD", "sp500": "^GSPC"}
PROVIDER_LABELS = {"yahoo": "Yahoo Finance", "cdd": "CryptoDataDownload"}
CDD_FILE = "Bitstamp_BTCUSD_d.csv"
DEFAULT_CDD_URL = "https://www.cryptodatadownload.com/cdd"
DEFAULT_MAX_AGE_HOURS = 12.0
REQUEST_TIMEOUT_SECONDS = 30
ALTERNATIVES = "use the synthetic generator or upload a CSV"


# ----------------------------------------------------------------------------------------------
# Parsing


def _clean_closes(dates: pd.DatetimeIndex, closes: np.ndarray) -> pd.Series:
    """Midnight dates, ascending, one row per day (the last one wins), no NaNs."""
    index = pd.DatetimeIndex(dates)
    if index.tz is not None:
        index = index.tz_localize(None)  # keep the exchange's calendar date
    prices = pd.Series(np.asarray(closes, dtype=np.float64), index=index.normalize())
    prices = prices[prices.index.notna()].dropna()
    prices = prices[np.isfinite(prices.to_numpy())]
    prices = prices.sort_index(kind="stable")
    prices = prices[~prices.index.duplicated(keep="last")]
    prices.index.name = "date"
    return prices


def parse_yahoo_frame(frame: pd.DataFrame | None, ticker: str) -> pd.Series:
    """Daily closes from a yfinance.download frame: flat columns or (Price, Ticker) MultiIndex.

    yfinance reports most failures by returning an empty or all-NaN frame, so both raise here.
    """
    if frame is None or len(frame) == 0:
        raise DataSourceError(
            f"Yahoo Finance returned no rows for {ticker}: offline, rate-limited or blocked"
        )
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex):
        level = next(
            (
                position
                for position in range(columns.nlevels)
                if "Close" in columns.get_level_values(position)
            ),
            None,
        )
        if level is None:
            raise DataSourceError(
                f"Yahoo Finance data for {ticker} has no Close column (columns: {list(columns)})"
            )
        closes = frame.xs("Close", axis=1, level=level)
        if isinstance(closes, pd.DataFrame):
            if ticker in closes.columns:
                closes = closes[ticker]
            elif closes.shape[1] == 1:
                closes = closes.iloc[:, 0]
            else:
                raise DataSourceError(
                    f"Yahoo Finance data holds several tickers ({list(closes.columns)}), "
                    f"none of them {ticker}"
                )
    else:
        name = next((column for column in ("Close", "Adj Close") if column in columns), None)
        if name is None:
            raise DataSourceError(
                f"Yahoo Finance data for {ticker} has no Close column (columns: {list(columns)})"
            )
        closes = frame[name]
        if isinstance(closes, pd.DataFrame):  # duplicated column names
            closes = closes.iloc[:, 0]
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(frame.index))
    except (ValueError, TypeError) as error:
        message = f"Yahoo Finance dates for {ticker} did not parse ({error})"
        raise DataSourceError(message) from error
    values = pd.to_numeric(pd.Series(closes.to_numpy()), errors="coerce").to_numpy(dtype=float)
    prices = _clean_closes(dates, values)
    if prices.empty:
        raise DataSourceError(f"Yahoo Finance returned only empty prices for {ticker}")
    return prices


def parse_cdd_csv(data: bytes) -> pd.Series:
    """Daily closes from CryptoDataDownload's CSV (banner line, then a unix/date/.../close header).

    Handles the current header (``unix,date,...``) and the older one (``Unix Timestamp,Date,...``
    with float unix seconds, sometimes milliseconds); rows arrive newest first.
    """
    text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    starts = [line.strip().lower() for line in lines[:20]]
    header_line = next((row for row, line in enumerate(starts) if line.startswith("unix")), None)
    if header_line is None:
        first = lines[0][:80] if lines else "(empty file)"
        raise DataSourceError(
            "the CryptoDataDownload file has no 'unix,date,...,close' header "
            f"(first line: {first!r})"
        )
    try:
        frame = pd.read_csv(io.StringIO("\n".join(lines[header_line:])))
    except (ValueError, pd.errors.ParserError) as error:
        raise DataSourceError(f"the CryptoDataDownload file did not parse ({error})") from error
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    if "close" not in frame.columns:
        raise DataSourceError(
            f"the CryptoDataDownload file has no close column (columns: {list(frame.columns)})"
        )
    unix_column = next((c for c in ("unix", "unix timestamp") if c in frame.columns), None)
    dates = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if unix_column is not None:
        seconds = pd.to_numeric(frame[unix_column], errors="coerce")
        seconds = seconds.where(seconds < 1e11, seconds / 1000.0)  # some files used milliseconds
        dates = pd.to_datetime(seconds, unit="s", errors="coerce")
    if "date" in frame.columns and dates.isna().any():
        from_text = pd.to_datetime(frame["date"], errors="coerce", format="mixed")
        dates = dates.fillna(from_text)
    closes = pd.to_numeric(frame["close"], errors="coerce").to_numpy(dtype=float)
    prices = _clean_closes(pd.DatetimeIndex(dates), closes)
    if prices.empty:
        raise DataSourceError("the CryptoDataDownload file holds no usable rows")
    return prices


# ----------------------------------------------------------------------------------------------
# Downloads


def _download_yahoo(ticker: str) -> pd.Series:
    import yfinance  # lazy: importing yfinance costs most of a second

    exceptions = getattr(yfinance, "exceptions", None)
    rate_limit = getattr(exceptions, "YFRateLimitError", None)
    yahoo_error = getattr(exceptions, "YFException", None)
    errors: tuple[type[BaseException], ...] = (OSError, ValueError, KeyError)
    errors += tuple(kind for kind in (rate_limit, yahoo_error) if isinstance(kind, type))
    try:
        frame = yfinance.download(
            ticker,
            period="max",
            interval="1d",
            auto_adjust=True,
            progress=False,
            multi_level_index=False,
        )
    except errors as error:
        if rate_limit is not None and isinstance(error, rate_limit):
            raise DataSourceError(
                "Yahoo Finance rate limit reached (too many requests); wait a few minutes"
            ) from error
        raise DataSourceError(f"{type(error).__name__}: {error}") from error
    return parse_yahoo_frame(frame, ticker)


def cdd_url() -> str:
    """Where the CryptoDataDownload file is fetched from ($FORECAST_LAB_CDD_URL overrides it)."""
    base = os.environ.get("FORECAST_LAB_CDD_URL", DEFAULT_CDD_URL).rstrip("/")
    return f"{base}/{CDD_FILE}"


def _download_cdd(ticker: str) -> pd.Series:
    """CDD's Bitstamp daily file; the ticker is always BTC-USD (checked in _check_source)."""

    url = cdd_url()
    try:
        response = requests.get(url, timeout=REQUEST_TIMEOUT_SECONDS)
        response.raise_for_status()
    except requests.RequestException as error:
        raise DataSourceError(f"network error for {url}: {error}") from error
    return parse_cdd_csv(response.content)


DOWNLOADERS = {"yahoo": _download_yahoo, "cdd": _download_cdd}  # provider -> ticker -> closes


# ----------------------------------------------------------------------------------------------
# Disk cache


def _check_source(source: str, provider: str) -> str:
    if source not in TICKERS:
        raise ConfigError(
            f"market source '{source}' is not one of {', '.join(TICKERS)}; pick btc or sp500."
        )
    if provider not in PROVIDER_LABELS:
        raise ConfigError(f"provider '{provider}' is not one of yahoo, cdd; pick one of those.")
    if provider == "cdd" and source != "btc":
        raise ConfigError(
            "CryptoDataDownload (cdd) only has Bitcoin; use the yahoo provider for the S&P 500."
        )
    return TICKERS[source]


def cache_paths(source: str, provider: str) -> tuple[Path, Path]:
    """The cached CSV (date,value) and its JSON metadata for one source and provider."""
    ticker = _check_source(source, provider)
    stem = f"{provider}_{ticker.replace('^', '').replace('/', '-')}"
    folder = sub_dir("downloads")
    return folder / f"{stem}.csv", folder / f"{stem}.json"


def _save_cache(source: str, provider: str, prices: pd.Series, fetched_at: pd.Timestamp) -> None:
    csv_path, meta_path = cache_paths(source, provider)
    frame = pd.DataFrame({"date": prices.index.strftime("%Y-%m-%d"), "value": prices.to_numpy()})
    write_atomic(csv_path, frame.to_csv(index=False).encode())
    meta = {
        "fetched_at": fetched_at.isoformat(),
        "provider": provider,
        "ticker": TICKERS[source],
        "source": source,
        "rows": len(prices),
        "first_date": prices.index[0].strftime("%Y-%m-%d"),
        "last_date": prices.index[-1].strftime("%Y-%m-%d"),
    }
    # the metadata is written last, so its presence means the CSV beside it is complete
    write_atomic(meta_path, json.dumps(meta, indent=2).encode())


def make_series(
    source: str,
    provider: str,
    prices: pd.Series,
    fetched_at: pd.Timestamp | None,
    notice: str | None,
) -> Series:
    """A market Series of daily closes (downloaded, cached or the bundled snapshot)."""
    return price_series(source, TICKERS[source], provider, prices, fetched_at, notice)


def cached_prices(source: str, provider: str) -> Series | None:
    """The cached copy for a source and provider, or None if there is none (or it is damaged)."""
    csv_path, meta_path = cache_paths(source, provider)
    if not (csv_path.is_file() and meta_path.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text())
        fetched_at = pd.Timestamp(meta["fetched_at"])
        frame = pd.read_csv(csv_path)
        dates = pd.to_datetime(frame["date"], format="%Y-%m-%d")
        values = pd.to_numeric(frame["value"], errors="raise").to_numpy(dtype=float)
    except (OSError, ValueError, KeyError, TypeError, pd.errors.ParserError):
        return None  # a damaged cache counts as no cache; the next download rewrites it
    if len(values) == 0 or pd.isna(fetched_at):
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.tz_localize("UTC")
    prices = pd.Series(values, index=pd.DatetimeIndex(dates, name="date"))
    return make_series(source, provider, prices, fetched_at, None)


def max_cache_age() -> pd.Timedelta:
    """How old a cached download may be before it is refreshed ($FORECAST_LAB_MAX_AGE_HOURS)."""
    text = os.environ.get("FORECAST_LAB_MAX_AGE_HOURS")
    if text is None or text.strip() == "":
        return pd.Timedelta(hours=DEFAULT_MAX_AGE_HOURS)
    try:
        hours = float(text)
    except ValueError as error:
        raise ConfigError(
            f"FORECAST_LAB_MAX_AGE_HOURS is '{text}', not a number of hours; "
            "set it to e.g. 12 or unset it."
        ) from error
    if not np.isfinite(hours) or hours < 0:
        raise ConfigError(
            f"FORECAST_LAB_MAX_AGE_HOURS is {text}; use a non-negative number of hours, e.g. 12."
        )
    return pd.Timedelta(hours=hours)


def _is_fresh(series: Series, max_age: pd.Timedelta) -> bool:
    if series.fetched_at is None:
        return False
    age = pd.Timestamp.now(tz="UTC") - series.fetched_at
    return pd.Timedelta(0) <= age < max_age


# Downloads that failed in this process (by cache file, so each data home has its own): they are
# not tried again on every page visit (2-4 s each while offline) but only when the user presses
# Refresh (refresh_prices), which forgets the failure.
_FAILED_DOWNLOADS: dict[Path, DataSourceError] = {}
_FAILED_LOCK = threading.Lock()


def fetch_prices(source: str, provider: str, *, force: bool = False) -> Series:
    """Full daily close history of btc or sp500 from yahoo or cdd, cached on disk.

    Without force a cached copy younger than max_cache_age() is returned as is; with force (or
    no fresh copy) the network is tried and a successful download replaces the cache. Failures
    raise DataSourceError with the cause (no fallback here; load_market_series adds it).
    """
    ticker = _check_source(source, provider)
    if not force:
        max_age = max_cache_age()
        cached = cached_prices(source, provider)
        if cached is not None and _is_fresh(cached, max_age):
            return cached
    prices = DOWNLOADERS[provider](ticker)
    fetched_at = pd.Timestamp.now(tz="UTC").floor("s")
    _save_cache(source, provider, prices, fetched_at)
    with _FAILED_LOCK:
        _FAILED_DOWNLOADS.pop(cache_paths(source, provider)[0], None)  # online again
    return make_series(source, provider, prices, fetched_at, None)


# ----------------------------------------------------------------------------------------------
# Entry point


def _parse_date(name: str, text: str | None) -> pd.Timestamp | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError) as error:
        raise ConfigError(
            f"{name} '{text}' is not a date; use the YYYY-MM-DD form, e.g. 2020-10-28."
        ) from error
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def filter_dates(series: Series, start_date: str | None, end_date: str | None) -> Series:
    """Keep the rows between start_date and end_date (ISO dates, both inclusive; None = open)."""
    start = _parse_date("start date", start_date)
    end = _parse_date("end date", end_date)
    if start is None and end is None:
        return series
    if start is not None and end is not None and start > end:
        raise ConfigError(
            f"start date {start.date()} is after end date {end.date()}; swap or change them."
        )
    keep = np.ones(len(series), dtype=bool)
    if start is not None:
        keep &= series.dates >= start
    if end is not None:
        keep &= series.dates < end + pd.Timedelta(days=1)
    if not keep.any():
        first = start.date() if start is not None else "the start"
        last = end.date() if end is not None else "the end"
        raise ConfigError(
            f"{series.name} has no rows between {first} and {last}; the data covers "
            f"{series.dates[0].date()} to {series.dates[-1].date()}. Widen the date range."
        )
    return Series(
        dates=series.dates[keep],
        values=series.values[keep],
        name=series.name,
        source=series.source,
        provider=series.provider,
        fetched_at=series.fetched_at,
        notice=series.notice,
        signal=None if series.signal is None else series.signal[keep],
        cleaning=series.cleaning,
    )


def _with_notice(series: Series, notice: str) -> Series:
    return Series(
        dates=series.dates,
        values=series.values,
        name=series.name,
        source=series.source,
        provider=series.provider,
        fetched_at=series.fetched_at,
        notice=notice,
        signal=series.signal,
        cleaning=series.cleaning,
    )


def describe_origin(series: Series) -> str:
    """One line on where market data came from: provider and 'data as of' (fetch time or date)."""
    if series.provider == SNAPSHOT_PROVIDER:
        try:
            last = snapshot_info(series.source).get("last_date", "unknown")
        except DataSourceError:
            last = series.dates[-1].strftime("%Y-%m-%d") if len(series) else "unknown"
        return f"Bundled snapshot (Yahoo Finance daily closes) · data as of {last}."
    label = PROVIDER_LABELS.get(series.provider or "", series.provider or "unknown")
    as_of = (
        series.fetched_at.tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")
        if series.fetched_at is not None
        else "unknown"
    )
    return f"Provider: {label} · data as of {as_of}."


def load_market_series(config: DataConfig) -> Series:
    """The market series a DataConfig describes, from a fresh cache or the network.

    If the download fails, the cached copy is returned with a notice saying how old it is; with
    no cached copy, the bundled snapshot with a notice giving its last date (never silently).
    A failed download is tried once: later loads use the fallback until refresh_prices.
    """
    key = cache_paths(config.source, config.provider)[0]
    with _FAILED_LOCK:
        failed = _FAILED_DOWNLOADS.get(key)
    if failed is not None:
        series = fallback_prices(config.source, config.provider, failed)
    else:
        try:
            series = fetch_prices(config.source, config.provider)
        except DataSourceError as error:
            with _FAILED_LOCK:
                _FAILED_DOWNLOADS[key] = error
            series = fallback_prices(config.source, config.provider, error)
    return filter_dates(series, config.start_date, config.end_date)


def refresh_prices(source: str, provider: str) -> Series:
    """Download now, whatever the cache holds (the Data page's Refresh button); a failure says
    that the prices in use stay as they were."""
    ticker = _check_source(source, provider)
    try:
        series = fetch_prices(source, provider, force=True)
    except DataSourceError as error:
        with _FAILED_LOCK:
            _FAILED_DOWNLOADS[cache_paths(source, provider)[0]] = error
        raise DataSourceError(
            f"Could not refresh {ticker} from {PROVIDER_LABELS[provider]} ({error}); the prices "
            "in use stay as they were. Check the internet connection and try again later."
        ) from error
    return series


def fallback_prices(source: str, provider: str, error: Exception) -> Series:
    """After a failed download: the cached copy, else the bundled snapshot, each with a notice
    that gives the cause and how old the data is."""
    ticker = _check_source(source, provider)
    label = PROVIDER_LABELS[provider]
    cached = cached_prices(source, provider)
    if cached is None:
        reason = f"Could not download {ticker} from {label} ({error}) and nothing is cached"
        try:
            return snapshot_prices(source, reason)
        except DataSourceError as missing:
            raise DataSourceError(f"{reason}, and {missing} Otherwise {ALTERNATIVES}.") from missing
    as_of = cached.fetched_at.tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")
    return _with_notice(
        cached,
        f"Could not refresh {ticker} from {label} ({error}); "
        f"showing the cached copy, data as of {as_of}.",
    )


__all__ = [
    "TICKERS",
    "PROVIDER_LABELS",
    "cache_paths",
    "cached_prices",
    "cdd_url",
    "describe_origin",
    "fallback_prices",
    "refresh_prices",
    "fetch_prices",
    "filter_dates",
    "load_market_series",
    "max_cache_age",
    "parse_cdd_csv",
    "parse_yahoo_frame",
]
