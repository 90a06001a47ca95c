"""Results: forecast vs actual with baselines, residuals, the metrics table and a plain verdict,
the noise floor (synthetic), a future forecast with a horizon slider, and downloads."""

from __future__ import annotations

import json

import streamlit as st

from core.charts import forecast_figure, metrics_bar_figure, residual_figure, residual_histogram
from core.charts.theme import log_scale_words
from core.data.series import detect_frequency, unit
from core.evaluation.compare import previous_run
from core.evaluation.verdict import (
    METRIC_COLUMNS,
    METRIC_HELP,
    linear_share_sentence,
    metrics_table,
    model_name,
    regression_verdict,
)
from core.models.baseline_labels import BASELINE_TERMS
from core.models.baselines import BASELINE_LABELS
from core.units import column_format, currency_of
from pages.components import (
    backtest_panel,
    inside_view,
    run_compare,
    runtime,
    services,
    state,
    uncertainty,
)
from pages.components.guard import show_error
from pages.components.run_lookup import result_for_page, run_header

runtime.ensure_router()
state.show_flash()
state.show_link_notice()

st.title("Results")
st.caption("Step 4 of 4 · how well the network forecasts the part of the series it never saw.")
result = result_for_page("regression")
run_header(result)

name = model_name(result.request.model.family)
# The series' own step (day, week, month...) for labels: read from the predictions' dates.
frequency = detect_frequency(result.predictions.index)
step, steps = unit(frequency, 1), unit(frequency)
currency = currency_of(result.request.data.source)  # "$" on Bitcoin and the S&P 500
verdict = regression_verdict(
    name, result.metrics.test, result.baselines, result.noise_floor_mse, currency=currency
)
show = {"good": st.success, "neutral": st.info, "bad": st.warning}[verdict.tone]
show(
    "**" + verdict.headline + "**" + "".join(f"\n- {line}" for line in verdict.details),
    icon={"good": ":material/thumb_up:", "neutral": ":material/balance:"}.get(
        verdict.tone, ":material/warning:"
    ),
)

if result.request.model.linear_skip:
    sentence = linear_share_sentence(result)
    if sentence:
        st.info(sentence, icon=":material/linear_scale:")

before = previous_run(services.store().list_runs(), result.key, result.task)
if before is not None:
    if st.toggle(
        "Compare with the run before",
        key="w.results.compare_before",
        help="Show this run's forecast and the previous run's (same data when there is one) "
        "on one chart, with the change in each score.",
    ):
        previous = services.load_run(before.key)
        if previous is not None:
            run_compare.show_change(result, previous, key="results_before")

# --- forecast vs actual ------------------------------------------------------------------------
st.subheader("Forecast vs actual")
available = [
    baseline
    for baseline in result.baselines
    if baseline in result.predictions.columns and not result.baselines[baseline].failed
]
chosen = st.pills(
    "Compare with",
    options=available,
    format_func=lambda key: BASELINE_LABELS.get(key, key),
    selection_mode="multi",
    default=[key for key in ("naive",) if key in available],
    key="w.results.baselines",
    help=f"Show simple forecasting rules on the same test {steps}. In exact terms: "
    + "; ".join(BASELINE_TERMS[key] for key in available if key in BASELINE_TERMS)
    + ".",
)
band_level = uncertainty.pick_level()
show_train = st.toggle(
    "Show the training part",
    value=False,
    key="w.results.show_train",
    help=f"Include the {steps} the network learned from (its fit there is always better).",
)
horizon = st.slider(
    f"Forecast past the end ({steps})",
    min_value=0,
    max_value=365,
    key=state.seed_widget("w.results.horizon", int(min(state.current_request().horizon, 365))),
    help="Each forecast day is fed back as input for the next (recursive forecasting), so "
    "errors pile up the further ahead you go.",
)
if horizon != state.current_request().horizon:
    state.set_request(state.current_request().replace(horizon=int(horizon)))
try:
    with st.spinner("Forecasting past the end..."):
        future = services.forecast_for(result, int(horizon))
except Exception as error:  # a failed re-forecast must not hide the stored results
    show_error(error)
    future = None
figure = forecast_figure(
    result.predictions,
    baselines=chosen or [],
    show_train=show_train,
    forecast=future,
    labels={"model": name, **BASELINE_LABELS},
    title=f"One {step} ahead on the test part" + (" and training part" if show_train else ""),
    currency=currency,
)
st.plotly_chart(uncertainty.add_bands(figure, result, future, band_level), key="results_forecast")
st.caption(
    f"Grey: what happened. Blue (drawn on top): the network's forecast, each made one {step} ahead "
    "from the real past values"
    + (
        "; the shaded part is the test period the network never trained on"
        if show_train
        else f", on the test {steps} the network never trained on. The chart opens on the last "
        "90 of them: drag the slider under it to see the others"
    )
    + (
        ". The dashed blue line on the green band is the forecast past the end, each day built "
        "from the previous forecasts."
        if horizon
        else "."
    )
    + " Dotted lines are the simple rules; click a name in the legend to show or hide it."
    + (
        f" The light band is where the real value should fall {band_level}% of the time; "
        "past the end it widens, since each step adds its own error."
        if band_level
        else ""
    )
)
uncertainty.render_coverage(result, band_level, step)

backtest_tab, inside_tab = st.tabs(["Walk-forward backtest", "Look inside the network"])
with backtest_tab:
    backtest_panel.render(result)
with inside_tab:
    inside_view.render(result, step)

# --- residuals ---------------------------------------------------------------------------------
st.subheader("Errors (residuals)")
left, right = st.columns(2)
left.plotly_chart(
    residual_figure(result.predictions, "test", currency=currency), key="results_residuals"
)
left.caption(
    "Actual minus forecast for each test day. Points scattered evenly around zero are good; "
    "long runs above or below zero mean the network lags behind or is biased."
)
right.plotly_chart(
    residual_histogram(result.predictions, "test", currency=currency), key="results_histogram"
)
right.caption(
    "How often each size of error occurs. The red line is the average error (bias, ideally 0); "
    "the dashed lines mark one standard deviation either side (the spread)."
)

# --- metrics -----------------------------------------------------------------------------------
st.subheader("Scores against the baselines")
units = st.radio(
    "Units",
    options=["test", "test_scaled"],
    format_func={"test": "The series' own units", "test_scaled": "The network's 0..1 scale"}.get,
    horizontal=True,
    key="w.results.units",
    help="Errors in the series' own units, or on the 0..1 scale the network works in "
    "(min-max scaled). Published results are usually given on the 0..1 scale, so use it to "
    "compare with them.",
)
table = metrics_table(name, result.metrics, result.baselines, units=units)
st.dataframe(
    table,
    placeholder="—",
    column_order=["skill_vs_naive", *[key for key in table.columns if key != "skill_vs_naive"]],
    column_config={
        "forecaster": st.column_config.TextColumn(
            "Forecaster",
            help="The network and the simple rules. In exact terms: "
            + "; ".join(BASELINE_TERMS.values())
            + ".",
        ),
        **{
            key: st.column_config.NumberColumn(
                label,
                format=column_format(key, currency if units == "test" else ""),
                help=METRIC_HELP[key],
            )
            for key, label in METRIC_COLUMNS.items()
        },
        "directional_accuracy": st.column_config.NumberColumn(
            METRIC_COLUMNS["directional_accuracy"],
            format="percent",
            help=METRIC_HELP["directional_accuracy"],
        ),
        "skill_vs_naive": st.column_config.TextColumn(
            METRIC_COLUMNS["skill_vs_naive"], help=METRIC_HELP["skill_vs_naive"]
        ),
        "note": st.column_config.TextColumn("Note"),
    },
)
st.caption(
    "Lower errors are better; hover a column name for its exact definition. The column "
    f"*{METRIC_COLUMNS['skill_vs_naive']}* compares each error with copying the last value, and "
    f"*{METRIC_COLUMNS['directional_accuracy']}* is empty for tomorrow = today: it never "
    "predicts a move."
)
floor = result.noise_floor_mse if units == "test" else None
# On prices the bars are typical errors in dollars (RMSE, MAE), not squared dollars.
in_money = bool(currency) and units == "test"
bars = metrics_bar_figure(
    table,
    ("rmse", "mae") if in_money else ("mse", "mae"),
    currency=currency if in_money else "",
    labels={label: label for label in table.index},
    title="Test error of each forecaster (lower is better)",
    floor=floor,
)
st.plotly_chart(bars, key="results_bars")
st.caption(
    f"Each bar is one forecaster's error on the same test {steps}"
    + (", as a typical size in dollars (RMSE and MAE)" if in_money else "")
    + "; shorter bars are better. The "
    f"scale is logarithmic ({log_scale_words(bars)}), so a very bad rule does not squash the "
    "others" + ("; the dotted green line is the noise floor, the best possible." if floor else ".")
)

with st.expander("Training curve"):
    from core.charts import loss_figure

    st.plotly_chart(
        loss_figure(
            result.history,
            title="Error per epoch",
            task=result.task,
            best_epoch=result.best_epoch,
        ),
        key="results_loss",
    )
    st.caption(
        "Training (blue) and validation (orange) error per epoch; the star marks epoch "
        f"{result.best_epoch}, whose weights the network keeps."
    )

# --- downloads ---------------------------------------------------------------------------------
st.subheader("Downloads")
columns = st.columns(3)
columns[0].download_button(
    "Predictions (CSV)",
    data=result.predictions.to_csv().encode(),
    file_name=f"forecast-lab-{result.key[:10]}-predictions.csv",
    mime="text/csv",
    icon=":material/table:",
    help="Every date with the actual value, the network's forecast and the baselines'.",
)
model_bytes = b""
if result.model_path is not None and result.model_path.is_file():
    model_bytes = result.model_path.read_bytes()
columns[1].download_button(
    "Model (.keras)",
    data=model_bytes,
    file_name=f"forecast-lab-{result.key[:10]}.keras",
    mime="application/octet-stream",
    icon=":material/neurology:",
    disabled=not model_bytes,
    help="The trained network; load it in Python with keras.models.load_model.",
)
columns[2].download_button(
    "Run settings (JSON)",
    data=json.dumps({"run_key": result.key, **result.request.to_dict()}, indent=2).encode(),
    file_name=f"forecast-lab-{result.key[:10]}-settings.json",
    mime="application/json",
    icon=":material/settings:",
    help="Every setting of this run, to reproduce it later.",
)
st.caption(
    "Tip: the address bar holds every setting of this run, so copying the link shares it; "
    "opening the link shows these results without training again."
)
