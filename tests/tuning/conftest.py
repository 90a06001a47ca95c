"""Tiny search settings shared by the tuning tests: 300 synthetic points, window 5, 4 units."""

from __future__ import annotations

import pytest

from core.config import DataConfig, ModelConfig, SplitConfig, TrainConfig
from core.tuning.space import Parameter, SearchSpace
from core.tuning.study import TuneConfig

TINY_DATA = DataConfig(length=300, seasonal_periods=(30.0,), seasonal_amplitudes=(5.0,))
TINY_SPLIT = SplitConfig(test_size=60, lookback=5)
TINY_SPACE = SearchSpace(
    name="tiny",
    parameters=(
        Parameter("units", "int", 2, 6),
        Parameter("learning_rate", "float", 1e-3, 1e-2, log=True),
        Parameter("lookback", "int", 3, 8),
    ),
)


def tiny_config(**changes) -> TuneConfig:
    """A search whose trials take a couple of seconds (Dense net, 1 epoch)."""
    config = TuneConfig(
        data=TINY_DATA,
        split=TINY_SPLIT,
        model=ModelConfig(family="dense", units=4),
        train=TrainConfig(epochs=1, patience=0, batch_size=32),
        space=TINY_SPACE,
        strategy="random",
        max_trials=2,
    )
    return config.replace(**changes)


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL server for the session; tests skip where it cannot start."""
    from tests.tuning.postgres_cluster import PostgresCluster, missing_reason

    reason = missing_reason()
    if reason is not None:
        pytest.skip(reason)
    cluster = PostgresCluster()
    try:
        cluster.start()
    except Exception:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()
