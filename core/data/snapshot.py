"""Bundled offline snapshots of BTC-USD and ^GSPC daily closes (core/data/snapshots/): the last
resort when a download fails and nothing is cached, so the demo works with the network unplugged."""

from __future__ import annotations

import gzip
import io
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from core.data.series import Series
from core.errors import DataSourceError

INDEX_FILE = "snapshots.json"


def _folder():
    # importlib.resources finds the folder next to this module in a plain checkout as well as in
    # an installed package, so no packaging step is needed
    return resources.files("core.data").joinpath("snapshots")


def snapshot_index() -> dict[str, dict]:
    """What the snapshot folder holds: source -> file, ticker, first/last date, rows, origin."""
    try:
        return json.loads(_folder().joinpath(INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataSourceError(
            f"the bundled snapshot index {INDEX_FILE} is missing or damaged ({error}); "
            "restore core/data/snapshots/ from the repository."
        ) from error


def snapshot_info(source: str) -> dict:
    """The index entry for btc or sp500 (file, ticker, last_date, origin, ...)."""
    index = snapshot_index()
    if source not in index:
        raise DataSourceError(
            f"there is no bundled snapshot for '{source}' (snapshots: {', '.join(index)})."
        )
    return index[source]


def load_snapshot(source: str) -> pd.Series:
    """The bundled daily closes of btc or sp500 as a float Series on a 'date' index."""
    info = snapshot_info(source)
    try:
        data = _folder().joinpath(info["file"]).read_bytes()
        frame = pd.read_csv(io.BytesIO(gzip.decompress(data)))
        dates = pd.to_datetime(frame["Date"], format="%Y-%m-%d")
        values = pd.to_numeric(frame["Close"], errors="raise").to_numpy(dtype=np.float64)
    except (OSError, EOFError, ValueError, KeyError, gzip.BadGzipFile) as error:
        raise DataSourceError(
            f"the bundled snapshot {info.get('file')} could not be read ({error}); "
            "restore core/data/snapshots/ from the repository."
        ) from error
    return pd.Series(values, index=pd.DatetimeIndex(dates, name="date"))


def snapshot_prices(source: str, reason: str) -> Series:
    """The bundled snapshot of btc or sp500 as a Series whose notice gives the reason it is used
    and its last date. Its provider is "snapshot" and fetched_at None (nothing was downloaded)."""
    from core.data.market import ALTERNATIVES, SNAPSHOT_PROVIDER, TICKERS, make_series

    if source not in TICKERS:
        raise DataSourceError(f"there is no bundled snapshot for '{source}'; use btc or sp500.")
    try:
        prices = load_snapshot(source)
        info = snapshot_info(source)
    except DataSourceError as error:
        raise DataSourceError(f"{reason}, and {error} Otherwise {ALTERNATIVES}.") from error
    last = prices.index[-1].strftime("%Y-%m-%d")
    notice = (
        f"{reason}; showing the bundled snapshot, data as of {last} "
        f"({info.get('ticker', TICKERS[source])} daily closes from Yahoo Finance). "
        f"Refresh once online (Data page: Refresh prices; command line: python -m core fetch "
        f"{source})."
    )
    return make_series(source, SNAPSHOT_PROVIDER, prices, None, notice)


def write_snapshot(source: str, ticker: str, prices: pd.Series, origin: str, folder: Path) -> Path:
    """Write prices (daily closes on a date index) as folder/<stem>.csv.gz and update the index.

    For maintainers refreshing the bundled data, e.g. from a fresh `python -m core fetch`.
    Closes are rounded to cents; gzip's timestamp is fixed so the same data gives the same bytes.
    """
    stem = ticker.replace("^", "").replace("-", "_").lower()
    frame = pd.DataFrame(
        {"Date": prices.index.strftime("%Y-%m-%d"), "Close": np.round(prices.to_numpy(), 2)}
    )
    path = folder / f"{stem}.csv.gz"
    text = frame.to_csv(index=False, float_format="%.2f").encode()
    path.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))
    index_path = folder / INDEX_FILE
    index = json.loads(index_path.read_text()) if index_path.is_file() else {}
    index[source] = {
        "file": path.name,
        "ticker": ticker,
        "first_date": frame["Date"].iloc[0],
        "last_date": frame["Date"].iloc[-1],
        "rows": len(frame),
        "columns": "Date,Close (daily close, rounded to cents)",
        "origin": origin,
    }
    index_path.write_text(json.dumps(index, indent=2) + "\n")
    return path


__all__ = ["load_snapshot", "snapshot_index", "snapshot_info", "snapshot_prices", "write_snapshot"]
