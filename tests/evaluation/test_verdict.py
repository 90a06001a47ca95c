"""Plain-language verdicts: honest comparison with persistence, the best baseline, the noise
floor, and the majority class; the metrics tables the pages show."""

from __future__ import annotations

import math

from core.evaluation.verdict import (
    class_table,
    classification_verdict,
    metrics_table,
    model_name,
    noise_floor_sentence,
    regression_verdict,
    runs_table,
    skill_words,
)
from core.scores import ClassificationScores, RegressionScores, RunScores, baselines_from_dict


def _test(values: dict) -> RegressionScores:
    """Test scores with the given figures; the rest NaN."""
    return RegressionScores.from_dict(values)


def _baselines(naive=10.0, linear_ar=12.0):
    return baselines_from_dict(
        {
            "naive": {"test": {"mse": naive, "mae": 2.0, "directional_accuracy": 0.0}},
            "linear_ar": {"test": {"mse": linear_ar, "mae": 1.9}},
            "holt_winters": {"error": "ValueError: too short"},
        }
    )


def test_better_than_every_rule_says_how_much():
    verdict = regression_verdict(
        "LSTM", _test({"mse": 8.8, "directional_accuracy": 0.61}), _baselines(linear_ar=10.5)
    )
    assert verdict.tone == "good"
    assert verdict.headline.startswith("The LSTM's error is 12% lower than tomorrow = today")
    assert any("61%" in line for line in verdict.details)


def test_the_headline_and_its_tone_follow_the_best_simple_rule():
    # The case: 53% below tomorrow = today but 86% worse than the straight line.
    verdict = regression_verdict("LSTM", _test({"mse": 4.7}), _baselines(linear_ar=2.527))
    assert verdict.tone == "bad"
    assert verdict.headline == "Straight-line rule forecasts better: the LSTM is 86% worse than it."
    assert any("53% better than it" in line for line in verdict.details)
    # Beating tomorrow = today (10) and the straight line (9) is good, and named by the best.
    good = regression_verdict("LSTM", _test({"mse": 8.0}), _baselines(linear_ar=9.0))
    assert good.tone == "good" and "11% lower than the best simple rule" in good.headline
    level = regression_verdict("LSTM", _test({"mse": 9.05}), _baselines(linear_ar=9.0))
    assert level.tone == "neutral" and "about as well as the best simple rule" in level.headline


def test_worse_than_persistence_is_said_plainly():
    verdict = regression_verdict("GRU", _test({"mse": 11.5}), _baselines())
    assert verdict.tone == "bad"
    assert "15% worse than tomorrow = today" in verdict.headline
    assert "copying the last value" in verdict.headline


def test_level_with_persistence_means_copying():
    verdict = regression_verdict("LSTM", _test({"mse": 10.1}), _baselines())
    assert verdict.tone == "neutral"
    assert "copy the last value" in verdict.headline


def test_best_other_baseline_is_named_and_failed_ones_skipped():
    verdict = regression_verdict("LSTM", _test({"mse": 9.5}), _baselines(linear_ar=8.0))
    assert "Straight-line rule forecasts better" in verdict.headline
    assert "19% worse than it" in verdict.headline
    assert verdict.tone == "bad"


def test_much_worse_is_said_as_a_factor():
    verdict = regression_verdict("GRU", _test({"mse": 69.0}), _baselines())
    assert "6.9x worse than tomorrow = today" in verdict.headline
    assert skill_words(69.0, 10.0) == "6.9x worse"
    assert skill_words(5.0, 10.0) == "50% better"
    assert skill_words(10.1, 10.0) == "about the same"


def test_noise_floor_sentence():
    assert noise_floor_sentence(30.0, 25.0).startswith("Its MSE (30) is 20% above the noise floor")
    assert "at the noise floor" in noise_floor_sentence(25.5, 25.0)
    assert noise_floor_sentence(30.0, None) is None


def test_missing_test_error_is_not_hidden():
    verdict = regression_verdict("LSTM", _test({"mse": math.nan}), _baselines())
    assert verdict.tone == "bad"


def test_metrics_table_rows_skill_and_failed_baseline_note():
    test = {"mse": 5.0, "mae": 1.0, "directional_accuracy": 0.6}
    table = metrics_table("LSTM", RunScores.from_dict({"test": test, "train": {}}), _baselines())
    assert list(table.index) == [
        "LSTM",
        "Naive (tomorrow = today)",
        "Straight-line rule",
        "Trend + season smoothing",
    ]
    assert table.loc["LSTM", "skill_vs_naive"] == "50% better"
    assert table.loc["Naive (tomorrow = today)", "skill_vs_naive"] == "the reference"
    assert math.isnan(table.loc["Naive (tomorrow = today)", "directional_accuracy"])
    assert "failed" in table.loc["Trend + season smoothing", "note"]
    assert math.isnan(table.loc["Trend + season smoothing", "mse"])


def _classification(accuracy, majority, precision_up=0.5):
    """classification_metrics-shaped figures (a dict, so a test can change one first)."""
    return {
        "accuracy": accuracy,
        "majority_baseline_accuracy": majority,
        "majority_class": "up",
        "per_class": {
            "down": {"accuracy": 0.0, "precision": math.nan, "recall": 0.0, "support": 10},
            "flat": {"accuracy": 0.0, "precision": math.nan, "recall": 0.0, "support": 5},
            "up": {"accuracy": 1.0, "precision": precision_up, "recall": 1.0, "support": 15},
        },
    }


def _typed(values: dict) -> ClassificationScores:
    return ClassificationScores.from_dict(values)


def test_classification_verdict_against_the_majority_class():
    good = classification_verdict(_typed(_classification(0.59, 0.42)))
    assert good.tone == "good" and "17 points" in good.headline
    same = classification_verdict(_typed(_classification(0.5, 0.5)))
    assert same.tone == "neutral" and "no better" in same.headline
    assert any("never predicts down or flat" in line for line in same.details)


def test_a_single_never_predicted_class_is_said():
    metrics = _classification(0.55, 0.5)
    metrics["per_class"]["down"]["precision"] = 0.4
    verdict = classification_verdict(_typed(metrics))
    assert any("never predicts 'flat' (0 of the 5 test days" in line for line in verdict.details)


def test_class_table_rows():
    table = class_table(_typed(_classification(0.5, 0.5)))
    assert list(table.index) == ["down", "flat", "up"]
    assert table.loc["up", "support"] == 15


def test_model_names_read_well_in_sentences():
    assert model_name("bilstm") == "bidirectional LSTM"
    assert model_name("dense") == "Dense network"


def test_runs_table_from_summaries():
    from core.config import ModelConfig, RunRequest
    from core.runs.store import RunSummary

    summary = RunSummary(
        key="k1",
        created_at="2026-11-22T10:14:00Z",
        data_label="Synthetic",
        model_label="LSTM 2x32 tanh",
        task="regression",
        test_mse=8.0,
        test_mae=2.0,
        naive_mse=10.0,
        accuracy=None,
        train_seconds=12.0,
        epochs_run=5,
        request=RunRequest(model=ModelConfig(linear_skip=False)),
    )
    table = runs_table([summary])
    assert table.loc[0, "created"] == "2026-11-22 10:14:00"
    assert table.loc[0, "skill_vs_naive"] == "20% better"
    assert table.loc[0, "model"] == "LSTM, 2 layers of 32 units"
    assert runs_table([]).empty


def test_offline_market_notice_in_plain_words():
    from types import SimpleNamespace

    import pandas as pd

    from core.evaluation.verdict import data_notice_words

    snapshot = SimpleNamespace(
        source="btc",
        name="BTC-USD close",
        provider="snapshot",
        fetched_at=None,
        dates=pd.DatetimeIndex(["2026-03-25", "2026-03-26"]),
        notice="Could not download BTC-USD from Yahoo Finance (DNSError) ...",
    )
    words = data_notice_words(snapshot)
    assert "stored inside the app, up to 26 March 2026" in words
    assert "DNSError" not in words and "python -m" not in words


def test_balanced_accuracy_is_explained_when_present():
    metrics = _classification(0.55, 0.5)
    metrics["balanced_accuracy"] = 0.41
    verdict = classification_verdict(_typed(metrics))
    assert any(
        "balanced accuracy" in line and "41%" in line and "33%" in line for line in verdict.details
    )


def test_classification_verdict_says_balanced_accuracy_and_recall_in_words():
    metrics = _classification(0.5, 0.5)
    metrics["balanced_accuracy"] = 1 / 3
    metrics["majority_balanced_accuracy"] = 1 / 3
    verdict = classification_verdict(_typed(metrics))
    assert "could not beat always saying 'up'" in verdict.headline
    assert any("It catches 0% of the down days, 0% of the flat days and 100%" in line
               for line in verdict.details)  # fmt: skip
    assert sum("balanced accuracy" in line and "33%" in line for line in verdict.details) == 1
    metrics.update(accuracy=0.45, balanced_accuracy=0.45)
    learned = classification_verdict(_typed(metrics))
    assert learned.tone == "neutral" and "tell the kinds of day apart" in learned.headline


def test_linear_share_sentence_only_with_the_shortcut():
    from types import SimpleNamespace

    from core.evaluation.verdict import linear_share_sentence

    test = {"mse": 30.0}
    shortcut = RunScores.from_dict({"test": test, "train": test, "linear_part_mse": 40.0})
    sentence = linear_share_sentence(SimpleNamespace(metrics=shortcut))
    assert "scores a test MSE of 40" in sentence and "brings it to 30" in sentence
    assert "25% better" in sentence
    plain = RunScores.from_dict({"test": test, "train": test})
    assert linear_share_sentence(SimpleNamespace(metrics=plain)) is None


def test_far_above_the_floor_is_said_as_a_factor():
    assert "is 25.0x the noise floor" in noise_floor_sentence(25.0, 1.0)
