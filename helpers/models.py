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
import numpy as np

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
    noise: float = 0.0,
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build the article's autoencoder, encoder and decoder (uncompiled, sharing their layers).

    Args:
        code_size: width of the hidden representation h (the article's ``encoding_dim``, 32).
        input_dim: width of the flattened input x (784 = 28 * 28 pixels).
        code_activation: activation of the encoder layer (the article's ``'relu'``).
        output_activation: activation of the decoder layer (the article's ``'sigmoid'``, so that
            x̂ lies in (0, 1) like the scaled pixels).
        noise: 0 for the article's model; a fraction in (0, 1) makes it a denoising autoencoder: a
            ``Dropout(noise)`` layer zeroes that fraction of the input pixels during training only
            (masking noise, Vincent et al. 2008), and the target stays the clean image.

    Returns:
        ``(autoencoder, encoder, decoder)``: (n, input_dim) -> (n, input_dim);
        (n, input_dim) -> (n, code_size); (n, code_size) -> (n, input_dim).
        With the defaults the autoencoder has 784*32 + 32 + 32*784 + 784 = 50,992 parameters.
    """
    _check_positive_int("code_size", code_size)
    _check_positive_int("input_dim", input_dim)
    _check_activation("code_activation", code_activation)
    _check_activation("output_activation", output_activation)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise < 1:
        raise ValueError(f"noise is the fraction of pixels dropped: a number in [0, 1), got {noise!r}.")

    input_img = keras.Input(shape=(input_dim,), name="x")
    corrupted = keras.layers.Dropout(noise, name="masking_noise")(input_img) if noise else input_img
    encoded = keras.layers.Dense(code_size, activation=code_activation, name="encoder_dense")(corrupted)
    decoded = keras.layers.Dense(input_dim, activation=output_activation, name="decoder_dense")(encoded)
    autoencoder = keras.Model(input_img, decoded, name="autoencoder")
    encoder = keras.Model(input_img, encoded, name="encoder")

    encoded_input = keras.Input(shape=(code_size,), name="h")
    decoder_layer = autoencoder.get_layer("decoder_dense")
    decoder = keras.Model(encoded_input, decoder_layer(encoded_input), name="decoder")
    return autoencoder, encoder, decoder


def build_deep_autoencoder(
    hidden: tuple[int, ...] = (512, 256),
    code_size: int = 32,
    *,
    input_dim: int = 784,
    noise: float = 0.3,
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """A deeper, denoising autoencoder, and an encoder that exposes every hidden layer.

    During training a ``Dropout(noise)`` layer sets a random fraction ``noise`` of the input pixels
    to zero (masking noise, Vincent et al. 2008), and the network must reconstruct the clean image:
    it cannot succeed by copying, so it has to learn how strokes go together. At prediction time
    the dropout layer does nothing.

    Architecture: x (784) -> [noise] -> Dense(h1, relu) -> ... -> Dense(code_size, relu) -> mirror -> 784 sigmoid.

    Returns:
        ``(autoencoder, encoder, features)``:
        (n, 784) -> (n, 784); (n, 784) -> (n, code_size), the code;
        (n, 784) -> (n, sum(hidden) + code_size), every hidden layer's activations side by side,
        the representation that fine-tuning uses.
    """
    if not hidden or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden):
        raise ValueError(f"hidden must be a non-empty tuple of positive layer widths, got {hidden!r}.")
    _check_positive_int("code_size", code_size)
    _check_positive_int("input_dim", input_dim)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise < 1:
        raise ValueError(f"noise is the fraction of pixels dropped: a number in [0, 1), got {noise!r}.")
    x = keras.Input(shape=(input_dim,), name="x")
    h = keras.layers.Dropout(noise, name="masking_noise")(x)
    activations = []
    for i, width in enumerate((*hidden, code_size)):
        h = keras.layers.Dense(width, activation="relu", name=f"encoder_{i + 1}")(h)
        activations.append(h)
    y = h
    for i, width in enumerate(reversed(hidden)):
        y = keras.layers.Dense(width, activation="relu", name=f"decoder_{i + 1}")(y)
    x_hat = keras.layers.Dense(input_dim, activation="sigmoid", name="reconstruction")(y)
    autoencoder = keras.Model(x, x_hat, name="deep_denoising_autoencoder")
    encoder = keras.Model(x, activations[-1], name="deep_encoder")
    features = keras.Model(x, keras.layers.Concatenate(name="all_hidden_layers")(activations), name="deep_features")
    return autoencoder, encoder, features


def linear_encoder(components: np.ndarray, mean: np.ndarray, *, name: str = "pca_encoder") -> keras.Model:
    """A fixed linear encoder h = W (x − μ) as a Keras model, e.g. from :func:`helpers.linear.fit_pca`.

    Args:
        components: W, shape (k, d): one direction per row.
        mean: μ, shape (d,).

    Returns:
        A model (n, d) -> (n, k): one ``Dense(k)`` layer with kernel Wᵀ and bias −Wμ (trainable, so
        that fine-tuning can move it; freezing is the caller's choice).
    """
    components = np.asarray(components, dtype="float32")
    mean = np.asarray(mean, dtype="float32")
    if components.ndim != 2 or mean.shape != (components.shape[1],):
        raise ValueError(
            f"components must be (k, d) and mean (d,), got {components.shape} and {mean.shape}; "
            f"pass pca.components and pca.mean."
        )
    k, d = components.shape
    x = keras.Input(shape=(d,), name="x")
    layer = keras.layers.Dense(k, name="linear_code")
    encoder = keras.Model(x, layer(x), name=name)
    layer.set_weights([components.T, -components @ mean])
    return encoder
