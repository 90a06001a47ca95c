"""What a finished run holds: RunResult and its typed parts, shared by pipeline and run store."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas

from core.config import RunRequest
from core.data.frequency import date_texts
from core.scores import BaselineScores, RunScores, baselines_to_dict

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class SeriesInfo:
    """Provenance of a run's series, for run records and page headers."""

    name: str
    source: str
    provider: str
    rows: int
    first_date: str  # ISO date
    last_date: str  # ISO date
    fingerprint: str = ""
    fetched_at: str | None = None  # ISO time of the download, for market data
    notice: str | None = None  # an announced fallback (cached copy, bundled snapshot)

    @classmethod
    def from_series(cls, series: Any) -> SeriesInfo:
        first_date, last_date = date_texts(series.dates[[0, -1]], series.dates)
        return cls(
            name=series.name,
            source=series.source,
            provider=series.provider,
            rows=len(series),
            first_date=first_date,
            last_date=last_date,
            fingerprint=series.fingerprint(),
            fetched_at=None if series.fetched_at is None else series.fetched_at.isoformat(),
            notice=series.notice,
        )

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SeriesInfo:
        names = {item.name for item in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in names})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(eq=False)
class RunResult:
    """A finished run: everything the Results, Classify and Runs pages and the CLI show."""

    key: str
    request: RunRequest
    cached: bool
    created_at: str
    train_seconds: float
    epochs_run: int
    best_epoch: int
    stop_reason: str
    history: dict[str, list[float]]
    predictions: pd.DataFrame
    metrics: RunScores
    baselines: dict[str, BaselineScores]  # by baseline name (core.models.baselines.BASELINES)
    noise_floor_mse: float | None
    forecast: pd.DataFrame
    series_info: SeriesInfo
    parameter_count: int
    model_path: Path | None = None
    scaler: dict[str, float] = field(default_factory=dict)
    notice: str | None = None  # e.g. "the stored copy was damaged and has been retrained"
    intervals: dict[str, Any] = field(default_factory=dict)  # core.evaluation.intervals

    def test_span(self) -> dict[str, Any]:
        """The test part's first and last date and its length in steps (the predictions')."""

        rows = self.predictions
        if "part" in rows.columns:
            rows = rows[rows["part"] == "test"]
        dates = pandas.DatetimeIndex(rows.index)
        if len(dates) == 0:
            return {"first_date": None, "last_date": None, "steps": 0}
        first, last = date_texts(dates[[0, -1]], dates)
        return {"first_date": first, "last_date": last, "steps": len(dates)}

    @property
    def task(self) -> str:
        return self.request.model.task

    def summary(self) -> dict[str, Any]:
        """Plain JSON-ready summary (the CLI's --json line)."""

        future = self.forecast["forecast"]
        forecast = [
            {"date": date, "value": float(value)}
            for date, value in zip(date_texts(future.index), future.to_numpy(), strict=True)
        ]
        return {
            "run_key": self.key,
            "cached": self.cached,
            "created_at": self.created_at,
            "source": self.request.data.source,
            "task": self.task,
            "model": self.request.to_dict(),
            "parameter_count": self.parameter_count,
            "epochs_run": self.epochs_run,
            "best_epoch": self.best_epoch,
            "stop_reason": self.stop_reason,
            "train_seconds": round(self.train_seconds, 3),
            "metrics": self.metrics.to_dict(),
            "baselines": baselines_to_dict(self.baselines),
            "noise_floor_mse": self.noise_floor_mse,
            "intervals": self.intervals,
            "series": self.series_info.to_dict(),
            "test_span": self.test_span(),
            "forecast": forecast,
        }
