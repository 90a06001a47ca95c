"""Bayesian optimisation as a light Optuna sampler: a Gaussian process (Matern 5/2, one length
scale per parameter) on the unit cube of the search space and expected improvement.

Optuna's own GPSampler needs PyTorch, which this app does not install (it would add gigabytes
for one sampler); numpy + scipy do the same job at these sizes (tens of trials, < 10 params).
"""

from __future__ import annotations

import math

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import minimize
from scipy.special import ndtr

from core.tuning.space import SearchSpace
from core.tuning.whole_space import WholeSpaceSampler

STARTUP_TRIALS = 5
CANDIDATES = 2048


def _matern52(a: np.ndarray, b: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    distance = np.sqrt(
        np.maximum(((a[:, None, :] - b[None, :, :]) / lengths) ** 2, 0.0).sum(axis=-1)
    )
    scaled = math.sqrt(5.0) * distance
    return (1.0 + scaled + scaled**2 / 3.0) * np.exp(-scaled)


class GaussianProcess:
    """GP regression with hyperparameters fitted by maximising the marginal likelihood."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = x
        self.mean = float(y.mean())
        self.scale = float(y.std()) or 1.0
        self.y = (y - self.mean) / self.scale
        self.log_lengths, self.log_noise = self._fit()
        self._factor = cho_factor(self._kernel_matrix(self.log_lengths, self.log_noise))
        self._alpha = cho_solve(self._factor, self.y)

    def _kernel_matrix(self, log_lengths: np.ndarray, log_noise: float) -> np.ndarray:
        kernel = _matern52(self.x, self.x, np.exp(log_lengths))
        return kernel + (math.exp(log_noise) + 1e-8) * np.eye(len(self.x))

    def _negative_log_likelihood(self, packed: np.ndarray) -> float:
        log_lengths, log_noise = packed[:-1], packed[-1]
        try:
            factor = cho_factor(self._kernel_matrix(log_lengths, log_noise))
        except np.linalg.LinAlgError:
            return 1e10
        alpha = cho_solve(factor, self.y)
        log_determinant = 2.0 * np.sum(np.log(np.diag(factor[0])))
        # Weak prior keeping length scales near the cube's size (few points, many dims).
        prior = 0.5 * np.sum((log_lengths - math.log(0.5)) ** 2)
        return float(0.5 * self.y @ alpha + 0.5 * log_determinant + prior)

    def _fit(self) -> tuple[np.ndarray, float]:
        dimensions = self.x.shape[1]
        start = np.concatenate([np.full(dimensions, math.log(0.5)), [math.log(0.01)]])
        bounds = [(math.log(0.02), math.log(20.0))] * dimensions + [(math.log(1e-6), 0.0)]
        result = minimize(self._negative_log_likelihood, start, method="L-BFGS-B", bounds=bounds)
        packed = result.x if np.all(np.isfinite(result.x)) else start
        return packed[:-1], float(packed[-1])

    def predict(self, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cross = _matern52(candidates, self.x, np.exp(self.log_lengths))
        mean = cross @ self._alpha
        solved = cho_solve(self._factor, cross.T)
        variance = np.maximum(1.0 - np.sum(cross * solved.T, axis=1), 1e-12)
        return mean, np.sqrt(variance)


def expected_improvement(mean: np.ndarray, deviation: np.ndarray, best: float) -> np.ndarray:
    """EI for minimisation."""
    gap = best - mean
    z = gap / deviation
    density = np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)
    return gap * ndtr(z) + deviation * density


class GaussianProcessSampler(WholeSpaceSampler):
    """Random for the first trials, then the candidate with the highest expected improvement.

    The objective is modelled on a log scale when it is positive (MSE spans decades). Running
    trials of other workers are added at the current best value ("constant liar") so parallel
    workers do not all propose the same point.
    """

    def __init__(
        self, space: SearchSpace, seed: int | None = None, startup_trials: int = STARTUP_TRIALS
    ) -> None:
        super().__init__(space, seed)
        self._startup_trials = startup_trials

    def _observations(self, study: optuna.Study) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        names = self._space.names
        done, pending = [], []
        for item in study.get_trials(deepcopy=False):
            if not all(name in item.params for name in names):
                continue
            if item.state == TrialState.COMPLETE and item.value is not None:
                done.append(item)
            elif item.state == TrialState.RUNNING:
                pending.append(item)
        x = np.array([self._space.to_unit(item.params) for item in done]).reshape(-1, len(names))
        values = np.array([item.value for item in done], dtype=float)
        x_pending = np.array([self._space.to_unit(item.params) for item in pending]).reshape(
            -1, len(names)
        )
        return x, values, x_pending

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial, search_space):
        if not search_space:
            return {}
        x, values, x_pending = self._observations(study)
        if len(values) < self._startup_trials:
            return {}  # independent (random) sampling for the start-up trials
        y = np.log(values) if np.all(values > 0) else values.copy()
        if len(x_pending):
            x = np.vstack([x, x_pending])
            y = np.concatenate([y, np.full(len(x_pending), y.min())])
        process = GaussianProcess(x, y)
        best_index = int(np.argmin(process.y))
        dimensions = x.shape[1]
        local = x[best_index] + self._rng.normal(0.0, 0.05, (CANDIDATES // 4, dimensions))
        candidates = np.clip(
            np.vstack([self._rng.random((CANDIDATES, dimensions)), local]), 0.0, 1.0
        )
        mean, deviation = process.predict(candidates)
        scores = expected_improvement(mean, deviation, float(process.y.min()))
        chosen = candidates[int(np.argmax(scores))]
        params = self._space.from_unit(chosen)
        return {name: value for name, value in params.items() if name in search_space}


__all__ = ["GaussianProcess", "GaussianProcessSampler", "expected_improvement"]
