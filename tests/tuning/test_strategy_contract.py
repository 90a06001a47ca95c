"""What every search strategy promises, in Optuna's style (one contract, parametrised over the
registry; cheap objectives, no training): proposals stay inside each parameter's bounds and on
its steps (the grid on its grid values), the sampler survives pickling with its state, and a
study stopped after a few trials resumes to its total without repeating a point."""

from __future__ import annotations

import math
import pickle

import optuna
import pytest
from optuna.trial import TrialState

from core.tuning.space import Parameter, SearchSpace
from core.tuning.strategies import GRID_POINTS, STRATEGIES, study_sampler

NAMES = sorted(STRATEGIES)
# Every kind of parameter: int, int on a log scale, int with a step, float on a log scale,
# float with a step, numeric and named choices. The steps' middles fall between two steps
# (23 for 5..41 by 4, 0.25 for 0..0.5 by 0.1): a value that skips the rounding shows.
SPACE = SearchSpace(
    name="contract",
    parameters=(
        Parameter("hidden_layers", "int", 0, 3),
        Parameter("units", "int", 4, 64, log=True),
        Parameter("lookback", "int", 5, 41, step=4),
        Parameter("learning_rate", "float", 1e-4, 1e-2, log=True),
        Parameter("dropout_rate", "float", 0.0, 0.5, step=0.1),
        Parameter("batch_size", "categorical", choices=(16, 32, 64, 128)),
        Parameter("activation", "categorical", choices=("tanh", "relu")),
    ),
)
# A space whose grid is small enough to finish (3 x 3 = 9 points).
SMALL = SearchSpace(
    name="small",
    parameters=(
        Parameter("units", "int", 4, 8, step=2),
        Parameter("learning_rate", "float", 1e-4, 1e-2, log=True),
    ),
)
TRIALS = 10  # past the start-up trials of the Gaussian process and TPE (5 each)


def bowl(space: SearchSpace):
    """Lowest in the middle of the unit cube; positive like an MSE."""

    def objective(trial: optuna.Trial) -> float:
        position = space.to_unit(space.suggest(trial))
        return float(1e-3 + sum((value - 0.4) ** 2 for value in position))

    return objective


def searched(name: str, space: SearchSpace, trials: int, seed: int = 0) -> optuna.Study:
    strategy = STRATEGIES[name]
    study = optuna.create_study(
        sampler=study_sampler(name, space, seed, 0), pruner=strategy.make_pruner(10)
    )
    study.optimize(bowl(space), n_trials=trials)
    return study


def on_step(value: float, low: float, step: float) -> bool:
    count = (value - low) / step
    return math.isclose(count, round(count), abs_tol=1e-9)


def point(params: dict) -> tuple:
    return tuple(sorted(params.items()))


@pytest.mark.parametrize("name", NAMES)
def test_every_proposal_is_inside_its_parameters_bounds(name):
    study = searched(name, SPACE, TRIALS)
    assert [trial.state for trial in study.trials] == [TrialState.COMPLETE] * TRIALS
    for trial in study.trials:
        assert set(trial.params) == set(SPACE.names)
        for parameter in SPACE.parameters:
            value = trial.params[parameter.name]
            if parameter.kind == "categorical":
                assert value in parameter.choices, (parameter.name, value)
                continue
            assert parameter.low <= value <= parameter.high, (parameter.name, value)
            if parameter.kind == "int":
                assert isinstance(value, int), (parameter.name, value)


@pytest.mark.parametrize("name", NAMES)
def test_every_proposal_sits_on_its_steps_and_the_grid_on_its_values(name):
    study = searched(name, SPACE, TRIALS)
    for trial in study.trials:
        for parameter in SPACE.parameters:
            value = trial.params[parameter.name]
            if parameter.step is not None:
                assert on_step(value, parameter.low, parameter.step), (parameter.name, value)
            if name == "grid":
                assert value in parameter.grid_values(GRID_POINTS), (parameter.name, value)


@pytest.mark.parametrize("name", NAMES)
def test_a_pickled_sampler_proposes_what_the_original_would(name):
    study = searched(name, SPACE, 6)
    original = study.sampler
    copy = pickle.loads(pickle.dumps(original))
    twin = optuna.create_study(sampler=copy, pruner=STRATEGIES[name].make_pruner(10))
    twin.add_trials(study.trials)
    ahead = study.ask()
    mirrored = twin.ask()
    SPACE.suggest(ahead)
    SPACE.suggest(mirrored)
    assert mirrored.params == ahead.params


@pytest.mark.parametrize("name", NAMES)
def test_a_stopped_study_resumes_to_its_total_without_repeating_a_point(name):
    """Four trials, one interrupted (its worker killed: failed with no reason), then a new
    worker with a new sampler on the same storage runs on until the total is complete."""
    storage = optuna.storages.InMemoryStorage()
    total = SMALL.grid_size(GRID_POINTS)
    pruner = STRATEGIES[name].make_pruner(10)
    first = optuna.create_study(
        storage=storage, study_name="resumed", sampler=study_sampler(name, SMALL, 7, 0),
        pruner=pruner,
    )  # fmt: skip
    first.optimize(bowl(SMALL), n_trials=4)
    cut_off = first.ask()
    SMALL.suggest(cut_off)
    first.tell(cut_off, state=TrialState.FAIL)

    so_far = len(first.get_trials(deepcopy=False))
    resumed = optuna.load_study(
        study_name="resumed", storage=storage, sampler=study_sampler(name, SMALL, 7, so_far),
        pruner=pruner,
    )  # fmt: skip
    for _ in range(total):  # at most one more trial per missing point
        complete = resumed.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if len(complete) == total:
            break
        resumed.optimize(bowl(SMALL), n_trials=1)
    complete = resumed.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    points = [point(trial.params) for trial in complete]
    assert len(points) == total
    assert len(set(points)) == total, f"repeated: {sorted(points)}"
    if name == "grid":
        every = {
            point({"units": units, "learning_rate": rate})
            for units in SMALL["units"].grid_values(GRID_POINTS)
            for rate in SMALL["learning_rate"].grid_values(GRID_POINTS)
        }
        assert set(points) == every
