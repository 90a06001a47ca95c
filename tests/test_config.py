"""Configs: validation messages name the setting and the fix; run keys are stable content hashes."""

from __future__ import annotations

import pytest

from core.config import (
    DataConfig,
    ModelConfig,
    RunRequest,
    SplitConfig,
    TrainConfig,
    run_key,
)
from core.data.sources import SOURCE_REGISTRY, default_split_for
from core.errors import ConfigError


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: ModelConfig(units=0), "Units per layer (0) must be between 1 and 2048"),
        (lambda: ModelConfig(family="transformer"), "Network family 'transformer' is not one of"),
        (lambda: TrainConfig(learning_rate=5.0), "Learning rate (5.0)"),
        (lambda: TrainConfig(batch_size=0), "Batch size (0)"),
        (lambda: SplitConfig(scaling_margin=0.5), "Room above the training range (0.5)"),
        (lambda: DataConfig(seasonal_periods=(365.0,), seasonal_amplitudes=()), "one amplitude"),
        (lambda: DataConfig(source="csv"), "needs a file"),
        (lambda: RunRequest(horizon=-1), "forecast horizon (-1)"),
    ],
)
def test_absurd_settings_are_refused_with_the_fix(build, expected):
    with pytest.raises(ConfigError, match=None) as caught:
        build()
    assert expected in str(caught.value)


def test_round_trip_through_a_plain_dict():
    request = RunRequest(
        data=DataConfig(seasonal_periods=(30.0, 7.0), seasonal_amplitudes=(3.0, 1.0), seed=9),
        model=ModelConfig(family="gru", units=16),
        train=TrainConfig(max_seconds=12.5),
        horizon=14,
    )
    assert RunRequest.from_dict(request.to_dict()) == request


def test_run_key_depends_on_every_setting_and_the_data_but_not_the_horizon():
    base = RunRequest()
    key = run_key(base, "fingerprint")
    assert key == run_key(RunRequest(), "fingerprint")
    assert key == run_key(RunRequest(horizon=90), "fingerprint")
    assert key != run_key(base, "other data")
    assert key != run_key(RunRequest(model=ModelConfig(units=33)), "fingerprint")
    assert key != run_key(RunRequest(train=TrainConfig(seed=1)), "fingerprint")
    assert key != run_key(RunRequest(split=SplitConfig(lookback=31)), "fingerprint")


def test_study_presets():
    btc = SOURCE_REGISTRY["btc"].default_data()
    assert btc.start_date == "2020-10-28"
    split = default_split_for(btc)
    assert btc.end_date is None  # up to the newest price: the test part is the latest year
    assert (split.method, split.test_size, split.scaling_margin) == ("last_n", 365, 5.0)
    assert default_split_for(DataConfig()).test_size == 465
    assert default_split_for(SOURCE_REGISTRY["sp500"].default_data()).test_fraction == 0.2
