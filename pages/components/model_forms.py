"""Model and training forms: the network's task, family and shape; optimiser and epochs."""

from __future__ import annotations

import streamlit as st

from core.config import ModelConfig, TrainConfig
from core.models.families import FAMILY_REGISTRY
from pages.components.form_helpers import clamp, explain, widget_key, with_option
from pages.components.state import seed_widget

ACTIVATION_EXPLANATIONS = {
    "tanh": "tanh squashes values to -1..1; the usual choice inside recurrent layers.",
    "relu": "relu keeps positive values and zeroes negative ones; fast, can be less stable.",
    "sigmoid": "sigmoid squashes values to 0..1; rarely best, included for comparison.",
}
OPTIMIZER_EXPLANATIONS = {
    "adam": "Adam adapts the step size per weight; a safe default.",
    "rmsprop": "RMSprop also adapts step sizes; a traditional choice for recurrent networks.",
    "sgd": "Plain stochastic gradient descent; simple, usually needs a larger learning rate.",
}
TASK_CHOICES = {
    "regression": "Next value",
    "classification": "Up / flat / down",
}
TASK_EXPLANATIONS = {
    "regression": "Predict tomorrow's number, in the series' own units.",
    "classification": (
        "Predict whether the average of the next days will be above, near or below today's value."
    ),
}
UNIT_OPTIONS = [4, 8, 16, 25, 32, 50, 64, 100, 128, 150, 200, 250, 500]
LEARNING_RATE_OPTIONS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
BATCH_OPTIONS = [16, 32, 64, 128, 256, 512]


def model_form(model: ModelConfig) -> ModelConfig:
    """Task, family and shape of the network."""
    section = "model"
    task = st.segmented_control(
        "What to predict",
        options=list(TASK_CHOICES),
        format_func=TASK_CHOICES.get,
        key=seed_widget(widget_key(section, "task"), model.task),
        help="Next value: a number for tomorrow. Up / flat / down: the direction of the next "
        "days, as in the Bitcoin direction classifier of the master's study (study A).",
    )
    task = task or model.task
    explain(TASK_EXPLANATIONS[task])
    family = st.selectbox(
        "Network family",
        options=list(FAMILY_REGISTRY),
        format_func=lambda name: FAMILY_REGISTRY[name].label,
        key=seed_widget(widget_key(section, "family"), model.family),
        help="The kind of network. Recurrent ones (SimpleRNN, LSTM, GRU) read the window in "
        "order; Dense sees it all at once.",
    )
    explain(FAMILY_REGISTRY[family].explanation)  # the registry requires one per family
    base = FAMILY_REGISTRY[family].layers_beyond_hidden  # study A's input and output layers
    layers_key = seed_widget(
        widget_key(section, "layers"), int(clamp(model.hidden_layers, 0, 5)) + base
    )
    st.session_state[layers_key] = int(clamp(st.session_state[layers_key], base, base + 5))
    layers = st.slider(
        "Layers in total",
        min_value=base,
        max_value=base + 5,
        key=layers_key,
        help="How many layers the network has. More layers can learn more complex patterns "
        "but train slower and overfit more easily. Counted as in the research this app "
        "reproduces (study A): an input layer, 0 to 5 'hidden' layers, and an output layer "
        "that returns only its last state, so hidden layers = total - "
        f"{base}{' (the Dense family has no separate output layer)' if base == 1 else ''}.",
    )
    hidden = int(layers) - base
    kind = FAMILY_REGISTRY[family].label
    head = (
        "then three output neurons, one per class (down, flat, up)"
        if task == "classification"
        else "then one output neuron for the next value"
    )
    explain(f"{layers} {kind} layer{'s' if layers != 1 else ''}, {head}.")
    units = st.select_slider(
        "Units per layer",
        options=with_option(UNIT_OPTIONS, model.units),
        key=seed_widget(widget_key(section, "units"), int(model.units)),
        help="How many neurons each layer has: its capacity to remember patterns.",
    )
    explain("More units = more capacity, slower training; 25 to 100 is usually enough.")
    activation = st.radio(
        "Activation",
        options=["tanh", "relu", "sigmoid"],
        horizontal=True,
        key=seed_widget(widget_key(section, "activation"), model.activation),
        help="The function each neuron applies to its input.",
    )
    explain(ACTIVATION_EXPLANATIONS[activation])
    dropout = st.slider(
        "Dropout",
        min_value=0.0,
        max_value=0.5,
        step=0.05,
        format="%.2f",
        key=seed_widget(
            widget_key(section, "dropout_rate"), float(clamp(model.dropout_rate, 0, 0.5))
        ),
        help="Randomly switches off this share of neurons during training, which can reduce "
        "overfitting. 0 = off.",
    )
    explain("Dropout helps when the network memorises the training data; 0 to 0.2 is typical.")
    class_horizon, class_threshold = model.class_horizon, model.class_threshold
    if task == "classification":
        left, right = st.columns(2)
        class_horizon = left.number_input(
            "Days ahead to average",
            min_value=1,
            max_value=60,
            key=seed_widget(
                widget_key(section, "class_horizon"), int(clamp(model.class_horizon, 1, 60))
            ),
            help="The class compares the average of the next days with today's value. "
            "The Bitcoin classifier study used 7 days.",
        )
        threshold_percent = right.number_input(
            "Flat band (± %)",
            min_value=0.0,
            max_value=20.0,
            step=0.01,
            format="%.2f",
            key=seed_widget(
                widget_key(section, "class_threshold"), round(float(model.class_threshold) * 100, 4)
            ),
            help="Moves smaller than this count as flat. The Bitcoin classifier study used ±0.33%.",
        )
        class_threshold = float(threshold_percent) / 100.0
        explain(
            f"Up = the next {class_horizon} days average more than {threshold_percent:.2f}% above "
            "today; down = that much below; flat = in between."
        )
    with st.expander("Advanced network options"):
        front = st.slider(
            "Dense layers before the recurrent ones",
            min_value=0,
            max_value=3,
            key=seed_widget(
                widget_key(section, "dense_front_layers"),
                int(clamp(model.dense_front_layers, 0, 3)),
            ),
            help="Dense layers applied to each day before the recurrent stack (the "
            "Dense-Dense-GRU-GRU shape from the lecture notes).",
        )
        skip = st.checkbox(
            "Linear shortcut beside the network",
            key=seed_widget(widget_key(section, "linear_skip"), bool(model.linear_skip)),
            help="Adds a straight linear path from the window to the output, so the network "
            "only has to learn what a linear model misses. Usually faster and more accurate.",
        )
        change = st.checkbox(
            "Predict the change from the last value",
            key=seed_widget(widget_key(section, "predict_change"), bool(model.predict_change)),
            help="The network learns tomorrow minus today rather than tomorrow's level; much "
            "easier on trending series.",
        )
    return ModelConfig(
        family=family,
        task=task,
        hidden_layers=int(hidden),
        units=int(units),
        activation=activation,
        dropout_rate=float(dropout),
        dense_front_layers=int(front),
        linear_skip=bool(skip),
        predict_change=bool(change),
        class_horizon=int(class_horizon),
        class_threshold=float(class_threshold),
    )


def train_form(train: TrainConfig) -> TrainConfig:
    """Optimiser, learning rate, batch size, epochs and early stopping."""
    section = "train"
    optimizer = st.selectbox(
        "Optimizer",
        options=["adam", "rmsprop", "sgd"],
        format_func={"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD"}.get,
        key=seed_widget(widget_key(section, "optimizer"), train.optimizer),
        help="The method that adjusts the weights after each batch.",
    )
    explain(OPTIMIZER_EXPLANATIONS[optimizer])
    learning_rate = st.select_slider(
        "Learning rate",
        options=with_option(LEARNING_RATE_OPTIONS, train.learning_rate),
        format_func=lambda value: f"{value:g}",
        key=seed_widget(widget_key(section, "learning_rate"), float(train.learning_rate)),
        help="How big each adjustment step is. Too big and training jumps around or diverges; "
        "too small and it crawls.",
    )
    explain("0.001 to 0.01 works for most runs; lower it if the loss jumps or explodes.")
    batch_size = st.select_slider(
        "Batch size",
        options=with_option(BATCH_OPTIONS, train.batch_size),
        key=seed_widget(widget_key(section, "batch_size"), int(train.batch_size)),
        help="How many windows are used for each adjustment step.",
    )
    explain("Small batches: more, noisier steps. Large batches: fewer, smoother, faster epochs.")
    epochs = st.slider(
        "Maximum epochs",
        min_value=1,
        max_value=500,
        key=seed_widget(widget_key(section, "epochs"), int(clamp(train.epochs, 1, 500))),
        help="An epoch is one pass over all training windows. Training stops earlier when "
        "the validation error stops improving.",
    )
    patience = st.slider(
        "Early-stopping patience (epochs)",
        min_value=0,
        max_value=50,
        key=seed_widget(widget_key(section, "patience"), int(clamp(train.patience, 0, 50))),
        help="Stop after this many epochs without improvement on the validation part. 0 = "
        "always run every epoch.",
    )
    explain(
        "Training always runs all epochs."
        if patience == 0
        else f"Training stops once {patience} epochs in a row bring no improvement."
    )
    with st.expander("Advanced training options"):
        restore = st.checkbox(
            "Keep the best epoch's weights",
            key=seed_widget(widget_key(section, "restore_best"), bool(train.restore_best)),
            help="After training, go back to the weights of the epoch with the lowest "
            "validation error (as the research this app reproduces did).",
        )
        seed = st.number_input(
            "Training seed",
            min_value=0,
            max_value=2**31 - 1,
            key=seed_widget(widget_key(section, "seed"), int(train.seed)),
            help="Fixes the random starting weights, so the same settings give the same result.",
        )
        seconds = st.number_input(
            "Time limit (seconds, 0 = none)",
            min_value=0,
            max_value=86_400,
            step=10,
            key=seed_widget(widget_key(section, "max_seconds"), int(train.max_seconds or 0)),
            help="Stop training after this many seconds and keep the best model so far.",
        )
    return TrainConfig(
        optimizer=optimizer,
        learning_rate=float(learning_rate),
        batch_size=int(batch_size),
        epochs=int(epochs),
        patience=int(patience),
        restore_best=bool(restore),
        seed=int(seed),
        max_seconds=float(seconds) if seconds else None,
    )
