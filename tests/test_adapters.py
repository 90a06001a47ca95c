"""core/adapters: each private part of another library the app relies on is still there and
still does what the app needs. A failure here means a library changed under the app: update the
adapter (and only it)."""

from __future__ import annotations

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


def test_streamlit_still_has_the_v1_pages_switch_the_router_turns_off():
    from streamlit.runtime.pages_manager import PagesManager  # pages/components/runtime.py

    assert isinstance(PagesManager.uses_pages_directory, bool | None)
