"""Fine-tuning (微调) measured: a pretrained encoder against training from scratch, on few labels.

Three regimes adapt an encoder (any Keras model mapping (n, 784) images to (n, k) codes) to
classify digits, each minimising the task loss (1/m) Σ J(y, ŷ) (sparse categorical cross-entropy):

- ``"scratch"``: the encoder's architecture with fresh random weights, plus a softmax head, all trained;
- ``"frozen"``: the pretrained encoder kept fixed, a softmax head trained on its standardised codes
  (a linear probe: logistic regression on the codes, trained to convergence);
- ``"fine-tuned"``: the probe first, then every weight trained further at a small learning rate.

All training runs through :class:`helpers.training.Trainer` (its :meth:`~helpers.training.Trainer.train_steps`:
many short runs, one compiled graph per model). :func:`run_grid` runs recipes × regimes × label budgets
× seeds and returns a tidy table (one row per run); :mod:`helpers.tables` condenses and saves it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields

import keras
import numpy as np

from helpers import config, models, splits, tables, training, validation

REGIMES = ("scratch", "frozen", "fine-tuned")
LOSS = "sparse_categorical_crossentropy"


@dataclass(frozen=True)
class Schedule:
    """How each regime is trained (Adam throughout; steps are optimizer steps, full batch up to 256).

    The defaults are what ``make select`` chose on the validation split (``helpers/records/selection.json``;
    ``tests/test_selection.py`` keeps them equal), except ``large_set_epochs`` and ``batch_size`` (not searched).

    Attributes:
        scratch_steps, scratch_learning_rate: the from-scratch network.
        probe_steps, probe_learning_rate, probe_l2: the softmax head on frozen, standardised codes
            (its L2 penalty, ``probe_l2 · Σ w²`` over the head's kernel, keeps the probe from fitting a
            handful of examples exactly).
        finetune_steps, finetune_learning_rate: the second phase of fine-tuning, all weights.
        large_set_epochs: for sets larger than a batch, steps are raised to at least this many
            passes over the data.
        batch_size: examples per step for large sets.
    """

    scratch_steps: int = 600
    scratch_learning_rate: float = 1e-3
    probe_steps: int = 250
    probe_learning_rate: float = 1e-2
    probe_l2: float = 1e-2
    finetune_steps: int = 100
    finetune_learning_rate: float = 3e-4
    large_set_epochs: int = 5
    batch_size: int = 256

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.type == "int":
                validation.positive_int(value, f"Schedule.{field.name}")
            elif field.name == "probe_l2":
                validation.number(value, f"Schedule.{field.name}", minimum=0)
            else:
                validation.number(value, f"Schedule.{field.name}", above=0)

    def steps_for(self, base_steps: int, n_examples: int) -> int:
        """``base_steps``, raised to ``large_set_epochs`` passes over ``n_examples`` for large sets."""
        passes = -(-self.large_set_epochs * n_examples // self.batch_size) if n_examples > self.batch_size else 0
        return max(base_steps, passes)


def course_schedule() -> Schedule:
    """The schedule the course uses: :class:`Schedule`'s defaults in full mode; in fast mode fewer steps.

    Fast mode (the bundled sample, for tests) caps every phase at 150 steps and large sets at 3 passes.
    """
    full = Schedule()
    if config.fast_mode():
        return dataclasses.replace(full, scratch_steps=min(full.scratch_steps, 150),
                                   probe_steps=min(full.probe_steps, 150), finetune_steps=min(full.finetune_steps, 150),
                                   large_set_epochs=3)
    return full


@keras.saving.register_keras_serializable(package="helpers")
class Standardize(keras.layers.Layer):
    """(x − mean) / std with fixed statistics: puts every code unit on the same scale for the probe."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], **kwargs):
        super().__init__(**kwargs)
        mean = validation.finite_floats(np.asarray(mean, dtype=np.float64), "mean", ndim=1)
        std = validation.finite_floats(np.asarray(std, dtype=np.float64), "std", ndim=1)
        if mean.shape != std.shape or std.min() <= 0:
            raise validation.value_error("Standardize's mean and std", "must have the same length, every std > 0",
                                         "Compute them with finetuning.code_statistics(encoder, x).")
        self.mean_values = [float(v) for v in mean]
        self.std_values = [float(v) for v in std]

    def call(self, inputs):
        mean = keras.ops.convert_to_tensor(self.mean_values, dtype=inputs.dtype)
        std = keras.ops.convert_to_tensor(self.std_values, dtype=inputs.dtype)
        return (inputs - mean) / std

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean_values, "std": self.std_values}


def _check_encoder(encoder: object) -> keras.Model:
    validation.keras_model(encoder, "encoder")
    if len(encoder.output_shape) != 2:
        raise validation.value_error("encoder", f"must output flat codes (n, k), its output shape is "
                                     f"{encoder.output_shape}", "Add a Flatten layer at its end.")
    return encoder


def _images_for(encoder: keras.Model, x: object, name: str) -> np.ndarray:
    """Images checked against the encoder's input width."""
    return validation.flat_images(x, name, width=encoder.input_shape[-1])


def code_statistics(encoder: keras.Model, x_unlabelled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each code unit over unlabelled images (no labels used).

    Returns:
        ``(mean, std)``, each of shape (k,); std has a floor of 1e-3 so dead units do not divide by zero.
    """
    _check_encoder(encoder)
    codes = models.predict_in_batches(encoder, _images_for(encoder, x_unlabelled, "x_unlabelled"))
    return codes.mean(axis=0), np.maximum(codes.std(axis=0), 1e-3)


class Adapter:
    """Adapts one pretrained encoder, in any regime, to many labelled sets, compiling each graph once.

    The models and their trainers are built on first use and reused by later calls with fresh starting
    weights (and their noise layers restarted from the run's seed), so a grid of many small runs does
    not pay a second of compilation per run and a run's result does not depend on the runs before it.
    The pretrained encoder itself is never modified.

    Regimes that train the encoder ("scratch", "fine-tuned") train it as it is, noise layers included:
    the deep denoising recipe's input masking is active there, as a regulariser.

    Args:
        encoder: pretrained encoder, (n, 784) -> (n, k).
        statistics: ``(mean, std)`` of its codes from :func:`code_statistics` (used by the probe).
        schedule: how each regime is trained.
        n_classes: number of classes of the task.
    """

    def __init__(self, encoder: keras.Model, statistics: tuple[np.ndarray, np.ndarray],
                 schedule: Schedule = Schedule(), n_classes: int = 10) -> None:
        self.encoder = _check_encoder(encoder)
        if not isinstance(schedule, Schedule):
            raise validation.type_error("schedule", "a finetuning.Schedule", schedule,
                                        "Use finetuning.course_schedule() or Schedule(...).")
        self.schedule = schedule
        self.n_classes = validation.integer(n_classes, "n_classes", minimum=2)
        if not isinstance(statistics, Sequence) or len(statistics) != 2:
            raise validation.type_error("statistics", "a pair (mean, std) from finetuning.code_statistics", statistics)
        self.standardize = Standardize(*statistics)
        if len(self.standardize.mean_values) != encoder.output_shape[-1]:
            raise validation.value_error("statistics", f"are for {len(self.standardize.mean_values)} code units, "
                                         f"the encoder has {encoder.output_shape[-1]}",
                                         "Compute them from this encoder with code_statistics(encoder, x).")
        self._built: dict[str, dict] = {}

    def _head(self, name: str, l2: float = 0.0) -> keras.layers.Dense:
        """A softmax head; its initial weights are replaced before every run (seeded so no global state is drawn)."""
        return keras.layers.Dense(self.n_classes, activation="softmax", name=name,
                                  kernel_initializer=keras.initializers.GlorotUniform(seed=0),
                                  kernel_regularizer=keras.regularizers.L2(l2) if l2 else None)

    def _copy(self) -> keras.Model:
        """The encoder's architecture as a new model (its weights are set before every run)."""
        return models.reinitialised(self.encoder, seed=0)

    def _optimizer(self, learning_rate: float) -> keras.optimizers.Optimizer:
        return keras.optimizers.Adam(learning_rate)

    def _parts(self, regime: str) -> dict:
        if regime in self._built:
            return self._built[regime]
        s, width = self.schedule, self.encoder.output_shape[-1]
        if regime == "scratch":
            model = keras.Sequential([self._copy(), self._head("head")])
            model.build((None, *self.encoder.input_shape[1:]))
            parts = {"model": model, "trainer": training.Trainer(
                model, loss=LOSS, optimizer=self._optimizer(s.scratch_learning_rate), batch_size=s.batch_size)}
        elif regime == "frozen":
            head = self._head("probe_head", s.probe_l2)
            probe = keras.Sequential([keras.Input(shape=(width,)), head])
            body = self._copy()
            classifier = keras.Sequential([body, self.standardize, head])
            classifier.build((None, *self.encoder.input_shape[1:]))
            body.set_weights(self.encoder.get_weights())
            parts = {"model": classifier, "head": head, "probe": probe, "trainer": training.Trainer(
                probe, loss=LOSS, optimizer=self._optimizer(s.probe_learning_rate), batch_size=s.batch_size)}
        else:
            head = self._head("head")
            classifier = keras.Sequential([self._copy(), self.standardize, head])
            classifier.build((None, *self.encoder.input_shape[1:]))
            parts = {"model": classifier, "head": head, "trainer": training.Trainer(
                classifier, loss=LOSS, optimizer=self._optimizer(s.finetune_learning_rate), batch_size=s.batch_size)}
        self._built[regime] = parts
        return parts

    def _probe(self, x: np.ndarray, y: np.ndarray, seed: int) -> list[np.ndarray]:
        """Train the softmax head on fixed standardised codes (a linear probe); return its weights.

        The codes are computed once, with the encoder in inference mode (any input-noise layer off).
        """
        parts = self._parts("frozen")
        codes = keras.ops.convert_to_numpy(self.standardize(models.predict_in_batches(self.encoder, x)))
        parts["probe"].set_weights(models.fresh_weights(parts["probe"], seed))
        parts["trainer"].train_steps(codes, y, steps=self.schedule.steps_for(self.schedule.probe_steps, len(x)),
                                     seed=seed)
        return parts["head"].get_weights()

    def run(self, regime: str, x: np.ndarray, y: np.ndarray, *, seed: int) -> keras.Model:
        """Train a classifier in ``regime`` on (x, y) and return it.

        The returned model is reused (with new weights) by the next call in the same regime: measure
        it before calling again, or use :func:`adapt` for a model of your own.

        Args:
            regime: one of :data:`REGIMES`.
            x, y: labelled images (m, 784) float32 in [0, 1] and integer labels (m,).
            seed: seeds the starting weights of what is trained from scratch, and the mini-batches.

        Returns:
            The trained classifier, (n, 784) -> (n, n_classes) probabilities.
        """
        validation.choice(regime, "regime", REGIMES)
        x = _images_for(self.encoder, x, "x")
        y = validation.labels(y, "y", n=len(x), n_classes=self.n_classes)
        seed = validation.seed(seed)
        s = self.schedule
        if regime == "scratch":
            parts = self._parts(regime)
            parts["model"].set_weights(models.fresh_weights(parts["model"], seed))
            models.reseed_noise(parts["model"], seed)
            parts["trainer"].train_steps(x, y, steps=s.steps_for(s.scratch_steps, len(x)), seed=seed)
            return parts["model"]
        head_weights = self._probe(x, y, seed)
        if regime == "frozen":
            return self._parts(regime)["model"]
        parts = self._parts(regime)
        parts["model"].layers[0].set_weights(self.encoder.get_weights())
        parts["head"].set_weights(head_weights)
        models.reseed_noise(parts["model"], seed + 1)
        parts["trainer"].train_steps(x, y, steps=s.steps_for(s.finetune_steps, len(x)), seed=seed + 1)
        return parts["model"]


def adapt(
    encoder: keras.Model,
    regime: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    statistics: tuple[np.ndarray, np.ndarray],
    seed: int,
    schedule: Schedule = Schedule(),
    n_classes: int = 10,
) -> keras.Model:
    """Build and train one classifier from ``encoder`` in one regime (see :class:`Adapter`).

    Args:
        encoder: pretrained encoder, (n, 784) -> (n, k); it is not modified.
        regime: one of :data:`REGIMES`.
        x, y: labelled training images (m, 784) float32 and integer labels (m,).
        statistics: ``(mean, std)`` of the codes from :func:`code_statistics` (unused for "scratch").
        seed: seeds the starting weights of what is trained from scratch, and the mini-batches.

    Returns:
        A trained classifier of its own, (n, 784) -> (n, n_classes) probabilities.
    """
    validation.choice(regime, "regime", REGIMES)
    return Adapter(encoder, statistics, schedule, n_classes).run(regime, x, y, seed=seed)


def _encoder_seeds(name: str, value: object) -> dict[int | None, keras.Model]:
    """A recipe's encoders by pretraining seed: a dict seed -> encoder, or one encoder (no seeds: key None)."""
    if isinstance(value, Mapping):
        if not value:
            raise validation.value_error(f"encoders[{name!r}]", "is an empty dict of pretraining seeds",
                                         "Map each pretraining seed to its encoder, e.g. {0: encoder}.")
        return {validation.seed(seed, f"a pretraining seed of {name!r}"): _check_encoder(encoder)
                for seed, encoder in value.items()}
    return {None: _check_encoder(value)}


def run_grid(
    encoders: Mapping[str, keras.Model | Mapping[int, keras.Model]],
    data: splits.Splits,
    *,
    budgets: Sequence[int | str],
    seeds: Sequence[int],
    regimes: Sequence[str] = REGIMES,
    schedule: Schedule = Schedule(),
    seeds_for_all: int = 1,
    progress: Callable[[str], None] | None = print,
) -> list[dict]:
    """Run every recipe × pretraining seed × regime × label budget × subset seed; return one row per run.

    The labelled subset for a (budget, seed) pair is drawn from the pool (:meth:`helpers.splits.Splits.labelled`)
    and is the same for every recipe, pretraining seed and regime, so comparisons are paired. With the
    budget ``"all"`` every pool label is used and only the first ``seeds_for_all`` subset seeds run (the
    subset no longer varies; the initial weights do). The ``"scratch"`` regime uses only a recipe's
    architecture, so it runs once per subset (its row's ``pretraining_seed`` is None), not once per
    pretraining seed. Each trained classifier is measured on the validation split (to choose with) and on
    the test set (to report).

    Args:
        encoders: recipe name -> its encoder, or a dict pretraining seed -> encoder (n, 784) -> (n, k).
        data: the splits; the pool's images are also the unlabelled images of the code statistics.
        budgets: labels per class, e.g. ``[1, 10, 100, "all"]``.
        seeds: the labelled subsets' seeds, e.g. ``range(5)``.
        regimes: a subset of :data:`REGIMES`.
        schedule: how each regime is trained.
        seeds_for_all: how many of the seeds run with the budget ``"all"``, from 1 to ``len(seeds)``.
        progress: called with one line per finished run; None for silence.

    Returns:
        Rows ``{"recipe", "regime", "pretraining_seed", "labels_per_class", "labels", "seed", "val_accuracy",
        "accuracy", "seconds"}`` (accuracies as fractions, ``accuracy`` on the test set).
    """
    if not isinstance(encoders, Mapping) or not encoders:
        raise validation.type_error("encoders", "a non-empty dict recipe name -> encoder", encoders)
    by_seed = {}
    for name, value in encoders.items():
        if not isinstance(name, str):
            raise validation.type_error("each recipe name in encoders", "a string", name)
        by_seed[name] = _encoder_seeds(name, value)
    if not isinstance(data, splits.Splits):
        raise validation.type_error("data", "the splits of helpers.splits.course_splits()", data)
    if isinstance(regimes, str) or not isinstance(regimes, Sequence) or not regimes:
        raise validation.type_error("regimes", f"a non-empty list drawn from {REGIMES}", regimes)
    for regime in regimes:
        validation.choice(regime, "each of regimes", REGIMES)
    budgets = tables.check_budgets(budgets)
    seeds = validation.seeds(seeds)
    seeds_for_all = validation.integer(seeds_for_all, "seeds_for_all", minimum=1, maximum=len(seeds))
    if progress is not None:
        validation.callable_(progress, "progress", "taking one line of text, such as print, or None")
    adapters = {(name, pseed): Adapter(encoder, code_statistics(encoder, data.x_pool), schedule)
                for name, seeded in by_seed.items() for pseed, encoder in seeded.items()}
    rows = []
    for budget in budgets:
        for seed in seeds[:seeds_for_all] if budget == tables.ALL else seeds:
            x_labelled, y_labelled = data.labelled(budget, seed)
            for name, seeded in by_seed.items():
                for regime in regimes:
                    for pseed in list(seeded)[:1] if regime == "scratch" else seeded:
                        start = time.perf_counter()
                        classifier = adapters[name, pseed].run(regime, x_labelled, y_labelled, seed=seed)
                        row = {"recipe": name, "regime": regime,
                               "pretraining_seed": None if regime == "scratch" else pseed,
                               "labels_per_class": budget, "labels": len(y_labelled), "seed": seed,
                               "val_accuracy": models.accuracy(classifier, data.x_val, data.y_val),
                               "accuracy": models.accuracy(classifier, data.x_test, data.y_test),
                               "seconds": time.perf_counter() - start}
                        rows.append(row)
                        if progress:
                            progress(f"{name:>22s} {regime:>10s} {budget!s:>4s}/class seed {seed}"
                                     + (f" (pretraining seed {pseed})" if row["pretraining_seed"] is not None else "")
                                     + f": validation {100 * row['val_accuracy']:.1f} %, "
                                       f"test {100 * row['accuracy']:.1f} %")
    return rows
