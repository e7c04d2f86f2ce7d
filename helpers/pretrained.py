"""Pretrained encoders: trained once, saved, and loaded (or rebuilt when missing) by any notebook.

Two recipes, each pretraining on the training images only (no labels), of MNIST by default or of
Fashion-MNIST (``dataset="fashion_mnist"``, for the mismatch experiment of notebook 06):

- ``"article"``: the article's 784-32-784 autoencoder (§5) with its optimiser fixed: binary
  cross-entropy, ``Adadelta(learning_rate=1.0)`` as in the 2016 original, batch 256, 50 epochs
  (10 in fast mode). Its encoder outputs the 32-number code.
- ``"deep_denoising"``: a deeper denoising autoencoder (784-512-256-32, mirrored), masking 30 % of
  the input pixels, Adam, batch 256, 30 epochs (10 in fast mode). Its encoder outputs every hidden
  layer side by side (512 + 256 + 32 = 800 numbers), the representation fine-tuning reuses.

Files, in the artifacts folder of the mode: ``<recipe>_autoencoder_encoder.keras``,
``<recipe>_autoencoder_decoder.keras`` (the whole autoencoder for the deep recipe) and
``<recipe>_autoencoder_history.json`` (loss curves and settings).
Writes are atomic (:mod:`helpers.artifacts`).
"""

from __future__ import annotations

import keras
import numpy as np

from helpers import artifacts, config, data, models, training

RECIPES = ("article", "deep_denoising")
DATASETS = ("mnist", "fashion_mnist")


def _check(name: str, dataset: str = "mnist") -> None:
    if name not in RECIPES:
        raise ValueError(f"recipe must be one of {RECIPES}, got {name!r}.")
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}.")


def recipe(name: str = "article") -> dict[str, object]:
    """The settings of a pretraining recipe in the current mode (JSON-serialisable)."""
    _check(name)
    if name == "article":
        return {"recipe": name, "architecture": "784-32-784, relu code, sigmoid output",
                "loss": "binary_crossentropy", "optimizer": "Adadelta(learning_rate=1.0)",
                "epochs": config.pick(full=50, fast=10), "batch_size": 256, "seed": 0, "mode": config.mode_name()}
    return {"recipe": name, "architecture": "784-512-256-32-256-512-784, relu, sigmoid output",
            "noise": "masking: Dropout(0.3) on the input", "features": "all hidden layers, 800 numbers",
            "loss": "binary_crossentropy", "optimizer": "Adam(learning_rate=0.001)",
            "epochs": config.pick(full=30, fast=10), "batch_size": 256, "seed": 0, "mode": config.mode_name()}


def train(
    name: str, x_train: np.ndarray, x_val: np.ndarray, *, verbose: int | str = "auto"
) -> tuple[keras.Model, keras.Model, keras.Model, dict[str, list[float]]]:
    """Pretrain a recipe on unlabelled images.

    Args:
        name: one of :data:`RECIPES`.
        x_train: preprocessed training images, (n, 784) float32 in [0, 1].
        x_val: preprocessed validation images, (m, 784), only to report the validation loss.

    Returns:
        ``(autoencoder, encoder, decoder_or_autoencoder, history)``; for ``"article"`` the third item
        is the decoder (32 -> 784), for ``"deep_denoising"`` the autoencoder again (it has no
        separate decoder model) and the encoder is the 800-number features model.
    """
    settings = recipe(name)
    training.set_seed(settings["seed"])
    if name == "article":
        autoencoder, encoder, decoder = models.build_autoencoder(32)
        optimizer = keras.optimizers.Adadelta(learning_rate=1.0)
    else:
        autoencoder, _, encoder = models.build_deep_autoencoder((512, 256), 32, noise=0.3)
        decoder = autoencoder
        optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    autoencoder.compile(optimizer=optimizer, loss="binary_crossentropy")
    history = training.fit(autoencoder, x_train, x_train, epochs=settings["epochs"],
                           batch_size=settings["batch_size"], validation_data=(x_val, x_val), verbose=verbose)
    return autoencoder, encoder, decoder, history


def train_article_autoencoder(
    x_train: np.ndarray, x_val: np.ndarray, *, verbose: int | str = "auto"
) -> tuple[keras.Model, keras.Model, keras.Model, dict[str, list[float]]]:
    """The article's recipe: ``train("article", ...)``."""
    return train("article", x_train, x_val, verbose=verbose)


def _paths(name: str, dataset: str = "mnist") -> dict[str, object]:
    prefix = f"{name}_autoencoder" if dataset == "mnist" else f"{name}_autoencoder_{dataset}"
    return {part: artifacts.artifact_path(f"{prefix}_{part}", suffix)
            for part, suffix in (("encoder", ".keras"), ("decoder", ".keras"), ("history", ".json"))}


def save(
    encoder: keras.Model, decoder: keras.Model, history: dict[str, list[float]], name: str = "article",
    dataset: str = "mnist",
) -> None:
    """Save a recipe's encoder, decoder and history (with its settings) atomically to the artifacts folder."""
    _check(name, dataset)
    paths = _paths(name, dataset)
    artifacts.save_model(encoder, paths["encoder"])
    artifacts.save_model(decoder, paths["decoder"])
    artifacts.save_json({"recipe": recipe(name), "dataset": dataset, "history": history}, paths["history"])


def load_or_train(
    name: str = "article", *, dataset: str = "mnist", verbose: int | str = "auto"
) -> tuple[keras.Model, keras.Model, str]:
    """A recipe's pretrained encoder and decoder: loaded when saved earlier, else trained now and saved.

    Args:
        name: one of :data:`RECIPES`.
        dataset: the unlabelled images to pretrain on, ``"mnist"`` (digits) or ``"fashion_mnist"`` (clothes).

    Returns:
        ``(encoder, decoder, where)``, where ``where`` says which happened, for printing.
    """
    _check(name, dataset)
    paths = _paths(name, dataset)
    if paths["encoder"].is_file() and paths["decoder"].is_file():
        return (artifacts.load_model(paths["encoder"]), artifacts.load_model(paths["decoder"]),
                f"loaded from artifacts/{paths['encoder'].parent.name}/")
    loader = data.load_mnist if dataset == "mnist" else data.load_fashion_mnist
    (x_train, _), (x_test, _) = loader()
    _, encoder, decoder, history = train(name, data.preprocess(x_train), data.preprocess(x_test), verbose=verbose)
    save(encoder, decoder, history, name, dataset)
    epochs = recipe(name)["epochs"]
    return encoder, decoder, f"trained now ({epochs} epochs) and saved to artifacts/{config.mode_name()}/"
