"""The objectives beyond reconstruction: their losses against direct NumPy computations, and that each trains."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import data, models, objectives, training, validation


@pytest.fixture(scope="module")
def labelled() -> tuple[np.ndarray, np.ndarray]:
    """400 real digits of the bundled sample and their labels: (400, 784) float32 in [0, 1], (400,)."""
    with np.load(data.MNIST_SAMPLE) as f:
        return data.preprocess(f["x_train"][:400]), f["y_train"][:400].astype("int32")


def numpy_nt_xent(first: np.ndarray, second: np.ndarray, temperature: float) -> float:
    """NT-Xent written out one anchor at a time (Chen et al. 2020, eq. 1), in float64."""
    z = np.concatenate([first, second]).astype(np.float64)
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    n2 = len(z)
    losses = []
    for i in range(n2):
        partner = (i + n2 // 2) % n2
        others = [k for k in range(n2) if k != i]
        logits = np.array([z[i] @ z[k] / temperature for k in others])
        losses.append(-(z[i] @ z[partner] / temperature) + np.log(np.sum(np.exp(logits))))
    return float(np.mean(losses))


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0])
def test_nt_xent_matches_a_direct_numpy_computation(temperature):
    rng = np.random.default_rng(0)
    first, second = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    got = float(objectives.nt_xent(tf.constant(first, tf.float32), tf.constant(second, tf.float32), temperature))
    assert got == pytest.approx(numpy_nt_xent(first, second, temperature), rel=1e-4)


def test_nt_xent_is_low_when_partners_agree_and_high_when_they_are_swapped():
    rng = np.random.default_rng(1)
    first = rng.normal(size=(8, 16)).astype("float32")
    aligned = float(objectives.nt_xent(first, first + 0.01, 0.1))
    shuffled = float(objectives.nt_xent(first, np.roll(first, 1, axis=0), 0.1))
    assert aligned < 0.1 < np.log(15) < shuffled


def test_patch_masks_hide_whole_patches_in_the_stated_share():
    generator = tf.random.Generator.from_seed(3)
    mask = objectives.patch_mask(5, patch=7, ratio=0.5, generator=generator).numpy()
    assert mask.shape == (5, 784) and set(np.unique(mask)) == {0.0, 1.0}
    patches = mask.reshape(5, 4, 7, 4, 7).transpose(0, 1, 3, 2, 4).reshape(5, 16, 49)
    assert np.all((patches.min(axis=2) == patches.max(axis=2)))  # each patch wholly hidden or wholly shown
    assert np.all(patches[:, :, 0].sum(axis=1) == 8)  # 50 % of 16 patches in every image
    assert not np.array_equal(patches[0, :, 0], patches[1, :, 0])  # a different mask for each image


def test_masked_reconstruction_counts_the_hidden_pixels_only(labelled):
    x = labelled[0][:4]
    objective = objectives.MaskedReconstruction(patch=7, ratio=0.25, seed=0)
    mask = objectives.patch_mask(4, patch=7, ratio=0.25, generator=tf.random.Generator.from_seed(1))
    autoencoder = models.build_autoencoder(16, seed=0)[0]
    got = float(objective.loss(autoencoder, tf.constant(x), mask, training=False))
    m = mask.numpy()
    p = np.clip(autoencoder.predict(x * (1 - m), verbose=0).astype(np.float64), 1e-7, 1 - 1e-7)
    bce = -(x * np.log(p) + (1 - x) * np.log(1 - p))
    assert got == pytest.approx(float((bce * m).sum() / m.sum()), rel=1e-4)
    # A change in a shown pixel of the *target* changes nothing; in a hidden one it does.
    shown, hidden = np.argmin(m[0]), np.argmax(m[0])
    for pixel, changes in ((shown, False), (hidden, True)):
        target = x.copy()
        target[0, pixel] = 1.0 - target[0, pixel]
        reconstruction = autoencoder.predict(x * (1 - m), verbose=0)  # the input the model sees is unchanged
        q = np.clip(reconstruction.astype(np.float64), 1e-7, 1 - 1e-7)
        value = float((-(target * np.log(q) + (1 - target) * np.log(1 - q)) * m).sum() / m.sum())
        assert (value != pytest.approx(got, rel=1e-6)) is changes


def test_the_masked_and_the_contrastive_objectives_train_through_the_engine(labelled):
    x = labelled[0]
    autoencoder = models.build_autoencoder(32, seed=0)[0]
    masked = training.train(autoencoder, x, loss=objectives.MaskedReconstruction(seed=0),
                            optimizer=keras.optimizers.Adam(3e-3), epochs=4, batch_size=100, verbose=0)
    assert masked["loss"][-1] < masked["loss"][0] - 0.05
    encoder = keras.Sequential([keras.Input((784,)), keras.layers.Reshape((28, 28, 1)),
                                *models.cnn_layers((8, 16)), keras.layers.Dense(16)])
    encoder = models.reinitialised(encoder, 0)
    contrastive = training.train(encoder, x, loss=objectives.Contrastive(seed=0),
                                 optimizer=keras.optimizers.Adam(3e-3), epochs=4, batch_size=100, verbose=0)
    assert contrastive["loss"][-1] < contrastive["loss"][0]


def test_the_joint_objectives_two_terms_each_fall_on_real_digits(labelled):
    x, y = labelled
    model = models.reinitialised(keras.Sequential([keras.Input((784,)), keras.layers.Dense(64, activation="relu"),
                                                   keras.layers.Dense(10, activation="softmax")]), 0)
    # threshold 0: every unlabelled image counts in L_u, so both terms are defined from the first step.
    objective = objectives.Joint(x[:50], y[:50], weight=1.0, threshold=0.0, labelled_batch=50, seed=0)
    unlabelled = tf.constant(x[50:])

    def terms() -> np.ndarray:  # averaged over 4 draws of the labelled batch and of the distortions
        return np.mean([[float(t) for t in objective.terms(model, unlabelled, False)] for _ in range(4)], axis=0)

    before = terms()
    training.train(model, x[50:], loss=objective, optimizer=keras.optimizers.Adam(3e-3), epochs=10, batch_size=70,
                   verbose=0)
    after = terms()
    assert after[0] < 0.7 * before[0], (before, after)  # J: the labelled images' cross-entropy
    assert after[1] < before[1], (before, after)  # L_u: the consistency loss on the unlabelled images


@pytest.mark.parametrize("make, error", [
    (lambda: objectives.MaskedReconstruction(patch=5), validation.ArgumentValueError),
    (lambda: objectives.MaskedReconstruction(ratio=1.5), validation.ArgumentValueError),
    (lambda: objectives.Contrastive(temperature=0), validation.ArgumentValueError),
    (lambda: objectives.Joint(np.zeros((3, 784)), [0, 1], seed=0), validation.ArgumentValueError),
    (lambda: objectives.Joint(np.zeros((2, 784)), [0, 1], weight="1"), validation.ArgumentTypeError),
    (lambda: objectives.augmenter(shift=2.0, rotation=0.0, seed=0), validation.ArgumentValueError),
])
def test_bad_settings_are_refused_before_any_work(make, error):
    with pytest.raises(error):
        make()
