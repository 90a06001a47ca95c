"""The Bitcoin study's sweeps run as ordinary runs: the second time nothing is trained."""

from __future__ import annotations

import math

from core.config import ModelConfig, RunRequest, TrainConfig
from core.tuning.sweep import (
    SweepPlan,
    cached_outcome,
    layers_activation_grid,
    run_sweep,
    sweep_table,
    units_curve,
)
from tests.tuning.conftest import TINY_DATA, TINY_SPLIT


def tiny_plan(**changes) -> SweepPlan:
    base = RunRequest(
        data=TINY_DATA,
        split=TINY_SPLIT,
        model=ModelConfig(family="dense", units=4),
        train=TrainConfig(epochs=1, patience=0),
        horizon=5,
    )
    values = dict(
        base=base,
        families=("dense",),
        layers=(1,),
        activations=("tanh", "relu"),
        units=4,
        units_sweep=(4, 6),
    )
    values.update(changes)
    return SweepPlan(**values)


def test_sweep_trains_only_what_is_new():
    plan = tiny_plan()
    assert plan.size == 3
    first = run_sweep(plan)
    assert (first.trained, first.cached) == (3, 0)
    assert [point.stage for point in first.points] == [
        "architecture",
        "architecture",
        "units",
        "units",
    ]
    again = run_sweep(plan)
    assert (again.trained, again.cached) == (0, 3)
    table = sweep_table(again)
    assert len(table) == 4 and "naive" in set(table["family"])
    naive = table[table["family"] == "naive"].iloc[0]
    assert naive["vs_naive"] == 1.0 and naive["test_mae"] > 0
    models = table[table["family"] == "dense"]
    assert set(models["units"]) == {4, 6}
    assert all(math.isfinite(value) for value in models["test_mae_scaled"])
    grid = layers_activation_grid(again, "dense")
    assert list(grid.index) == [1] and set(grid.columns) == {"tanh", "relu"}
    # The heat map the page draws stars the run "Best by validation loss" names (it starred
    # the lowest test error, another cell, before).
    from core.charts import heatmap_best, heatmap_figure

    validation = layers_activation_grid(again, "dense", value="validation_mse")
    long = validation.reset_index().melt(id_vars="layers", value_name="validation_mse")
    chosen = again.best_for("dense", "architecture")
    assert heatmap_best(long, "activation", "layers", "validation_mse") == (
        chosen.activation,
        chosen.layers,
    )
    figure = heatmap_figure(long, "activation", "layers", "validation_mse")
    starred = [
        (figure.data[0].x[column], figure.data[0].y[row])
        for row, cells in enumerate(figure.data[0].text)
        for column, cell in enumerate(cells)
        if "★" in cell
    ]
    assert starred == [(chosen.activation, str(chosen.layers))]
    curve = units_curve(again)
    assert list(curve["units"]) == [4, 6]
    reloaded = cached_outcome(plan)
    assert len(reloaded.points) == 4 and reloaded.trained == 0
    bigger = run_sweep(tiny_plan(units_sweep=(4, 6, 8)))
    assert (bigger.trained, bigger.cached) == (1, 3)
