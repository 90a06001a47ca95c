"""Model and training forms: the network's task, family and shape; optimiser and epochs."""

from __future__ import annotations

import streamlit as st

from core.config import LOG_SCALES, ModelConfig, SplitConfig, TrainConfig
from core.data.recipe import training_choices
from core.models.families import FAMILY_REGISTRY
from core.settings import settings_of
from pages.components.form_helpers import clamp, declared_slider, explain, widget_key, with_option
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
LOG_SCALE_LABELS = {"auto": "Chosen from your data", "log": "Log values", "original": "Own units"}
MODEL = settings_of(ModelConfig)  # labels, help and ranges: declared once, in core.config
TRAIN = settings_of(TrainConfig)
UNIT_OPTIONS = [4, 8, 16, 25, 32, 50, 64, 100, 128, 150, 200, 250, 500]
LEARNING_RATE_OPTIONS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
BATCH_OPTIONS = [16, 32, 64, 128, 256, 512]


def _start_values_of(family: str, previous: str) -> None:
    """On a change of family, set the widgets the new or the old family has its own starting
    value for (the shared default where the new one has none) before they are drawn; a message
    says which moved, so the change is never silent."""
    new, old = FAMILY_REGISTRY[family], FAMILY_REGISTRY[previous]
    moved = []
    for section, settings, shared, own, before in (
        ("model", MODEL, ModelConfig(), new.model_defaults, old.model_defaults),
        ("train", TRAIN, TrainConfig(), new.training_defaults, old.training_defaults),
    ):
        own = dict(own)
        for name in dict.fromkeys([*own, *(name for name, _ in before)]):
            value = own.get(name, getattr(shared, name))
            key = widget_key(section, name)
            if st.session_state.get(key) != value:
                st.session_state[key] = value
                shown = f"{value:g}" if isinstance(value, float) else str(value)
                moved.append(f"{settings[name].label.lower()} {shown}")
    if moved:
        st.toast(
            f"{new.label} starts with {', '.join(moved)}; change them if you like.",
            icon=":material/tune:",
        )


def model_form(model: ModelConfig) -> ModelConfig:
    """Task, family and shape of the network."""
    section = "model"
    task = st.segmented_control(
        MODEL["task"].label,
        options=list(TASK_CHOICES),
        format_func=TASK_CHOICES.get,
        key=seed_widget(widget_key(section, "task"), model.task),
        help=MODEL["task"].help,
    )
    task = task or model.task
    explain(TASK_EXPLANATIONS[task])
    family = st.selectbox(
        MODEL["family"].label,
        options=list(FAMILY_REGISTRY),
        format_func=lambda name: FAMILY_REGISTRY[name].label,
        key=seed_widget(widget_key(section, "family"), model.family),
        help=MODEL["family"].help,
    )
    explain(FAMILY_REGISTRY[family].explanation)  # the registry requires one per family
    if family != model.family:
        _start_values_of(family, model.family)
    if FAMILY_REGISTRY[family].defaults_reason:
        explain(FAMILY_REGISTRY[family].defaults_reason)
    base = FAMILY_REGISTRY[family].layers_beyond_hidden  # the fewest layers the family has
    word = FAMILY_REGISTRY[family].layers_word  # the one count and word: "LSTM layers"
    layers_key = seed_widget(
        widget_key(section, "layers"), int(clamp(model.hidden_layers, 0, 5)) + base
    )
    st.session_state[layers_key] = int(clamp(st.session_state[layers_key], base, base + 5))
    layers = st.slider(
        word[0].upper() + word[1:],
        min_value=base,
        max_value=base + 5,
        key=layers_key,
        help=f"How many {word} the network has; the single output neuron that turns the last "
        "one into the forecast is not counted. More layers can learn more complex patterns but "
        "train slower and overfit more easily. "
        + (
            "A recurrent network has at least 2, as in the RNN forecasting study this app "
            "reproduces: a first layer that reads the window and a last one that passes on its "
            "final state."
            if base == 2
            else "A Dense network has at least 1."
        )
        + " The same count names runs (LSTM 3x50 = 3 LSTM layers of 50 units), sweeps and links.",
    )
    hidden = int(layers) - base
    head = (
        "then three output neurons, one per class (down, flat, up)"
        if task == "classification"
        else "then one output neuron for the next value"
    )
    explain(f"{layers} {word if layers != 1 else word[:-1]}, {head}.")
    units = st.select_slider(
        MODEL["units"].label,
        options=with_option(UNIT_OPTIONS, model.units),
        key=seed_widget(widget_key(section, "units"), int(model.units)),
        help=MODEL["units"].help,
    )
    explain("More units = more capacity, slower training; 25 to 100 is usually enough.")
    activation = st.radio(
        MODEL["activation"].label,
        options=list(MODEL["activation"].choice_names),
        horizontal=True,
        key=seed_widget(widget_key(section, "activation"), model.activation),
        help=MODEL["activation"].help,
    )
    explain(ACTIVATION_EXPLANATIONS[activation])
    dropout = declared_slider(
        MODEL["dropout_rate"], section, "dropout_rate", model.dropout_rate, step=0.05, format="%.2f"
    )
    explain("Dropout helps when the network memorises the training data; 0 to 0.2 is typical.")
    class_horizon, class_threshold = model.class_horizon, model.class_threshold
    if task == "classification":
        left, right = st.columns(2)
        low, high = (int(bound) for bound in MODEL["class_horizon"].typical)
        class_horizon = left.number_input(
            MODEL["class_horizon"].label,
            min_value=low,
            max_value=high,
            key=seed_widget(
                widget_key(section, "class_horizon"), int(clamp(model.class_horizon, low, high))
            ),
            help=MODEL["class_horizon"].help,
        )
        threshold_percent = right.number_input(
            f"{MODEL['class_threshold'].label} (± %)",
            min_value=MODEL["class_threshold"].typical[0] * 100,
            max_value=MODEL["class_threshold"].typical[1] * 100,
            step=0.01,
            format="%.2f",
            key=seed_widget(
                widget_key(section, "class_threshold"), round(float(model.class_threshold) * 100, 4)
            ),
            help=MODEL["class_threshold"].help,
        )
        class_threshold = float(threshold_percent) / 100.0
        explain(
            f"Up = the next {class_horizon} days average more than {threshold_percent:.2f}% above "
            "today; down = that much below; flat = in between."
        )
    with st.expander("Advanced network options"):
        front = declared_slider(
            MODEL["dense_front_layers"],
            section,
            "dense_front_layers",
            model.dense_front_layers,
            whole=True,
        )
        skip = st.checkbox(
            MODEL["linear_skip"].label,
            key=seed_widget(widget_key(section, "linear_skip"), bool(model.linear_skip)),
            help=MODEL["linear_skip"].help,
        )
        change = st.checkbox(
            MODEL["predict_change"].label,
            key=seed_widget(widget_key(section, "predict_change"), bool(model.predict_change)),
            help=MODEL["predict_change"].help,
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


def _from_data(recipe, name: str, train: TrainConfig) -> None:
    """The recipe's reason for a choice it makes (core.data.recipe) with the settings on
    screen, under its control."""
    if not recipe or "training_windows" not in recipe:
        return
    batch, epochs = training_choices(train, int(recipe["training_windows"].value))
    choice = batch if name == "batch_size" else epochs
    if choice.from_data:
        st.caption(f"Chosen from your data: {choice.reason}.")


def train_form(train: TrainConfig, recipe=None) -> TrainConfig:
    """Optimiser, learning rate, batch size, epochs and early stopping; `recipe` (a dict of
    core.data.recipe choices for the current data) explains what was chosen from the data."""
    section = "train"
    optimizer = st.selectbox(
        TRAIN["optimizer"].label,
        options=list(TRAIN["optimizer"].choice_names),
        format_func={"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD"}.get,
        key=seed_widget(widget_key(section, "optimizer"), train.optimizer),
        help=TRAIN["optimizer"].help,
    )
    explain(OPTIMIZER_EXPLANATIONS[optimizer])
    learning_rate = st.select_slider(
        TRAIN["learning_rate"].label,
        options=with_option(LEARNING_RATE_OPTIONS, train.learning_rate),
        format_func=lambda value: f"{value:g}",
        key=seed_widget(widget_key(section, "learning_rate"), float(train.learning_rate)),
        help=TRAIN["learning_rate"].help,
    )
    explain("0.001 to 0.01 works for most runs; lower it if the loss jumps or explodes.")
    auto_batch = st.toggle(
        TRAIN["auto_batch"].label,
        key=seed_widget(widget_key(section, "auto_batch"), bool(train.auto_batch)),
        help=TRAIN["auto_batch"].help,
    )
    batch_size = st.select_slider(
        TRAIN["batch_size"].label,
        options=with_option(BATCH_OPTIONS, train.batch_size),
        key=seed_widget(widget_key(section, "batch_size"), int(train.batch_size)),
        help=TRAIN["batch_size"].help,
        disabled=auto_batch,
    )
    on_screen = train.replace(auto_batch=bool(auto_batch), batch_size=int(batch_size))
    if auto_batch:
        _from_data(recipe, "batch_size", on_screen)
    else:
        explain(
            "Small batches: more, noisier steps. Large batches: fewer, smoother, faster epochs."
        )
    epochs = declared_slider(TRAIN["epochs"], section, "epochs", train.epochs, whole=True)
    budget = st.number_input(
        f"{TRAIN['budget_steps'].label} ({TRAIN['budget_steps'].unit}, 0 = the maximum epochs)",
        min_value=0,
        max_value=int(TRAIN["budget_steps"].high),
        step=20,
        key=seed_widget(widget_key(section, "budget_steps"), int(train.budget_steps)),
        help=TRAIN["budget_steps"].help,
    )
    if budget and epochs != TrainConfig().epochs:
        st.caption("Maximum epochs set by hand: the budget is not used.")
    elif budget:
        _from_data(recipe, "epochs", on_screen.replace(budget_steps=int(budget)))
    patience = declared_slider(
        TRAIN["patience"],
        section,
        "patience",
        train.patience,
        whole=True,
        label=f"{TRAIN['patience'].label} ({TRAIN['patience'].unit})",
    )
    explain(
        "Training always runs all epochs."
        if patience == 0
        else f"Training stops once {patience} epochs in a row bring no improvement."
    )
    with st.expander("Advanced training options"):
        restore = st.checkbox(
            TRAIN["restore_best"].label,
            key=seed_widget(widget_key(section, "restore_best"), bool(train.restore_best)),
            help=TRAIN["restore_best"].help,
        )
        seed = st.number_input(
            TRAIN["seed"].label,
            min_value=int(TRAIN["seed"].low),
            max_value=int(TRAIN["seed"].high),
            key=seed_widget(widget_key(section, "seed"), int(train.seed)),
            help=TRAIN["seed"].help,
        )
        seconds = st.number_input(
            f"{TRAIN['max_seconds'].label} ({TRAIN['max_seconds'].unit}, 0 = none)",
            min_value=0,
            max_value=int(TRAIN["max_seconds"].high),
            step=10,
            key=seed_widget(widget_key(section, "max_seconds"), int(train.max_seconds or 0)),
            help=TRAIN["max_seconds"].help,
        )
    return TrainConfig(
        optimizer=optimizer,
        learning_rate=float(learning_rate),
        batch_size=int(batch_size),
        auto_batch=bool(auto_batch),
        budget_steps=int(budget),
        epochs=int(epochs),
        patience=int(patience),
        restore_best=bool(restore),
        seed=int(seed),
        max_seconds=float(seconds) if seconds else None,
    )


def scale_form(split: SplitConfig, recipe=None) -> SplitConfig:
    """Log values or the series' own units for the network, and the season (0 = the one the
    data suggests, shown with its reason)."""
    setting = settings_of(SplitConfig)["log_scale"]
    choice = st.selectbox(
        setting.label,
        options=list(LOG_SCALES),
        format_func=LOG_SCALE_LABELS.get,
        key=seed_widget(widget_key("split", "log_scale"), split.log_scale),
        help=setting.help,
    )
    if choice == "auto" and recipe and "log_scale" in recipe:
        scale = "log values" if recipe["log_scale"].value else "the series' own units"
        st.caption(f"Chosen from your data: {scale}; {recipe['log_scale'].reason}.")
    declared = settings_of(SplitConfig)["season"]
    season = st.number_input(
        f"{declared.label} ({declared.unit}, 0 = auto)",
        min_value=0,
        max_value=int(declared.high),
        step=1,
        key=seed_widget(widget_key("split", "season"), int(split.season)),
        help=declared.help,
    )
    if not season and recipe and "season" in recipe:
        st.caption(f"Chosen from your data: {recipe['season'].reason}.")
    return split.replace(log_scale=choice, season=int(season))
