"""The generator and Gaussian-process samplers on cheap synthetic objectives (no training)."""

from __future__ import annotations

import pickle

import numpy as np
import optuna
import pytest

from core.tuning.gaussian_process import GaussianProcessSampler
from core.tuning.generator import INPUTS, GeneratorSampler
from core.tuning.space import tuning_paper_space
from core.tuning.strategies import STRATEGIES

SPACE = tuning_paper_space()


def bowl(trial: optuna.Trial) -> float:
    """Lowest at small units, learning rate 1e-3 and window 30; positive like an MSE."""
    params = SPACE.suggest(trial)
    position = SPACE.to_unit(params)
    target = SPACE.to_unit({**params, "learning_rate": 1e-3, "lookback": 30, "units": 2})
    return float(1e-4 + np.sum((position - target) ** 2))


def test_generator_proposes_in_bounds_and_learns():
    sampler = GeneratorSampler(SPACE, seed=3)
    probe = np.random.default_rng(0).normal(size=INPUTS)
    before, _ = sampler.net.forward(probe)
    study = optuna.create_study(sampler=sampler)
    study.optimize(bowl, n_trials=12)
    for trial in study.trials:
        assert SPACE.contains(trial.params)
        assert "generator" in trial.system_attrs
    after, _ = sampler.net.forward(probe)
    assert not np.allclose(before, after)  # feedback moved the net
    assert len(sampler.learned_trials) == 11  # every finished trial but the last was learned from


def test_generator_resumes_from_the_stored_history():
    study = optuna.create_study(sampler=GeneratorSampler(SPACE, seed=1))
    study.optimize(bowl, n_trials=5)
    fresh = GeneratorSampler(SPACE, seed=1)
    untouched = GeneratorSampler(SPACE, seed=1)
    fresh.learn(study)
    assert fresh.learned_trials == {0, 1, 2, 3, 4}
    probe = np.ones(INPUTS)
    assert not np.allclose(fresh.net.forward(probe)[0], untouched.net.forward(probe)[0])


def test_generator_is_picklable():
    sampler = GeneratorSampler(SPACE, seed=0)
    copy = pickle.loads(pickle.dumps(sampler))
    x = np.ones(INPUTS)
    assert np.allclose(copy.net.forward(x)[0], sampler.net.forward(x)[0])


def test_gaussian_process_sampler_beats_its_random_start():
    sampler = GaussianProcessSampler(SPACE, seed=0, startup_trials=5)
    study = optuna.create_study(sampler=sampler)
    study.optimize(bowl, n_trials=20)
    values = [trial.value for trial in study.trials]
    assert all(SPACE.contains(trial.params) for trial in study.trials)
    assert min(values[5:]) < min(values[:5])


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_every_strategy_proposes_inside_the_space_and_repeats_with_its_seed(name):
    strategy = STRATEGIES[name]

    def proposals(seed: int) -> list[dict]:
        sampler = strategy.make_sampler(SPACE, seed)
        study = optuna.create_study(sampler=sampler, pruner=strategy.make_pruner(10))
        study.optimize(bowl, n_trials=6)
        return [trial.params for trial in study.trials]

    first = proposals(0)
    assert all(SPACE.contains(params) for params in first)
    assert len({tuple(sorted(params.items())) for params in first}) == 6  # no point twice
    assert proposals(0) == first  # the seed decides every proposal
    pruner = strategy.make_pruner(10)
    assert isinstance(pruner, optuna.pruners.HyperbandPruner) == strategy.prunes
    assert strategy.prunes == (name == "hyperband")
