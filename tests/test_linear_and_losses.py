import keras
import numpy as np
import pytest

from helpers import data, linear, losses, validation


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    with np.load(data.MNIST_SAMPLE) as f:
        return data.preprocess(f["x_train"][:1000])


def test_pca_shapes_and_orthonormal_directions(digits):
    pca = linear.fit_pca(digits, 20)
    assert pca.code_size == 20 and pca.components.shape == (20, 784)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(20), atol=1e-8)
    assert np.all(np.diff(pca.explained_variance) <= 0)
    assert pca.encode(digits[:5]).shape == (5, 20) and pca.encode(digits[:5]).dtype == np.float32
    assert pca.decode(pca.encode(digits[:5])).shape == (5, 784)


def test_more_components_reconstruct_better_and_all_of_them_exactly(digits):
    pca = linear.fit_pca(digits, 784)
    errors = [losses.mean_squared_error(digits, pca.truncate(k).reconstruct(digits)) for k in (2, 8, 32, 128)]
    assert errors == sorted(errors, reverse=True) and errors[0] > 2 * errors[-1]
    assert losses.mean_squared_error(digits, pca.reconstruct(digits)) < 1e-10


def test_pca_error_equals_the_discarded_variance(digits):
    full = linear.fit_pca(digits, 784)
    k = 10
    error = losses.mean_squared_error(digits, full.truncate(k).reconstruct(digits)) * 784
    discarded = full.explained_variance[k:].sum() * (len(digits) - 1) / len(digits)
    assert error == pytest.approx(discarded, rel=1e-6)


def test_pca_is_reproducible(digits):
    a, b = linear.fit_pca(digits, 5), linear.fit_pca(digits.copy(), 5)
    np.testing.assert_allclose(a.components, b.components, atol=1e-10)


@pytest.mark.parametrize(
    "x, k, message",
    [
        (np.zeros((10, 784), np.uint8), 2, "array of floats"),
        (np.zeros((1, 784), np.float32), 1, "PCA needs at least 2"),
        (np.zeros((10, 784), np.float32), 0, "code_size must be at least 1"),
        (np.zeros((10, 784), np.float32), 785, "code_size must be at most 784"),
        (np.full((10, 784), np.nan, np.float32), 2, "NaN or infinite"),
    ],
)
def test_fit_pca_rejects(x, k, message):
    with pytest.raises(validation.CourseError, match=message):
        linear.fit_pca(x, k)


def test_encode_decode_truncate_reject_wrong_shapes(digits):
    pca = linear.fit_pca(digits, 4)
    with pytest.raises(validation.ArgumentValueError, match=r"x must have shape \(n, 784\)"):
        pca.encode(digits[:, :100])
    with pytest.raises(validation.ArgumentValueError, match=r"h must have shape \(n, 4\)"):
        pca.decode(np.zeros((2, 5)))
    with pytest.raises(validation.ArgumentValueError, match="code_size must be at most 4"):
        pca.truncate(5)


def test_losses_match_keras(digits):
    x = digits[:64]
    x_hat = np.clip(x + np.random.default_rng(0).normal(0, 0.2, x.shape), 0, 1).astype("float32")
    keras_bce = float(np.mean(keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(x, x_hat))))
    keras_mse = float(np.mean(keras.ops.convert_to_numpy(keras.losses.mean_squared_error(x, x_hat))))
    assert losses.binary_cross_entropy(x, x_hat) == pytest.approx(keras_bce, abs=1e-6)
    assert losses.mean_squared_error(x, x_hat) == pytest.approx(keras_mse, abs=1e-6)


def test_losses_reject_bad_input():
    with pytest.raises(validation.ArgumentValueError, match="must have the same shape"):
        losses.mean_squared_error(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(validation.ArgumentValueError, match=r"targets in \[0, 1\]"):
        losses.binary_cross_entropy(np.full((2, 3), 255.0), np.full((2, 3), 0.5))
