"""Search spaces: sampling within bounds, grids, JSON round trip, the tuning paper's preset."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.config import ModelConfig, SplitConfig, TrainConfig
from core.errors import ConfigError
from core.tuning.space import (
    Parameter,
    SearchSpace,
    default_space,
    load_space,
    powers_of_two,
    tuning_paper_space,
)
from core.tuning.study import tuning_paper_config


@pytest.mark.parametrize(
    "space", [default_space(), tuning_paper_space()], ids=["default", "study-b"]
)
def test_samples_stay_within_bounds(space):
    rng = np.random.default_rng(0)
    for _ in range(500):
        params = space.sample(rng)
        assert space.contains(params)
        for parameter in space.parameters:
            value = params[parameter.name]
            if parameter.kind == "categorical":
                assert value in parameter.choices
            else:
                assert parameter.low <= value <= parameter.high
            if parameter.kind == "int":
                assert isinstance(value, int)


def test_unit_mapping_reaches_both_ends_and_round_trips():
    space = tuning_paper_space()
    low = space.from_unit(np.zeros(len(space.parameters)))
    high = space.from_unit(np.ones(len(space.parameters)))
    assert low == {
        "hidden_layers": 0,
        "units": 1,
        "learning_rate": pytest.approx(1e-5),
        "batch_size": 16,
        "dropout_rate": pytest.approx(0.1),
        "lookback": 1,
    }
    assert high["batch_size"] == 2048 and high["lookback"] == 250
    assert high["learning_rate"] == pytest.approx(0.1)
    middle = space.from_unit(np.full(len(space.parameters), 0.5))
    assert space.from_unit(space.to_unit(middle)) == middle


def test_tuning_paper_preset_matches_the_paper():
    space = tuning_paper_space()
    assert space["units"].low == 1 and space["units"].high == 10
    assert space["hidden_layers"].low == 0 and space["hidden_layers"].high == 9  # layers 1..10
    assert space["learning_rate"].log and space["learning_rate"].low == 1e-5
    assert space["learning_rate"].high == 0.1
    assert space["batch_size"].choices == (16, 32, 64, 128, 256, 512, 1024, 2048)
    assert space["dropout_rate"].step == 0.1
    assert (space["dropout_rate"].low, space["dropout_rate"].high) == (0.1, 0.9)
    assert (space["lookback"].low, space["lookback"].high) == (1, 250)
    config = tuning_paper_config("bayes", csv_path="prices.csv")
    assert config.split.scaling_scope == "full_series" and config.split.leaks
    assert config.split.method == "fraction" and config.split.test_fraction == 0.2
    assert config.train.epochs == 10 and config.objective == "test_mse"
    assert config.data.end_date == "2024-10-31" and config.data.source == "csv"
    assert tuning_paper_config().data.source == "sp500"


def test_json_round_trip_and_files(tmp_path):
    space = default_space()
    again = SearchSpace.from_json(space.to_json())
    assert again == space
    path = tmp_path / "space.json"
    path.write_text(tuning_paper_space().to_json())
    assert load_space(str(path)) == tuning_paper_space()
    assert load_space("study-b") == tuning_paper_space()


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("{not json", "not valid JSON"),
        ('{"parameters": []}', "empty"),
        ('{"parameters": [{"name": "colour", "kind": "int", "low": 1, "high": 2}]}', "tunable"),
        ('{"parameters": [{"name": "units", "kind": "int", "low": 9, "high": 2}]}', "exceed"),
        ('{"parameters": [{"name": "activation", "kind": "categorical", "choices": ["x"]}]}', "x"),
        (
            '{"parameters": [{"name": "learning_rate", "kind": "float", "low": 0, "high": 1, '
            '"log": true}]}',
            "above 0",
        ),
    ],
)
def test_bad_spaces_say_what_is_wrong(text, fragment):
    with pytest.raises(ConfigError, match=fragment):
        SearchSpace.from_json(text)


def test_missing_space_file_is_a_config_error():
    with pytest.raises(ConfigError, match="neither a preset"):
        load_space("/no/such/space.json")


def test_grid_values_and_size():
    space = SearchSpace(
        parameters=(
            Parameter("hidden_layers", "int", 0, 1),
            Parameter("learning_rate", "float", 1e-4, 1e-2, log=True),
            Parameter("batch_size", "categorical", choices=powers_of_two(16, 2048)),
        )
    )
    grid = space.grid(3)
    assert grid["hidden_layers"] == [0, 1]
    assert grid["learning_rate"] == pytest.approx([1e-4, 1e-3, 1e-2])
    assert grid["batch_size"] == [16, 256, 2048]
    assert space.grid_size(3) == 18


def test_apply_puts_values_into_the_configs():
    params = {"units": 7, "learning_rate": 0.01, "lookback": 12, "batch_size": 64}
    model, train, split = default_space().apply(params, ModelConfig(), TrainConfig(), SplitConfig())
    assert model.units == 7 and train.learning_rate == 0.01 and train.batch_size == 64
    assert split.lookback == 12
    assert json.loads(default_space().to_json())["name"] == "default"
