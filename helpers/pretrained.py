"""Pretrained encoders: trained once, saved, and loaded (or trained when missing) by any notebook.

Two recipes, each pretraining on the training images only (no labels), of MNIST by default or of
Fashion-MNIST (``dataset="fashion_mnist"``, for the mismatch experiment of notebook 06):

- ``"article"``: the article's 784-32-784 autoencoder (§5) with its optimizer fixed: binary
  cross-entropy, ``Adadelta(learning_rate=1.0)`` as in the 2016 original, batch 256, 50 epochs
  (10 in fast mode). Its encoder outputs the 32-number code.
- ``"deep_denoising"``: a deeper denoising autoencoder (784-512-256-32, mirrored), masking 30 % of
  the input pixels, Adam, batch 256, 30 epochs (10 in fast mode). Its encoder outputs every hidden
  layer side by side (512 + 256 + 32 = 800 numbers), the representation fine-tuning reuses.

Each saved model is one folder in the artifacts folder of the mode, ``<recipe>_autoencoder/`` (with
``_<dataset>`` for Fashion-MNIST), holding ``encoder.keras``, ``decoder.keras`` (the whole autoencoder
for the deep recipe) and ``history.json`` (loss curves and settings). The folder is written as a whole
(:func:`helpers.artifacts.replaced_folder`): a save either replaces all three files or changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import keras
import numpy as np

from helpers import artifacts, config, data, models, training, validation

RECIPES = ("article", "deep_denoising")
DATASETS = ("mnist", "fashion_mnist")
FILES = ("encoder.keras", "decoder.keras", "history.json")


def recipe(name: str = "article") -> dict[str, object]:
    """The settings of a pretraining recipe in the current mode (JSON-serialisable)."""
    validation.choice(name, "recipe", RECIPES)
    if name == "article":
        return {"recipe": name, "architecture": "784-32-784, relu code, sigmoid output",
                "loss": "binary_crossentropy", "optimizer": "Adadelta(learning_rate=1.0)",
                "epochs": config.pick(full=50, fast=10), "batch_size": 256, "seed": 0, "mode": config.mode_name()}
    return {"recipe": name, "architecture": "784-512-256-32-256-512-784, relu, sigmoid output",
            "noise": "masking: Dropout(0.3) on the input", "features": "all hidden layers, 800 numbers",
            "loss": "binary_crossentropy", "optimizer": "Adam(learning_rate=0.001)",
            "epochs": config.pick(full=30, fast=10), "batch_size": 256, "seed": 0, "mode": config.mode_name()}


def train(
    name: str, x_train: np.ndarray, x_val: np.ndarray, *, verbose: int = 1
) -> tuple[keras.Model, keras.Model, keras.Model, dict[str, list[float]]]:
    """Pretrain a recipe on unlabelled images, with the course's training engine (:func:`helpers.training.train`).

    Args:
        name: one of :data:`RECIPES`.
        x_train: preprocessed training images, (n, 784) float32 in [0, 1].
        x_val: preprocessed validation images, (m, 784), only to report the validation loss.
        verbose: 0 silent, 1 or 2 one line per epoch.

    Returns:
        ``(autoencoder, encoder, decoder_or_autoencoder, history)``; for ``"article"`` the third item
        is the decoder (32 -> 784), for ``"deep_denoising"`` the autoencoder again (it has no
        separate decoder model) and the encoder is the 800-number features model.
    """
    settings = recipe(name)
    x_train = validation.flat_images(x_train, "x_train")
    x_val = validation.flat_images(x_val, "x_val")
    if name == "article":
        autoencoder, encoder, decoder = models.build_autoencoder(32, seed=settings["seed"])
        optimizer = keras.optimizers.Adadelta(learning_rate=1.0)
    else:
        autoencoder, _, encoder = models.build_deep_autoencoder((512, 256), 32, noise=0.3, seed=settings["seed"])
        decoder = autoencoder
        optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    history = training.train(autoencoder, x_train, x_train, loss="binary_crossentropy", optimizer=optimizer,
                             epochs=settings["epochs"], batch_size=settings["batch_size"],
                             validation_data=(x_val, x_val), seed=settings["seed"], verbose=verbose)
    return autoencoder, encoder, decoder, history


def folder(name: str = "article", dataset: str = "mnist") -> Path:
    """The folder a recipe's pretrained model is saved in, in the artifacts folder of the current mode."""
    validation.choice(name, "recipe", RECIPES)
    validation.choice(dataset, "dataset", DATASETS)
    return artifacts.artifact_path(f"{name}_autoencoder" if dataset == "mnist" else f"{name}_autoencoder_{dataset}")


def _check_history(history: object) -> dict[str, list[float]]:
    if not isinstance(history, dict) or not history:
        raise validation.type_error("history", "a dict like Keras's History.history ({'loss': [...]})", history)
    checked = {}
    for key, values in history.items():
        checked[str(key)] = [float(v) for v in validation.finite_floats(np.asarray(values, dtype=np.float64),
                                                                         f"history[{key!r}]", ndim=1)]
    return checked


def save(encoder: keras.Model, decoder: keras.Model, history: dict[str, list[float]], name: str = "article",
         dataset: str = "mnist") -> Path:
    """Save a recipe's encoder, decoder and history (with its settings) as one folder; return the folder.

    Everything is checked and the history converted to JSON before anything is written; then the three
    files are written to a temporary folder that replaces the old one only when all three are written.
    """
    target = folder(name, dataset)
    validation.keras_model(encoder, "encoder")
    validation.keras_model(decoder, "decoder")
    history_text = artifacts.json_text({"recipe": recipe(name), "dataset": dataset, "history": _check_history(history),
                                        "saved": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    with artifacts.replaced_folder(target) as temporary:
        artifacts.save_model(encoder, temporary / "encoder.keras")
        artifacts.save_model(decoder, temporary / "decoder.keras")
        (temporary / "history.json").write_text(history_text, encoding="utf-8")
    return target


def _shown(path: Path) -> str:
    """A path for messages, relative to the current folder when it is inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_or_train(
    name: str = "article", *, dataset: str = "mnist", verbose: int = 1
) -> tuple[keras.Model, keras.Model, str]:
    """A recipe's pretrained encoder and decoder: loaded when saved earlier, else trained now and saved.

    A folder that lacks one of its files (left by something other than :func:`save`, which writes all
    or nothing) is never trained over silently: it is renamed to ``<folder>.incomplete-<time>`` (so
    nothing in it is lost), a line says so, and the recipe is trained again.

    Args:
        name: one of :data:`RECIPES`.
        dataset: the unlabelled images to pretrain on, ``"mnist"`` (digits) or ``"fashion_mnist"`` (clothes).
        verbose: passed to :func:`train` when the model has to be trained.

    Returns:
        ``(encoder, decoder, where)``, where ``where`` says which happened, for printing.
    """
    target = folder(name, dataset)
    restored = artifacts.restore_interrupted(target)
    if restored is not None:
        print(f"note: a save of {target.name} was interrupted; its previous copy was restored from {restored.name}")
    if target.is_dir():
        missing = [file for file in FILES if not (target / file).is_file()]
        if not missing:
            return (artifacts.load_model(target / "encoder.keras"), artifacts.load_model(target / "decoder.keras"),
                    f"loaded from {_shown(target)}")
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = target.with_name(f"{target.name}.incomplete-{stamp}")
        os.replace(target, aside)
        print(f"note: {_shown(target)} lacked {', '.join(missing)}; it was moved to {_shown(aside)} "
              f"(delete it when you no longer need it) and {name} is trained again")
    loader = data.load_mnist if dataset == "mnist" else data.load_fashion_mnist
    (x_train, _), (x_test, _) = loader()
    _, encoder, decoder, history = train(name, data.preprocess(x_train), data.preprocess(x_test), verbose=verbose)
    saved = save(encoder, decoder, history, name, dataset)
    return encoder, decoder, f"trained now ({recipe(name)['epochs']} epochs) and saved to {_shown(saved)}"
