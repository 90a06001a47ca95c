"""On a long series the smoothing weights are estimated on its newest whole seasons only (the
optimiser's cost grows with the length), and the forecasts stay as good as a fit on all of it."""

from __future__ import annotations

import numpy as np
import pytest

from core.models.forecasters import base, smoothing
from core.models.forecasters.smoothing import Smoothing, one_step_all


def daily_seasonal(length: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = np.arange(length)
    return 100 + 0.01 * steps + 5 * np.sin(2 * np.pi * steps / 7) + rng.normal(0, 1, length)


@pytest.fixture
def fitted_lengths(monkeypatch):
    """The length of every series the optimiser is run on."""
    lengths: list[int] = []
    model = smoothing._model

    def recording(values, spec, **start):
        if not start:  # an estimated fit (a run with fixed weights passes its start)
            lengths.append(len(values))
        return model(values, spec, **start)

    monkeypatch.setattr(smoothing, "_model", recording)
    return lengths


def test_a_long_series_is_fitted_on_its_newest_whole_seasons(fitted_lengths):
    values = daily_seasonal(6000)
    spec = Smoothing(trend="add", seasonal="add", season=7)
    forecasts = one_step_all(values, 5000, spec)
    assert fitted_lengths and max(fitted_lengths) <= smoothing.FIT_TAIL
    assert all(length % 7 == 0 for length in fitted_lengths)
    # every position from the fitted part's start on gets a forecast, and the test part's
    # error is near the noise (variance 1)
    assert np.isfinite(forecasts[5000 - max(fitted_lengths) :]).all()
    assert np.mean((forecasts[5000:] - values[5000:]) ** 2) < 1.3


def test_a_short_series_is_fitted_whole(fitted_lengths):
    values = daily_seasonal(600)
    one_step_all(values, 500, Smoothing(trend="add", seasonal="add", season=7))
    assert fitted_lengths == [500]


def test_the_tail_fit_forecasts_as_well_as_the_whole_fit(monkeypatch):
    values = daily_seasonal(4000, seed=11)
    spec = Smoothing(trend="add", seasonal="add", season=7)
    tail = one_step_all(values, 3500, spec)
    monkeypatch.setattr(smoothing, "FIT_TAIL", 10**9)
    monkeypatch.setattr(base, "_fitted", type(base._fitted)())  # nothing remembered
    whole = one_step_all(values, 3500, spec)
    tail_error = np.mean((tail[3500:] - values[3500:]) ** 2)
    whole_error = np.mean((whole[3500:] - values[3500:]) ** 2)
    assert tail_error <= 1.05 * whole_error
