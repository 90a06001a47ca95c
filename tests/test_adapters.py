"""core/adapters: each private part of another library the app relies on is still there and
still does what the app needs. A failure here means a library changed under the app: update the
adapter (and only it)."""

from __future__ import annotations

import os
import subprocess
import sys

import optuna

from core.adapters import optuna as optuna_adapter
from core.adapters import tensorflow as tensorflow_adapter

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_optuna_trial_records_are_reached_by_storage_id():
    study = optuna.create_study()
    trial = study.ask()
    stored_id = optuna_adapter.trial_id(trial)
    assert isinstance(stored_id, int)
    optuna_adapter.set_system_attr(study, trial, "grid_id", 3)
    assert study.get_trials(deepcopy=False)[0].system_attrs["grid_id"] == 3
    optuna_adapter.reopen_trial(study, stored_id).set_user_attr("trained_by", 7)
    assert optuna_adapter.stored_user_attrs(trial) == {"trained_by": 7}
    optuna_adapter.mark_failed(study, study.get_trials(deepcopy=False)[0])
    assert study.get_trials(deepcopy=False)[0].state == optuna.trial.TrialState.FAIL


def test_optuna_grid_sampler_exposes_its_grid():
    space = {"units": [4, 8], "layers": [1, 2, 3]}
    sampler = optuna.samplers.GridSampler(space, seed=0)
    assert optuna_adapter.grid_size(sampler) == 6
    assert optuna_adapter.grid_search_space(sampler) == {"layers": [1, 2, 3], "units": [4, 8]}


def test_tensorflow_keeps_traced_custom_gradients_in_the_registry_we_empty():
    import tensorflow as tf

    @tf.custom_gradient
    def doubled(value):
        return 2 * value, lambda upstream: 2 * upstream

    @tf.function
    def gradient(value):
        with tf.GradientTape() as tape:
            tape.watch(value)
            output = doubled(value)
        return tape.gradient(output, value)

    assert float(gradient(tf.constant(1.0))) == 2.0
    registry = tensorflow_adapter.gradient_registry()
    assert registry is not None, "TensorFlow's gradient registry moved"
    assert any(name.startswith(tensorflow_adapter.CUSTOM_GRADIENT_PREFIX) for name in registry)
    assert tensorflow_adapter.forget_custom_gradients() >= 1
    assert not any(name.startswith(tensorflow_adapter.CUSTOM_GRADIENT_PREFIX) for name in registry)


THREADS_AFTER_AN_OP = """
import os
import tensorflow as tf
tf.linalg.matmul(tf.ones((300, 300)), tf.ones((300, 300))).numpy()
print(len(os.listdir("/proc/self/task")))
"""


def test_tensorflow_makes_its_op_thread_pool_as_the_environment_says():
    # The Dask workers set the pool's size this way (core.runs.preload), never by a call that a
    # task's earlier op would make too late.
    def threads(intra_op_threads: int) -> int:
        environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        environment.update(tensorflow_adapter.thread_environment(intra_op_threads))
        finished = subprocess.run(
            [sys.executable, "-c", THREADS_AFTER_AN_OP],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return int(finished.stdout.split()[-1])

    assert threads(4) - threads(1) == 3


def test_streamlit_still_has_the_v1_pages_switch_the_router_turns_off():
    from streamlit.runtime.pages_manager import PagesManager  # pages/components/runtime.py

    assert isinstance(PagesManager.uses_pages_directory, bool | None)
