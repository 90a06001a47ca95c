"""The Series every source returns: dates, values, provenance and (synthetic only) the signal."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Series:
    """A univariate daily (or trading-day) series in original units, sorted by date."""

    dates: pd.DatetimeIndex
    values: np.ndarray  # float64, same length as dates
    name: str  # e.g. "Synthetic", "BTC-USD close"
    source: str  # synthetic | btc | sp500 | csv
    provider: str | None = None  # yahoo | cdd | generator | upload
    fetched_at: pd.Timestamp | None = None  # when the data was downloaded (UTC)
    notice: str | None = None  # announced fallback, e.g. "offline: data as of 2026-11-20"
    signal: np.ndarray | None = None  # noise-free signal (synthetic only)

    def __len__(self) -> int:
        return len(self.values)

    def fingerprint(self) -> str:
        """Content hash of dates and values: the data part of every run key."""
        digest = hashlib.sha256()
        # asi8 counts in the index's own unit (pandas 3 mixes s/ms/us/ns), so fix the unit first
        nanoseconds = pd.DatetimeIndex(self.dates).as_unit("ns").asi8
        digest.update(np.asarray(nanoseconds, dtype=np.int64).tobytes())
        digest.update(np.asarray(self.values, dtype=np.float64).tobytes())
        return digest.hexdigest()[:16]

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({"value": self.values}, index=self.dates)
        if self.signal is not None:
            frame["signal"] = self.signal
        frame.index.name = "date"
        return frame
