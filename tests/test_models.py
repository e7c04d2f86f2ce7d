import keras
import numpy as np
import pytest

from helpers import models


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
        (dict(code_size=0), "code_size must be a positive integer"),
        (dict(code_size=3.5), "code_size must be a positive integer"),
        (dict(input_dim=-1), "input_dim must be a positive integer"),
        (dict(code_activation="relu6x"), "code_activation must be one of"),
        (dict(output_activation=None), "output_activation must be one of"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
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
    [(dict(hidden=()), "non-empty tuple"), (dict(hidden=(0,)), "non-empty tuple"),
     (dict(noise=1.0), r"number in \[0, 1\)"), (dict(code_size=-3), "code_size must be a positive integer")],
)
def test_deep_autoencoder_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.build_deep_autoencoder(**kwargs)


def test_linear_encoder_matches_pca():
    from helpers import data, linear

    with np.load(data.MNIST_SAMPLE) as f:
        x = data.preprocess(f["x_train"][:300])
    pca = linear.fit_pca(x, 12)
    encoder = models.linear_encoder(pca.components, pca.mean)
    np.testing.assert_allclose(encoder.predict(x[:20], verbose=0), pca.encode(x[:20]), atol=1e-4)
    with pytest.raises(ValueError, match="pass pca.components and pca.mean"):
        models.linear_encoder(pca.components, pca.mean[:5])


def test_denoising_version_of_the_articles_model():
    autoencoder, encoder, decoder = models.build_autoencoder(32, noise=0.4)
    assert autoencoder.count_params() == 50_992  # the noise layer has no weights
    x = np.random.default_rng(0).random((3, 784)).astype("float32")
    np.testing.assert_allclose(decoder.predict(encoder.predict(x, verbose=0), verbose=0),
                               autoencoder.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    masked = autoencoder.get_layer("masking_noise")(x, training=True)
    assert 0.2 < float(np.mean(np.asarray(masked) == 0)) < 0.6
    with pytest.raises(ValueError, match=r"number in \[0, 1\)"):
        models.build_autoencoder(noise=1.5)
