"""Warm networks: a released network is re-used by the next training of its architecture, and
re-use changes nothing in the result beyond float rounding (same weights, constants, random
state, optimizer start)."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, SplitConfig, TrainConfig
from core.data.prepare import prepare
from core.data.sources import load_series
from core.evaluation.forecast import predict_next
from core.training import warm_models
from core.training.trainer import train_model

MODEL = ModelConfig(units=6, hidden_layers=0, dropout_rate=0.2)


def _prepared(length: int, noise: float, model: ModelConfig = MODEL):
    data = DataConfig(length=length, noise_level=noise)
    return prepare(load_series(data), SplitConfig(test_size=40, lookback=10), model)


def _train(prepared, seed: int, model: ModelConfig = MODEL, rate: float = 0.01):
    train = TrainConfig(epochs=2, seed=seed, learning_rate=rate, patience=0)
    return train_model(prepared, model, train)


def _built(prepared, model: ModelConfig = MODEL):
    """A network compiled and marked with its signature as a training's is, never trained:
    what the warm store keeps or drops does not depend on training (and this costs no tracing).
    """
    from core.models.registry import build_model
    from core.training.trainer import _compiled, model_constants

    train = TrainConfig(epochs=2, patience=0)
    constants = model_constants(prepared, model)
    key = warm_models.signature(model, prepared.lookback, constants.mode, train)
    network = build_model(model, prepared.lookback, constants=constants)
    return _compiled(network, model, train, key), key


@pytest.fixture(autouse=True)
def _no_warm_networks():
    warm_models.forget()
    yield
    warm_models.forget()


def test_a_released_network_is_reused_and_trains_exactly_as_a_fresh_one():
    first = _train(_prepared(300, 1.0), seed=1)
    warm_models.release(first.model)
    assert warm_models.count() == 1
    other = _prepared(400, 3.0)  # other data, seed and rate: only the architecture is shared
    warm = _train(other, seed=2, rate=0.003)
    assert warm.model is first.model
    assert warm_models.count() == 0  # taken: nobody else can change it while it is in use

    warm_models.forget()
    fresh = _train(other, seed=2, rate=0.003)
    assert fresh.model is not first.model
    # Equal up to float rounding (a step traced for another batch shape sums in another order).
    assert warm.history.keys() == fresh.history.keys()
    for name in fresh.history:
        np.testing.assert_allclose(warm.history[name], fresh.history[name], rtol=1e-5)
    np.testing.assert_allclose(
        predict_next(warm.model, other.x_test), predict_next(fresh.model, other.x_test), rtol=1e-5
    )


def test_networks_still_held_or_of_another_architecture_are_not_reused():
    prepared = _prepared(300, 1.0)
    held, _ = _built(prepared)  # in use elsewhere: never released
    released = _train(prepared, seed=1)
    assert released.model is not held

    warm_models.release(released.model)
    wider = MODEL.replace(units=8)
    assert _train(_prepared(300, 1.0, wider), seed=1, model=wider).model is not released.model
    assert warm_models.count() == 1  # still there for its own architecture


def test_only_the_last_few_networks_are_kept():
    keys = []
    for units in range(4, 4 + warm_models.KEEP + 1):  # one more than it keeps
        model = MODEL.replace(units=units)
        network, key = _built(_prepared(300, 1.0, model), model)
        warm_models.release(network)
        keys.append(key)
    assert warm_models.count() == warm_models.KEEP
    assert not warm_models.has(keys[0])  # the one released first is dropped
    assert all(warm_models.has(key) for key in keys[1:])


def test_a_network_warmed_ahead_is_taken_by_its_training_which_trains_as_a_fresh_one():
    from core.training.trainer import warm_network

    prepared = _prepared(300, 1.0)
    assert warm_network(prepared, MODEL, TrainConfig()) is True
    assert warm_models.count() == 1
    assert warm_network(prepared, MODEL, TrainConfig()) is False  # warm already: nothing to do
    warm = _train(prepared, seed=3)
    assert warm_models.count() == 0  # the training took it
    warm_models.forget()
    fresh = _train(prepared, seed=3)
    for name in fresh.history:
        np.testing.assert_allclose(warm.history[name], fresh.history[name], rtol=1e-5)


def test_warming_ahead_gives_way_between_steps():
    from core.training.trainer import warm_network

    checks = []

    def stop_at_once():
        checks.append(1)
        return True

    assert warm_network(_prepared(300, 1.0), MODEL, TrainConfig(), should_stop=stop_at_once)
    assert len(checks) == 1  # asked before its first step, then stopped
    assert warm_models.count() == 1  # what it built is kept all the same
