"""Comparing saved runs: settings that differ, scores side by side, change since the run before."""

from __future__ import annotations

from types import SimpleNamespace

from core.config import ModelConfig, RunRequest, TrainConfig
from core.evaluation.compare import (
    change_sentence,
    metric_changes,
    previous_run,
    scores_table,
    setting_differences,
)
from core.scores import RunScores, baselines_from_dict


def _result(mse, family="lstm", naive=10.0, seconds=3.0):
    request = RunRequest(model=ModelConfig(family=family))
    return SimpleNamespace(
        request=request,
        task="regression",
        metrics=RunScores.from_dict({"test": {"mse": mse, "mae": mse / 2}, "train": {}}),
        baselines=baselines_from_dict({"naive": {"test": {"mse": naive}}}),
        train_seconds=seconds,
    )


def test_setting_differences_lists_only_what_differs():
    first = RunRequest()
    second = RunRequest(
        model=ModelConfig(family="gru", hidden_layers=1), train=TrainConfig(epochs=9)
    )
    table = setting_differences([("A", first), ("B", second)])
    assert set(table.index) == {"Network family", "Layers", "Maximum epochs"}
    assert table.loc["Layers"].tolist() == ["2", "3"]
    assert setting_differences([("A", first), ("B", first)]).empty


def test_scores_table_has_one_row_per_run_with_skill_in_words():
    table = scores_table([("A", _result(5.0)), ("B", _result(69.0, "gru"))])
    assert list(table.index) == ["A", "B"]
    assert table.loc["A", "skill"] == "50% better"
    assert table.loc["B", "skill"] == "6.9x worse"
    assert table.loc["B", "model"].startswith("GRU")


def test_metric_changes_in_words():
    table = metric_changes(_result(5.0), _result(10.0))
    assert table.loc["Squared error (MSE)", "change"] == "2.0x better"
    assert table.loc["Average error (MAE)", "before"] == 5.0


def test_changes_within_the_seed_spread_are_about_the_same():
    """Noise is not news: "0% better" (10.0 -> 9.96) or "0.0 points better" is what seeds alone
    do; only a change beyond the family's seed-to-seed spread gets a direction."""
    from core.evaluation.noise import seed_spread

    spread = seed_spread("lstm")
    table = metric_changes(_result(10.0 / (1 + spread / 2)), _result(10.0))
    assert table.loc["Squared error (MSE)", "change"].startswith("about the same")
    beyond = metric_changes(_result(10.0 * (1 - 2 * spread)), _result(10.0))
    assert beyond.loc["Squared error (MSE)", "change"].endswith("better")
    accuracy = SimpleNamespace(
        request=RunRequest(),
        metrics=RunScores.from_dict({"test": {"mse": 1.0, "directional_accuracy": 0.551}}),
    )
    before = SimpleNamespace(
        request=RunRequest(),
        metrics=RunScores.from_dict({"test": {"mse": 1.0, "directional_accuracy": 0.55}}),
    )
    changes = metric_changes(accuracy, before)
    assert changes.loc["Direction right", "change"].startswith("about the same")
    assert "0.0 points" not in " ".join(changes["change"])


def test_previous_run_prefers_the_same_data_and_task():
    def summary(key, task="regression", length=2555):
        from core.config import DataConfig

        return SimpleNamespace(
            key=key, task=task, request=RunRequest(data=DataConfig(length=length))
        )

    runs = [
        summary("new"),
        summary("other", length=400),
        summary("class", "classification"),
        summary("old"),
    ]
    assert previous_run(runs, "new", "regression").key == "old"
    assert previous_run(runs, "old", "regression") is None
    assert previous_run(runs, "unknown", "regression").key == "new"


def test_change_sentence_names_old_and_new_values():
    old = RunRequest()
    new = RunRequest(model=ModelConfig(units=64))
    assert change_sentence(new, old) == "What changed: Units per layer 32 → 64."
    assert change_sentence(old, old) == "The settings are the same."
