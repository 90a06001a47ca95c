"""Bundled offline snapshots of BTC-USD and ^GSPC daily closes (core/data/snapshots/): the last
resort when a download fails and nothing is cached, so the demo works with the network unplugged."""

from __future__ import annotations

import gzip
import io
import json
from importlib import resources

import numpy as np
import pandas as pd

from core.data.series import Series
from core.errors import DataSourceError

INDEX_FILE = "snapshots.json"
SNAPSHOT_PROVIDER = "snapshot"  # Series.provider of the bundled offline copy


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
    and its last date. Its provider is "snapshot" and fetched_at None (nothing was downloaded);
    a DataSourceError when the snapshot is missing or damaged."""
    prices = load_snapshot(source)
    ticker = snapshot_info(source).get("ticker", source)
    last = prices.index[-1].strftime("%Y-%m-%d")
    notice = (
        f"{reason}; showing the bundled snapshot, data as of {last} "
        f"({ticker} daily closes from Yahoo Finance). "
        f"Refresh once online (Data page: Refresh prices; command line: python -m core fetch "
        f"{source})."
    )
    return price_series(source, ticker, SNAPSHOT_PROVIDER, prices, None, notice)


def price_series(
    source: str,
    ticker: str,
    provider: str,
    prices: pd.Series,
    fetched_at: pd.Timestamp | None,
    notice: str | None,
) -> Series:
    """A market Series of daily closes (downloaded, cached or the bundled snapshot)."""
    return Series(
        dates=pd.DatetimeIndex(prices.index, name="date"),
        values=prices.to_numpy(dtype=np.float64),
        name=f"{ticker} close",
        source=source,
        provider=provider,
        fetched_at=fetched_at,
        notice=notice,
    )


__all__ = ["load_snapshot", "price_series", "snapshot_index", "snapshot_info", "snapshot_prices"]
