"""The run store: one folder per run key, written atomically, never half-loaded."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from core.atomic import write_atomic
from core.config import SCHEMA_VERSION, RunRequest
from core.data.shipped import shipped
from core.data.sources import source_title
from core.errors import ConfigError, disk_full
from core.json_values import json_ready, restore_nan
from core.paths import sub_dir
from core.results import RunResult, SeriesInfo
from core.scores import RegressionScores, RunScores, baselines_from_dict, baselines_to_dict

logger = logging.getLogger(__name__)

# Keys are hashes (core.config.run_key); a key is a folder name, so it may never hold a path
# separator or a dot: nothing from outside (a link, a form) can point the store elsewhere.
RUN_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
MODEL_FILE = "model.keras"
META_FILE = "meta.json"  # written last: a folder without a readable meta is incomplete
REQUIRED_FILES = (
    MODEL_FILE,
    "request.json",
    "history.json",
    "metrics.json",
    "predictions.csv",
    "forecast.csv",
)


@dataclass(frozen=True)
class RunSummary:
    """One row of the Runs page: what was trained on what, and how well."""

    key: str
    created_at: str
    data_label: str
    model_label: str
    task: str
    test_mse: float | None
    test_mae: float | None
    naive_mse: float | None
    accuracy: float | None
    train_seconds: float
    epochs_run: int
    request: RunRequest


def _write_json(path: Path, value: Any) -> None:
    write_atomic(path, json.dumps(json_ready(value), indent=1, sort_keys=True))


def load_model(path: Path):
    """Load a saved .keras model (custom layers are registered by importing the registry)."""
    import keras  # TensorFlow loads only in the processes that load a network (not the pages)

    import core.models.layers  # noqa: F401  (registers the custom layers)

    return keras.models.load_model(path, compile=False)


class RunStore:
    """Runs on disk keyed by content hash; save is atomic (temp folder + rename)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else sub_dir("runs")
        self.root.mkdir(parents=True, exist_ok=True)
        self.last_problem: str | None = None
        self._lock = threading.Lock()

    def folder(self, key: str) -> Path:
        """The run's folder under the store root; a key that is not a plain name is refused."""
        if not isinstance(key, str) or not RUN_KEY.fullmatch(key):
            raise ConfigError(
                f"'{str(key)[:80]}' is not a run key (letters, digits, '-' and '_' only, e.g. "
                "3f2a9c0d1b4e5f607a8b); open the run from the Runs page."
            )
        return self.root / key

    def model_file(self, key: str) -> Path:
        return self.folder(key) / MODEL_FILE

    def has(self, key: str) -> bool:
        return bool(RUN_KEY.fullmatch(str(key))) and (self.folder(key) / META_FILE).is_file()

    def save(self, result: RunResult, model: Any) -> RunResult:
        """Write a run atomically and return it with its model path set."""
        staging = self.root / f".tmp-{result.key}-{uuid.uuid4().hex[:8]}"
        try:
            self._write(staging, result, model)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            full = disk_full(error, "the trained run")
            if full is not None:
                raise full from error
            raise
        result.model_path = self.model_file(result.key)
        return result

    def _write(self, staging: Path, result: RunResult, model: Any) -> None:
        """Every file of a run into `staging`, then one rename into place."""
        staging.mkdir(parents=True)
        try:
            model.save(staging / MODEL_FILE)
            _write_json(staging / "request.json", result.request.to_dict())
            _write_json(staging / "history.json", result.history)
            _write_json(
                staging / "metrics.json",
                {
                    "metrics": result.metrics.to_dict(),
                    "baselines": baselines_to_dict(result.baselines),
                    "intervals": result.intervals,
                },
            )
            result.predictions.to_csv(staging / "predictions.csv")
            result.forecast.to_csv(staging / "forecast.csv")
            _write_json(
                staging / META_FILE,
                {
                    "schema": SCHEMA_VERSION,
                    "key": result.key,
                    "created_at": result.created_at,
                    "train_seconds": result.train_seconds,
                    "epochs_run": result.epochs_run,
                    "best_epoch": result.best_epoch,
                    "stop_reason": result.stop_reason,
                    "noise_floor_mse": result.noise_floor_mse,
                    "series_info": result.series_info.to_dict(),
                    "parameter_count": result.parameter_count,
                    "scaler": result.scaler,
                },
            )
            self._publish(staging, result.key)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def _publish(self, staging: Path, key: str) -> None:
        target = self.folder(key)
        with self._lock:
            if target.exists():  # an identical run finished first, or a damaged copy
                shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)

    def pack(self, key: str) -> dict[str, bytes]:
        """A complete run's files by name, to send to another machine (a worker sends its run
        home this way: the server's store need not be visible from the worker)."""
        folder = self.folder(key)
        return {name: (folder / name).read_bytes() for name in (*REQUIRED_FILES, META_FILE)}

    def unpack(self, key: str, files: dict[str, bytes]) -> RunResult | None:
        """Write a packed run into this store atomically and load it (None when damaged)."""
        expected = {*REQUIRED_FILES, META_FILE}
        if set(files) != expected:
            raise ConfigError(f"a packed run needs exactly {sorted(expected)}; got {sorted(files)}")
        staging = self.root / f".tmp-{self.folder(key).name}-{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        try:
            for name in sorted(expected - {META_FILE}):
                (staging / name).write_bytes(files[name])
            (staging / META_FILE).write_bytes(files[META_FILE])  # last: marks it complete
            self._publish(staging, key)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return self.load(key)

    def save_intervals(self, key: str, intervals: dict) -> None:
        """Add intervals to a stored run (one saved before they existed), atomically."""
        path = self.folder(key) / "metrics.json"
        if not path.is_file():
            return
        stored = json.loads(path.read_text())
        stored["intervals"] = intervals
        _write_json(path, stored)

    def load(self, key: str) -> RunResult | None:
        """The stored run, or None when absent or damaged (damaged folders are set aside)."""
        self.last_problem = None
        if not RUN_KEY.fullmatch(str(key)):
            return None  # not a key this store ever wrote: nothing to read
        folder = self.folder(key)
        if not folder.exists():
            return None
        try:
            expected = (*REQUIRED_FILES, META_FILE)
            missing = [name for name in expected if not (folder / name).is_file()]
            if missing:
                raise ValueError(f"missing {', '.join(missing)}")
            meta = json.loads((folder / META_FILE).read_text())
            if meta.get("schema") != SCHEMA_VERSION:
                raise ValueError(f"schema {meta.get('schema')} is not {SCHEMA_VERSION}")
            metrics = json.loads((folder / "metrics.json").read_text())
            predictions = _read_frame(folder / "predictions.csv")
            forecast = _read_frame(folder / "forecast.csv")
            if (folder / MODEL_FILE).stat().st_size == 0:
                raise ValueError("empty model file")
            return RunResult(
                key=key,
                request=RunRequest.from_dict(json.loads((folder / "request.json").read_text())),
                cached=True,
                created_at=meta["created_at"],
                train_seconds=float(meta["train_seconds"]),
                epochs_run=int(meta["epochs_run"]),
                best_epoch=int(meta["best_epoch"]),
                stop_reason=meta["stop_reason"],
                history=json.loads((folder / "history.json").read_text()),
                predictions=predictions,
                metrics=RunScores.from_dict(restore_nan(metrics["metrics"])),
                baselines=baselines_from_dict(restore_nan(metrics["baselines"])),
                noise_floor_mse=meta.get("noise_floor_mse"),
                forecast=forecast,
                series_info=SeriesInfo.from_dict(meta["series_info"]),
                parameter_count=int(meta["parameter_count"]),
                model_path=folder / MODEL_FILE,
                scaler=meta.get("scaler", {}),
                intervals=restore_nan(metrics.get("intervals") or {}),
            )
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
            self.last_problem = (
                f"The stored copy of run {key} was damaged ({error}); it was set aside and the "
                "run is retrained."
            )
            logger.warning(self.last_problem)
            self._set_aside(folder)
            return None

    def _set_aside(self, folder: Path) -> None:
        damaged = self.root / ".damaged"
        damaged.mkdir(exist_ok=True)
        with self._lock:
            if folder.exists():
                os.replace(folder, damaged / f"{folder.name}-{int(time.time())}")

    def list_runs(self) -> list[RunSummary]:
        """Every complete run, newest first (incomplete or damaged folders are skipped)."""
        summaries = []
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or not (folder / META_FILE).is_file():
                continue
            try:
                summary = self._summary(folder)
            except (OSError, ValueError, KeyError, TypeError) as error:
                logger.warning("skipping unreadable run %s: %s", folder.name, error)
                continue
            if summary is not None:
                summaries.append(summary)
        return sorted(summaries, key=lambda summary: summary.created_at, reverse=True)

    def _summary(self, folder: Path) -> RunSummary | None:
        """None for a run of another schema: it would be retrained, not loaded."""
        meta = json.loads((folder / META_FILE).read_text())
        if meta.get("schema") != SCHEMA_VERSION:
            return None
        request = RunRequest.from_dict(json.loads((folder / "request.json").read_text()))
        stored = json.loads((folder / "metrics.json").read_text())
        test = RunScores.from_dict(stored["metrics"]).test
        naive = baselines_from_dict(stored["baselines"]).get("naive")
        regression = isinstance(test, RegressionScores)
        return RunSummary(
            key=folder.name,
            created_at=meta["created_at"],
            data_label=meta["series_info"].get("name") or source_title(request.data),
            model_label=request.model.label,
            task=request.model.task,
            test_mse=_known(test.mse) if regression else None,
            test_mae=_known(test.mae) if regression else None,
            naive_mse=None if naive is None else _known(naive.test_mse),
            accuracy=None if regression else _known(test.accuracy),
            train_seconds=float(meta["train_seconds"]),
            epochs_run=int(meta["epochs_run"]),
            request=request,
        )

    def delete(self, key: str) -> None:
        """Remove a run's folder (no error if it is already gone)."""
        with self._lock:
            shutil.rmtree(self.folder(key), ignore_errors=True)


def _known(value: float | None) -> float | None:
    """None for a score that is missing or NaN (the Runs table shows a dash)."""
    return None if value is None or math.isnan(value) else value


def _read_frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, index_col="date", parse_dates=True)


@contextmanager
def unpacked(
    key: str, files: dict[str, bytes], upload: dict[str, bytes] | None = None
) -> Iterator[RunResult]:
    """A run sent along with a task (RunStore.pack), loaded from a temporary store there;
    `upload`, the file it was trained on when uploaded (core.data.shipped), readable meanwhile."""
    with shipped(upload), tempfile.TemporaryDirectory(prefix="forecast-lab-stored-") as folder:
        store = RunStore(Path(folder))
        result = store.unpack(key, files)
        if result is None:
            raise ConfigError(f"run {key} arrived damaged ({store.last_problem}); train it again.")
        yield result
