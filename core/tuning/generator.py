"""The tuning paper's "generator" tuner as an Optuna sampler: a small numpy feed-forward net
maps noise plus recent objective feedback to raw hyperparameters and learns from each
finished trial.

The paper only says the net is updated "from the observed MSE" with Adam at learning rate 0.1;
the MSE is not differentiable in the hyperparameters, so the update here is the standard
policy-gradient reading of that: proposals are the net's outputs plus exploration noise, and
after a trial the outputs move towards the noise that produced a better-than-usual objective
(and away from a worse one). Plain numpy, so the sampler is light and picklable.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState

from core.adapters.optuna import set_system_attr
from core.tuning.space import SearchSpace
from core.tuning.whole_space import WholeSpaceSampler

NOISE_INPUTS = 8
FEEDBACK_INPUTS = 3  # the last three objectives, as log10 z-scores against the history
INPUTS = NOISE_INPUTS + FEEDBACK_INPUTS  # the tuning paper's 11 input values
HIDDEN = (64, 128, 256)
RAW_OUTPUTS = 7  # the tuning paper's 7 raw values (one per hyperparameter; extras unused)
LEARNING_RATE = 0.1  # the tuning paper's Adam learning rate
EXPLORATION = 0.6  # standard deviation of the exploration noise on the raw outputs
GRADIENT_CLIP = 1.0
RAW_LIMIT = 3.0  # raw outputs are clipped to +-3 before the sigmoid (positions 0.05..0.95)
ATTR = "generator"  # trial system attr holding what the update needs (input, noise)


class FeedForwardNet:
    """Dense 11-64-128-256 ReLU -> linear outputs, with Adam; forward and backward in numpy."""

    def __init__(self, outputs: int, seed: int | None = None) -> None:
        rng = np.random.default_rng(seed)
        sizes = (INPUTS, *HIDDEN, outputs)
        self.weights = [
            rng.normal(0.0, math.sqrt(2.0 / fan_in), (fan_in, fan_out))
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        # Small last layer: the first proposals sit near the middle of the space.
        self.weights[-1] *= 0.1
        self.biases = [np.zeros(fan_out) for fan_out in sizes[1:]]
        self._moments = [
            [np.zeros_like(item) for item in self.weights + self.biases] for _ in range(2)
        ]
        self._steps = 0

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        activations = [x]
        hidden = x
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            hidden = hidden @ weight + bias
            if index < len(self.weights) - 1:
                hidden = np.maximum(hidden, 0.0)
            activations.append(hidden)
        return hidden, activations

    def step(self, x: np.ndarray, output_gradient: np.ndarray) -> None:
        """One Adam step given d(loss)/d(output) for the input x (gradient clipped by norm)."""
        _, activations = self.forward(x)
        weight_grads: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        bias_grads: list[np.ndarray] = [np.empty(0)] * len(self.biases)
        delta = output_gradient
        for index in range(len(self.weights) - 1, -1, -1):
            weight_grads[index] = np.outer(activations[index], delta)
            bias_grads[index] = delta
            if index > 0:
                delta = (delta @ self.weights[index].T) * (activations[index] > 0)
        gradients = weight_grads + bias_grads
        norm = math.sqrt(sum(float(np.sum(item**2)) for item in gradients))
        if norm > GRADIENT_CLIP:
            gradients = [item * (GRADIENT_CLIP / norm) for item in gradients]
        self._steps += 1
        beta1, beta2, epsilon = 0.9, 0.999, 1e-8
        parameters = self.weights + self.biases
        for position, (parameter, gradient) in enumerate(zip(parameters, gradients, strict=True)):
            first, second = self._moments[0][position], self._moments[1][position]
            first *= beta1
            first += (1 - beta1) * gradient
            second *= beta2
            second += (1 - beta2) * gradient**2
            corrected_first = first / (1 - beta1**self._steps)
            corrected_second = second / (1 - beta2**self._steps)
            parameter -= LEARNING_RATE * corrected_first / (np.sqrt(corrected_second) + epsilon)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -30, 30)))


class GeneratorSampler(WholeSpaceSampler):
    """Proposes every parameter of `space` at once from the generator net (sample_relative).

    Learning state is rebuilt from the study's finished trials (their inputs and noise are
    stored as trial system attrs), so a resumed study or a second worker learns from every
    trial, in trial order.
    """

    def __init__(self, space: SearchSpace, seed: int | None = None) -> None:
        super().__init__(space, seed)
        self._seed = seed
        self._net = FeedForwardNet(max(RAW_OUTPUTS, len(space.parameters)), seed)
        self._learned: set[int] = set()
        self._history: list[float] = []  # log10 objectives, in the order learned

    @property
    def net(self) -> FeedForwardNet:
        return self._net

    @property
    def learned_trials(self) -> frozenset[int]:
        """Numbers of the finished trials the net has learned from."""
        return frozenset(self._learned)

    def _feedback(self) -> np.ndarray:
        recent = self._history[-FEEDBACK_INPUTS:]
        if len(self._history) < 2:
            values = np.zeros(len(recent))
        else:
            history = np.asarray(self._history)
            spread = float(history.std()) or 1.0
            values = (np.asarray(recent) - float(history.mean())) / spread
        padded = np.zeros(FEEDBACK_INPUTS)
        if len(values):
            padded[-len(values) :] = values
        return padded

    def learn(self, study: optuna.Study) -> None:
        """Update the net from finished trials it has not learned from yet (in trial order)."""
        trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL))
        for trial in sorted(trials, key=lambda item: item.number):
            record = trial.system_attrs.get(ATTR)
            if trial.number in self._learned or record is None:
                continue
            self._learned.add(trial.number)
            if trial.state == TrialState.COMPLETE and trial.value is not None and trial.value > 0:
                objective = math.log10(trial.value)
            elif trial.state == TrialState.COMPLETE and trial.value is not None:
                objective = -12.0
            else:  # failed: treat as worse than anything seen
                objective = max(self._history, default=0.0) + 1.0
            if len(self._history) >= 1:
                history = np.asarray(self._history)
                spread = float(history.std()) if len(history) > 1 else 1.0
                advantage = (float(history.mean()) - objective) / (spread or 1.0)
                advantage = float(np.clip(advantage, -3.0, 3.0))
                noise = np.asarray(record["noise"])
                x = np.asarray(record["input"])
                # loss = -advantage * log N(noise | 0, sigma): d/d(output) = -advantage*noise/sigma
                self._net.step(x, -advantage * noise / EXPLORATION)
            self._history.append(objective)

    def propose(self) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
        """Draw one proposal: (params, net input, exploration noise)."""
        x = np.concatenate([self._rng.normal(size=NOISE_INPUTS), self._feedback()])
        raw, _ = self._net.forward(x)
        noise = self._rng.normal(0.0, EXPLORATION, size=raw.shape)
        # Clipping keeps the exploration noise able to move a saturated output back inward:
        # with Adam at 0.1 the raw outputs quickly grow far beyond the sigmoid's working range.
        positions = _sigmoid(np.clip(raw, -RAW_LIMIT, RAW_LIMIT) + noise)
        positions = positions[: len(self._space.parameters)]
        return self._space.from_unit(positions), x, noise

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial, search_space):
        if not search_space:
            return {}
        self.learn(study)
        params, x, noise = self.propose()
        set_system_attr(study, trial, ATTR, {"input": x.tolist(), "noise": noise.tolist()})
        return {name: value for name, value in params.items() if name in search_space}


__all__ = ["FeedForwardNet", "GeneratorSampler", "INPUTS", "RAW_OUTPUTS"]
