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


def test_gradient_tape_loop_reports_the_true_mean_loss(digits):
    import keras

    training.set_seed(1)
    autoencoder, _, _ = models.build_autoencoder(8)
    history = training.train_with_gradient_tape(
        autoencoder, digits, digits, loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.0),
        epochs=1, batch_size=100, validation_data=(digits, digits), verbose=0,
    )
    # With a zero learning rate nothing moves, so the epoch's loss equals the loss of the fixed model.
    expected = float(np.mean((autoencoder.predict(digits, verbose=0) - digits) ** 2))
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
