"""Search strategies as a registry: name -> (Optuna sampler, pruner) for a search space, so
every strategy shares one study runner, one storage and one set of charts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import optuna
from optuna.pruners import BasePruner, HyperbandPruner, NopPruner
from optuna.samplers import BaseSampler, GridSampler, RandomSampler, TPESampler

from core.adapters.optuna import grid_search_space, grid_size, set_system_attr
from core.errors import ConfigError
from core.tuning.gaussian_process import GaussianProcessSampler
from core.tuning.generator import GeneratorSampler
from core.tuning.space import SearchSpace
from core.tuning.trial_states import counts_toward_budget

GRID_POINTS = 3  # values per parameter on the grid (all of them where a range has fewer)


class SharedGridSampler(GridSampler):
    """Optuna's grid sampler without its study.stop() call after each trial (the runner's stop
    rules end the search; study.stop() only works inside study.optimize's own loop).

    Grid point i goes to trial number i (Optuna assigns numbers atomically in the storage), and
    the shuffle is seeded by the study's seed, so workers sharing a study never repeat a point.
    Points of interrupted trials are handed out again; two workers replacing interrupted trials
    at the same instant could both take one such point (never a point that finished).
    """

    def before_trial(self, study, trial) -> None:
        """Trials numbered past the grid's size replace interrupted ones: they take the lowest
        grid point no trial holds (Optuna's own choice counts interrupted points as done and
        would repeat a random finished one)."""
        size = grid_size(self)
        if trial.number < size or "grid_id" in trial.system_attrs:
            super().before_trial(study, trial)
            return
        held = {
            other.system_attrs.get("grid_id")
            for other in study.get_trials(deepcopy=False)
            if other.number != trial.number and counts_toward_budget(other)
        }
        free = [grid_id for grid_id in range(size) if grid_id not in held]
        if not free:
            super().before_trial(study, trial)
            return
        set_system_attr(study, trial, "search_space", grid_search_space(self))
        set_system_attr(study, trial, "grid_id", free[0])

    def after_trial(self, study, trial, state, values) -> None:
        return None


@dataclass(frozen=True)
class Strategy:
    """How one search strategy proposes trials and (optionally) prunes them."""

    label: str
    description: str
    make_sampler: Callable[[SearchSpace, int | None], BaseSampler]
    prunes: bool = False

    def make_pruner(self, max_epochs: int) -> BasePruner:
        if not self.prunes:
            return NopPruner()
        return HyperbandPruner(min_resource=1, max_resource=max(1, max_epochs), reduction_factor=3)


def _grid(space: SearchSpace, seed: int | None) -> BaseSampler:
    return SharedGridSampler(space.grid(GRID_POINTS), seed=seed)


def _random(space: SearchSpace, seed: int | None) -> BaseSampler:
    return RandomSampler(seed=seed)


def _bayes(space: SearchSpace, seed: int | None) -> BaseSampler:
    return GaussianProcessSampler(space, seed=seed)


def _tpe(space: SearchSpace, seed: int | None) -> BaseSampler:
    return TPESampler(seed=seed, n_startup_trials=5, multivariate=True, constant_liar=True)


def _generator(space: SearchSpace, seed: int | None) -> BaseSampler:
    return GeneratorSampler(space, seed=seed)


STRATEGIES: dict[str, Strategy] = {
    "grid": Strategy(
        "Grid",
        f"Every combination of {GRID_POINTS} evenly spread values per setting, in shuffled order.",
        _grid,
    ),
    "random": Strategy("Random", "Independent random draws over the whole space.", _random),
    "bayes": Strategy(
        "Bayesian (Gaussian process)",
        "Five random trials, then the point with the highest expected improvement under a "
        "Gaussian-process model of the objective.",
        _bayes,
    ),
    "tpe": Strategy(
        "Learn good and bad regions",
        "Bayesian search with a tree-structured Parzen estimator (TPE): models the settings of "
        "good and of bad trials separately and tries where good ones are likelier.",
        _tpe,
    ),
    "hyperband": Strategy(
        "Hyperband",
        "TPE proposals; weak trials are stopped early from their per-epoch validation loss.",
        _tpe,
        prunes=True,
    ),
    "generator": Strategy(
        "Generator (S&P 500 tuning paper)",
        "The S&P 500 tuning paper's tuner: a small network proposes all settings at once "
        "and learns from each trial's result.",
        _generator,
    ),
}


def get_strategy(name: str) -> Strategy:
    if name not in STRATEGIES:
        raise ConfigError(
            f"search strategy '{name}' is unknown; pick one of {', '.join(STRATEGIES)}."
        )
    return STRATEGIES[name]


def study_sampler(
    name: str, space: SearchSpace, seed: int | None, trials_so_far: int
) -> BaseSampler:
    """The sampler a worker starts or resumes a study with. The grid's order always follows
    `seed` (its points are shared through the storage); any other strategy's seed moves on by
    the trials already in the study, so a resumed or recycled worker does not replay the
    proposals of the first run."""
    if name != "grid" and seed is not None:
        seed += trials_so_far
    return get_strategy(name).make_sampler(space, seed)


def grid_limit(name: str, space: SearchSpace) -> int | None:
    """The grid's size for the grid strategy (the search ends there), else None."""
    return space.grid_size(GRID_POINTS) if name == "grid" else None


optuna.logging.set_verbosity(optuna.logging.ERROR)

__all__ = [
    "GRID_POINTS",
    "STRATEGIES",
    "SharedGridSampler",
    "Strategy",
    "get_strategy",
    "study_sampler",
]
