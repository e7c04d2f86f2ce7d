"""The strongest from-scratch baselines the course can build: MLPs and a small CNN, each with and without augmentation.

A claimed gain of pretraining is only a gain against the best model trained on the *same labels alone*.
Four such models, each a Keras classifier (n, 784) -> (n, 10) trained from random weights on the
labelled subset only (no unlabelled image, no pretraining):

- ``"MLP"``: the deep recipe's architecture (784-512-256-32, its input masking kept as a regulariser)
  with a softmax head, as notebook 05's "scratch" row;
- ``"CNN"``: three convolutional blocks (32, 64 and 128 filters of 3 × 3, ReLU, max pooling between
  them), global average pooling, dropout 0.3, softmax;
- ``"MLP + augmentation"``, ``"CNN + augmentation"``: the same, with Keras preprocessing layers that
  shift each training image by up to 2 pixels and rotate it by up to 10 degrees, freshly at every step
  (they do nothing at prediction time).

Each is trained with Adam by :meth:`helpers.training.Trainer.train_steps`, for a number of steps that
depends on the label budget; the steps and the learning rate were chosen on the validation split
(``make select``; its record is ``helpers/records/selection.json``), never on the test set.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import keras

from helpers import models, splits, training, validation

NAMES = ("MLP", "MLP + augmentation", "CNN", "CNN + augmentation")
#: The most a training image is shifted (as a fraction of its 28 pixels: 0.08 × 28 ≈ 2 pixels) and rotated
#: (as a fraction of a full turn: 10 / 360).
SHIFT, ROTATION = 0.08, 10 / 360


@dataclass(frozen=True)
class BaselineSchedule:
    """Adam's learning rate, the batch size, and the steps per label budget (``"all"``: passes over the data,
    at most ``max_steps_with_all_labels`` steps when that is set)."""

    learning_rate: float = 1e-3
    batch_size: int = 64
    steps: tuple[tuple[int | str, int], ...] = ((1, 200), (10, 400), (100, 1500))
    epochs_with_all_labels: int = 3
    max_steps_with_all_labels: int | None = None

    def steps_for(self, per_class: int | str, n_examples: int) -> int:
        """Steps for a subset of ``per_class`` labels per class (``n_examples`` in all)."""
        if per_class == splits.ALL:
            steps = -(-self.epochs_with_all_labels * n_examples // self.batch_size)
            return min(steps, self.max_steps_with_all_labels or steps)
        table = dict(self.steps)
        if per_class in table:
            return table[per_class]
        nearest = min(table, key=lambda budget: abs(budget - per_class))  # a budget the search did not try
        return table[nearest]


#: The schedule of each baseline: the steps per budget and the passes over all labels that ``make select``
#: chose on the validation split (its record: ``helpers/records/selection.json``; a test keeps them equal).
SCHEDULES = {
    "MLP": BaselineSchedule(steps=((1, 100), (10, 100), (100, 800)), epochs_with_all_labels=4),
    "MLP + augmentation": BaselineSchedule(steps=((1, 400), (10, 800), (100, 1600)), epochs_with_all_labels=4),
    "CNN": BaselineSchedule(steps=((1, 800), (10, 800), (100, 1600)), epochs_with_all_labels=4),
    "CNN + augmentation": BaselineSchedule(steps=((1, 1600), (10, 1600), (100, 1600)), epochs_with_all_labels=4),
}


def course_schedules() -> dict[str, BaselineSchedule]:
    """The schedules the course uses: :data:`SCHEDULES` in full mode; in fast mode at most 10 steps per run.

    Fast mode (the bundled sample, for tests) keeps every run short; its numbers test that the code runs.
    """
    from helpers import config

    if not config.fast_mode():
        return dict(SCHEDULES)
    return {name: dataclasses.replace(schedule, steps=tuple((b, min(n, 10)) for b, n in schedule.steps),
                                      epochs_with_all_labels=1, max_steps_with_all_labels=10)
            for name, schedule in SCHEDULES.items()}


def _augmentation(seed: int) -> list[keras.layers.Layer]:
    return [keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", seed=models.layer_seed(seed, 900)),
            keras.layers.RandomRotation(ROTATION, fill_mode="constant", seed=models.layer_seed(seed, 901))]


def build(name: str, seed: int) -> keras.Model:
    """A fresh, seeded baseline classifier (n, 784) -> (n, 10) probabilities."""
    validation.choice(name, "name", NAMES)
    seed = validation.seed(seed)
    augment = name.endswith("augmentation")
    layers: list[keras.layers.Layer] = [keras.Input((784,)), keras.layers.Reshape((28, 28, 1))]
    if augment:
        layers += _augmentation(seed)
    if name.startswith("CNN"):
        layers += [*models.cnn_layers(), keras.layers.Dropout(0.3, seed=models.layer_seed(seed, 902))]
    else:
        body = models.build_deep_autoencoder((512, 256), 32, noise=0.3, seed=seed)[1]
        layers += [keras.layers.Flatten(), body]
    layers.append(keras.layers.Dense(10, activation="softmax"))
    model = models.reinitialised(keras.Sequential(layers, name=name.replace(" + ", "_").lower()), seed)
    return model


def train(name: str, x: object, y: object, *, seed: int, schedule: BaselineSchedule | None = None,
          per_class: int | str | None = None) -> keras.Model:
    """Build the baseline ``name`` from ``seed`` and train it on the labelled (x, y) alone; return it."""
    schedule = schedule or course_schedules()[validation.choice(name, "name", NAMES)]
    model = build(name, seed)
    x = validation.flat_images(x, "x")
    y = validation.labels(y, "y", n=len(x))
    per_class = per_class if per_class is not None else round(len(x) / 10)
    trainer = training.Trainer(model, loss="sparse_categorical_crossentropy",
                               optimizer=keras.optimizers.Adam(schedule.learning_rate), batch_size=schedule.batch_size)
    trainer.train_steps(x, y, steps=schedule.steps_for(per_class, len(x)), seed=seed)
    return model


def run(data: splits.Splits, *, names: Sequence[str] = NAMES, budgets: Sequence[int | str], seeds: Sequence[int],
        schedules: dict[str, BaselineSchedule] | None = None,
        progress: Callable[[str], None] | None = print) -> list[dict]:
    """Train every baseline on every (budget, seed) subset of the pool; one row per run.

    Rows are shaped like :func:`helpers.finetuning.run_grid`'s (regime ``"scratch"``, no pretraining
    seed), with the validation accuracy beside the test accuracy.
    """
    from helpers import tables

    names = [validation.choice(name, "each of names", NAMES) for name in names]
    budgets = tables.check_budgets(budgets)
    seeds = validation.seeds(seeds)
    rows = []
    for budget in budgets:
        for seed in seeds[:1] if budget == splits.ALL else seeds:
            x, y = data.labelled(budget, seed)
            for name in names:
                start = time.perf_counter()
                model = train(name, x, y, seed=seed, schedule=(schedules or course_schedules())[name], per_class=budget)
                row = {"recipe": name, "regime": "scratch", "pretraining_seed": None, "labels_per_class": budget,
                       "labels": len(y), "seed": seed, "val_accuracy": models.accuracy(model, data.x_val, data.y_val),
                       "accuracy": models.accuracy(model, data.x_test, data.y_test),
                       "seconds": time.perf_counter() - start}
                rows.append(row)
                if progress:
                    progress(f"{name:>20s} {budget!s:>4s}/class seed {seed}: validation "
                             f"{100 * row['val_accuracy']:.1f} %, test {100 * row['accuracy']:.1f} %")
    return rows


RESULTS_NAME = "baseline_runs"


def settings(budgets: Sequence[int | str], seeds: Sequence[int]) -> dict:
    """What a saved set of baseline runs was made with; a saved set is reused only when this is the same."""
    from helpers import config

    return {"names": list(NAMES), "budgets": list(budgets), "seeds": list(seeds), "mode": config.mode_name(),
            "schedules": {name: dataclasses.asdict(schedule) for name, schedule in course_schedules().items()},
            "shift": SHIFT, "rotation": ROTATION}


def recorded(data: splits.Splits, made_with: Mapping) -> tuple[list[dict], str] | None:
    """The baselines' rows in the course's committed measurement record, when recorded with ``made_with``.

    ``scripts.measure_pretraining --parts baselines`` writes them, with the settings that produced them, into
    :func:`helpers.measurements.record_path` of the dataset (for MNIST ``helpers/records/better_pretraining.json``,
    the rows notebook 08 reads too). Returns ``(rows, where)``, or ``None`` when the record has no such part
    or it was made with other settings (another mode, other schedules, budgets or seeds).
    """
    from helpers import artifacts, measurements

    path = measurements.record_path(data.dataset)
    if not path.is_file():
        return None
    record = measurements.load_record(path)
    part = (record.get("parts") or {}).get("baselines") or {}
    if artifacts.json_text(part.get("settings")) != artifacts.json_text(made_with):
        return None
    rows = [{k: v for k, v in row.items() if k != "part"} for row in record["rows"] if row.get("part") == "baselines"]
    return rows, (f"read from the course's record, helpers/records/{path.name} (measured in full mode on "
                  f"{part.get('machine', 'an unstated machine')} by `{part.get('command', 'an unstated command')}`; "
                  f"`baselines.load_or_run(data, use_record=False)` trains them here instead, about 15 min)")


def load_or_run(data: splits.Splits, *, budgets: Sequence[int | str] | None = None,
                seeds: Sequence[int] | None = None,
                progress: Callable[[str], None] | None = print, use_record: bool = True) -> tuple[list[dict], str]:
    """The baselines' rows for these budgets and seeds: recorded, saved here, or run now, in that order.

    Training the convolutional baselines takes about 15 minutes for the whole table on a 2-core CPU in
    full mode, so the rows come from the first of:

    1. the course's committed record (:func:`recorded`), when it was measured with exactly these settings
       (full mode on the complete data, the course's schedules, budgets and subsets); skipped with
       ``use_record=False``, as ``scripts.measure_pretraining`` does to measure them afresh;
    2. the artifacts folder (``baseline_runs.json``, with the settings that produced them), when computed on
       this machine with the same settings;
    3. a run now, saved to the artifacts folder for the next time.

    Returns:
        ``(rows, where)``: the rows, and a sentence saying where they came from.
    """
    from helpers import artifacts, tables

    budgets = splits.label_budgets() if budgets is None else budgets
    seeds = splits.subset_seeds() if seeds is None else seeds
    use_record = validation.boolean(use_record, "use_record")
    made_with = settings(tables.check_budgets(budgets), validation.seeds(seeds))
    if use_record and (found := recorded(data, made_with)) is not None:
        return found
    wanted = artifacts.json_text(made_with)
    name = RESULTS_NAME if data.dataset == "mnist" else f"{RESULTS_NAME}_{data.dataset}"  # one file per dataset
    path = artifacts.artifact_path(name, ".json")
    if path.is_file():
        saved = artifacts.load_json(path)
        saved_with = {k: v for k, v in (saved.get("settings") or {}).items() if k != "seconds"}
        if isinstance(saved, dict) and artifacts.json_text(saved_with) == wanted:
            return saved["rows"], f"loaded from {path.name} (computed earlier with the same settings)"
    start = time.perf_counter()
    rows = run(data, budgets=budgets, seeds=seeds, progress=progress)
    tables.save_results(rows, {**made_with, "seconds": time.perf_counter() - start}, name)
    return rows, f"run now ({(time.perf_counter() - start) / 60:.1f} min) and saved to {path.name}"
