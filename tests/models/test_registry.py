"""Contract tests over every model family: build, fit, predict, save/load, parameter count."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, SplitConfig
from core.data.prepare import prepare
from core.data.synthetic import generate_series
from core.errors import ConfigError
from core.models.families import FAMILY_REGISTRY
from core.models.families.base import Family
from core.models.features import NetworkConstants
from core.models.registry import build_model, count_parameters, reading_block

LOOKBACK = 10
TINY_DATA = DataConfig(length=300, seasonal_periods=(30.0,), seasonal_amplitudes=(5.0,), seed=3)
TINY_SPLIT = SplitConfig(test_size=50, lookback=LOOKBACK)


@pytest.fixture(scope="module")
def tiny() -> object:
    return prepare(generate_series(TINY_DATA), TINY_SPLIT)


@pytest.fixture(scope="module")
def train_constants(tiny) -> NetworkConstants:
    from core.training.trainer import model_constants

    return model_constants(tiny, ModelConfig(linear_skip=True))


@pytest.mark.parametrize("family", sorted(FAMILY_REGISTRY))
def test_every_family_declares_a_label_and_an_explanation(family):
    entry = FAMILY_REGISTRY[family]
    assert entry.name == family
    assert entry.label.strip() and entry.explanation.strip() and entry.sentence_name.strip()
    assert entry.layers_beyond_hidden >= 1


def test_a_family_without_an_explanation_is_refused_at_registration():
    dense = FAMILY_REGISTRY["dense"]
    with pytest.raises(ValueError, match="explanation"):
        Family(
            name="blank",
            label="Blank",
            explanation=" ",
            layers_beyond_hidden=1,
            build_stack=dense.build_stack,
            count_stack=dense.count_stack,
        )


def test_importing_the_registry_does_not_import_tensorflow():
    code = (
        "import sys, core.models.registry, core.models.baselines, core.training.trainer;"
        "print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.parametrize("family", sorted(FAMILY_REGISTRY))
def test_every_family_fits_predicts_and_round_trips_through_a_keras_file(
    family, tiny, train_constants, tmp_path
):
    import keras

    keras.utils.set_random_seed(0)
    config = ModelConfig(family=family, units=6)
    model = build_model(config, LOOKBACK, constants=train_constants)
    model.compile(optimizer="adam", loss="mse", run_eagerly=True)  # eager: no slow tracing here
    model.fit(tiny.x_train[:64], tiny.y_train[:64], epochs=1, batch_size=32, verbose=0)
    predictions = model.predict(tiny.x_test, batch_size=len(tiny.x_test), verbose=0)
    assert predictions.shape == (len(tiny.x_test), 1)
    assert np.all(np.isfinite(predictions))

    path = tmp_path / f"{family}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    reloaded = np.asarray(loaded(tiny.x_test, training=False))
    np.testing.assert_allclose(reloaded, predictions, atol=1e-6)


@pytest.mark.parametrize("family", sorted(FAMILY_REGISTRY))
def test_classification_head_outputs_probabilities(family, tiny):
    config = ModelConfig(family=family, task="classification", units=4, dropout_rate=0.1)
    model = build_model(config, LOOKBACK)
    probabilities = np.asarray(model(tiny.x_test[:7], training=False))
    assert probabilities.shape == (7, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(probabilities >= 0)


@pytest.mark.parametrize("family", sorted(FAMILY_REGISTRY))
@pytest.mark.parametrize(
    "shape",
    [
        {"units": 4},
        {"units": 5, "hidden_layers": 2, "dense_front_layers": 1, "linear_skip": True},
        {"units": 3, "task": "classification", "dense_front_layers": 2},
    ],
)
def test_count_parameters_matches_keras(family, shape):
    config = ModelConfig(family=family, **shape)
    for lookback in (1, 7, 365):  # 365: read in blocks of two weeks (reading_block)
        assert count_parameters(config, lookback) == build_model(config, lookback).count_params()


def test_depth_follows_the_bitcoin_study():
    lstm = build_model(ModelConfig(family="lstm", hidden_layers=2, units=4), LOOKBACK)
    recurrent = [layer for layer in lstm.layers if "recurrent" in layer.name]
    assert [layer.name for layer in recurrent] == [
        "input_recurrent",
        "hidden_recurrent_1",
        "hidden_recurrent_2",
        "output_recurrent",
    ]
    assert len(recurrent[-1].output.shape) == 2  # the output layer returns only its last state
    dense = build_model(ModelConfig(family="dense", hidden_layers=1, units=4), LOOKBACK)
    assert [layer.name for layer in dense.layers if "_dense" in layer.name] == [
        "input_dense",
        "hidden_dense_1",
    ]


def test_the_shortcut_starts_at_the_least_squares_solution(tiny, train_constants):
    from core.models.registry import linear_part

    windows = tiny.x_test.reshape(len(tiny.x_test), -1).astype(float)
    expected = windows @ train_constants.coefficients + train_constants.intercept
    for predict_change in (True, False):
        config = ModelConfig(family="gru", units=4, predict_change=predict_change, linear_skip=True)
        model = build_model(config, LOOKBACK, constants=train_constants)
        np.testing.assert_allclose(linear_part(model, tiny.x_test), expected, atol=1e-5)
    plain = ModelConfig(units=4, linear_skip=False)
    without = build_model(plain, LOOKBACK, constants=train_constants)
    assert linear_part(without, tiny.x_test) is None


def test_inputs_and_target_are_standardised_inside_the_model(tiny, train_constants):
    import keras

    model = build_model(ModelConfig(family="dense", units=4), LOOKBACK, constants=train_constants)
    features = keras.Model(model.input, model.get_layer("features").output)
    values = np.asarray(features(tiny.x_train, training=False))[:, :-1, 0]  # last step is 0
    assert 0.8 < values.std() < 1.2
    changes = tiny.y_train - tiny.x_train[:, -1, 0]
    assert train_constants.target_scale == pytest.approx(changes.std(), rel=1e-4)


def test_a_shortcut_of_the_wrong_length_is_a_config_error():
    with pytest.raises(ConfigError, match="coefficients"):
        config = ModelConfig(units=4, linear_skip=True)
        build_model(
            config, LOOKBACK, constants=NetworkConstants(mode="change", coefficients=np.ones(3))
        )


def test_a_long_window_is_read_in_blocks_of_whole_weeks(tmp_path):
    """A year is read as 26 steps of 14 days, the oldest day left out; short windows step by
    step, and the up/flat/down classifier always."""
    config = ModelConfig(units=4)
    assert [reading_block(config, lookback) for lookback in (30, 60, 90, 182, 365)] == [
        1, 1, 7, 7, 14,
    ]  # fmt: skip
    assert reading_block(config.replace(task="classification"), 365) == 1
    model = build_model(config, 365)
    window = np.random.default_rng(0).standard_normal((2, 365, 1)).astype("float32")
    features = np.asarray(model.get_layer("features")(window))
    assert features.shape == (2, 26, 14)
    relative = window[:, 1:, 0] - window[:, -1:, 0]  # around the last value, scale 1
    np.testing.assert_allclose(features.reshape(2, -1), relative, rtol=1e-5, atol=1e-5)
    predictions = model.predict(window, verbose=0)
    assert predictions.shape == (2, 1)
    import keras

    model.save(tmp_path / "year.keras")  # the block is part of the saved network
    loaded = keras.models.load_model(tmp_path / "year.keras")
    np.testing.assert_allclose(np.asarray(loaded(window, training=False)), predictions, atol=1e-6)
