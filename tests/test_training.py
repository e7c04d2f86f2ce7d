import numpy as np
import pytest

from helpers import data, models, training


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    """512 real digits from the bundled sample, preprocessed: (512, 784) float32 in [0, 1]."""
    with np.load(data.MNIST_SAMPLE) as f:
        return data.preprocess(f["x_train"][:512])


def test_gradient_tape_loop_lowers_the_loss_and_has_fits_keys(digits):
    training.set_seed(0)
    autoencoder, _, _ = models.build_autoencoder(16)
    history = training.train_with_gradient_tape(
        autoencoder, digits, digits, loss="binary_crossentropy", optimizer="adam",
        epochs=4, batch_size=64, validation_data=(digits[:128], digits[:128]), verbose=0,
    )
    assert set(history) == {"loss", "val_loss"}
    assert len(history["loss"]) == len(history["val_loss"]) == 4
    assert history["loss"][-1] < history["loss"][0] - 0.05
    assert all(isinstance(v, float) for v in history["loss"])


@pytest.mark.parametrize("loop, n, batch_size", [
    ("train_with_gradient_tape", 512, 100),  # batches of 100 and a last one of 12
    ("train_epochs_in_graph", 300, 128),  # batches of 128, 128 and 44
])
def test_explicit_loops_report_the_true_mean_loss_over_a_short_last_batch(digits, loop, n, batch_size):
    import keras

    training.set_seed(1)
    autoencoder, _, _ = models.build_autoencoder(8)
    x = digits[:n]
    history = getattr(training, loop)(
        autoencoder, x, x, loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.0),
        epochs=1, batch_size=batch_size, validation_data=(x, x), verbose=0,
    )
    # With a zero learning rate nothing moves, so the epoch's loss equals the loss of the fixed model.
    expected = float(np.mean((autoencoder.predict(x, verbose=0) - x) ** 2))
    assert history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert history["val_loss"][0] == pytest.approx(expected, rel=1e-5)


def test_same_seed_same_history(digits):
    runs = []
    for _ in range(2):
        training.set_seed(3)
        autoencoder, _, _ = models.build_autoencoder(8)
        runs.append(training.train_with_gradient_tape(
            autoencoder, digits, digits, loss="binary_crossentropy", optimizer="adam",
            epochs=2, batch_size=128, seed=5, verbose=0))
    np.testing.assert_allclose(runs[0]["loss"], runs[1]["loss"], rtol=1e-5)


def test_fit_wrapper_returns_the_history_dict(digits):
    training.set_seed(0)
    autoencoder, _, _ = models.build_autoencoder(16)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    history = training.fit(autoencoder, digits, digits, epochs=3, batch_size=64,
                           validation_data=(digits[:64], digits[:64]), verbose=0)
    assert set(history) == {"loss", "val_loss"} and len(history["loss"]) == 3
    assert history["loss"][-1] < history["loss"][0]


def test_progress_bar_prints_epochs(digits, capsys):
    autoencoder, _, _ = models.build_autoencoder(4)
    training.train_with_gradient_tape(autoencoder, digits[:64], digits[:64], loss="mse", optimizer="adam",
                                      epochs=2, batch_size=32, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "loss" in out


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(epochs=0), "epochs must be a positive integer"),
        (dict(batch_size=2.5), "batch_size must be a positive integer"),
        (dict(y="short"), "must have the same number of examples|must be an array"),
        (dict(x="wrong-shape"), r"the model expects inputs of shape \(n, 784\).*preprocess"),
        (dict(validation_data=("only one",)), r"validation_data must be a pair"),
        (dict(verbose=3), "verbose must be 0, 1 or 2"),
        (dict(seed=-1), "seed must be a non-negative integer"),
        (dict(model="not a model"), "model must be a keras.Model"),
    ],
)
def test_gradient_tape_rejects(digits, kwargs, message):
    autoencoder, _, _ = models.build_autoencoder(4)
    arguments = dict(model=autoencoder, x=digits[:32], y=digits[:32], loss="mse", optimizer="adam", epochs=1)
    replacements = {"short": digits[:10], "wrong-shape": np.zeros((32, 28, 28), "float32")}
    arguments.update({k: replacements.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()})
    with pytest.raises(ValueError, match=message):
        training.train_with_gradient_tape(**arguments)


def test_fit_rejects_an_uncompiled_model(digits):
    autoencoder, _, _ = models.build_autoencoder(4)
    with pytest.raises(ValueError, match="not compiled"):
        training.fit(autoencoder, digits[:8], digits[:8], epochs=1)


def test_set_seed_rejects_bad_seeds():
    with pytest.raises(ValueError, match="non-negative integer"):
        training.set_seed(-5)


# --- the reusable tape trainer, the epoch-compiled loop and the matrix-product floor ---------------


def test_tape_trainer_reuses_its_compiled_step_and_matches_the_function(digits):
    import keras

    training.set_seed(2)
    autoencoder, _, _ = models.build_autoencoder(8)
    expected = training.train_with_gradient_tape(autoencoder, digits, digits, loss="binary_crossentropy",
                                                 optimizer="adam", epochs=2, batch_size=100, seed=4, verbose=0)
    training.set_seed(2)
    autoencoder, _, _ = models.build_autoencoder(8)
    trainer = training.GradientTapeTrainer(autoencoder, loss="binary_crossentropy",
                                           optimizer=keras.optimizers.Adam(), batch_size=100, seed=4)
    losses = [trainer.train_epoch(digits, digits)]
    traces = trainer._train_step.experimental_get_tracing_count()
    losses.append(trainer.train_epoch(digits, digits))
    np.testing.assert_allclose(losses, expected["loss"], rtol=1e-5)
    assert trainer._train_step.experimental_get_tracing_count() == traces  # the second epoch compiled nothing
    assert trainer.evaluate(digits, digits) < losses[0]


def test_epoch_compiled_loop_lowers_the_loss_and_has_fits_keys(digits):
    import keras

    training.set_seed(0)
    autoencoder, _, _ = models.build_autoencoder(16)
    history = training.train_epochs_in_graph(
        autoencoder, digits, digits, loss="binary_crossentropy", optimizer=keras.optimizers.Adam(),
        epochs=4, batch_size=100, validation_data=(digits[:128], digits[:128]), verbose=0,
    )
    assert set(history) == {"loss", "val_loss"}
    assert len(history["loss"]) == len(history["val_loss"]) == 4
    assert all(isinstance(v, float) for v in history["loss"] + history["val_loss"])
    assert history["loss"][-1] < history["loss"][0] - 0.05
    assert history["val_loss"][-1] < history["val_loss"][0]


def test_epoch_compiled_loop_does_fits_maths(digits):
    """With plain SGD and no shuffling effect (one full batch), one epoch equals one fit step exactly."""
    import keras

    weights = None
    results = []
    for run in ("fit", "graph"):
        training.set_seed(5)
        autoencoder, _, _ = models.build_autoencoder(8)
        if weights is None:
            weights = autoencoder.get_weights()
        autoencoder.set_weights(weights)
        optimizer = keras.optimizers.SGD(learning_rate=0.5)
        if run == "fit":
            autoencoder.compile(optimizer=optimizer, loss="binary_crossentropy")
            autoencoder.fit(digits, digits, epochs=2, batch_size=len(digits), shuffle=False, verbose=0)
        else:
            training.train_epochs_in_graph(autoencoder, digits, digits, loss="binary_crossentropy",
                                           optimizer=optimizer, epochs=2, batch_size=len(digits), verbose=0)
        results.append(autoencoder.get_weights())
    for fitted, in_graph in zip(*results):
        np.testing.assert_allclose(in_graph, fitted, rtol=1e-4, atol=1e-6)


def test_epoch_compiled_loop_same_seed_same_history_and_one_trace(digits):
    runs = []
    for _ in range(2):
        training.set_seed(3)
        autoencoder, _, _ = models.build_autoencoder(8)
        trainer = training.CompiledEpochTrainer(autoencoder, loss="binary_crossentropy", optimizer="adam",
                                                batch_size=128, seed=5)
        runs.append([trainer.train_epoch(digits, digits) for _ in range(3)])
        assert trainer._epoch.experimental_get_tracing_count() == 1
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-5)
    assert runs[0][-1] < runs[0][0]


def test_epoch_compiled_loop_with_xla_matches_it_without(digits):
    losses = {}
    for jit_compile in (False, True):
        training.set_seed(3)
        autoencoder, _, _ = models.build_autoencoder(8)
        trainer = training.CompiledEpochTrainer(autoencoder, loss="binary_crossentropy", optimizer="adam",
                                                batch_size=200, seed=5, jit_compile=jit_compile)
        losses[jit_compile] = [trainer.train_epoch(digits, digits) for _ in range(2)] + [
            trainer.evaluate(digits, digits)]
    np.testing.assert_allclose(losses[True], losses[False], rtol=1e-4)


def test_epoch_compiled_loop_stops_at_the_target(digits, capsys):
    training.set_seed(0)
    autoencoder, _, _ = models.build_autoencoder(16)
    history = training.train_epochs_in_graph(
        autoencoder, digits, digits, loss="binary_crossentropy", optimizer="adam", epochs=30, batch_size=64,
        validation_data=(digits[:128], digits[:128]), target_val_loss=0.3, verbose=1,
    )
    assert history["val_loss"][-1] <= 0.3 < min(history["val_loss"][:-1], default=1.0)
    assert len(history["loss"]) < 30
    out = capsys.readouterr().out
    assert f"Epoch {len(history['loss'])}/30" in out and "val_loss" in out


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(epochs=0), "epochs must be a positive integer"),
        (dict(batch_size=0), "batch_size must be a positive integer"),
        (dict(y="short"), "must have the same number of examples"),
        (dict(x="wrong-shape"), r"the model expects inputs of shape \(n, 784\).*preprocess"),
        (dict(validation_data=("only one",)), r"validation_data must be a pair"),
        (dict(verbose=3), "verbose must be 0, 1 or 2"),
        (dict(seed=1.5), "seed must be a non-negative integer"),
        (dict(target_val_loss=0.1), "target_val_loss needs validation_data"),
        (dict(jit_compile="yes"), "jit_compile must be True or False"),
        (dict(target_val_loss="low", validation_data="val"), "target_val_loss must be a number"),
        (dict(model="not a model"), "model must be a keras.Model"),
    ],
)
def test_epoch_compiled_loop_rejects(digits, kwargs, message):
    autoencoder, _, _ = models.build_autoencoder(4)
    arguments = dict(model=autoencoder, x=digits[:32], y=digits[:32], loss="mse", optimizer="adam", epochs=1)
    replacements = {"short": digits[:10], "wrong-shape": np.zeros((32, 28, 28), "float32"),
                    "val": (digits[:8], digits[:8])}
    arguments.update({k: replacements.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()})
    with pytest.raises(ValueError, match=message):
        training.train_epochs_in_graph(**arguments)


def test_trainers_reject_bad_settings():
    autoencoder, _, _ = models.build_autoencoder(4)
    for trainer in (training.GradientTapeTrainer, training.CompiledEpochTrainer):
        with pytest.raises(ValueError, match="batch_size must be a positive integer"):
            trainer(autoencoder, loss="mse", optimizer="adam", batch_size=0)
        with pytest.raises(ValueError, match="seed must be a non-negative integer"):
            trainer(autoencoder, loss="mse", optimizer="adam", seed=-1)
        with pytest.raises(ValueError, match="model must be a keras.Model"):
            trainer("model", loss="mse", optimizer="adam")


def test_matrix_product_floor_times_an_epoch_of_products():
    seconds = training.matrix_product_floor(1000, (784, 32, 784), batch_size=256, repeats=1)
    forward = training.matrix_product_floor(1000, (784, 32, 784), batch_size=256, backward=False, repeats=1)
    assert 0 < seconds < 5 and 0 < forward < 5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(widths=(784,)), "widths must list at least two"),
        (dict(widths=(784, 0)), "widths must list at least two"),
        (dict(n_examples=0), "n_examples must be a positive integer"),
        (dict(batch_size=-2), "batch_size must be a positive integer"),
        (dict(repeats=0), "repeats must be a positive integer"),
    ],
)
def test_matrix_product_floor_rejects(kwargs, message):
    arguments = dict(n_examples=100) | kwargs
    with pytest.raises(ValueError, match=message):
        training.matrix_product_floor(**arguments)
