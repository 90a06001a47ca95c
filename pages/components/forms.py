"""Widget forms: each group of widgets is seeded from the current request and returns one config.

Every control has a plain-language help tooltip; choices get a one-line explanation underneath.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import streamlit as st

from core.config import (
    FAMILY_LABELS,
    DataConfig,
    ModelConfig,
    SplitConfig,
    TrainConfig,
)
from pages.components.state import seed_widget

SOURCE_CHOICES = {
    "synthetic": "Synthetic",
    "btc": "Bitcoin",
    "sp500": "S&P 500",
    "csv": "Upload CSV",
}
SOURCE_EXPLANATIONS = {
    "synthetic": "A made-up series with a trend, seasons and noise you control. Works offline.",
    "btc": "Daily Bitcoin closing prices in US dollars, downloaded and kept on disk.",
    "sp500": "Daily closing values of the S&P 500 stock index, downloaded and kept on disk.",
    "csv": "Your own file: one column of dates and one column of numbers.",
}
PROVIDER_CHOICES = {"yahoo": "Yahoo Finance", "cdd": "CryptoDataDownload"}
SPLIT_CHOICES = {
    "last_n": "Last N days",
    "fraction": "Last share of the data",
    "calendar_year": "One calendar year",
}
FAMILY_EXPLANATIONS = {
    "dense": "Looks at the whole window at once, with no notion of order; the simplest network.",
    "simple_rnn": "Reads the window day by day with a short memory; fast but forgets quickly.",
    "lstm": "Reads day by day with gates that decide what to remember; the classic choice.",
    "gru": "A leaner LSTM with fewer gates; often as good and a little faster.",
    "bilstm": "Two LSTMs read the window forwards and backwards; more capacity, slower.",
}
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
MAX_SEASONS = 3


def _key(section: str, name: str) -> str:
    return f"w.{section}.{name}"


def _clamp(value, low, high):
    return max(low, min(high, value))


def _with_option(options: list, value) -> list:
    """A select_slider's options including a value that came from a link."""
    return options if value in options else sorted([*options, value])


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def explain(text: str) -> None:
    """The one-line explanation under a choice."""
    st.caption(text)


# ---------------------------------------------------------------------------------------------
# Data


def source_picker(data: DataConfig) -> str:
    """Where the series comes from."""
    key = seed_widget(_key("data", "source"), data.source)
    source = st.segmented_control(
        "Data source",
        options=list(SOURCE_CHOICES),
        format_func=SOURCE_CHOICES.get,
        key=key,
        help="Pick the series the network will learn to forecast.",
    )
    source = source or data.source
    explain(SOURCE_EXPLANATIONS[source])
    return source


def switch_source(source: str) -> None:
    """Callback: show another source's form (the request follows on the next run)."""
    for key in [key for key in st.session_state if str(key).startswith("w.data.")]:
        del st.session_state[key]
    st.session_state[_key("data", "source")] = source


def new_noise(key: str) -> None:
    """Callback of the New noise button: a fresh random seed."""
    st.session_state[key] = random.randint(0, 99_999)


def synthetic_form(data: DataConfig) -> DataConfig:
    """Every generator parameter of the synthetic series."""
    section = "data"
    st.markdown("**Length and start**")
    length = st.slider(
        "Length (days)",
        min_value=60,
        max_value=10_950,
        step=5,
        key=seed_widget(_key(section, "length"), int(_clamp(data.length, 60, 10_950))),
        help="How many daily values to generate. 2555 is seven years, as in the study.",
    )
    start = st.date_input(
        "Start date",
        key=seed_widget(
            _key(section, "synthetic_start"),
            _date(data.synthetic_start) or dt.date(2018, 1, 1),
        ),
        min_value=dt.date(1900, 1, 1),
        max_value=dt.date(2100, 1, 1),
        help="The date of the first value; only the labels on the time axis change.",
    )
    st.markdown("**Trend**")
    level = st.number_input(
        "Starting level",
        key=seed_widget(_key(section, "level"), float(data.level)),
        step=1.0,
        help="The value the series starts around before trend and seasons are added.",
    )
    slope = st.slider(
        "Trend (change per day)",
        min_value=-0.5,
        max_value=0.5,
        step=0.005,
        format="%.3f",
        key=seed_widget(_key(section, "trend_slope"), float(_clamp(data.trend_slope, -0.5, 0.5))),
        help="How much the series rises (or falls, if negative) each day on average.",
    )
    curvature = st.number_input(
        "Trend curvature (change of the trend per day)",
        key=seed_widget(_key(section, "trend_curvature"), float(data.trend_curvature)),
        step=0.00001,
        format="%.5f",
        help="Bends the trend: positive values make growth speed up over time. 0 = straight.",
    )
    st.markdown("**Seasons**")
    count = st.number_input(
        "Number of seasonal patterns",
        min_value=0,
        max_value=MAX_SEASONS,
        step=1,
        key=seed_widget(
            _key(section, "season_count"), min(len(data.seasonal_periods), MAX_SEASONS)
        ),
        help="Repeating waves added to the series, e.g. a yearly and a weekly cycle.",
    )
    defaults = [(365.0, 40.0), (7.0, 5.0), (30.0, 10.0)]
    periods, amplitudes = [], []
    for index in range(int(count)):
        if index < len(data.seasonal_periods):
            period_value = data.seasonal_periods[index]
            amplitude_value = data.seasonal_amplitudes[index]
        else:
            period_value, amplitude_value = defaults[index]
        left, right = st.columns(2)
        periods.append(
            left.number_input(
                f"Season {index + 1}: period (days)",
                min_value=2.0,
                max_value=3650.0,
                step=1.0,
                key=seed_widget(
                    _key(section, f"period_{index}"), float(_clamp(period_value, 2.0, 3650.0))
                ),
                help="How many days one full wave takes: 365 = yearly, 7 = weekly.",
            )
        )
        amplitudes.append(
            right.number_input(
                f"Season {index + 1}: amplitude",
                min_value=0.0,
                step=1.0,
                key=seed_widget(
                    _key(section, f"amplitude_{index}"), float(max(0.0, amplitude_value))
                ),
                help="How far the wave swings above and below the trend.",
            )
        )
    st.markdown("**Noise**")
    noise_level = st.slider(
        "Noise level (standard deviation)",
        min_value=0.0,
        max_value=100.0,
        step=0.5,
        key=seed_widget(_key(section, "noise_level"), float(_clamp(data.noise_level, 0, 100))),
        help="How much random wobble is added each day. No model can predict this part.",
    )
    noise_kind = st.radio(
        "Noise kind",
        options=["gaussian", "ar1"],
        format_func={"gaussian": "Independent", "ar1": "Correlated (AR(1))"}.get,
        horizontal=True,
        key=seed_widget(_key(section, "noise_kind"), data.noise_kind),
        help="Independent noise is fresh every day; correlated noise drifts, so today's "
        "noise partly carries over to tomorrow.",
    )
    correlation = data.noise_correlation
    if noise_kind == "ar1":
        correlation = st.slider(
            "Noise correlation",
            min_value=-0.95,
            max_value=0.95,
            step=0.05,
            key=seed_widget(
                _key(section, "noise_correlation"),
                float(_clamp(data.noise_correlation, -0.95, 0.95)),
            ),
            help="How much of today's noise carries over to tomorrow (0 = none, 0.9 = most).",
        )
    seed_key = seed_widget(_key(section, "seed"), int(data.seed))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    seed = left.number_input(
        "Random seed",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        key=seed_key,
        help="The same seed always gives the same noise, so results can be reproduced.",
    )
    right.button(
        "New noise",
        icon=":material/casino:",
        on_click=new_noise,
        args=(seed_key,),
        help="Draw a fresh random noise (a new seed); trend and seasons stay the same.",
        width="stretch",
    )
    return DataConfig(
        source="synthetic",
        length=int(length),
        synthetic_start=start.isoformat() if start else "2018-01-01",
        level=float(level),
        trend_slope=float(slope),
        trend_curvature=float(curvature),
        seasonal_periods=tuple(float(period) for period in periods),
        seasonal_amplitudes=tuple(float(amplitude) for amplitude in amplitudes),
        noise_level=float(noise_level),
        noise_kind=noise_kind,
        noise_correlation=float(correlation),
        seed=int(seed),
    )


def market_form(data: DataConfig, source: str) -> DataConfig:
    """Provider and date range of Bitcoin or S&P 500 prices."""
    section = "data"
    provider = "yahoo"
    if source == "btc":
        provider = st.radio(
            "Provider",
            options=list(PROVIDER_CHOICES),
            format_func=PROVIDER_CHOICES.get,
            horizontal=True,
            key=seed_widget(_key(section, "provider"), data.provider),
            help="Where the prices come from. CryptoDataDownload is the source of study A.",
        )
    else:
        st.caption("Provider: Yahoo Finance (ticker ^GSPC).")
    left, right = st.columns(2)
    start = left.date_input(
        "From",
        key=seed_widget(_key(section, "start_date"), _date(data.start_date)),
        min_value=dt.date(1920, 1, 1),
        max_value=dt.date(2100, 1, 1),
        help="First day to use; leave empty for the whole history. Study A's Bitcoin data "
        "starts on 2020-10-28.",
    )
    end = right.date_input(
        "To",
        key=seed_widget(_key(section, "end_date"), _date(data.end_date)),
        min_value=dt.date(1920, 1, 1),
        max_value=dt.date(2100, 1, 1),
        help="Last day to use; leave empty for everything up to the latest download.",
    )
    return DataConfig(
        source=source,
        provider=provider,
        start_date=start.isoformat() if start else None,
        end_date=end.isoformat() if end else None,
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _inspect(content: bytes):
    from core.data.upload import inspect_csv

    return inspect_csv(content)


def upload_form(data: DataConfig) -> DataConfig | None:
    """A CSV file and its date and value columns; None until a file is there."""
    from core.data.upload import display_name, save_upload

    section = "data"
    uploaded = st.file_uploader(
        "CSV file",
        type=["csv", "txt"],
        key=_key(section, "upload"),
        help="A file with a header row, one column of dates and one of numbers (up to 50 MB).",
    )
    if uploaded is not None:
        content = uploaded.getvalue()
        path = save_upload(content, uploaded.name)
    elif data.csv_path and Path(data.csv_path).is_file():
        path = Path(data.csv_path)
        content = path.read_bytes()
        st.caption(f"Using the file you uploaded before: {display_name(path)}.")
    else:
        if data.csv_path:
            st.warning(
                "The file named in this link is not on this computer; upload it again.",
                icon=":material/warning:",
            )
        st.info("Upload a CSV file with a date column and a value column to continue.")
        return None
    preview = _inspect(content)
    columns = list(preview.columns)
    chosen_date = data.date_column if data.date_column in columns else preview.date_column
    chosen_value = data.value_column if data.value_column in columns else preview.value_column
    left, right = st.columns(2)
    date_column = left.selectbox(
        "Date column",
        options=columns,
        index=columns.index(chosen_date) if chosen_date in columns else None,
        placeholder="Pick the column with dates",
        key=_key(section, f"date_column_{path.name}"),
        help="The column that holds the dates (e.g. 2024-01-31).",
    )
    value_column = right.selectbox(
        "Value column",
        options=columns,
        index=columns.index(chosen_value) if chosen_value in columns else None,
        placeholder="Pick the column with numbers",
        key=_key(section, f"value_column_{path.name}"),
        help="The column with the numbers to forecast (e.g. a closing price).",
    )
    st.caption(f"{preview.row_count:,} rows. The first rows of the file:")
    st.dataframe(preview.head, hide_index=True, height=210)
    if date_column is None or value_column is None:
        st.info("Pick the date column and the value column above.")
        return None
    return DataConfig(
        source="csv",
        csv_path=str(path),
        date_column=date_column,
        value_column=value_column,
    )


def split_form(split: SplitConfig, length: int | None) -> SplitConfig:
    """Chronological split, look-back window, scaling margin and validation share."""
    section = "split"
    method = st.radio(
        "Test part",
        options=list(SPLIT_CHOICES),
        format_func=SPLIT_CHOICES.get,
        horizontal=True,
        key=seed_widget(_key(section, "method"), split.method),
        help="The model never sees the test part while training; it is kept to check how well "
        "the forecasts hold up on days the model has not seen. The split is by time, never random.",
    )
    test_size, test_fraction, test_year = split.test_size, split.test_fraction, split.test_year
    if method == "last_n":
        upper = max(2, (length or 1_000_000) - 2)
        test_size = st.number_input(
            "Test days",
            min_value=1,
            max_value=upper,
            step=5,
            key=seed_widget(_key(section, "test_size"), int(_clamp(split.test_size, 1, upper))),
            help="How many of the most recent days are kept for testing. The study used 465 "
            "(one year plus 100 days).",
        )
    elif method == "fraction":
        test_fraction = st.slider(
            "Test share",
            min_value=0.05,
            max_value=0.5,
            step=0.05,
            format="%.2f",
            key=seed_widget(
                _key(section, "test_fraction"), float(_clamp(split.test_fraction, 0.05, 0.5))
            ),
            help="The share of the data, at the end, kept for testing. 0.2 is an 80/20 split.",
        )
    else:
        test_year = st.number_input(
            "Test year",
            min_value=1930,
            max_value=2100,
            step=1,
            key=seed_widget(_key(section, "test_year"), int(split.test_year)),
            help="Test on this calendar year only (study A tested Bitcoin on 2024); later days "
            "are dropped.",
        )
    lookback = st.slider(
        "Look-back window (days)",
        min_value=1,
        max_value=365,
        key=seed_widget(_key(section, "lookback"), int(_clamp(split.lookback, 1, 365))),
        help="How many past days the network sees to predict the next one. 30 = one month.",
    )
    margin = st.slider(
        "Scaling headroom",
        min_value=1.0,
        max_value=10.0,
        step=0.5,
        format="%.1fx",
        key=seed_widget(
            _key(section, "scaling_margin"), float(_clamp(split.scaling_margin, 1.0, 10.0))
        ),
        help="Values are squeezed into 0..1 using the training range times this factor, so "
        "later, higher values still fit. The study used 1.5x for synthetic data and 5x for "
        "Bitcoin.",
    )
    validation = st.slider(
        "Validation share",
        min_value=0.0,
        max_value=0.3,
        step=0.05,
        format="%.2f",
        key=seed_widget(
            _key(section, "validation_fraction"),
            float(_clamp(split.validation_fraction, 0.0, 0.3)),
        ),
        help="The last part of the training data is used to decide when to stop training "
        "(early stopping). 0 turns that check off.",
    )
    leak = st.checkbox(
        "Reproduce study B: scale on the whole series (leaks test information)",
        key=seed_widget(_key(section, "scaling_scope"), split.scaling_scope == "full_series"),
        help="Study B scaled with the minimum and maximum of all the data, including the test "
        "part. That lets test information slip into training; use only to reproduce it.",
    )
    return SplitConfig(
        method=method,
        test_size=int(test_size),
        test_fraction=float(test_fraction),
        test_year=int(test_year),
        lookback=int(lookback),
        scaling_margin=float(margin),
        scaling_scope="full_series" if leak else "train",
        validation_fraction=float(validation),
    )


# ---------------------------------------------------------------------------------------------
# Model and training


def model_form(model: ModelConfig) -> ModelConfig:
    """Task, family and shape of the network."""
    section = "model"
    task = st.segmented_control(
        "What to predict",
        options=list(TASK_CHOICES),
        format_func=TASK_CHOICES.get,
        key=seed_widget(_key(section, "task"), model.task),
        help="Next value: a number for tomorrow. Up / flat / down: the direction of the next "
        "days, as in study A's Bitcoin classifier.",
    )
    task = task or model.task
    explain(TASK_EXPLANATIONS[task])
    family = st.selectbox(
        "Network family",
        options=list(FAMILY_LABELS),
        format_func=FAMILY_LABELS.get,
        key=seed_widget(_key(section, "family"), model.family),
        help="The kind of network. Recurrent ones (SimpleRNN, LSTM, GRU) read the window in "
        "order; Dense sees it all at once.",
    )
    explain(FAMILY_EXPLANATIONS[family])
    hidden = st.slider(
        "Hidden layers",
        min_value=0,
        max_value=5,
        key=seed_widget(_key(section, "hidden_layers"), int(_clamp(model.hidden_layers, 0, 5))),
        help="Extra layers between the first and the last layer. More layers can learn more "
        "complex patterns but train slower and overfit more easily.",
    )
    layers = hidden + (1 if family == "dense" else 2)
    explain(
        f"{layers} {'Dense' if family == 'dense' else 'recurrent'} layers in total, then one "
        "output neuron."
    )
    units = st.select_slider(
        "Units per layer",
        options=_with_option(UNIT_OPTIONS, model.units),
        key=seed_widget(_key(section, "units"), int(model.units)),
        help="How many neurons each layer has: its capacity to remember patterns.",
    )
    explain("More units = more capacity, slower training; 25 to 100 is usually enough.")
    activation = st.radio(
        "Activation",
        options=["tanh", "relu", "sigmoid"],
        horizontal=True,
        key=seed_widget(_key(section, "activation"), model.activation),
        help="The function each neuron applies to its input.",
    )
    explain(ACTIVATION_EXPLANATIONS[activation])
    dropout = st.slider(
        "Dropout",
        min_value=0.0,
        max_value=0.5,
        step=0.05,
        format="%.2f",
        key=seed_widget(_key(section, "dropout_rate"), float(_clamp(model.dropout_rate, 0, 0.5))),
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
                _key(section, "class_horizon"), int(_clamp(model.class_horizon, 1, 60))
            ),
            help="The class compares the average of the next days with today's value. "
            "Study A used 7 days.",
        )
        threshold_percent = right.number_input(
            "Flat band (± %)",
            min_value=0.0,
            max_value=20.0,
            step=0.01,
            format="%.2f",
            key=seed_widget(
                _key(section, "class_threshold"), round(float(model.class_threshold) * 100, 4)
            ),
            help="Moves smaller than this count as flat. Study A used ±0.33%.",
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
                _key(section, "dense_front_layers"), int(_clamp(model.dense_front_layers, 0, 3))
            ),
            help="Dense layers applied to each day before the recurrent stack (the "
            "Dense-Dense-GRU-GRU shape from the lecture notes).",
        )
        skip = st.checkbox(
            "Linear shortcut beside the network",
            key=seed_widget(_key(section, "linear_skip"), bool(model.linear_skip)),
            help="Adds a straight linear path from the window to the output, so the network "
            "only has to learn what a linear model misses. Usually faster and more accurate.",
        )
        change = st.checkbox(
            "Predict the change from the last value",
            key=seed_widget(_key(section, "predict_change"), bool(model.predict_change)),
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
        key=seed_widget(_key(section, "optimizer"), train.optimizer),
        help="The method that adjusts the weights after each batch.",
    )
    explain(OPTIMIZER_EXPLANATIONS[optimizer])
    learning_rate = st.select_slider(
        "Learning rate",
        options=_with_option(LEARNING_RATE_OPTIONS, train.learning_rate),
        format_func=lambda value: f"{value:g}",
        key=seed_widget(_key(section, "learning_rate"), float(train.learning_rate)),
        help="How big each adjustment step is. Too big and training jumps around or diverges; "
        "too small and it crawls.",
    )
    explain("0.001 to 0.01 works for most runs; lower it if the loss jumps or explodes.")
    batch_size = st.select_slider(
        "Batch size",
        options=_with_option(BATCH_OPTIONS, train.batch_size),
        key=seed_widget(_key(section, "batch_size"), int(train.batch_size)),
        help="How many windows are used for each adjustment step.",
    )
    explain("Small batches: more, noisier steps. Large batches: fewer, smoother, faster epochs.")
    epochs = st.slider(
        "Maximum epochs",
        min_value=1,
        max_value=500,
        key=seed_widget(_key(section, "epochs"), int(_clamp(train.epochs, 1, 500))),
        help="An epoch is one pass over all training windows. Training stops earlier when "
        "the validation error stops improving.",
    )
    patience = st.slider(
        "Early-stopping patience (epochs)",
        min_value=0,
        max_value=50,
        key=seed_widget(_key(section, "patience"), int(_clamp(train.patience, 0, 50))),
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
            key=seed_widget(_key(section, "restore_best"), bool(train.restore_best)),
            help="After training, go back to the weights of the epoch with the lowest "
            "validation error (as study A did).",
        )
        seed = st.number_input(
            "Training seed",
            min_value=0,
            max_value=2**31 - 1,
            key=seed_widget(_key(section, "seed"), int(train.seed)),
            help="Fixes the random starting weights, so the same settings give the same result.",
        )
        seconds = st.number_input(
            "Time limit (seconds, 0 = none)",
            min_value=0,
            max_value=86_400,
            step=10,
            key=seed_widget(_key(section, "max_seconds"), int(train.max_seconds or 0)),
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
