"""Names of the baselines: plain words for everyone, and the exact terms for tooltips."""

# Plain names a non-programmer reads; the exact terms (seasonal naive, linear autoregression,
# Holt-Winters) are in BASELINE_TERMS, for tooltips.
BASELINE_LABELS = {
    "naive": "Naive (tomorrow = today)",
    "seasonal_naive": "Same day last season",
    "linear_ar": "Straight-line rule",
    "holt_winters": "Trend + season smoothing",
}
BASELINE_TERMS = {
    "naive": "naive persistence: tomorrow's value = today's",
    "seasonal_naive": "seasonal naive: the value one season (e.g. a week or a year) earlier",
    "linear_ar": "linear AR: a least-squares linear autoregression on the same look-back window",
    "holt_winters": "Holt-Winters: exponential smoothing of level, trend and season",
}
