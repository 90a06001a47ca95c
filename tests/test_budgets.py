"""Budgets checked before any work: the memory a training's series, windows and network need
against the memory budget (a setting), the window suggestion's comparison, and the size and
rows of an upload. Tiny sizes: the budget and limits are lowered through their settings."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.data.prepare import prepare
from core.data.synthetic import generate_series
from core.data.upload import inspect_csv
from core.data.window import suggest_lookback
from core.errors import ConfigError, DataSourceError
from core.limits import MEMORY_BUDGET_ENV, check_memory, estimate_memory
from core.links import request_from_query
from core.models import features

WORST_LINK = {
    "data.length": "200000",
    "data.synthetic_start": "1700-01-01",
    "split.lookback": "1000",
}


def test_the_worst_link_of_the_issue_is_refused_naming_what_to_lower(monkeypatch):
    monkeypatch.setenv(MEMORY_BUDGET_ENV, "1536")
    request = request_from_query(WORST_LINK).request
    assert request.split.lookback == 1000  # the link itself is within the allowed ranges
    with pytest.raises(ConfigError) as refusal:
        check_memory(request.data.length, request.split.lookback, request.model, 128)
    message = str(refusal.value)
    assert "more than the 1.5 GB" in message
    assert "look-back window of at most" in message and "rows of data" in message
    check_memory(RunRequest().data.length, 30, RunRequest().model, 128)  # the default fits


def test_prepare_refuses_before_making_windows(monkeypatch):
    series = generate_series(DataConfig(length=300, seasonal_periods=(), seasonal_amplitudes=()))
    split = SplitConfig(lookback=50, test_size=50)
    needed = estimate_memory(300, 50, ModelConfig())
    monkeypatch.setenv(MEMORY_BUDGET_ENV, str((needed.total - needed.windows / 2) / 2**20))
    monkeypatch.setattr(
        "core.data.prepare.make_windows", lambda *args: pytest.fail("windows were made")
    )
    with pytest.raises(ConfigError, match="look-back window of at most"):
        prepare(series, split, ModelConfig())


def test_a_training_is_refused_for_its_batch_before_it_starts(monkeypatch):
    from core.runs.pipeline import run_experiment

    model = ModelConfig(units=64, hidden_layers=2)
    small = estimate_memory(300, 20, model, batch_size=8).total
    monkeypatch.setenv(MEMORY_BUDGET_ENV, str(small / 2**20 * 1.01))
    request = RunRequest(
        data=DataConfig(length=300),
        split=SplitConfig(lookback=20, test_size=50),
        model=model,
        train=TrainConfig(batch_size=256, epochs=1),
    )
    monkeypatch.setattr("core.data.prepare.prepare", lambda *args: pytest.fail("prepared"))
    with pytest.raises(ConfigError, match="a smaller batch than 256"):
        run_experiment(request, use_cache=False)


def test_the_window_suggestion_is_refused_when_its_comparison_does_not_fit(monkeypatch):
    series = generate_series(DataConfig(length=400))
    suggest_lookback(series, SplitConfig(test_size=50))  # fits the default budget
    monkeypatch.setenv(MEMORY_BUDGET_ENV, "0.05")
    with pytest.raises(ConfigError, match="comparing windows"):
        suggest_lookback(series, SplitConfig(test_size=50))


def _csv(rows: int) -> bytes:
    lines = [f"2020-01-{1 + day % 28:02d},{day}" for day in range(rows)]
    return ("date,value\n" + "\n".join(lines) + "\n").encode()


def test_an_upload_over_the_row_or_size_limit_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setenv("FORECAST_LAB_MAX_UPLOAD_ROWS", "100")
    monkeypatch.setattr("pandas.read_csv", lambda *args, **kwargs: pytest.fail("parsed"))
    with pytest.raises(DataSourceError, match="more than the 100 a series may have"):
        inspect_csv(_csv(150))
    monkeypatch.setenv("FORECAST_LAB_MAX_UPLOAD_MB", "0.001")  # about 1 KB
    with pytest.raises(DataSourceError, match="more than the 0 MB"):
        inspect_csv(_csv(90))


def test_feature_statistics_read_in_blocks_equal_the_whole_array_figures(monkeypatch):
    monkeypatch.setattr(features, "BLOCK_ROWS", 7)
    rng = np.random.default_rng(3)
    windows = rng.uniform(0.5, 1.5, (50, 12, 1)).astype(np.float32)
    targets = rng.uniform(0.5, 1.5, 50).astype(np.float32)
    whole = windows.astype(np.float64).reshape(50, -1)
    for config in (
        ModelConfig(),
        ModelConfig(predict_change=False),
        ModelConfig(task="classification"),
    ):
        stats = features.feature_statistics(windows, targets, config, offset=0.1)
        values = np.log(whole + 0.1) if stats["mode"] == "return" else whole
        relative = (
            values - values.mean() if stats["mode"] == "level" else values[:, :-1] - values[:, -1:]
        )
        assert stats["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert stats["relative_scale"] == pytest.approx(relative.std(), rel=1e-9)
