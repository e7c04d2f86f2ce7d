"""The article's pretrained autoencoder: trained in notebook 04, loaded (or rebuilt) by later notebooks.

The recipe is the article's (§5) with its optimiser fixed: the 784-32-784 autoencoder, binary
cross-entropy, 50 epochs (few in fast mode), batch 256, ``Adadelta(learning_rate=1.0)`` as in
the 2016 original, on the training images only. Files, in the artifacts folder of the mode:
``article_autoencoder_encoder.keras``, ``article_autoencoder_decoder.keras`` and
``article_autoencoder_history.json`` (the loss curves and the settings that produced them).
"""

from __future__ import annotations

import keras
import numpy as np

from helpers import artifacts, config, data, models, training

NAME = "article_autoencoder"


def recipe() -> dict[str, object]:
    """The settings of the article's recipe in the current mode (JSON-serialisable)."""
    return {
        "code_size": 32, "code_activation": "relu", "output_activation": "sigmoid",
        "loss": "binary_crossentropy", "optimizer": "Adadelta(learning_rate=1.0)",
        "epochs": config.pick(full=50, fast=10), "batch_size": 256, "seed": 0, "mode": config.mode_name(),
    }


def train_article_autoencoder(
    x_train: np.ndarray, x_val: np.ndarray, *, verbose: int | str = "auto"
) -> tuple[keras.Model, keras.Model, keras.Model, dict[str, list[float]]]:
    """Train the article's autoencoder with the fixed recipe.

    Args:
        x_train: preprocessed training images, (n, 784) float32 in [0, 1].
        x_val: preprocessed validation images, (m, 784), used only to report the validation loss.

    Returns:
        ``(autoencoder, encoder, decoder, history)``.
    """
    settings = recipe()
    training.set_seed(settings["seed"])
    autoencoder, encoder, decoder = models.build_autoencoder(settings["code_size"])
    autoencoder.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0), loss=settings["loss"])
    history = training.fit(autoencoder, x_train, x_train, epochs=settings["epochs"],
                           batch_size=settings["batch_size"], validation_data=(x_val, x_val), verbose=verbose)
    return autoencoder, encoder, decoder, history


def save(encoder: keras.Model, decoder: keras.Model, history: dict[str, list[float]]) -> None:
    """Save the encoder, decoder and history (with the recipe) atomically to the artifacts folder."""
    artifacts.save_model(encoder, artifacts.artifact_path(f"{NAME}_encoder", ".keras"))
    artifacts.save_model(decoder, artifacts.artifact_path(f"{NAME}_decoder", ".keras"))
    artifacts.save_json({"recipe": recipe(), "history": history}, artifacts.artifact_path(f"{NAME}_history", ".json"))


def load_or_train(*, verbose: int | str = "auto") -> tuple[keras.Model, keras.Model, str]:
    """The article's pretrained encoder and decoder: loaded when notebook 04 saved them, else trained now.

    Returns:
        ``(encoder, decoder, where)`` where ``where`` says which happened, for printing.
    """
    encoder_path = artifacts.artifact_path(f"{NAME}_encoder", ".keras")
    decoder_path = artifacts.artifact_path(f"{NAME}_decoder", ".keras")
    if encoder_path.is_file() and decoder_path.is_file():
        return (artifacts.load_model(encoder_path), artifacts.load_model(decoder_path),
                f"loaded from {encoder_path.parent.name}/ (saved by notebook 04)")
    (x_train, _), (x_test, _) = data.load_mnist()
    _, encoder, decoder, history = train_article_autoencoder(
        data.preprocess(x_train), data.preprocess(x_test), verbose=verbose)
    save(encoder, decoder, history)
    return encoder, decoder, f"trained now ({recipe()['epochs']} epochs) and saved, as notebook 04 does"
