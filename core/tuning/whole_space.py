"""The part the Gaussian-process and generator samplers share: they propose every parameter of
the search space at once (sample_relative) from a seeded numpy generator, and leave anything
else (start-up trials, a parameter outside the space) to Optuna's random sampler."""

from __future__ import annotations

import numpy as np
import optuna
from optuna.samplers import BaseSampler, RandomSampler
from optuna.trial import FrozenTrial

from core.tuning.space import SearchSpace


class WholeSpaceSampler(BaseSampler):
    """A sampler whose relative search space is the whole of `space`; subclasses implement
    sample_relative with self._rng."""

    def __init__(self, space: SearchSpace, seed: int | None = None) -> None:
        self._space = space
        self._rng = np.random.default_rng(seed)
        self._fallback = RandomSampler(seed=seed)

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial):
        return self._space.distributions()

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self._fallback.sample_independent(study, trial, param_name, param_distribution)

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._fallback.reseed_rng()


__all__ = ["WholeSpaceSampler"]
