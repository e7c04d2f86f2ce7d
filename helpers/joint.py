"""Both of the article's objectives at once: a classifier trained on few labels and many unlabelled images.

The two-stage recipe of the article first minimises ``L`` on unlabelled images, then ``J`` on labelled
ones. Here one network minimises ``(1/m) Σ J + λ (1/n) Σ L_u`` from the first step
(:class:`helpers.objectives.Joint`): each step sees a batch of the pool's unlabelled images and a batch
of the labelled subset. The network is the baselines' CNN (:func:`helpers.baselines.build`), from random
weights or from a shipped checkpoint's convolutional layers (:mod:`helpers.checkpoints`).

Each run is measured on the validation split after every epoch (to choose the number of epochs with) and,
once, on the test set at the end (to report).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import keras
import numpy as np

from helpers import baselines, models, objectives, splits, training, validation


@dataclass(frozen=True)
class JointSchedule:
    """How a joint run is trained: Adam, passes over the unlabelled pool, and the objective's settings."""

    epochs: int = 20
    batch_size: int = 256
    learning_rate: float = 1e-3
    weight: float = 1.0
    threshold: float = 0.95
    labelled_batch: int = 64


#: Epochs (passes over the 55,000 pool images) per starting point. From random weights: chosen on the
#: validation split with a selection subset (10 labels per class, subset 100; validation accuracy per epoch
#: in ``helpers/records/better_pretraining.json``, ``"selection"``): the fewest epochs within one standard
#: error (0.3 points) of the best seen in 17. Starting from the contrastive checkpoint was tried with the
#: same number on one subset and was worse on validation (the record's ``"selection"``): not measured further.
EPOCHS = {"scratch": 13, "contrastive": 13}


def course_schedule() -> JointSchedule:
    """:class:`JointSchedule`'s defaults in full mode; 3 passes over the (small) pool in fast mode."""
    from helpers import config

    return JointSchedule() if not config.fast_mode() else JointSchedule(epochs=3, batch_size=128)


def classifier(seed: int, start_from: keras.Model | None = None) -> keras.Model:
    """The baselines' CNN (n, 784) -> (n, 10), seeded; with ``start_from``, its convolutions copied from that one."""
    model = baselines.build("CNN", seed)
    if start_from is not None:
        convolutions = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
        pretrained = [layer for layer in validation.keras_model(start_from, "start_from").layers
                      if isinstance(layer, keras.layers.Conv2D)]
        if [c.kernel.shape for c in convolutions] != [p.kernel.shape for p in pretrained]:
            raise validation.value_error("start_from", "does not have the CNN's three convolutions",
                                         "Pass a checkpoint of helpers.checkpoints (checkpoints.load(name)).")
        for mine, theirs in zip(convolutions, pretrained):
            mine.set_weights(theirs.get_weights())
    return model


def train(x_labelled: np.ndarray, y_labelled: np.ndarray, data: splits.Splits, *, seed: int,
          schedule: JointSchedule | None = None, start_from: keras.Model | None = None,
          progress: Callable[[str], None] | None = print) -> tuple[keras.Model, list[dict]]:
    """Train one joint classifier on a labelled subset and the pool's images; return it and its validation curve.

    Returns:
        ``(model, curve)``: the classifier after the last epoch, and per epoch ``{"epoch", "loss",
        "val_accuracy", "seconds"}``.
    """
    schedule = schedule or course_schedule()
    model = classifier(seed, start_from)
    objective = objectives.Joint(x_labelled, y_labelled, weight=schedule.weight, threshold=schedule.threshold,
                                 labelled_batch=schedule.labelled_batch, seed=seed)
    accuracy = training.Measure("val_accuracy", lambda: models.accuracy(model, data.x_val, data.y_val),
                                progress=progress)
    history = training.train(model, data.x_pool, loss=objective, epochs=schedule.epochs,
                             optimizer=keras.optimizers.Adam(schedule.learning_rate), batch_size=schedule.batch_size,
                             callbacks=[accuracy], seed=seed, verbose=0)
    return model, [{**measured, "loss": loss} for measured, loss in zip(accuracy.results, history["loss"])]


def run(data: splits.Splits, *, budgets: Sequence[int], seeds: Sequence[int],
        start_from: dict[int, keras.Model] | None = None, recipe: str = "joint",
        schedule: JointSchedule | None = None, progress: Callable[[str], None] | None = print) -> list[dict]:
    """Joint runs on every (budget, subset) pair; rows shaped like :func:`helpers.finetuning.run_grid`'s.

    Args:
        start_from: pretraining seed -> encoder; subset number i starts from the encoder of pretraining seed
            ``i mod len(start_from)`` (row key ``start_seed``), or None for random starting weights. Each run
            thus draws both a labelled subset and a pretraining run, and the spread over runs (one per subset:
            ``pretraining_seed`` is None, as for a from-scratch arm) includes the pretraining's variance.
        recipe: the rows' recipe name.
    """
    schedule = schedule or course_schedule()
    rows = []
    for budget in budgets:
        for i, seed in enumerate(validation.seeds(seeds)):
            x, y = data.labelled(budget, seed)
            pretraining_seed = None if not start_from else sorted(start_from)[i % len(start_from)]
            encoder = None if pretraining_seed is None else start_from[pretraining_seed]
            if progress:
                progress(f"{recipe}: {budget} labels per class, subset {seed}"
                         + ("" if encoder is None else f", from pretraining run {pretraining_seed}"))
            start = time.perf_counter()
            model, curve = train(x, y, data, seed=seed, schedule=schedule, start_from=encoder, progress=progress)
            rows.append({"recipe": recipe, "regime": "joint", "pretraining_seed": None, "start_seed": pretraining_seed,
                         "labels_per_class": budget, "labels": len(y), "seed": seed,
                         "val_accuracy": curve[-1]["val_accuracy"],
                         "accuracy": models.accuracy(model, data.x_test, data.y_test),
                         "seconds": time.perf_counter() - start, "curve": curve, "schedule": asdict(schedule)})
    return rows
