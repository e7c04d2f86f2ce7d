"""The article's autoencoder, built the article's way, and its saving and loading.

The article (§5) builds a one-hidden-layer autoencoder with Keras's functional API::

    input_img (784,) -> Dense(32, relu) -> encoded (32,) -> Dense(784, sigmoid) -> decoded (784,)

and then two more models that share its layers: the encoder (input -> code) and the decoder
(code -> reconstruction), reusing the autoencoder's last layer. :func:`build_autoencoder` does
exactly that, with the sizes and activations as checked arguments. Saving and loading
trained models is in :mod:`helpers.artifacts`.
"""

from __future__ import annotations

import keras

ACTIVATIONS = ("relu", "sigmoid", "linear", "tanh", "elu", "gelu", "softplus")


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return value


def _check_activation(name: str, value: object) -> str:
    if value not in ACTIVATIONS:
        raise ValueError(f"{name} must be one of {ACTIVATIONS}, got {value!r}.")
    return value  # type: ignore[return-value]


def build_autoencoder(
    code_size: int = 32,
    *,
    input_dim: int = 784,
    code_activation: str = "relu",
    output_activation: str = "sigmoid",
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build the article's autoencoder, encoder and decoder (uncompiled, sharing their layers).

    Args:
        code_size: width of the hidden representation h (the article's ``encoding_dim``, 32).
        input_dim: width of the flattened input x (784 = 28 * 28 pixels).
        code_activation: activation of the encoder layer (the article's ``'relu'``).
        output_activation: activation of the decoder layer (the article's ``'sigmoid'``, so that
            x̂ lies in (0, 1) like the scaled pixels).

    Returns:
        ``(autoencoder, encoder, decoder)``: (n, input_dim) -> (n, input_dim);
        (n, input_dim) -> (n, code_size); (n, code_size) -> (n, input_dim).
        With the defaults the autoencoder has 784*32 + 32 + 32*784 + 784 = 50,992 parameters.
    """
    _check_positive_int("code_size", code_size)
    _check_positive_int("input_dim", input_dim)
    _check_activation("code_activation", code_activation)
    _check_activation("output_activation", output_activation)

    input_img = keras.Input(shape=(input_dim,), name="x")
    encoded = keras.layers.Dense(code_size, activation=code_activation, name="encoder_dense")(input_img)
    decoded = keras.layers.Dense(input_dim, activation=output_activation, name="decoder_dense")(encoded)
    autoencoder = keras.Model(input_img, decoded, name="autoencoder")
    encoder = keras.Model(input_img, encoded, name="encoder")

    encoded_input = keras.Input(shape=(code_size,), name="h")
    decoder_layer = autoencoder.layers[-1]
    decoder = keras.Model(encoded_input, decoder_layer(encoded_input), name="decoder")
    return autoencoder, encoder, decoder
