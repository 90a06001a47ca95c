"""Inside view: gates in [0, 1] with the right shapes, replay equal to Keras, lag weights."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.runs.analysis import inspect_run
from core.runs.pipeline import run_experiment
from core.runs.store import RunStore
from core.training.inside_view import window_end_dates


def tiny_request(family: str) -> RunRequest:
    return RunRequest(
        data=DataConfig(length=240, seed=5, seasonal_periods=(20.0,), seasonal_amplitudes=(5.0,)),
        split=SplitConfig(test_size=40, lookback=6),
        model=ModelConfig(units=4, family=family, hidden_layers=0),
        train=TrainConfig(epochs=1, batch_size=32),
        horizon=3,
    )


@pytest.mark.parametrize(("family", "gates"), [("lstm", 3), ("gru", 2), ("bilstm", 3)])
def test_gates_have_one_row_per_step_and_stay_in_zero_one(tmp_path, family, gates):
    result = run_experiment(tiny_request(family), store=RunStore(tmp_path))
    report = inspect_run(result)
    assert report["replay_error"] < 1e-4  # the numpy replay is Keras' own cell
    assert len(report["layers"]) == 2  # input and output recurrent layers
    for position, layer in enumerate(report["layers"]):
        # The bidirectional LSTM's first layer holds both directions' states (gates: the
        # forward ones); the layers after it are forward LSTMs.
        width = 8 if family == "bilstm" and position == 0 else 4
        assert np.asarray(layer["hidden"]).shape == (6, width)
        assert len(layer["gates"]) == gates
        for values in layer["gates"].values():
            values = np.asarray(values)
            assert values.shape == (6, 4) and values.min() >= 0 and values.max() <= 1
        assert all(caption for caption in layer["captions"].values())


def test_dense_gets_one_weight_per_lag_for_a_chosen_window(tmp_path):
    result = run_experiment(tiny_request("dense"), store=RunStore(tmp_path))
    from core.runs.pipeline import load_prepared

    chosen = window_end_dates(load_prepared(result.request))[5].strftime("%Y-%m-%d")
    report = inspect_run(result, chosen)
    assert report["window_end"] == chosen and report["layers"] == []
    assert len(report["lag_weights"]) == 6 and np.all(np.isfinite(report["lag_weights"]))
    assert report["captions"]["lags"].startswith("Each bar")


def test_a_window_read_in_blocks_has_one_column_per_block_dated_by_its_last_day(tmp_path):
    request = tiny_request("lstm")
    request = request.replace(
        data=request.data.replace(length=400), split=SplitConfig(test_size=40, lookback=90)
    )
    report = inspect_run(run_experiment(request, store=RunStore(tmp_path)))
    assert report["replay_error"] < 1e-4
    layer = report["layers"][0]
    assert np.asarray(layer["hidden"]).shape == (12, 4)  # 90 days: 12 weeks, 6 days left out
    assert layer["dates"] == report["dates"][6:][6::7] and layer["dates"][-1] == report["dates"][-1]
    assert "7-day block" in layer["captions"]["hidden"]
    assert len(report["lag_weights"]) == 90


def test_recurrent_layers_are_found_by_what_they_are_not_by_their_names():
    import keras

    from core.training.inside_view import inspect_recurrent

    inputs = keras.Input((5, 1))
    hidden = keras.layers.GRU(4, return_sequences=True, name="memory")(inputs)
    hidden = keras.layers.Bidirectional(keras.layers.LSTM(3), name="both_ways")(hidden)
    model = keras.Model(inputs, keras.layers.Dense(1, name="recurrent_head")(hidden))
    report = inspect_recurrent(model, np.linspace(0.0, 1.0, 5))
    assert [(layer["name"], layer["kind"]) for layer in report["layers"]] == [
        ("memory", "gru"),
        ("both_ways", "lstm"),
    ]
    assert report["replay_error"] < 1e-4
