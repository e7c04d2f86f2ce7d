"""The course's models: the article's autoencoder, a deeper denoising one, a linear encoder, and using them.

The article (§5) builds a one-hidden-layer autoencoder with Keras's functional API::

    input_img (784,) -> Dense(32, relu) -> encoded (32,) -> Dense(784, sigmoid) -> decoded (784,)

and then two more models that share its layers: the encoder (input -> code) and the decoder
(code -> reconstruction), reusing the autoencoder's last layer. :func:`build_autoencoder` does
exactly that, with the sizes and activations as checked arguments.

Seeds: every builder takes ``seed``. With a whole number, each layer's initial weights and each noise
layer's masks come from that seed alone (the same seed, the same model, whatever ran before); with
``None`` (the default, as in Keras) they come from Keras's global generator, which a notebook seeds
with ``keras.utils.set_random_seed``. No function here changes a global random state.

Saving and loading trained models is in :mod:`helpers.artifacts`.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from helpers import validation

ACTIVATIONS = ("relu", "sigmoid", "linear", "tanh", "elu", "gelu", "softplus")


def layer_seed(seed: int, index: int) -> int:
    """The seed of layer number ``index`` of a model built from ``seed``: independent streams per layer."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def _dense(units: int, activation: str, name: str, seed: int | None, index: int) -> keras.layers.Dense:
    initializer = "glorot_uniform" if seed is None else keras.initializers.GlorotUniform(seed=layer_seed(seed, index))
    return keras.layers.Dense(units, activation=activation, name=name, kernel_initializer=initializer)


def _masking(noise: float, seed: int | None) -> keras.layers.Dropout:
    """Masking noise on the input: a ``Dropout(noise)`` active in training only (see :func:`build_autoencoder`)."""
    return keras.layers.Dropout(noise, seed=None if seed is None else layer_seed(seed, 0), name="masking_noise")


def _seed_or_none(seed: object) -> int | None:
    return None if seed is None else validation.seed(seed)


def build_autoencoder(
    code_size: int = 32,
    *,
    input_dim: int = 784,
    code_activation: str = "relu",
    output_activation: str = "sigmoid",
    noise: float = 0.0,
    seed: int | None = None,
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """Build the article's autoencoder, encoder and decoder (uncompiled, sharing their layers).

    Args:
        code_size: width of the hidden representation h (the article's ``encoding_dim``, 32).
        input_dim: width of the flattened input x (784 = 28 * 28 pixels).
        code_activation: activation of the encoder layer (the article's ``'relu'``).
        output_activation: activation of the decoder layer (the article's ``'sigmoid'``, so that
            x̂ lies in (0, 1) like the scaled pixels).
        noise: 0 for the article's model; a fraction in (0, 1) makes it a denoising autoencoder: a
            ``Dropout(noise)`` layer zeroes that fraction of the input pixels during training only, and
            the target stays the clean image. (Keras's ``Dropout`` also scales the kept pixels by
            1 / (1 − noise); Vincent et al.'s masking noise of 2008 does not.)
        seed: seed of the initial weights and of the noise (see the module's docstring), or None.

    Returns:
        ``(autoencoder, encoder, decoder)``: (n, input_dim) -> (n, input_dim);
        (n, input_dim) -> (n, code_size); (n, code_size) -> (n, input_dim).
        With the defaults the autoencoder has 784*32 + 32 + 32*784 + 784 = 50,992 parameters.
    """
    code_size = validation.positive_int(code_size, "code_size", "The article uses 32.")
    input_dim = validation.positive_int(input_dim, "input_dim")
    validation.choice(code_activation, "code_activation", ACTIVATIONS)
    validation.choice(output_activation, "output_activation", ACTIVATIONS)
    noise = validation.fraction(noise, "noise", "It is the fraction of input pixels set to zero, e.g. 0.3.")
    seed = _seed_or_none(seed)

    input_img = keras.Input(shape=(input_dim,), name="x")
    corrupted = _masking(noise, seed)(input_img) if noise else input_img
    encoded = _dense(code_size, code_activation, "encoder_dense", seed, 1)(corrupted)
    decoded = _dense(input_dim, output_activation, "decoder_dense", seed, 2)(encoded)
    autoencoder = keras.Model(input_img, decoded, name="autoencoder")
    encoder = keras.Model(input_img, encoded, name="encoder")

    encoded_input = keras.Input(shape=(code_size,), name="h")
    decoder_layer = autoencoder.get_layer("decoder_dense")
    decoder = keras.Model(encoded_input, decoder_layer(encoded_input), name="decoder")
    return autoencoder, encoder, decoder


def build_deep_autoencoder(
    hidden: Sequence[int] = (512, 256),
    code_size: int = 32,
    *,
    input_dim: int = 784,
    noise: float = 0.3,
    seed: int | None = None,
) -> tuple[keras.Model, keras.Model, keras.Model]:
    """A deeper, denoising autoencoder, and an encoder that exposes every hidden layer.

    During training a ``Dropout(noise)`` layer sets a random fraction ``noise`` of the input pixels
    to zero, and the network must reconstruct the clean image. At prediction time it does nothing.

    Architecture: x (784) -> [noise] -> Dense(h1, relu) -> ... -> Dense(code_size, relu) -> mirror -> 784 sigmoid.

    Args:
        hidden: widths of the hidden layers before the code, e.g. (512, 256).
        code_size: width of the code.
        input_dim: width of the flattened input.
        noise: fraction of input pixels masked in training, in [0, 1).
        seed: seed of the initial weights and of the noise, or None (see the module's docstring).

    Returns:
        ``(autoencoder, encoder, features)``:
        (n, 784) -> (n, 784); (n, 784) -> (n, code_size), the code;
        (n, 784) -> (n, sum(hidden) + code_size), every hidden layer's activations side by side,
        the representation that fine-tuning uses.
    """
    hidden = validation.positive_ints(hidden, "hidden")
    code_size = validation.positive_int(code_size, "code_size")
    input_dim = validation.positive_int(input_dim, "input_dim")
    noise = validation.fraction(noise, "noise", "It is the fraction of input pixels set to zero, e.g. 0.3.")
    seed = _seed_or_none(seed)
    x = keras.Input(shape=(input_dim,), name="x")
    h = _masking(noise, seed)(x)
    activations = []
    for i, width in enumerate((*hidden, code_size)):
        h = _dense(width, "relu", f"encoder_{i + 1}", seed, 1 + i)(h)
        activations.append(h)
    y = h
    for i, width in enumerate(reversed(hidden)):
        y = _dense(width, "relu", f"decoder_{i + 1}", seed, 100 + i)(y)
    x_hat = _dense(input_dim, "sigmoid", "reconstruction", seed, 200)(y)
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
    components = validation.finite_floats(components, "components", ndim=2).astype("float32")
    mean = validation.finite_floats(mean, "mean", ndim=1).astype("float32")
    if mean.shape != (components.shape[1],):
        raise validation.value_error("components and mean", f"must be (k, d) and (d,), got {components.shape} and "
                                     f"{mean.shape}", "Pass pca.components and pca.mean.")
    k, d = components.shape
    x = keras.Input(shape=(d,), name="x")
    layer = keras.layers.Dense(k, name="linear_code")
    encoder = keras.Model(x, layer(x), name=name)
    layer.set_weights([components.T, -components @ mean])
    return encoder


def layer_output(model: keras.Model, layer: str, *, name: str | None = None) -> keras.Model:
    """A model from ``model``'s input to the output of its layer named ``layer`` (sharing its weights).

    For example the first hidden layer of the deep encoder: ``layer_output(features, "encoder_1")``.
    """
    validation.keras_model(model)
    names = [sub.name for sub in model.layers]
    if layer not in names:
        raise validation.value_error("layer", f"{layer!r} is not a layer of {model.name} ({', '.join(names)})")
    return keras.Model(model.input, model.get_layer(layer).output, name=name or f"{model.name}_{layer}")


# --- using a model ------------------------------------------------------------------------------


def predict_in_batches(model: keras.Model, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """``model(x)`` in inference mode, in batches, as a NumPy array.

    Unlike ``model.predict`` this compiles nothing, so evaluating many freshly built models (as a grid
    does) neither pays for a new graph each time nor makes TensorFlow warn about retracing.

    Args:
        model: any Keras model with a known input shape.
        x: inputs of the shape the model expects, e.g. (n, 784) float32 images.
        batch_size: rows per call.
    """
    validation.keras_model(model)
    x = validation.finite_floats(x, "x")
    validation.model_inputs(model, x, "x")
    batch_size = validation.positive_int(batch_size, "batch_size")
    return np.concatenate([keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


def accuracy(classifier: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction (0..1) of the examples ``x`` whose most probable class is their label ``y``.

    Args:
        classifier: a model (n, ...) -> (n, n_classes) of class probabilities or scores.
        x: its inputs, one row per example.
        y: integer labels, one per row of ``x``.
    """
    validation.keras_model(classifier, "classifier")
    x = validation.finite_floats(x, "x")
    outputs = classifier.output_shape[-1]
    y = validation.labels(y, "y", n=len(x), n_classes=outputs)
    predictions = predict_in_batches(classifier, x)
    return float(np.mean(predictions.argmax(axis=1) == y))


def reinitialised(model: keras.Model, seed: int) -> keras.Model:
    """A copy of ``model``'s architecture with new random weights, from each layer's own initializers and ``seed``.

    What the model would hold if it were built again with a new seed: the same kinds of initial values
    (e.g. Glorot-uniform kernels, zero biases), drawn from ``seed`` alone, and noise layers with
    generators of their own (no global random state is used or changed). The model itself is not changed.
    """
    validation.keras_model(model)
    seed = validation.seed(seed)
    counter = iter(range(1, 1 << 30))

    def reseeded(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        for key, value in config.items():
            if key.endswith("_initializer") and isinstance(value, dict) and "seed" in value.get("config", {}):
                value["config"]["seed"] = layer_seed(seed, next(counter))
        if "seed" in config and config["seed"] is None:  # a noise layer: its own generator, not the global one
            config["seed"] = layer_seed(seed, next(counter))
        return layer.__class__.from_config(config)

    return keras.models.clone_model(model, clone_function=reseeded, recursive=True)


def fresh_weights(model: keras.Model, seed: int) -> list[np.ndarray]:
    """New random starting weights for ``model`` (see :func:`reinitialised`); set them with ``model.set_weights``."""
    return reinitialised(model, seed).get_weights()


def reseed_noise(model: keras.Model, seed: int) -> None:
    """Restart every random layer of ``model`` (e.g. an input ``Dropout``) from ``seed``.

    A model reused from run to run (as the fine-tuning grid does) would otherwise draw different
    noise depending on how many runs came before it, and the same run could give a different result
    in a different order.
    """
    seed = validation.seed(seed)
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            reseed_noise(layer, seed)
        elif getattr(layer, "seed_generator", None) is not None:
            layer.seed_generator.state.assign(np.array([seed, 0], dtype=layer.seed_generator.state.dtype))


def cnn_layers(filters: Sequence[int] = (32, 64, 128)) -> list[keras.layers.Layer]:
    """The course's convolutional body: 3 × 3 ReLU convolutions, max pooling between blocks, global pooling.

    (n, 28, 28, 1) -> (n, filters[-1]). The baselines' CNN (:mod:`helpers.baselines`) is these layers with
    a dropout and a softmax head.
    """
    layers: list[keras.layers.Layer] = []
    for i, count in enumerate(validation.positive_ints(filters, "filters", example="(32, 64, 128)")):
        layers.append(keras.layers.Conv2D(count, 3, padding="same", activation="relu"))
        if i < len(filters) - 1:
            layers.append(keras.layers.MaxPooling2D())
    layers.append(keras.layers.GlobalAveragePooling2D())
    return layers
