"""Look-back suggestion: a candidate window with a reason, scored on the train part only."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core.config import DataConfig, SplitConfig
from core.data.synthetic import generate_series
from core.data.window import CANDIDATES, suggest_lookback
from core.errors import ConfigError


def test_suggests_a_candidate_with_a_reason_and_every_score():
    series = generate_series(DataConfig(length=600, seasonal_periods=(7.0,), seed=4,
                                        seasonal_amplitudes=(5.0,)))  # fmt: skip
    suggestion = suggest_lookback(series, SplitConfig(test_size=100))
    assert suggestion.lookback in suggestion.scores
    assert set(suggestion.scores) <= set(CANDIDATES)
    assert max(suggestion.scores) < 500  # capped by the 500-row train part
    assert f"looking back {suggestion.lookback} steps" in suggestion.reason
    assert all(np.isfinite(score) and score > 0 for score in suggestion.scores.values())


def test_a_series_that_needs_a_long_window_gets_one():
    """An AR(20)-like dependence: next = value 20 steps back; 7 or 14 steps cannot see it."""
    rng = np.random.default_rng(0)
    values = rng.standard_normal(800)
    for step in range(20, 800):
        values[step] = 0.9 * values[step - 20] + 0.3 * rng.standard_normal()
    series = generate_series(DataConfig(length=800, seed=1))
    series = dataclasses.replace(series, values=values, signal=None)
    suggestion = suggest_lookback(series, SplitConfig(test_size=100))
    assert suggestion.lookback >= 30
    assert suggestion.scores[suggestion.lookback] < 0.5 * suggestion.scores[14]


def test_the_test_part_is_never_looked_at():
    series = generate_series(DataConfig(length=600, seed=4))
    split = SplitConfig(test_size=100)
    changed = dataclasses.replace(
        series, values=np.concatenate([series.values[:500], series.values[500:] * 100])
    )
    assert suggest_lookback(series, split).scores == suggest_lookback(changed, split).scores


def test_too_short_a_train_part_is_a_config_error():
    with pytest.raises(ConfigError, match="too short"):
        suggest_lookback(generate_series(DataConfig(length=60)), SplitConfig(test_size=30))


def test_the_default_series_gets_a_year_its_networks_read_in_blocks():
    """With its ridge strength chosen per window, a straight line scores a year best on the
    default series (a fixed weak ridge scored 90 steps best; the default LSTM reading a year in
    blocks of two weeks reaches 1.06-1.09x the noise floor there, 1.16-1.18x at 90)."""
    suggestion = suggest_lookback(generate_series(DataConfig()), SplitConfig())
    assert suggestion.lookback == 365
    assert suggestion.scores[365] < suggestion.scores[182] < suggestion.scores[90]
    assert "smoothed as much as the training part supports" in suggestion.reason
