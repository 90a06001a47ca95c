"""The study runner shared by every search strategy: settings stored in the study, Optuna
storage (a local journal file by default, any RDB URL for many machines), the trial objective,
stop rules, failure and stale-trial handling, and tables of trials for the charts.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import re
import socket
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import FrozenTrial, TrialState

from core.config import DataConfig, ModelConfig, SplitConfig, TrainConfig
from core.errors import ConfigError, ForecastLabError, TrainingCancelled
from core.paths import sub_dir
from core.tuning.space import SearchSpace, default_space, study_b_space
from core.tuning.strategies import get_strategy, grid_limit

if TYPE_CHECKING:
    from core.data.prepare import Prepared
    from core.data.series import Series

OBJECTIVES = {
    "test_mse": "test MSE (scaled): study B's objective; choosing on the test part flatters the "
    "winner, so treat its score as optimistic",
    "validation_mse": "best validation MSE (scaled): honest model selection; the test part stays "
    "unseen until the end",
}
JOURNAL_FILE = "studies.journal"
PREPARED_CACHE_SIZE = 6  # prepared windows kept per process, keyed by look-back window
STALE_WITHOUT_OWNER_SECONDS = 600.0
SEARCH_JIT_COMPILE = False
STUDY_B_END_DATE = "2024-10-31"
STUDY_B_REFERENCE = {
    "generator": {"mse": 0.000229, "trial": 18, "seconds": None},
    "bayes": {"mse": 0.000094, "trial": 28, "seconds": 1754.0},
}
CONFIG_ATTR = "config"
STOP_ATTR = "stop_requested"
NAIVE_ATTR = "naive"
FAILURE_ATTR = "failure"
WORKER_ATTR = "worker"


@dataclass(frozen=True)
class TuneConfig:
    """Everything a search needs; stored in the study so any worker can join it."""

    data: DataConfig = field(default_factory=DataConfig)
    split: SplitConfig = field(default_factory=lambda: SplitConfig(lookback=20))
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=10, patience=0))
    space: SearchSpace = field(default_factory=default_space)
    strategy: str = "tpe"
    objective: str = "test_mse"
    max_trials: int = 20
    timeout_seconds: float | None = None  # wall seconds per worker run; None = no limit
    target: float | None = None  # stop once the best objective is at or below this
    seed: int = 0
    trial_seconds: float | None = None  # wall-time cap per trial (fast trials); None = no cap

    def __post_init__(self) -> None:
        get_strategy(self.strategy)
        if self.objective not in OBJECTIVES:
            raise ConfigError(
                f"objective '{self.objective}' is unknown; pick one of {', '.join(OBJECTIVES)}."
            )
        if not 1 <= self.max_trials <= 100_000:
            raise ConfigError(f"number of trials ({self.max_trials}) must be 1 to 100000.")
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise ConfigError(f"time budget ({self.timeout_seconds} s) must be positive.")
        if self.trial_seconds is not None and self.trial_seconds < 1:
            raise ConfigError(f"time cap per trial ({self.trial_seconds} s) must be at least 1.")
        if self.model.task != "regression":
            raise ConfigError("searches tune forecasters; set the model task to regression.")

    @property
    def trial_limit(self) -> int:
        limit = grid_limit(self.strategy, self.space)
        return self.max_trials if limit is None else min(self.max_trials, limit)

    def replace(self, **changes) -> TuneConfig:
        import dataclasses

        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "data": self.data.to_dict(),
            "split": self.split.to_dict(),
            "model": self.model.to_dict(),
            "train": self.train.to_dict(),
            "space": self.space.to_dict(),
            "strategy": self.strategy,
            "objective": self.objective,
            "max_trials": self.max_trials,
            "timeout_seconds": self.timeout_seconds,
            "target": self.target,
            "seed": self.seed,
            "trial_seconds": self.trial_seconds,
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TuneConfig:
        return cls(
            data=DataConfig.from_dict(values.get("data", {})),
            split=SplitConfig.from_dict(values.get("split", {})),
            model=ModelConfig.from_dict(values.get("model", {})),
            train=TrainConfig.from_dict(values.get("train", {})),
            space=SearchSpace.from_dict(values["space"]),
            strategy=values.get("strategy", "tpe"),
            objective=values.get("objective", "test_mse"),
            max_trials=int(values.get("max_trials", 20)),
            timeout_seconds=values.get("timeout_seconds"),
            target=values.get("target"),
            seed=int(values.get("seed", 0)),
            trial_seconds=values.get("trial_seconds"),
        )

    def fingerprint(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:8]


def study_b_config(
    strategy: str = "generator", *, csv_path: str | None = None, max_trials: int = 20
) -> TuneConfig:
    """Study B's protocol: S&P 500 full history to 2024-10-31, whole-series min-max scaling
    (leaks the test range, as study B did), 80/20 split, 10 epochs, objective test MSE."""
    if csv_path:
        data = DataConfig(source="csv", csv_path=csv_path, end_date=STUDY_B_END_DATE)
    else:
        data = DataConfig(source="sp500", end_date=STUDY_B_END_DATE)
    return TuneConfig(
        data=data,
        split=SplitConfig(
            method="fraction",
            test_fraction=0.2,
            lookback=30,
            scaling_margin=1.0,
            scaling_scope="full_series",
            validation_fraction=0.1,
        ),
        # The app's LSTM (predict-change + linear skip path) on study B's data protocol.
        model=ModelConfig(family="lstm"),
        train=TrainConfig(epochs=10, patience=0, restore_best=True, seed=0),
        space=study_b_space(),
        strategy=strategy,
        objective="test_mse",
        max_trials=max_trials,
    )


# ---------------------------------------------------------------- storage


_STORAGES: dict[str, optuna.storages.BaseStorage] = {}


def default_storage_url() -> str:
    """The local journal file under the data home (multi-process safe through a lock file)."""
    return str(sub_dir("studies") / JOURNAL_FILE)


def open_storage(url: str | None = None) -> optuna.storages.BaseStorage:
    """A journal file path (default: under the data home) or an Optuna RDB URL such as
    postgresql://user:password@host/db; one storage object per URL and process."""
    url = url or default_storage_url()
    if url in _STORAGES:
        return _STORAGES[url]
    if "://" in url:
        try:
            warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
            storage: optuna.storages.BaseStorage = optuna.storages.RDBStorage(
                url,
                engine_kwargs={"pool_pre_ping": True} if not url.startswith("sqlite") else None,
                heartbeat_interval=30,
                grace_period=120,
            )
        except (ImportError, ValueError) as error:
            raise ConfigError(
                f"cannot open study storage '{url}' ({error}); check the URL and that its "
                "database driver is installed (postgresql needs psycopg2-binary)."
            ) from error
        except Exception as error:  # sqlalchemy's OperationalError and friends: a bad server
            raise ConfigError(
                f"cannot reach study storage '{url}' ({type(error).__name__}: "
                f"{str(error).splitlines()[0] if str(error) else ''}); check host, user, "
                "password and that the database exists."
            ) from error
    else:
        from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

        path = Path(url).expanduser()
        if path.is_dir():
            path = path / JOURNAL_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        storage = optuna.storages.JournalStorage(
            JournalFileBackend(str(path), lock_obj=JournalFileOpenLock(str(path)))
        )
    _STORAGES[url] = storage
    return storage


def default_study_name(config: TuneConfig) -> str:
    return f"{config.strategy}-{config.space.name}-{config.fingerprint()}"


def create_study(
    config: TuneConfig, name: str | None = None, storage: str | None = None
) -> optuna.Study:
    """Create the study (or reopen one with the same name); settings go into its user attrs.

    Reopening keeps the stored search space and data but takes the new stop rule (trials,
    time budget, target), so a finished study can be extended.
    """
    name = name or default_study_name(config)
    backend = open_storage(storage)
    study = optuna.create_study(
        study_name=name, storage=backend, direction="minimize", load_if_exists=True
    )
    stored = study.user_attrs.get(CONFIG_ATTR)
    if stored is None:
        study.set_user_attr(CONFIG_ATTR, config.to_dict())
        study.set_user_attr("created_at", datetime.now(UTC).isoformat(timespec="seconds"))
    else:
        previous = TuneConfig.from_dict(stored)
        same = {
            key: value
            for key, value in previous.to_dict().items()
            if key not in ("max_trials", "timeout_seconds", "target")
        }
        given = {
            key: value
            for key, value in config.to_dict().items()
            if key not in ("max_trials", "timeout_seconds", "target")
        }
        if same != given:
            raise ConfigError(
                f"study '{name}' already exists with other settings (strategy "
                f"{previous.strategy}, space {previous.space.name}); pick a new study name, "
                "or resume it without changing its settings."
            )
        updated = previous.replace(
            max_trials=config.max_trials,
            timeout_seconds=config.timeout_seconds,
            target=config.target,
        )
        study.set_user_attr(CONFIG_ATTR, updated.to_dict())
    study.set_user_attr(STOP_ATTR, False)
    return study


def load_study(name: str, storage: str | None = None) -> optuna.Study:
    backend = open_storage(storage)
    try:
        return optuna.load_study(study_name=name, storage=backend)
    except KeyError as error:
        known = [summary.study_name for summary in optuna.get_all_study_summaries(backend)]
        raise ConfigError(
            f"no study named '{name}' in {storage or default_storage_url()}; known studies: "
            f"{', '.join(known) or 'none'}."
        ) from error


def study_config(study: optuna.Study) -> TuneConfig:
    stored = study.user_attrs.get(CONFIG_ATTR)
    if stored is None:
        raise ConfigError(
            f"study '{study.study_name}' was not created by Forecast Lab (no settings stored); "
            "create it with `python -m core tune`."
        )
    return TuneConfig.from_dict(stored)


def list_studies(storage: str | None = None) -> list[dict[str, Any]]:
    """Name, strategy, trial counts and best value of every study in the storage."""
    backend = open_storage(storage)
    rows = []
    for summary in optuna.get_all_study_summaries(backend, include_best_trial=True):
        config = summary.user_attrs.get(CONFIG_ATTR, {})
        best = summary.best_trial
        rows.append(
            {
                "name": summary.study_name,
                "strategy": config.get("strategy"),
                "space": config.get("space", {}).get("name"),
                "trials": summary.n_trials,
                "best": None if best is None else best.value,
                "created_at": summary.user_attrs.get("created_at"),
            }
        )
    return sorted(rows, key=lambda row: row["created_at"] or "", reverse=True)


def delete_study(name: str, storage: str | None = None) -> None:
    optuna.delete_study(study_name=name, storage=open_storage(storage))


def request_stop(name: str, storage: str | None = None) -> None:
    """Ask every worker of the study to stop after its current trial (finished trials stay)."""
    load_study(name, storage).set_user_attr(STOP_ATTR, True)


# ---------------------------------------------------------------- trials


def _process_identity() -> dict[str, Any]:
    import psutil

    process = psutil.Process()
    return {"host": socket.gethostname(), "pid": os.getpid(), "started": process.create_time()}


def _owner_alive(owner: dict[str, Any]) -> bool:
    import psutil

    try:
        process = psutil.Process(int(owner["pid"]))
        return abs(process.create_time() - float(owner["started"])) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied, KeyError, TypeError, ValueError):
        return False


def fail_stale_trials(study: optuna.Study) -> list[int]:
    """Mark RUNNING trials whose worker died as failed (interrupted); returns their numbers.

    RDB storages do this from Optuna's heartbeat. A journal file has no heartbeat, so a trial
    is stale when its recorded worker process on this host no longer exists, or when it has no
    recorded worker and started long ago.
    """
    stale = []
    host = socket.gethostname()
    now = datetime.now()
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner = trial.user_attrs.get(WORKER_ATTR)
        if owner is None:
            started = trial.datetime_start
            dead = started is not None and (
                (now - started).total_seconds() > STALE_WITHOUT_OWNER_SECONDS
            )
        else:
            dead = owner.get("host") == host and not _owner_alive(owner)
        if dead:
            study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
            stale.append(trial.number)
    return stale


def is_interrupted(trial: FrozenTrial) -> bool:
    """A failed trial with no recorded reason was cut off (worker killed, cancelled)."""
    return trial.state == TrialState.FAIL and FAILURE_ATTR not in trial.user_attrs


def counted_trials(study: optuna.Study) -> int:
    """Trials that use up the budget: finished ones (interrupted excluded) plus running ones."""
    count = 0
    for trial in study.get_trials(deepcopy=False):
        if trial.state == TrialState.RUNNING:
            count += 1
        elif trial.state in (TrialState.COMPLETE, TrialState.PRUNED):
            count += 1
        elif trial.state == TrialState.FAIL and not is_interrupted(trial):
            count += 1
    return count


def study_is_running(name: str, storage: str | None = None) -> bool:
    """True while any worker (on any machine) has a trial of the study running."""
    study = load_study(name, storage)
    return bool(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))


def best_trial(study: optuna.Study) -> FrozenTrial | None:
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    finite = [trial for trial in complete if trial.value is not None and math.isfinite(trial.value)]
    return min(finite, key=lambda trial: trial.value) if finite else None


def _resident_megabytes() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80] or "study"


def predictions_file(study_name: str, number: int) -> Path:
    """Where a worker keeps a trial's test predictions (original units) on its own disk."""
    return sub_dir("studies") / _safe_name(study_name) / f"trial_{number:05d}.npz"


def load_trial_predictions(study_name: str, number: int) -> pd.DataFrame | None:
    """Test dates, actual and predicted values of a trial, when this machine ran it."""
    path = predictions_file(study_name, number)
    if not path.is_file():
        return None
    with np.load(path) as stored:
        frame = pd.DataFrame(
            {"actual": stored["actual"], "model": stored["predicted"]},
            index=pd.DatetimeIndex(stored["dates"], name="date"),
        )
    frame["part"] = "test"
    return frame


class TrialEnvironment:
    """Per-process state of a search: the series (loaded once), prepared windows cached per
    look-back window (the rest of the split never changes within a study), naive persistence."""

    def __init__(self, config: TuneConfig) -> None:
        from core.data import load_series
        from core.data.market import filter_dates

        self.config = config
        series = load_series(config.data)
        if config.data.source == "csv" and (config.data.start_date or config.data.end_date):
            # The CSV loader keeps every row; apply the date range here (a no-op for markets).
            series = filter_dates(series, config.data.start_date, config.data.end_date)
        self.series: Series = series
        self._prepared: OrderedDict[int, Prepared] = OrderedDict()

    def prepared(self, split: SplitConfig) -> Prepared:
        from core.data.prepare import prepare

        key = split.lookback
        if key in self._prepared:
            self._prepared.move_to_end(key)
            return self._prepared[key]
        prepared = prepare(self.series, split, self.config.model)
        self._prepared[key] = prepared
        while len(self._prepared) > PREPARED_CACHE_SIZE:
            self._prepared.popitem(last=False)
        return prepared

    def naive_metrics(self) -> dict[str, float]:
        """Persistence (tomorrow = today) on the same test targets, scaled and original units."""
        from core.evaluation.metrics import regression_metrics

        prepared = self.prepared(self.config.split.replace(lookback=1))
        previous = prepared.scaled[prepared.test_index - 1]
        scaled = regression_metrics(prepared.y_test, previous, previous)
        original = regression_metrics(
            prepared.values_test, prepared.series.values[prepared.test_index - 1]
        )
        return {
            "mse": scaled["mse"],
            "mae": scaled["mae"],
            "mse_original": original["mse"],
            "mae_original": original["mae"],
        }


def run_trial(
    trial: optuna.Trial,
    environment: TrialEnvironment,
    *,
    study_name: str,
    should_stop: Callable[[], bool] | None = None,
) -> float:
    """Train one proposal and return its objective; the trial's user attrs get the metrics,
    seconds and memory. Raises optuna.TrialPruned when Hyperband stops it; any other failure is
    recorded as the trial's failure reason and re-raised (the runner marks it failed)."""
    from core.evaluation.forecast import predict_next
    from core.evaluation.metrics import regression_metrics
    from core.models.registry import count_parameters
    from core.training.trainer import train_model

    config = environment.config
    strategy = get_strategy(config.strategy)
    trial.set_user_attr(WORKER_ATTR, _process_identity())
    started = time.perf_counter()
    model = trained = None
    try:
        params = config.space.suggest(trial)
        model_config, train_config, split = config.space.apply(
            params, config.model, config.train, config.split
        )
        if config.trial_seconds is not None:
            train_config = train_config.replace(max_seconds=config.trial_seconds)
        prepared = environment.prepared(split)
        trial.set_user_attr("parameter_count", count_parameters(model_config, split.lookback))

        def progress(update) -> None:
            if update.val_loss is None:
                return
            trial.report(update.val_loss, update.epoch)
            if strategy.prunes and trial.should_prune():
                trial.set_user_attr("epochs_run", update.epoch)
                raise optuna.TrialPruned(
                    f"validation loss {update.val_loss:.3g} after {update.epoch} epochs"
                )

        with _without_xla():
            trained = train_model(
                prepared, model_config, train_config, progress=progress, should_stop=should_stop
            )
        model = trained.model
        predicted = predict_next(model, prepared.x_test)
        if not np.all(np.isfinite(predicted)):
            raise ForecastLabError(
                "the model's test predictions are not finite (the training diverged); a lower "
                "learning rate usually fixes it."
            )
        previous = prepared.scaled[prepared.test_index - 1]
        scaled = regression_metrics(prepared.y_test, predicted, previous)
        predicted_original = prepared.scaler.inverse(predicted)
        original = regression_metrics(prepared.values_test, predicted_original)
        validation = [value for value in trained.history.get("val_loss", []) if value == value]
        attrs = {
            "mse": scaled["mse"],
            "rmse": scaled["rmse"],
            "mae": scaled["mae"],
            "r2": scaled["r2"],
            "directional_accuracy": scaled["directional_accuracy"],
            "mse_original": original["mse"],
            "mae_original": original["mae"],
            "validation_mse": min(validation) if validation else math.nan,
            "epochs_run": trained.epochs_run,
            "train_seconds": trained.seconds,
        }
        for key, value in attrs.items():
            trial.set_user_attr(key, _json_number(value))
        path = predictions_file(study_name, trial.number)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            dates=np.asarray(prepared.dates_test.values, dtype="datetime64[ns]"),
            actual=np.asarray(prepared.values_test, dtype=np.float64),
            predicted=np.asarray(predicted_original, dtype=np.float64),
        )
        value = scaled["mse"] if config.objective == "test_mse" else attrs["validation_mse"]
        if not math.isfinite(value):
            raise ForecastLabError("the objective is not finite; the trial diverged.")
        return float(value)
    except optuna.TrialPruned:
        raise
    except TrainingCancelled:
        raise  # no failure reason: counted as interrupted, the point can be tried again
    except Exception as error:  # config, divergence, memory and TensorFlow's own errors (OOM)
        trial.set_user_attr(FAILURE_ATTR, f"{type(error).__name__}: {error}"[:500])
        raise
    finally:
        trial.set_user_attr("seconds", round(time.perf_counter() - started, 3))
        model = trained = None  # drop the network before clearing Keras' state
        _release_memory()
        trial.set_user_attr("rss_mb", round(_resident_megabytes(), 1))


@contextmanager
def _without_xla():
    """Search trials build a new network each time: XLA's compile (~20 s on 2 cores) costs more
    than it saves over 10 epochs, so trials train without it (the trainer's module switch)."""
    from core.training import trainer

    previous = trainer.JIT_COMPILE
    trainer.JIT_COMPILE = SEARCH_JIT_COMPILE
    try:
        yield
    finally:
        trainer.JIT_COMPILE = previous


def _release_memory() -> None:
    """Keras keeps every built model in its global graph state; clear it after each trial."""
    import sys

    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()
    gc.collect()
    if sys.platform.startswith("linux"):
        # glibc keeps freed tensor buffers in its arenas; hand them back to the system.
        import ctypes

        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:
            pass


def _json_number(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


# ---------------------------------------------------------------- runner


@dataclass
class SearchOutcome:
    """What one run of the study runner did (the study itself holds every trial)."""

    study_name: str
    stop_reason: str
    trials_run: int
    wall_seconds: float
    best: dict[str, Any] | None
    naive: dict[str, float] | None
    stale_trials: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study_name,
            "stop_reason": self.stop_reason,
            "trials_run": self.trials_run,
            "wall_seconds": round(self.wall_seconds, 2),
            "best": self.best,
            "naive": self.naive,
            "stale_trials": self.stale_trials,
        }


STOP_MESSAGES = {
    "trials": "the number of trials is reached",
    "grid": "every grid point is done",
    "timeout": "the time budget is used up",
    "target": "the target objective is reached",
    "cancelled": "the search was cancelled",
    "recycle": "this worker's memory grew past its limit; a fresh worker continues",
}


def stop_reason(study: optuna.Study, config: TuneConfig, started: float) -> str | None:
    """Which stop rule holds now, if any (checked before each trial, by every worker)."""
    if study.user_attrs.get(STOP_ATTR):
        return "cancelled"
    limit = config.trial_limit
    if counted_trials(study) >= limit:
        return "grid" if limit < config.max_trials else "trials"
    if config.target is not None:
        best = best_trial(study)
        if best is not None and best.value <= config.target:
            return "target"
    if config.timeout_seconds is not None and time.monotonic() - started >= config.timeout_seconds:
        return "timeout"
    return None


def describe_trial(trial: FrozenTrial) -> dict[str, Any]:
    """A JSON-ready row for one trial (CLI rows, the best trial line)."""
    return {
        "number": trial.number,
        "state": trial.state.name.lower(),
        "value": _json_number(trial.value) if trial.value is not None else None,
        "params": trial.params,
        "seconds": trial.user_attrs.get("seconds"),
        "metrics": {
            key: trial.user_attrs.get(key)
            for key in ("mse", "rmse", "mae", "r2", "mse_original", "mae_original")
            if key in trial.user_attrs
        },
        "failure": trial.user_attrs.get(FAILURE_ATTR),
        "rss_mb": trial.user_attrs.get("rss_mb"),
    }


def best_summary(study: optuna.Study, naive: dict[str, float] | None) -> dict[str, Any] | None:
    best = best_trial(study)
    if best is None:
        return None
    row = describe_trial(best)
    if naive and naive.get("mse"):
        row["vs_naive"] = best.user_attrs.get("mse", math.nan) / naive["mse"]
    return row


def run_search(
    name: str,
    storage: str | None = None,
    *,
    seed: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_trial: Callable[[FrozenTrial], None] | None = None,
    max_rss_mb: float | None = None,
) -> SearchOutcome:
    """Run trials of an existing study until a stop rule holds (trials, time budget, target,
    grid exhausted, a stop request in the study or should_stop()). Safe to run in several
    processes or machines at once against one storage: they share the study.

    `seed` seeds this worker's sampler (default: the study's seed; give each extra worker its
    own so random proposals differ). Grid order always follows the study's seed. With
    `max_rss_mb`, the run ends with stop reason "recycle" once the process holds more memory
    than that, so the caller can continue in a fresh process (the CLI worker re-executes).
    """
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = load_study(name, storage)
    config = study_config(study)
    stale = fail_stale_trials(study)
    strategy = get_strategy(config.strategy)
    sampler_seed = config.seed if (seed is None or config.strategy == "grid") else seed
    if config.strategy != "grid" and sampler_seed is not None:
        # A resumed or recycled worker must not replay the proposals of the first run.
        sampler_seed += len(study.get_trials(deepcopy=False))
    study = optuna.load_study(
        study_name=name,
        storage=open_storage(storage),
        sampler=strategy.make_sampler(config.space, sampler_seed),
        pruner=strategy.make_pruner(config.train.epochs),
    )
    environment = TrialEnvironment(config)
    naive = study.user_attrs.get(NAIVE_ATTR)
    if naive is None:
        naive = environment.naive_metrics()
        study.set_user_attr(NAIVE_ATTR, naive)
    started = time.monotonic()
    trials_run = 0
    reason = None

    def objective(trial: optuna.Trial) -> float:
        return run_trial(trial, environment, study_name=name, should_stop=should_stop)

    while True:
        reason = stop_reason(study, config, started)
        if reason is None and should_stop is not None and should_stop():
            reason = "cancelled"
        if reason is not None:
            break
        stale += fail_stale_trials(study)
        study.optimize(objective, n_trials=1, catch=(Exception,))
        trials_run += 1
        if max_rss_mb is not None and _resident_megabytes() > max_rss_mb:
            reason = "recycle"
        if on_trial is not None:
            latest = max(study.get_trials(deepcopy=False), key=lambda item: item.number)
            mine = [
                item
                for item in study.get_trials(deepcopy=False)
                if item.user_attrs.get(WORKER_ATTR, {}).get("pid") == os.getpid()
                and item.state != TrialState.RUNNING
            ]
            on_trial(max(mine, key=lambda item: item.number) if mine else latest)
        if reason == "recycle":
            break
    return SearchOutcome(
        study_name=name,
        stop_reason=reason,
        trials_run=trials_run,
        wall_seconds=time.monotonic() - started,
        best=best_summary(study, naive),
        naive=naive,
        stale_trials=stale,
    )


# ---------------------------------------------------------------- tables for the charts


def trials_frame(study: optuna.Study) -> pd.DataFrame:
    """One row per trial: state, objective, running best, smoothed objective, seconds,
    cumulative seconds, each parameter and the stored metrics (what the charts plot)."""
    rows = []
    for trial in sorted(study.get_trials(deepcopy=False), key=lambda item: item.number):
        row: dict[str, Any] = {
            "number": trial.number,
            "state": "interrupted" if is_interrupted(trial) else trial.state.name.lower(),
            "value": trial.value if trial.state == TrialState.COMPLETE else math.nan,
            "seconds": trial.user_attrs.get("seconds", math.nan),
            "epochs_run": trial.user_attrs.get("epochs_run", math.nan),
            "failure": trial.user_attrs.get(FAILURE_ATTR),
            "worker": _worker_label(trial.user_attrs.get(WORKER_ATTR)),
            "rss_mb": trial.user_attrs.get("rss_mb", math.nan),
        }
        for key in ("mse", "rmse", "mae", "r2", "mse_original", "mae_original", "validation_mse"):
            value = trial.user_attrs.get(key)
            row[key] = math.nan if value is None else value
        row.update(trial.params)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["value"] = frame["value"].astype(float)
    frame["best_so_far"] = frame["value"].cummin()
    frame["smoothed"] = frame["value"].rolling(5, min_periods=1).median()
    frame["cumulative_seconds"] = frame["seconds"].astype(float).fillna(0.0).cumsum()
    return frame


def _worker_label(owner: dict[str, Any] | None) -> str:
    if not owner:
        return ""
    return f"{owner.get('host')}:{owner.get('pid')}"


def parameter_importances(study: optuna.Study) -> dict[str, float]:
    """fANOVA-style importances (Optuna's default evaluator) once enough trials finished."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < 4:
        return {}
    try:
        return optuna.importance.get_param_importances(study)
    except (RuntimeError, ValueError, ZeroDivisionError):
        return {}  # too few distinct values to tell parameters apart


def reached_at(frame: pd.DataFrame) -> int | None:
    """The trial number at which the best value was first reached."""
    if frame.empty or frame["value"].isna().all():
        return None
    return int(frame.loc[frame["value"].idxmin(), "number"])


__all__ = [
    "OBJECTIVES",
    "STUDY_B_REFERENCE",
    "SearchOutcome",
    "TuneConfig",
    "TrialEnvironment",
    "best_trial",
    "counted_trials",
    "create_study",
    "default_storage_url",
    "delete_study",
    "fail_stale_trials",
    "list_studies",
    "load_study",
    "load_trial_predictions",
    "open_storage",
    "parameter_importances",
    "request_stop",
    "run_search",
    "run_trial",
    "stop_reason",
    "study_b_config",
    "study_config",
    "study_is_running",
    "trials_frame",
]
