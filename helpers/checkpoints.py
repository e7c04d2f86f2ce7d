"""The course's own pretrained checkpoints, shipped in the repository like a model hub's.

Each checkpoint is an encoder (n, 784) -> (n, 128) (the course's convolutional body,
:func:`helpers.models.cnn_layers`), pretrained on the **pool** images of :func:`helpers.splits.course_splits`
(the 55,000 training images outside the validation split), **without their labels**: no test image and no
label was ever seen. Two files per checkpoint in ``helpers/hub/``:

- ``<name>.keras``: the encoder in Keras's native format (``<name>_fashion_mnist.keras`` for one pretrained on
  Fashion-MNIST's pool instead, ``..._seed<k>`` for pretraining runs other than seed 0);
- ``<name>.json``: its model card: objective, architecture, data and split, epochs, seed, the validation
  metrics it reached, wall time and machine, the file's sha256, and the command that rebuilds it.

:func:`load` checks the file's sha256 against its card before Keras reads it, and loads it with
``keras.saving.load_model(..., safe_mode=True)`` (no arbitrary code runs); a missing, altered or corrupt
file gets an error naming the file and how to restore it. ``python -m scripts.train_checkpoint NAME``
(``make checkpoints``) trains one from nothing and writes both files.

The recipes (:data:`RECIPES`):

- ``"contrastive"``: SimCLR (:class:`helpers.objectives.Contrastive`): two random distortions of each image,
  the NT-Xent loss between their projections (a 128-128-64 head, dropped after pretraining);
- ``"masked"``: a masked convolutional autoencoder (:class:`helpers.objectives.MaskedReconstruction`): half
  of each image's 7 × 7 patches hidden, the hidden pixels reconstructed by a small transposed-convolution
  decoder (dropped after pretraining).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from helpers import artifacts, finetuning, models, objectives, splits, training, validation

#: Where the shipped checkpoints live (inside the package, so a wheel carries them).
HUB = Path(__file__).resolve().parent / "hub"
#: The labelled subsets on which a checkpoint's validation metric is measured (never the reported subsets).
SELECTION_SUBSETS = (100, 101, 102)
FEATURES = 128


def encoder(seed: int) -> keras.Model:
    """A fresh, seeded convolutional encoder (n, 784) -> (n, 128)."""
    body = keras.Sequential([keras.Input((784,)), keras.layers.Reshape((28, 28, 1)), *models.cnn_layers()],
                            name="cnn_encoder")
    return models.reinitialised(body, seed)


def _contrastive(seed: int) -> tuple[keras.Model, keras.Model]:
    body = encoder(seed)
    head = models.reinitialised(keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(128, activation="relu"),
                                                  keras.layers.Dense(64)], name="projection_head"), seed + 1)
    return keras.Sequential([body, head], name="simclr"), body


def _masked(seed: int) -> tuple[keras.Model, keras.Model]:
    body = encoder(seed)
    decoder = models.reinitialised(keras.Sequential([
        keras.Input((FEATURES,)), keras.layers.Dense(7 * 7 * 32, activation="relu"), keras.layers.Reshape((7, 7, 32)),
        keras.layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid"),
        keras.layers.Reshape((784,))], name="decoder"), seed + 1)
    return keras.Sequential([body, decoder], name="masked_autoencoder"), body


@dataclass(frozen=True)
class CheckpointRecipe:
    """How a checkpoint is pretrained: the model trained (encoder + a head dropped afterwards) and its objective."""

    objective: str
    architecture: str
    epochs: int
    batch_size: int
    learning_rate: float
    build: Callable[[int], tuple[keras.Model, keras.Model]]
    make_objective: Callable[[int], training.Objective]


ENCODER = ("784 -> 28x28x1 -> conv3x3(32) -> maxpool -> conv3x3(64) -> maxpool -> conv3x3(128) -> "
           "global average pool (128)")
RECIPES = {
    "contrastive": CheckpointRecipe(
        objective="SimCLR: NT-Xent (temperature 0.2) between two distorted views (shift 15 %, rotation 18 deg, "
                  "zoom 15 %, one erased rectangle up to 20 %) through a 128-128-64 projection head",
        architecture=ENCODER, epochs=30, batch_size=256, learning_rate=1e-3, build=_contrastive,
        make_objective=lambda seed: objectives.Contrastive(seed=seed)),
    "masked": CheckpointRecipe(
        objective="masked reconstruction: 50 % of the 16 patches of 7x7 hidden, binary cross-entropy on the hidden "
                  "pixels, decoder dense(1568) -> 7x7x32 -> deconv(32) -> deconv(1, sigmoid)",
        architecture=ENCODER, epochs=20, batch_size=256, learning_rate=1e-3, build=_masked,
        make_objective=lambda seed: objectives.MaskedReconstruction(patch=7, ratio=0.5, seed=seed)),
}
NAMES = tuple(RECIPES)


DATASETS = ("mnist", "fashion_mnist")


def paths(name: str, hub: Path = HUB, seed: int = 0, dataset: str = "mnist") -> tuple[Path, Path]:
    """The checkpoint's ``.keras`` file and model card: ``<name>[_<dataset>][_seed<k>].{keras,json}``.

    No dataset suffix for MNIST, no seed suffix for pretraining seed 0.
    """
    validation.choice(name, "name", NAMES)
    validation.choice(dataset, "dataset", DATASETS)
    stem = name + ("" if dataset == "mnist" else f"_{dataset}") + ("" if validation.seed(seed) == 0 else f"_seed{seed}")
    return hub / f"{stem}.keras", hub / f"{stem}.json"


def command(name: str, seed: int = 0, dataset: str = "mnist") -> str:
    """The command that pretrains checkpoint ``name`` from nothing (full mode) and writes it into helpers/hub/."""
    return (f"python -m scripts.train_checkpoint {name} --seed {seed}"
            + ("" if dataset == "mnist" else f" --dataset {dataset}"))


def seeds(name: str, hub: Path = HUB, dataset: str = "mnist") -> list[int]:
    """The pretraining seeds of ``name`` (on ``dataset``) shipped in ``hub`` (each a pretraining run of its own)."""
    found = [seed for seed in range(10) if paths(name, hub, seed, dataset)[1].is_file()]
    if not found:
        raise validation.value_error("name", f"{name!r} has no {dataset} checkpoint in {hub}",
                                     f"Restore helpers/hub/ from git, or run `{command(name, 0, dataset)}`.")
    return found


def probe_accuracy(encoder_: keras.Model, data: splits.Splits, subsets: tuple[int, ...] = SELECTION_SUBSETS,
                   per_class: int = 10) -> float:
    """Mean validation accuracy of a linear probe on the frozen encoder, over labelled subsets of the pool."""
    statistics = finetuning.code_statistics(encoder_, data.x_pool[:10000])
    scores = []
    for subset in subsets:
        x, y = data.labelled(per_class, subset)
        probe = finetuning.adapt(encoder_, "frozen", x, y, statistics=statistics, seed=subset,
                                 schedule=finetuning.course_schedule())
        scores.append(models.accuracy(probe, data.x_val, data.y_val))
    return float(np.mean(scores))


def train(name: str, data: splits.Splits, *, seed: int = 0, epochs: int | None = None, probe_every: int = 10,
          progress: Callable[[str], None] | None = print) -> tuple[keras.Model, dict]:
    """Pretrain the checkpoint ``name`` from ``seed`` on the pool's images; return its encoder and model card.

    Training is :func:`helpers.training.train` (the objective's loss on the validation split after each epoch);
    every ``probe_every`` epochs (and at the end) the encoder's frozen linear probe at 10 labels per class is
    measured on the validation split (:func:`probe_accuracy`); the card records both curves.
    """
    recipe = RECIPES[validation.choice(name, "name", NAMES)]
    seed = validation.seed(seed)
    epochs = recipe.epochs if epochs is None else validation.positive_int(epochs, "epochs")
    model, body = recipe.build(seed)
    probe = training.Measure("val_probe_accuracy", lambda: probe_accuracy(body, data), every=probe_every,
                             progress=progress)
    start = time.perf_counter()
    history = training.train(model, data.x_pool, loss=recipe.make_objective(seed),
                             optimizer=keras.optimizers.Adam(recipe.learning_rate), epochs=epochs,
                             batch_size=recipe.batch_size, validation_data=(data.x_val,), callbacks=[probe],
                             seed=seed, verbose=1 if progress else 0)
    probes = [{"epoch": r["epoch"], "val_probe_accuracy": r["val_probe_accuracy"]} for r in probe.results]
    card = {
        "name": name, "dataset": data.dataset, "objective": recipe.objective, "architecture": recipe.architecture,
        "output": f"(n, {FEATURES}) features; input (n, 784) pixels in [0, 1]",
        "data": f"{data.dataset}: the {len(data.x_pool):,} pool images (training images minus the validation split "
                f"of {len(data.x_val):,}, seed {splits.VALIDATION_SEED}), pixels only: no label, no test image",
        "optimizer": f"Adam(learning_rate={recipe.learning_rate})", "batch_size": recipe.batch_size,
        "epochs": epochs, "seed": seed, "history": history, "validation_probe": probes,
        "validation_probe_note": "frozen linear probe at 10 labels per class, mean over labelled subsets "
                                 f"{list(SELECTION_SUBSETS)} of the pool, accuracy on the validation split",
        "wall_seconds": round(time.perf_counter() - start, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
        "keras": keras.__version__, "trained": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": f"{command(name, seed, data.dataset)} --epochs {epochs}",
    }
    return body, card


def save(name: str, encoder_: keras.Model, card: dict, hub: Path = HUB) -> tuple[Path, Path]:
    """Write the encoder and its card (with the file's sha256) into ``hub``; return both paths."""
    model_path, card_path = paths(name, hub, card["seed"], card.get("dataset", "mnist"))
    artifacts.save_model(encoder_, model_path)
    artifacts.save_json({**card, "file": model_path.name, "sha256": artifacts.sha256(model_path),
                         "bytes": model_path.stat().st_size}, card_path)
    for path in (model_path, card_path):
        path.chmod(0o644)  # files to commit and ship: readable by everyone
    return model_path, card_path


def card(name: str, hub: Path = HUB, seed: int = 0, dataset: str = "mnist") -> dict:
    """The model card of a shipped checkpoint (a dict; see the module's docstring)."""
    _, card_path = paths(name, hub, seed, dataset)
    if not card_path.is_file():
        raise validation.value_error("name", f"{name!r} has no model card ({card_path})",
                                     f"Restore it with `git checkout -- {_shown(card_path)}`, or rebuild the "
                                     f"checkpoint with `{command(name, seed, dataset)}`.")
    return artifacts.load_json(card_path)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(HUB.parent.parent))
    except ValueError:
        return str(path)


def load(name: str, hub: Path = HUB, seed: int = 0, dataset: str = "mnist") -> keras.Model:
    """The shipped encoder ``name`` (pretraining run ``seed`` on ``dataset``), checked against its card's sha256."""
    model_path, _ = paths(name, hub, seed, dataset)
    info = card(name, hub, seed, dataset)
    restore = (f"Restore it with `git checkout -- {_shown(model_path)}` (or download the course again), or retrain it "
               f"with `{info.get('command', command(name, seed, dataset))}`.")
    if not model_path.is_file():
        raise validation.value_error("name", f"{name!r}: the checkpoint file {model_path} is missing", restore)
    digest = artifacts.sha256(model_path)
    if digest != info.get("sha256"):
        raise validation.value_error(
            "name", f"{name!r}: the checkpoint file {model_path} is not the one its model card describes (sha256 "
            f"{digest[:12]}… instead of {str(info.get('sha256'))[:12]}…): it was altered or damaged", restore)
    try:
        return keras.saving.load_model(model_path, safe_mode=True, compile=False)
    except Exception as error:  # Keras raises several types for a damaged archive
        raise validation.value_error("name", f"{name!r}: {model_path} could not be loaded ({error})", restore) from None
