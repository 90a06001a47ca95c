"""A look inside a saved network for one test window: the recurrent layers' hidden states and
LSTM/GRU gate activations (the cell maths replayed in numpy from the layer weights), or for the
Dense family the weight each input lag gets (the forecast's gradient); with plain captions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core.errors import ConfigError
from core.evaluation.forecast import predict_next

if TYPE_CHECKING:
    from core.data.prepare import Prepared

GATE_NAMES = {"lstm": ("input", "forget", "output"), "gru": ("update", "reset")}
ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda value: np.maximum(value, 0.0),
    "sigmoid": lambda value: 1.0 / (1.0 + np.exp(-value)),
    "linear": lambda value: value,
}


def _sigmoid(value: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-value))


def window_end_dates(prepared: Prepared) -> pd.DatetimeIndex:
    """The last input date of every test window (the day before each test forecast)."""
    return pd.DatetimeIndex(prepared.series.dates[np.asarray(prepared.test_index) - 1])


def _target_position(prepared: Prepared, window_end: str | pd.Timestamp) -> int:
    ends = window_end_dates(prepared)
    wanted = pd.Timestamp(window_end)
    matches = np.flatnonzero(ends == wanted)
    if len(matches) == 0:
        raise ConfigError(
            f"no test window ends on {wanted.date()}; pick a date between "
            f"{ends[0].date()} and {ends[-1].date()}."
        )
    return int(np.asarray(prepared.test_index)[matches[0]])


def replay_cell(
    kind: str,
    weights: list[np.ndarray],
    inputs: np.ndarray,
    activation: str,
    go_backwards: bool = False,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run one recurrent layer over a (steps, features) sequence in numpy with Keras' own cell
    equations; returns hidden states (steps, units) and gate activations {name: (steps, units)}."""
    act = ACTIVATIONS[activation]
    kernel, recurrent = np.asarray(weights[0], float), np.asarray(weights[1], float)
    bias = np.asarray(weights[2], float) if len(weights) > 2 else None
    units = recurrent.shape[0]
    sequence = inputs[::-1] if go_backwards else inputs
    hidden = np.zeros(units)
    cell = np.zeros(units)
    states, gates = [], {name: [] for name in GATE_NAMES.get(kind, ())}
    for step_input in sequence:
        if kind == "simple_rnn":
            hidden = act(step_input @ kernel + hidden @ recurrent + (0 if bias is None else bias))
        elif kind == "lstm":  # Keras gate order: input, forget, cell candidate, output
            z = step_input @ kernel + hidden @ recurrent + (0 if bias is None else bias)
            i, f = _sigmoid(z[:units]), _sigmoid(z[units : 2 * units])
            c, o = act(z[2 * units : 3 * units]), _sigmoid(z[3 * units :])
            cell = f * cell + i * c
            hidden = o * act(cell)
            for name, value in zip(GATE_NAMES["lstm"], (i, f, o), strict=True):
                gates[name].append(value)
        elif kind == "gru":  # Keras 3 default reset_after=True: bias rows (input, recurrent)
            input_bias, recurrent_bias = (
                (bias[0], bias[1])
                if bias is not None and bias.ndim == 2
                else (np.zeros(3 * units) if bias is None else bias, np.zeros(3 * units))
            )
            x = step_input @ kernel + input_bias
            h = hidden @ recurrent + recurrent_bias
            update = _sigmoid(x[:units] + h[:units])
            reset = _sigmoid(x[units : 2 * units] + h[units : 2 * units])
            candidate = act(x[2 * units :] + reset * h[2 * units :])
            hidden = update * hidden + (1 - update) * candidate
            gates["update"].append(update)
            gates["reset"].append(reset)
        else:
            raise ConfigError(f"'{kind}' is not a recurrent cell this view can replay.")
        states.append(hidden)
    hidden_states = np.asarray(states)
    gate_arrays = {name: np.asarray(values) for name, values in gates.items()}
    if go_backwards:  # back in calendar order
        hidden_states = hidden_states[::-1]
        gate_arrays = {name: values[::-1] for name, values in gate_arrays.items()}
    return hidden_states, gate_arrays


def _recurrent_layers(model: Any) -> list[Any]:
    """The recurrent layers by what they are (a Keras RNN, or a Bidirectional wrapping one),
    whatever a family names them."""
    import keras  # lazy: TensorFlow loads only where a network is built

    return [
        layer
        for layer in model.layers
        if isinstance(getattr(layer, "forward_layer", layer), keras.layers.RNN)
    ]


def _layer_kind(layer: Any) -> str:
    import keras  # lazy: TensorFlow loads only where a network is built

    inner = getattr(layer, "forward_layer", layer)
    for kind, cell_class in (
        ("lstm", keras.layers.LSTM),
        ("gru", keras.layers.GRU),
        ("simple_rnn", keras.layers.SimpleRNN),
    ):
        if isinstance(inner, cell_class):
            return kind
    raise ConfigError(f"'{type(inner).__name__}' is not a recurrent cell this view can replay.")


def _replay_layer(layer: Any, sequence: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    if hasattr(layer, "forward_layer"):  # Bidirectional: both directions, gates of the forward
        forward, backward = layer.forward_layer, layer.backward_layer
        kind = _layer_kind(layer)
        ahead, gates = replay_cell(
            kind, forward.get_weights(), sequence, forward.activation.__name__
        )
        behind, _ = replay_cell(
            kind, backward.get_weights(), sequence, backward.activation.__name__, go_backwards=True
        )
        return np.concatenate([ahead, behind], axis=1), gates
    return replay_cell(_layer_kind(layer), layer.get_weights(), sequence, layer.activation.__name__)


def inspect_recurrent(model: Any, window: np.ndarray) -> dict[str, Any]:
    """Hidden states and gates of every recurrent layer for one scaled window (lookback,)."""
    import keras  # lazy: TensorFlow loads only where a network is built

    layers = _recurrent_layers(model)
    first = keras.Model(model.input, layers[0].input)
    sequence = np.asarray(first(window.reshape(1, -1, 1).astype(np.float32)), float)[0]
    replayed = []
    for layer in layers:
        hidden, gates = _replay_layer(layer, sequence)
        replayed.append(
            {"name": layer.name, "kind": _layer_kind(layer), "hidden": hidden, "gates": gates}
        )
        sequence = hidden
    # The replay must agree with Keras' own last state, or the charts would show something else.
    keras_last = np.asarray(
        keras.Model(model.input, layers[-1].output)(window.reshape(1, -1, 1).astype(np.float32)),
        float,
    ).reshape(-1)
    replay_last = replayed[-1]["hidden"][-1]
    if hasattr(layers[-1], "forward_layer"):  # Keras keeps the backward pass's final state
        half = len(replay_last) // 2
        replay_last = np.concatenate([replay_last[:half], replayed[-1]["hidden"][0][half:]])
    return {"layers": replayed, "replay_error": float(np.max(np.abs(keras_last - replay_last)))}


def lag_weights(model: Any, window: np.ndarray) -> np.ndarray:
    """d forecast / d input value at each lag (oldest first): how much the forecast moves per
    unit move of each input day, around this window (for a linear rule, its coefficients)."""
    import tensorflow as tf  # lazy: TensorFlow loads only where a network is built

    inputs = tf.constant(window.reshape(1, -1, 1).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        output = model(inputs, training=False)
    return np.asarray(tape.gradient(output, inputs), float).reshape(-1)


def _recurrent_captions(layer: dict[str, Any], step_word: str) -> dict[str, str]:
    hidden = layer["hidden"]
    moving = float(np.mean(np.abs(np.diff(hidden, axis=0)))) if len(hidden) > 1 else 0.0
    saturated = float(np.mean(np.abs(hidden) > 0.9))
    captions = {
        "hidden": (
            f"Each row is one of the {hidden.shape[1]} memory units, each column one {step_word}; "
            f"colour = its value (-1..1). On average a unit moves {moving:.2f} per {step_word}"
            + (f", and {saturated:.0%} of the cells are pinned near ±1" if saturated > 0.05 else "")
            + "."
        )
    }
    gates = layer["gates"]
    if "forget" in gates:
        forget = float(np.mean(gates["forget"]))
        memory = (
            "stays near 1: it keeps what it saw earlier in the window (a long memory)"
            if forget > 0.75
            else f"sits mid-way: it blends old memory with new {step_word}s"
            if forget > 0.4
            else f"stays low: it forgets quickly and looks at the last few {step_word}s"
        )
        captions["forget"] = f"The forget gate averages {forget:.2f} and {memory}."
        captions["input"] = (
            f"The input gate averages {float(np.mean(gates['input'])):.2f}: how "
            f"much of each new {step_word} is written into memory."
        )
        captions["output"] = (
            f"The output gate averages {float(np.mean(gates['output'])):.2f}: "
            "how much of the memory is passed on to the forecast."
        )
    if "update" in gates:
        update = float(np.mean(gates["update"]))
        keep = (
            "near 1: it mostly keeps its memory and changes it slowly"
            if update > 0.75
            else f"mid-way: it mixes memory and each new {step_word}"
            if update > 0.4
            else f"low: it rewrites its memory with almost every {step_word}"
        )
        captions["update"] = f"The update gate averages {update:.2f}, {keep}."
        captions["reset"] = (
            f"The reset gate averages {float(np.mean(gates['reset'])):.2f}: how "
            f"much old memory is used when reading the new {step_word} (1 = all of it)."
        )
    return captions


def lag_caption(weights: np.ndarray, step_word: str) -> str:
    """'The forecast leans most on the value 1 day before (0.62), then 7 days before (0.21).'"""
    order = np.argsort(-np.abs(weights))[:3]
    lags = [(len(weights) - int(position), float(weights[position])) for position in order]
    parts = [
        f"{lag} {step_word}{'s' if lag > 1 else ''} before ({value:+.2f})" for lag, value in lags
    ]
    return (
        "Each bar is how much the forecast moves when one input day moves by one unit. It "
        f"leans most on the value {parts[0]}, then {', '.join(parts[1:])}; the weights add "
        f"up to {float(np.sum(weights)):.2f}."
    )


def inspect_window(
    model: Any, prepared: Prepared, family: str, window_end: str, step_word: str = "day"
) -> dict[str, Any]:
    """Everything the inside view shows for the test window ending on `window_end`."""

    target = _target_position(prepared, window_end)
    window = np.asarray(prepared.scaled[target - prepared.lookback : target], float)
    dates = pd.DatetimeIndex(prepared.series.dates[target - prepared.lookback : target])
    forecast = float(prepared.scaler.inverse(predict_next(model, window.reshape(1, -1, 1)))[0])
    report: dict[str, Any] = {
        "family": family,
        "window_end": dates[-1].strftime("%Y-%m-%d"),
        "target_date": pd.Timestamp(prepared.series.dates[target]).strftime("%Y-%m-%d"),
        "dates": [date.strftime("%Y-%m-%d") for date in dates],
        "window": prepared.scaler.inverse(window).tolist(),
        "actual": float(prepared.series.values[target]),
        "forecast": forecast,
        "lag_weights": lag_weights(model, window).tolist(),
        "layers": [],
        "captions": {},
    }
    report["captions"]["lags"] = lag_caption(np.asarray(report["lag_weights"]), step_word)
    if _recurrent_layers(model):  # a network of Dense layers has no states to replay
        inner = inspect_recurrent(model, window)
        report["replay_error"] = inner["replay_error"]
        # A long window is read in blocks (core.models.registry.reading_block): one column per
        # block, dated by its last day.
        steps = len(inner["layers"][0]["hidden"])
        block = len(window) // steps
        step_dates = report["dates"][len(window) - steps * block :][block - 1 :: block]
        block_word = step_word if block == 1 else f"{block}-{step_word} block"
        for layer in inner["layers"]:
            report["layers"].append(
                {
                    "name": layer["name"],
                    "kind": layer["kind"],
                    "hidden": layer["hidden"].tolist(),
                    "gates": {name: values.tolist() for name, values in layer["gates"].items()},
                    "captions": _recurrent_captions(layer, block_word),
                    "dates": step_dates,
                }
            )
    return report


__all__ = [
    "GATE_NAMES",
    "inspect_window",
    "lag_weights",
    "replay_cell",
    "window_end_dates",
]
