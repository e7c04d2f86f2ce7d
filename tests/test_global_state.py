"""No helper changes a global random state (or TensorFlow's logging) as a side effect: seeds go in as arguments."""

from __future__ import annotations

import logging
import random

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import data, finetuning, models, splits, training
from helpers.checks.notebook06 import _encoders_to_count


def global_states() -> dict:
    """Every random state a helper could touch by accident, and TensorFlow's logger level."""
    from keras.src.random.seed_generator import global_seed_generator

    keras_state = keras.ops.convert_to_numpy(global_seed_generator().state).tolist()  # first: creating it draws
    return {"python": random.getstate(), "numpy": np.random.get_state()[1].tolist(), "keras": keras_state,
            "tensorflow logger": tf.get_logger().level, "python logger": logging.getLogger("tensorflow").level}


@pytest.fixture(scope="module")
def small():
    with np.load(data.MNIST_SAMPLE) as f:
        x, y = data.preprocess(f["x_train"][:400]), f["y_train"][:400]
    return x, y


CALLS = {
    "build_autoencoder(seed=)": lambda x, y: models.build_autoencoder(8, noise=0.2, seed=1),
    "build_deep_autoencoder(seed=)": lambda x, y: models.build_deep_autoencoder((16,), 4, seed=1),
    "fresh_weights": lambda x, y: models.fresh_weights(models.build_deep_autoencoder((16,), 4, seed=1)[2], 3),
    "train": lambda x, y: training.train(models.build_autoencoder(8, seed=1)[0], x, x, loss="mse",
                                         optimizer="adam", epochs=1, verbose=0),
    "Trainer.train_steps": lambda x, y: training.Trainer(
        models.build_autoencoder(8, seed=1)[0], loss="mse", optimizer="adam").train_steps(x, x, steps=3, seed=2),
    "adapt, every regime": lambda x, y: [finetuning.adapt(
        encoder, regime, x[:30], y[:30], statistics=finetuning.code_statistics(encoder, x), seed=0,
        schedule=finetuning.Schedule(scratch_steps=2, probe_steps=2, finetune_steps=2))
        for encoder in [models.build_deep_autoencoder((16,), 4, seed=1)[2]] for regime in finetuning.REGIMES],
    "run_grid": lambda x, y: finetuning.run_grid(
        {"ae": {0: models.build_autoencoder(8, seed=1)[1], 1: models.build_autoencoder(8, seed=2)[1]}},
        splits.Splits("mnist", x[:300], y[:300], x[300:350], y[300:350], x[350:], y[350:], np.arange(50)),
        budgets=[1], seeds=[0, 1], schedule=finetuning.Schedule(scratch_steps=2, probe_steps=2, finetune_steps=2),
        progress=None),
    "a check's models": lambda x, y: _encoders_to_count(),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_helpers_leave_the_global_random_state_alone(small, call):
    x, y = small
    keras.utils.set_random_seed(123)
    before = global_states()
    call(x, y)
    assert global_states() == before


def test_the_check_itself_can_fail(small):
    """An unseeded Keras layer draws from the global generator: the comparison above sees that."""
    keras.utils.set_random_seed(123)
    before = global_states()
    keras.layers.Dense(3).build((None, 4))
    assert global_states() != before
