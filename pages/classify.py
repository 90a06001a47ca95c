"""Classify: an up/flat/down run's accuracy against always guessing the most common class,
per-class scores and the confusion matrix, each explained in plain words."""

from __future__ import annotations

import streamlit as st

from core.charts import class_accuracy_figure, confusion_figure
from core.data.series import detect_frequency, unit
from core.evaluation.verdict import CLASS_COLUMNS, class_table, classification_verdict
from pages.components import runtime, state
from pages.components.run_lookup import result_for_page, run_header

runtime.ensure_router()
state.show_flash()
state.show_link_notice()

st.title("Up / flat / down")
st.caption("How often the network calls the direction of what comes next right.")
result = result_for_page("classification")
run_header(result)

model = result.request.model
# The series' own step (day, week, month...) for labels: read from the predictions' dates.
frequency = detect_frequency(result.predictions.index)
step, steps = unit(frequency, 1), unit(frequency)
# A test row's label compares the values from its own date on with the one before it.
ahead = (
    "its own value"
    if model.class_horizon == 1
    else f"the average of the {model.class_horizon} {steps} starting that {step}"
)
st.caption(
    f"Each test {step} is labelled by {ahead}, compared with the {step} before (the last value "
    f"the network sees): **up** if more than {model.class_threshold * 100:.2f}% higher, "
    "**down** if that much lower, **flat** otherwise."
)
test = result.metrics.test
verdict = classification_verdict(test)
show = {"good": st.success, "neutral": st.info, "bad": st.warning}[verdict.tone]
show(verdict.headline + "".join(f"\n- {line}" for line in verdict.details))

st.plotly_chart(class_accuracy_figure(test), key="classify_accuracy")
st.caption(
    f"Left: share of test {steps} classified right, next to always guessing the most common class. "
    "Right: for each class, precision (when the network says 'up', how often it is up) and "
    f"recall (of the real 'up' {steps}, how many it caught)."
)

left, right = st.columns([3, 2])
with left:
    st.plotly_chart(confusion_figure(test.confusion), key="classify_confusion")
    st.caption(
        "Rows are what really happened, columns what the network said. The diagonal holds the "
        "right answers; a single bright column means it always says the same thing."
    )
with right:
    st.markdown("**Per class**")
    st.dataframe(
        class_table(test),
        placeholder="—",
        column_config={
            "class": st.column_config.TextColumn("Class"),
            **{
                key: st.column_config.NumberColumn(label, format="percent")
                for key, label in CLASS_COLUMNS.items()
                if key != "support"
            },
            "support": st.column_config.NumberColumn(CLASS_COLUMNS["support"], format="%d"),
        },
    )
    st.caption(
        f"'Right on this class' is the share of that class's {steps} the network labelled "
        f"correctly (the same as recall). Test {steps}: how many {steps} belong to the class."
    )
