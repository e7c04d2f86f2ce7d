"""Pretrained encoders: trained once per seed, saved, and loaded (or trained when missing) by any notebook.

Every recipe pretrains on the **pool** images of :func:`helpers.splits.course_splits` only (the training
images minus the validation split), without their labels, and reports its validation loss on the
validation split; the test images are never seen. The data are MNIST by default, or Fashion-MNIST
(``dataset="fashion_mnist"``, for the mismatch experiment of notebook 06). The recipes:

- ``"article"``: the article's 784-32-784 autoencoder (§5) with its optimizer fixed: binary
  cross-entropy, ``Adadelta(learning_rate=1.0)`` as in the 2016 original, batch 256, 50 epochs
  (10 in fast mode). Its encoder outputs the 32-number code.
- ``"deep_denoising"``: a deeper denoising autoencoder (784-512-256-32, mirrored), masking 70 % of
  the input pixels, Adam, batch 256, 20 epochs (5 in fast mode); the masking rate and the epochs were
  chosen on the validation split (:mod:`helpers.selection`). Its encoder outputs every hidden layer side by
  side (512 + 256 + 32 = 800 numbers), the representation fine-tuning reuses.
- the ablation of that recipe: ``"deep_plain"`` (the same without masking noise), and
  ``"shallow_denoising"`` and ``"shallow_plain"`` (the article's 784-32-784 shape, trained like the deep
  recipe, with and without the noise; their encoder outputs the 32-number code).

Each recipe is pretrained from several seeds (:func:`seeds`: 3 in full mode, 1 in fast mode), so that
the course's intervals include the variance of pretraining itself. Each saved model is one folder in the
artifacts folder of the mode, ``<recipe>_autoencoder[_fashion_mnist][_seed<k>]/`` (no suffix for seed 0),
holding ``encoder.keras``, ``decoder.keras`` (the whole autoencoder, except for the article's recipe) and
``history.json`` (loss curves and settings), written as a whole (:func:`helpers.artifacts.replaced_folder`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from helpers import artifacts, config, models, splits, training, validation

DATASETS = ("mnist", "fashion_mnist")
FILES = ("encoder.keras", "decoder.keras", "history.json")


@dataclass(frozen=True)
class Recipe:
    """How one pretrained model is made (the settings are saved beside it)."""

    architecture: str
    representation: str
    optimizer: str
    epochs_full: int
    epochs_fast: int
    noise: float
    build: Callable[[int], tuple[keras.Model, keras.Model, keras.Model]]
    make_optimizer: Callable[[], keras.optimizers.Optimizer]


def _article(seed: int) -> tuple[keras.Model, keras.Model, keras.Model]:
    return models.build_autoencoder(32, seed=seed)


def _deep(noise: float) -> Callable[[int], tuple[keras.Model, keras.Model, keras.Model]]:
    def build(seed: int) -> tuple[keras.Model, keras.Model, keras.Model]:
        autoencoder, _, features = models.build_deep_autoencoder((512, 256), 32, noise=noise, seed=seed)
        return autoencoder, features, autoencoder
    return build


def _shallow(noise: float) -> Callable[[int], tuple[keras.Model, keras.Model, keras.Model]]:
    def build(seed: int) -> tuple[keras.Model, keras.Model, keras.Model]:
        autoencoder, encoder, _ = models.build_autoencoder(32, noise=noise, seed=seed)
        return autoencoder, encoder, autoencoder
    return build


def _adam() -> keras.optimizers.Optimizer:
    return keras.optimizers.Adam(learning_rate=1e-3)


DEEP = "784-512-256-32-256-512-784, relu, sigmoid output"
SHALLOW = "784-32-784, relu code, sigmoid output"
RECIPE_TABLE = {
    "article": Recipe("784-32-784, relu code, sigmoid output", "the 32-number code",
                      "Adadelta(learning_rate=1.0)", 50, 10, 0.0, _article,
                      lambda: keras.optimizers.Adadelta(learning_rate=1.0)),
    "deep_denoising": Recipe(DEEP, "all hidden layers, 800 numbers", "Adam(learning_rate=0.001)", 20, 5, 0.7,
                             _deep(0.7), _adam),
    "deep_plain": Recipe(DEEP, "all hidden layers, 800 numbers", "Adam(learning_rate=0.001)", 20, 5, 0.0,
                         _deep(0.0), _adam),
    "shallow_denoising": Recipe(SHALLOW, "the 32-number code", "Adam(learning_rate=0.001)", 20, 5, 0.7,
                                _shallow(0.7), _adam),
    "shallow_plain": Recipe(SHALLOW, "the 32-number code", "Adam(learning_rate=0.001)", 20, 5, 0.0,
                            _shallow(0.0), _adam),
}
RECIPES = tuple(RECIPE_TABLE)


def seeds() -> tuple[int, ...]:
    """The pretraining seeds of the current mode: (0, 1, 2) in full mode, (0,) in fast mode (code that runs)."""
    return tuple(range(config.pick(full=3, fast=1)))


def recipe(name: str = "article", seed: int = 0) -> dict[str, object]:
    """The settings of a pretraining recipe in the current mode (JSON-serialisable)."""
    validation.choice(name, "recipe", RECIPES)
    settings = RECIPE_TABLE[name]
    return {"recipe": name, "architecture": settings.architecture, "representation": settings.representation,
            "noise": f"masking: Dropout({settings.noise}) on the input" if settings.noise else "none",
            "loss": "binary_crossentropy", "optimizer": settings.optimizer,
            "epochs": config.pick(full=settings.epochs_full, fast=settings.epochs_fast), "batch_size": 256,
            "seed": validation.seed(seed), "data": "the pool images of helpers.splits (no labels), validation loss "
            "on the validation split", "mode": config.mode_name()}


def train(
    name: str, x_pool: np.ndarray, x_val: np.ndarray, *, seed: int = 0, verbose: int = 1
) -> tuple[keras.Model, keras.Model, keras.Model, dict[str, list[float]]]:
    """Pretrain a recipe on unlabelled images, with the course's training engine (:func:`helpers.training.train`).

    Args:
        name: one of :data:`RECIPES`.
        x_pool: preprocessed unlabelled images to pretrain on, (n, 784) float32 in [0, 1].
        x_val: preprocessed validation images, (m, 784), only to report the validation loss.
        seed: the seed of the initial weights, the noise and the shuffling.
        verbose: 0 silent, 1 a progress bar over the epochs, 2 one line per epoch.

    Returns:
        ``(autoencoder, encoder, decoder, history)``: the encoder outputs the recipe's representation; the
        decoder is the article's 32 -> 784 model, or the whole autoencoder for the other recipes.
    """
    settings = recipe(name, seed)
    x_pool = validation.flat_images(x_pool, "x_pool")
    x_val = validation.flat_images(x_val, "x_val")
    autoencoder, encoder, decoder = RECIPE_TABLE[name].build(seed)
    history = training.train(autoencoder, x_pool, x_pool, loss="binary_crossentropy",
                             optimizer=RECIPE_TABLE[name].make_optimizer(), epochs=settings["epochs"],
                             batch_size=settings["batch_size"], validation_data=(x_val, x_val), seed=seed,
                             verbose=verbose)
    return autoencoder, encoder, decoder, history


def folder(name: str = "article", dataset: str = "mnist", seed: int = 0) -> Path:
    """The folder a recipe's pretrained model is saved in, in the artifacts folder of the current mode."""
    validation.choice(name, "recipe", RECIPES)
    validation.choice(dataset, "dataset", DATASETS)
    seed = validation.seed(seed)
    suffix = ("" if dataset == "mnist" else f"_{dataset}") + (f"_seed{seed}" if seed else "")
    return artifacts.artifact_path(f"{name}_autoencoder{suffix}")


def _check_history(history: object) -> dict[str, list[float]]:
    if not isinstance(history, dict) or not history:
        raise validation.type_error("history", "a dict like Keras's History.history ({'loss': [...]})", history)
    checked = {}
    for key, values in history.items():
        checked[str(key)] = [float(v) for v in validation.finite_floats(np.asarray(values, dtype=np.float64),
                                                                         f"history[{key!r}]", ndim=1)]
    return checked


def save(encoder: keras.Model, decoder: keras.Model, history: dict[str, list[float]], name: str = "article",
         dataset: str = "mnist", seed: int = 0) -> Path:
    """Save a recipe's encoder, decoder and history (with its settings) as one folder; return the folder.

    Everything is checked and the history converted to JSON before anything is written; then the three
    files are written to a temporary folder that replaces the old one only when all three are written.
    """
    target = folder(name, dataset, seed)
    validation.keras_model(encoder, "encoder")
    validation.keras_model(decoder, "decoder")
    history_text = artifacts.json_text({"recipe": recipe(name, seed), "dataset": dataset,
                                        "history": _check_history(history),
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
    name: str = "article", *, dataset: str = "mnist", seed: int = 0, verbose: int = 1
) -> tuple[keras.Model, keras.Model, str]:
    """A recipe's pretrained encoder and decoder: loaded when saved earlier, else trained now and saved.

    A folder that lacks one of its files (left by something other than :func:`save`, which writes all
    or nothing) is never trained over silently: it is renamed to ``<folder>.incomplete-<time>`` (so
    nothing in it is lost), a line says so, and the recipe is trained again.

    Args:
        name: one of :data:`RECIPES`.
        dataset: the unlabelled images to pretrain on, ``"mnist"`` (digits) or ``"fashion_mnist"`` (clothes).
        seed: the pretraining seed (see :func:`seeds`).
        verbose: passed to :func:`train` when the model has to be trained.

    Returns:
        ``(encoder, decoder, where)``, where ``where`` says which happened, for printing.
    """
    target = folder(name, dataset, seed)
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
    data = splits.course_splits(dataset, verbose=False)
    _, encoder, decoder, history = train(name, data.x_pool, data.x_val, seed=seed, verbose=verbose)
    saved = save(encoder, decoder, history, name, dataset, seed)
    return encoder, decoder, f"trained now ({recipe(name, seed)['epochs']} epochs) and saved to {_shown(saved)}"


def load_or_train_seeds(name: str, *, dataset: str = "mnist", verbose: int = 1) -> dict[int, keras.Model]:
    """The recipe's encoder for every pretraining seed of the mode (:func:`seeds`), loaded or trained."""
    encoders = {}
    for seed in seeds():
        encoders[seed], _, where = load_or_train(name, dataset=dataset, seed=seed, verbose=verbose)
        print(f"{name} (seed {seed}): {where}")
    return encoders
