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
