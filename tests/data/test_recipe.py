"""The recipe chosen from the data: batch size and epochs from the windows and a step budget,
the log scale for a swing that grows with the level, and errors of a log-scale run reported in
the series' own units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.config import DataConfig, ModelConfig, RunRequest, SplitConfig, TrainConfig
from core.data.prepare import prepare
from core.data.recipe import BUDGET_MAX_EPOCHS, recipe_for, training_choices
from core.data.series import Series
from core.data.sources import load_series
from core.data.synthetic import generate_series
from core.data.upload import import_file
from core.errors import ConfigError

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def real(name: str) -> DataConfig:
    return DataConfig(source="csv", csv_path=import_file(REAL / name))


def test_a_100_window_monthly_series_gets_small_batches_and_more_epochs_than_the_default():
    steps = np.arange(150)
    values = 100 + steps + 10 * np.sin(2 * np.pi * steps / 12)
    dates = pd.date_range("2000-01-31", periods=150, freq="ME")
    monthly = prepare(
        Series(dates=dates, values=values, name="m", source="csv"),
        SplitConfig(test_size=38, lookback=12),
    )
    assert len(monthly.x_train) == 100
    default = prepare(generate_series(DataConfig()), SplitConfig())
    small = recipe_for(monthly, monthly.split, TrainConfig())
    large = recipe_for(default, default.split, TrainConfig())
    assert large["batch_size"].value == 128 and large["epochs"].value == 30  # as before
    assert small["batch_size"].value == 16 and small["epochs"].value > 60
    # The budget's steps are batches of 128 windows: every series sees about as many windows
    # (a batch of 32 takes 4 steps for one), a tiny one at most BUDGET_MAX_EPOCHS passes.
    budget = TrainConfig().budget_steps
    batch, epochs = training_choices(TrainConfig(), 400)
    assert batch.value == 32
    for windows, batch_size, epochs_run in (
        (1854, 128, large["epochs"].value),
        (400, 32, epochs.value),
    ):
        steps_run = epochs_run * (windows // batch_size)
        assert budget * 128 <= steps_run * batch_size < budget * 128 * 1.2
    assert epochs.value * (400 // 32) >= 4 * budget  # more, cheaper steps
    assert small["epochs"].value == BUDGET_MAX_EPOCHS  # 90 windows: 3,360 steps would be 672
    assert f"at most {BUDGET_MAX_EPOCHS} epochs" in small["epochs"].reason
    assert small["season"].value == 12 and large["season"].value == 7
    # one control each: set by hand, used as set
    manual = recipe_for(monthly, monthly.split, TrainConfig(auto_batch=False, budget_steps=0))
    assert manual["batch_size"].value == 90 and manual["epochs"].value == 30  # 128 > windows
    assert not manual["epochs"].from_data and small["epochs"].from_data
    given = recipe_for(monthly, monthly.split, TrainConfig(epochs=2, batch_size=32))
    assert (given["epochs"].value, given["batch_size"].value) == (2, 32)  # set by hand: kept


def test_the_log_scale_is_chosen_for_air_passengers_and_not_for_the_nile():
    air = load_series(real("air_passengers_monthly.csv"))
    nile = load_series(real("nile_yearly.csv"))
    split = SplitConfig(method="fraction", lookback=12)
    air_prepared, nile_prepared = prepare(air, split), prepare(nile, split.replace(lookback=5))
    assert air_prepared.scaler.log and not nile_prepared.scaler.log
    air_choice = recipe_for(air_prepared, split, TrainConfig())["log_scale"]
    assert air_choice.value and "grows with the level" in air_choice.reason
    assert not recipe_for(nile_prepared, split, TrainConfig())["log_scale"].value
    assert not prepare(air, split.replace(log_scale="original")).scaler.log
    sunspots = load_series(real("sunspots_yearly.csv"))  # has years with no sunspot at all
    with pytest.raises(ConfigError, match="log scale needs values above zero"):
        prepare(sunspots, split.replace(lookback=5, log_scale="log"))


def test_a_log_scale_run_reports_its_errors_in_the_series_own_units(tmp_path):
    from core.evaluation.forecast import predict_next
    from core.runs.pipeline import load_prepared, run_experiment
    from core.runs.store import RunStore, load_model

    request = RunRequest(
        data=real("air_passengers_monthly.csv"),
        split=SplitConfig(method="fraction", lookback=12),
        model=ModelConfig(units=4),
        train=TrainConfig(budget_steps=6),
        horizon=3,
    )
    result = run_experiment(request, store=RunStore(tmp_path / "runs"))
    assert result.scaler["log"]
    prepared = load_prepared(request)
    scaled = np.asarray(predict_next(load_model(result.model_path), prepared.x_test), float)
    # by hand: undo the min-max scaling, then the log
    passengers = np.exp(scaled.reshape(-1) * result.scaler["span"] + result.scaler["offset"])
    actual = pd.read_csv(REAL / "air_passengers_monthly.csv").iloc[:, 1].to_numpy(float)
    actual = actual[-len(passengers) :]
    assert result.metrics.test.mse == pytest.approx(np.mean((passengers - actual) ** 2), rel=1e-5)
    assert result.metrics.test.mae == pytest.approx(np.mean(np.abs(passengers - actual)), rel=1e-5)
    test_rows = result.predictions[result.predictions["part"] == "test"]
    np.testing.assert_allclose(test_rows["actual"], actual)
    assert (result.forecast["forecast"] > 300).all()  # passengers, not log units


def test_a_season_set_by_hand_reaches_the_recipe_the_seasonal_baselines_and_the_run_key():
    from core.__main__ import build_parser, request_from_args
    from core.config import run_key
    from core.models.forecasters import FORECASTERS

    steps = np.arange(240)
    values = 100 + 0.2 * steps + 10 * np.sin(2 * np.pi * steps / 12)
    series = Series(
        dates=pd.date_range("2000-01-31", periods=240, freq="ME"),
        values=values,
        name="m",
        source="csv",
    )
    auto = prepare(series, SplitConfig(test_size=40, lookback=13))
    by_hand = prepare(series, SplitConfig(test_size=40, lookback=13, season=6))
    assert recipe_for(auto, auto.split, TrainConfig())["season"].value == 12
    chosen = recipe_for(by_hand, by_hand.split, TrainConfig())["season"]
    assert (chosen.value, chosen.from_data) == (6, False)
    assert FORECASTERS["seasonal_naive"]().fit(auto).season == 12
    assert FORECASTERS["seasonal_naive"]().fit(by_hand).season == 6
    assert {spec.season for spec in FORECASTERS["holt_winters"]().candidates(by_hand, 150)} == {6}
    # the command line's flag, and a different run key (0 = auto keeps the keys it had)
    parsed = request_from_args(build_parser().parse_args(["train", "--season", "6"]))
    assert parsed.split.season == 6
    request = RunRequest()
    assert run_key(request.replace(split=request.split.replace(season=6)), "x") != run_key(
        request, "x"
    )
    with pytest.raises(ConfigError, match="season .150 steps. must fit twice"):
        prepare(series, SplitConfig(test_size=40, lookback=13, season=150))
