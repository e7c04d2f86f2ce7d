import keras
import numpy as np
import pytest

from helpers import models, validation


def test_the_articles_autoencoder():
    autoencoder, encoder, decoder = models.build_autoencoder()
    assert autoencoder.count_params() == 50_992
    assert autoencoder.input_shape == (None, 784) and autoencoder.output_shape == (None, 784)
    assert encoder.output_shape == (None, 32) and decoder.input_shape == (None, 32)
    assert [layer.activation.__name__ for layer in autoencoder.layers[1:]] == ["relu", "sigmoid"]


def test_encoder_and_decoder_share_the_autoencoders_weights():
    autoencoder, encoder, decoder = models.build_autoencoder(8)
    x = np.random.default_rng(0).random((5, 784)).astype("float32")
    np.testing.assert_allclose(decoder.predict(encoder.predict(x, verbose=0), verbose=0),
                               autoencoder.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert decoder.layers[-1] is autoencoder.layers[-1]
    assert encoder.layers[-1] is autoencoder.layers[1]


@pytest.mark.parametrize("code_size, params", [(2, 784 * 2 + 2 + 2 * 784 + 784), (64, 784 * 64 + 64 + 64 * 784 + 784)])
def test_code_size_sets_the_parameter_count(code_size, params):
    autoencoder, encoder, _ = models.build_autoencoder(code_size, code_activation="linear")
    assert autoencoder.count_params() == params
    assert encoder.layers[-1].activation.__name__ == "linear"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(code_size=0), "code_size must be at least 1"),
        (dict(code_size=3.5), "code_size must be a whole number"),
        (dict(code_size=np.float32(8)), "code_size must be a whole number"),
        (dict(input_dim=-1), "input_dim must be at least 1"),
        (dict(code_activation="relu6x"), "code_activation must be one of"),
        (dict(output_activation=None), "output_activation must be one of"),
        (dict(seed=-1), "seed must be at least 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(validation.CourseError, match=message):
        models.build_autoencoder(**kwargs)


def test_keras_is_version_3():
    assert keras.__version__.startswith("3.")


def test_deep_denoising_autoencoder_shapes_and_noise():
    autoencoder, encoder, features = models.build_deep_autoencoder((64, 16), 8, noise=0.5)
    assert encoder.output_shape == (None, 8) and features.output_shape == (None, 64 + 16 + 8)
    assert autoencoder.output_shape == (None, 784)
    x = np.random.default_rng(0).random((4, 784)).astype("float32")
    np.testing.assert_allclose(features.predict(x, verbose=0)[:, -8:], encoder.predict(x, verbose=0), rtol=1e-6)
    noisy = autoencoder.get_layer("masking_noise")(x, training=True)
    assert 0.3 < float(np.mean(np.asarray(noisy) == 0)) < 0.7  # about half the pixels masked while training
    np.testing.assert_array_equal(autoencoder.get_layer("masking_noise")(x, training=False), x)


@pytest.mark.parametrize(
    "kwargs, message",
    [(dict(hidden=()), "hidden is empty"), (dict(hidden=(0,)), r"hidden\[0\] must be at least 1"),
     (dict(hidden=512), "hidden must be a sequence of positive whole numbers"),
     (dict(noise=1.0), "noise must be less than 1"), (dict(code_size=-3), "code_size must be at least 1")],
)
def test_deep_autoencoder_rejects(kwargs, message):
    with pytest.raises(validation.CourseError, match=message):
        models.build_deep_autoencoder(**kwargs)


def test_linear_encoder_matches_pca():
    from helpers import data, linear

    with np.load(data.MNIST_SAMPLE) as f:
        x = data.preprocess(f["x_train"][:300])
    pca = linear.fit_pca(x, 12)
    encoder = models.linear_encoder(pca.components, pca.mean)
    np.testing.assert_allclose(encoder.predict(x[:20], verbose=0), pca.encode(x[:20]), atol=1e-4)
    with pytest.raises(validation.ArgumentValueError, match="Pass pca.components and pca.mean"):
        models.linear_encoder(pca.components, pca.mean[:5])


def test_denoising_version_of_the_articles_model():
    autoencoder, encoder, decoder = models.build_autoencoder(32, noise=0.4)
    assert autoencoder.count_params() == 50_992  # the noise layer has no weights
    x = np.random.default_rng(0).random((3, 784)).astype("float32")
    np.testing.assert_allclose(decoder.predict(encoder.predict(x, verbose=0), verbose=0),
                               autoencoder.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    masked = autoencoder.get_layer("masking_noise")(x, training=True)
    assert 0.2 < float(np.mean(np.asarray(masked) == 0)) < 0.6
    with pytest.raises(validation.ArgumentValueError, match="noise must be less than 1"):
        models.build_autoencoder(noise=1.5)


def test_numpy_integers_are_integers_and_seeds_make_the_same_model():
    for k in np.array([8, 32]):
        assert models.build_autoencoder(k)[1].output_shape == (None, int(k))
    first, second = (models.build_autoencoder(8, noise=0.3, seed=4)[0] for _ in range(2))
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    other = models.build_autoencoder(8, seed=5)[0]
    assert not np.allclose(other.get_weights()[0], first.get_weights()[0])


def test_fresh_weights_are_new_seeded_draws_of_the_same_kind():
    model = models.build_deep_autoencoder((32,), 8, seed=0)[0]
    again, other = models.fresh_weights(model, 1), models.fresh_weights(model, 2)
    assert [w.shape for w in again] == [w.shape for w in model.get_weights()]
    np.testing.assert_array_equal(again[0], models.fresh_weights(model, 1)[0])
    assert not np.allclose(again[0], other[0]) and not np.allclose(again[0], model.get_weights()[0])
    np.testing.assert_array_equal(again[1], 0.0)  # biases start at zero, as the layer's initializer says
    bound = np.sqrt(6 / (784 + 32))  # Glorot-uniform's limit for a 784 x 32 kernel
    assert np.abs(again[0]).max() <= bound and np.abs(again[0]).max() > 0.9 * bound


def test_predict_in_batches_and_accuracy_check_their_inputs():
    _, encoder, _ = models.build_autoencoder(4, seed=0)
    x = np.random.default_rng(0).random((5, 784)).astype("float32")
    np.testing.assert_allclose(models.predict_in_batches(encoder, x, batch_size=2), encoder.predict(x, verbose=0),
                               rtol=1e-5)
    with pytest.raises(validation.ArgumentValueError, match=r"x has shape \(5, 28, 28\).*helpers.data.preprocess"):
        models.predict_in_batches(encoder, x.reshape(5, 28, 28))
    classifier = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(validation.ArgumentValueError, match="1 labels for 5 examples"):
        models.accuracy(classifier, x, np.array([3]))
    with pytest.raises(validation.ArgumentValueError, match="the classes are 0..9"):
        models.accuracy(classifier, x, np.array([0, 1, 2, 3, 10]))
