"""One training run end to end: load, prepare, reuse or train, evaluate, forecast, save."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.config import RunRequest, run_key
from core.data.prepare import prepare
from core.data.series import Series
from core.data.sources import load_series
from core.evaluation.forecast import forecast_recursive, future_dates, predict_next
from core.evaluation.intervals import intervals_for_run
from core.evaluation.metrics import classification_metrics, noise_floor_mse, regression_metrics
from core.limits import check_memory
from core.models.forecasters import FORECASTERS
from core.models.registry import count_parameters, linear_part
from core.results import RunResult, SeriesInfo
from core.runs.peers import PeerCache, compute_peers, peers_key
from core.runs.steps import StepUpdate
from core.runs.store import RunStore, load_model
from core.scores import RunScores, baselines_from_dict
from core.training import warm_models
from core.training.trainer import train_model

if TYPE_CHECKING:
    from core.data.prepare import Prepared
    from core.runs.peers import PeerForecasts
    from core.runs.store import RunStore
    from core.training.trainer import EpochUpdate

logger = logging.getLogger(__name__)

CLASS_NAMES = ("down", "flat", "up")


def load_prepared(request: RunRequest) -> Prepared:
    """The request's series, split, scaled and windowed (no training)."""

    return prepare(load_series(request.data), request.split, request.model)


def request_key(request: RunRequest) -> str:
    """The run key of a request (loads the series, from the download cache where possible)."""
    return run_key(request, load_series(request.data).fingerprint())


def run_experiment(
    request: RunRequest,
    *,
    store: RunStore | None = None,
    progress: Callable[[EpochUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    use_cache: bool = True,
    on_step: Callable[[Any], None] | None = None,
    peers: PeerForecasts | None = None,
) -> RunResult:
    """Train (or load from the run store) the model a request describes and evaluate it.
    `on_step` hears each step after the last epoch (core.runs.steps.StepUpdate); `peers`, the
    simple rules' forecasts for this data key when the caller has them (else they are read
    from the store's peer cache, or computed during the epochs and kept there)."""

    store = store or RunStore()
    series = load_series(request.data)
    check_memory(len(series), request.split.lookback, request.model, request.train.batch_size)
    prepared = prepare(series, request.split, request.model)
    key = run_key(request, series.fingerprint())
    notice = None
    if use_cache:
        cached = store.load(key)
        if cached is not None:
            if request.horizon != cached.request.horizon:
                cached.forecast = forecast_run(cached, request.horizon)
            if cached.task == "regression" and not cached.intervals:
                # Saved before intervals existed: calibrate them now from the saved model.
                cached.intervals = intervals_run(cached)
                store.save_intervals(key, cached.intervals)
            return cached
        notice = store.last_problem
    cache = PeerCache(store.root)
    peer_id = peers_key(request, series.fingerprint())
    if request.model.task == "regression" and (peers is None or peers.key != peer_id):
        peers = cache.load(peer_id)
    steps = _Steps(on_step)
    result, model = _train_and_evaluate(
        request, key, series, prepared, progress, should_stop, peers, peer_id, steps
    )
    if steps.computed is not None:
        cache.save(steps.computed)
    result.notice = notice
    steps("saving")
    result = store.save(result, model)

    warm_models.release(model)  # the next training of this architecture starts warm
    return result


def _train_and_evaluate(
    request: RunRequest,
    key: str,
    series: Series,
    prepared: Prepared,
    progress: Callable[[EpochUpdate], None] | None,
    should_stop: Callable[[], bool] | None,
    peers: PeerForecasts | None = None,
    peer_id: str = "",
    steps: _Steps | None = None,
) -> tuple[RunResult, Any]:

    steps = steps or _Steps(None)
    regression = request.model.task == "regression"
    pending = None if peers is not None or not regression else _PeersThread(peer_id, prepared)
    trained = train_model(
        prepared, request.model, request.train, progress=progress, should_stop=should_stop
    )
    if request.model.task == "classification":
        predictions, metrics = _evaluate_classifier(trained.model, prepared)
        baselines: dict[str, dict[str, Any]] = {}
        noise_floor = None
        forecast = pd.DataFrame({"forecast": []}, index=pd.DatetimeIndex([], name="date"))
        intervals: dict[str, Any] = {}
    else:
        steps("predicting")
        network = _predict_network(trained.model, prepared)
        steps("peers")
        if pending is not None:
            peers = steps.computed = pending.result()
        evaluation = _evaluate_regressor(prepared, network, peers)
        predictions, metrics, baselines, noise_floor, reused = evaluation
        steps("forecast")
        forecast = _forecast(trained.model, prepared, request.horizon)
        steps("bands")
        intervals = intervals_for_run(trained.model, prepared, **reused)
    result = RunResult(
        key=key,
        request=request,
        cached=False,
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        train_seconds=trained.seconds,
        epochs_run=trained.epochs_run,
        best_epoch=trained.best_epoch,
        stop_reason=trained.stop_reason,
        history={name: [float(v) for v in values] for name, values in trained.history.items()},
        predictions=predictions,
        metrics=RunScores.from_dict(metrics),
        baselines=baselines_from_dict(baselines),
        noise_floor_mse=noise_floor,
        forecast=forecast,
        series_info=describe_series(prepared.series),
        parameter_count=count_parameters(request.model, prepared.lookback),
        scaler={
            "offset": prepared.scaler.offset,
            "span": prepared.scaler.span,
            "log": prepared.scaler.log,
        },
        intervals=intervals,
    )
    return result, trained.model


def describe_series(series: Series) -> SeriesInfo:
    """Provenance of a series for run records and page headers."""
    return SeriesInfo.from_series(series)


class _Steps:
    """Tells the listener (if any) which step after the last epoch starts; keeps the peers'
    forecasts when this run computed them."""

    def __init__(self, listener: Callable[[Any], None] | None) -> None:
        self.listener = listener
        self.computed: PeerForecasts | None = None

    def __call__(self, step: str) -> None:
        if self.listener is not None:
            self.listener(StepUpdate(step))


class _PeersThread:
    """The simple rules fitted on a thread of their own while the network trains (they do
    not depend on it); result() waits for them."""

    def __init__(self, peer_id: str, prepared: Prepared) -> None:
        self._value: Any = None
        self._thread = threading.Thread(
            target=self._run, args=(peer_id, prepared), name="peers", daemon=True
        )
        self._thread.start()

    def _run(self, peer_id: str, prepared: Prepared) -> None:
        try:
            self._value = compute_peers(peer_id, prepared)
        except BaseException as error:  # handed to result(): the scores say what failed
            self._value = error

    def result(self) -> PeerForecasts:
        self._thread.join()
        if isinstance(self._value, BaseException):
            raise self._value
        return self._value


def _predict_network(model: Any, prepared: Prepared) -> dict[str, Any]:
    """The network's one-step predictions (scaled) on the train and test windows, in one call
    (one traced shape fewer than two calls), and its straight-line part where it has one."""

    both = predict_next(model, np.concatenate([prepared.x_train, prepared.x_test]))
    return {
        "train": both[: len(prepared.x_train)],
        "test": both[len(prepared.x_train) :],
        "linear": linear_part(model, prepared.x_test),
    }


def _evaluate_regressor(prepared: Prepared, network: dict, peers: PeerForecasts):
    scaler = prepared.scaler
    values = prepared.series.values
    scaled = prepared.scaled
    test_pred_scaled, train_pred_scaled = network["test"], network["train"]
    test_index, train_index = prepared.test_index, prepared.train_index

    def both_units(predicted_original: np.ndarray, predicted_scaled: np.ndarray) -> dict:
        return {
            "test": regression_metrics(
                values[test_index], predicted_original, values[test_index - 1]
            ),
            "test_scaled": regression_metrics(
                scaled[test_index], predicted_scaled, scaled[test_index - 1]
            ),
        }

    test_pred = scaler.inverse(test_pred_scaled)
    metrics = both_units(test_pred, test_pred_scaled)
    linear_scaled = network["linear"]
    if linear_scaled is not None:
        # The saved model's shortcut alone (network branch at 0; it holds the least-squares AR,
        # frozen): how much the straight line makes of the forecast, and what the network adds.
        linear_error = scaler.inverse(linear_scaled) - values[test_index]
        metrics["linear_part_mse"] = float(np.mean(linear_error**2))
    metrics["train"] = regression_metrics(
        values[train_index], scaler.inverse(train_pred_scaled), values[train_index - 1]
    )

    index = np.concatenate([train_index, test_index])
    frame = pd.DataFrame(
        {
            "part": ["train"] * len(train_index) + ["test"] * len(test_index),
            "actual": values[index],
            "model": np.concatenate([scaler.inverse(train_pred_scaled), test_pred]),
        },
        index=pd.DatetimeIndex(prepared.series.dates[index], name="date"),
    )
    baselines: dict[str, dict[str, Any]] = {}
    # What the prediction intervals re-use instead of predicting again.
    reused: dict[str, Any] = {
        "train_scaled": train_pred_scaled,
        "test_scaled": test_pred_scaled,
        "baseline_test_predictions": dict(peers.test),
        "baseline_validation_predictions": dict(peers.validation),
    }
    for name in [*FORECASTERS, *peers.errors, *peers.test]:
        if name in baselines or (name not in peers.errors and name not in peers.test):
            continue
        if name in peers.errors:  # a peer failing must not lose the trained model
            baselines[name] = {"error": peers.errors[name]}
            continue
        predicted = peers.test[name]
        column = np.full(len(index), np.nan)
        column[len(train_index) :] = predicted
        frame[name] = column
        baselines[name] = both_units(predicted, scaler.transform(predicted))
        baselines[name]["seconds"] = peers.seconds.get(name, 0.0)
    noise_floor = None
    if prepared.series.signal is not None:
        signal = prepared.series.signal
        frame["signal"] = signal[index]
        noise_floor = float(noise_floor_mse(signal[test_index], values[test_index]))
    return frame, metrics, baselines, noise_floor, reused


def _evaluate_classifier(model: Any, prepared: Prepared):
    def probabilities(x: np.ndarray) -> np.ndarray:
        return np.asarray(predict_next(model, x)).reshape(len(x), len(CLASS_NAMES))

    test_probs = probabilities(prepared.x_test)
    train_probs = probabilities(prepared.x_train)
    labels = np.concatenate([prepared.labels_train, prepared.labels_test]).astype(int)
    probs = np.concatenate([train_probs, test_probs])
    index = np.concatenate([prepared.train_index, prepared.test_index])
    frame = pd.DataFrame(
        {
            "part": ["train"] * len(prepared.train_index) + ["test"] * len(prepared.test_index),
            "actual_label": labels,
            "predicted_label": probs.argmax(axis=1),
            "prob_down": probs[:, 0],
            "prob_flat": probs[:, 1],
            "prob_up": probs[:, 2],
        },
        index=pd.DatetimeIndex(prepared.series.dates[index], name="date"),
    )
    metrics = {
        "test": classification_metrics(prepared.labels_test, test_probs.argmax(axis=1)),
        "train": classification_metrics(prepared.labels_train, train_probs.argmax(axis=1)),
    }
    return frame, metrics


def _forecast(model: Any, prepared: Prepared, horizon: int) -> pd.DataFrame:
    dates = future_dates(prepared.series.dates, horizon)
    if horizon == 0:
        return pd.DataFrame({"forecast": []}, index=pd.DatetimeIndex([], name="date"))
    window = prepared.scaled[-prepared.lookback :]
    scaled = forecast_recursive(model, window, horizon)
    return pd.DataFrame(
        {"forecast": prepared.scaler.inverse(np.asarray(scaled, dtype=float))},
        index=pd.DatetimeIndex(dates, name="date"),
    )


def forecast_run(result: RunResult, horizon: int) -> pd.DataFrame:
    """Recursive forecast of a saved run for a new horizon (no retraining)."""

    if result.task == "classification" or result.model_path is None:
        return pd.DataFrame({"forecast": []}, index=pd.DatetimeIndex([], name="date"))
    model = load_model(result.model_path)
    return _forecast(model, load_prepared(result.request), horizon)


def intervals_run(result: RunResult) -> dict[str, Any]:
    """Prediction intervals of a saved regression run, calibrated from its saved model."""

    if result.task == "classification" or result.model_path is None:
        return {}
    return intervals_for_run(load_model(result.model_path), load_prepared(result.request))
