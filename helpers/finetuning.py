"""Fine-tuning (微调) measured: a pretrained encoder against training from scratch, on few labels.

Three regimes adapt an encoder (any Keras model mapping (n, 784) images to (n, k) codes) to
classify digits, each minimising the task loss (1/m) Σ J(y, ŷ) (sparse categorical cross-entropy):

- ``"scratch"``: the encoder's architecture with fresh random weights, plus a softmax head, all trained;
- ``"frozen"``: the pretrained encoder kept fixed, a softmax head trained on its standardised codes
  (a linear probe: logistic regression on the codes, trained to convergence);
- ``"fine-tuned"``: the probe first, then every weight trained further at a small learning rate.

:func:`run_grid` runs recipes × regimes × label budgets × seeds and returns a tidy table (a list of
dicts, one row per run); :func:`summarise` and :func:`markdown_table` condense it, and
:func:`save_results` writes it, with its settings, atomically as JSON and CSV.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

import keras
import numpy as np

from helpers import artifacts, config, data, training

REGIMES = ("scratch", "frozen", "fine-tuned")
ALL = "all"  # a label budget meaning every labelled training example


@dataclass(frozen=True)
class Schedule:
    """How each regime is trained (Adam throughout; steps are optimiser steps, full batch up to 256).

    Attributes:
        scratch_steps, scratch_learning_rate: the from-scratch network.
        probe_steps, probe_learning_rate, probe_l2: the softmax head on frozen, standardised codes
            (its L2 penalty keeps the probe from fitting a handful of examples exactly).
        finetune_steps, finetune_learning_rate: the second phase of fine-tuning, all weights.
        large_set_epochs: for sets larger than a batch, steps are raised to at least this many
            passes over the data.
        batch_size: examples per step for large sets.
    """

    scratch_steps: int = 300
    scratch_learning_rate: float = 1e-3
    probe_steps: int = 1000
    probe_learning_rate: float = 1e-2
    probe_l2: float = 1e-2
    finetune_steps: int = 200
    finetune_learning_rate: float = 1e-4
    large_set_epochs: int = 5
    batch_size: int = 256

    def steps_for(self, base_steps: int, n_examples: int) -> int:
        """``base_steps``, raised to ``large_set_epochs`` passes over ``n_examples`` for large sets."""
        passes = -(-self.large_set_epochs * n_examples // self.batch_size) if n_examples > self.batch_size else 0
        return max(base_steps, passes)


def course_schedule() -> Schedule:
    """The schedule the course uses: :class:`Schedule`'s defaults in full mode, fewer steps in fast mode."""
    if config.fast_mode():
        return Schedule(scratch_steps=150, probe_steps=300, finetune_steps=100, large_set_epochs=3)
    return Schedule()


@keras.saving.register_keras_serializable(package="helpers")
class Standardize(keras.layers.Layer):
    """(x − mean) / std with fixed statistics: puts every code unit on the same scale for the probe."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], **kwargs):
        super().__init__(**kwargs)
        self.mean_values = [float(v) for v in mean]
        self.std_values = [float(v) for v in std]
        if len(self.mean_values) != len(self.std_values) or min(self.std_values, default=1.0) <= 0:
            raise ValueError("Standardize needs mean and std of the same length, with every std > 0.")

    def call(self, inputs):
        mean = keras.ops.convert_to_tensor(self.mean_values, dtype=inputs.dtype)
        std = keras.ops.convert_to_tensor(self.std_values, dtype=inputs.dtype)
        return (inputs - mean) / std

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean_values, "std": self.std_values}


def predict_in_batches(model: keras.Model, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """``model(x)`` in batches, as a NumPy array.

    Unlike ``model.predict`` this compiles nothing, so evaluating many freshly built models (as a grid
    does) neither pays for a new graph each time nor makes TensorFlow warn about retracing.
    """
    return np.concatenate([keras.ops.convert_to_numpy(model(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


def code_statistics(encoder: keras.Model, x_unlabelled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each code unit over unlabelled images (no labels used).

    Returns:
        ``(mean, std)``, each of shape (k,); std has a floor of 1e-3 so dead units do not divide by zero.
    """
    codes = predict_in_batches(encoder, x_unlabelled)
    if codes.ndim != 2:
        raise ValueError(f"the encoder must output flat codes (n, k), got shape {codes.shape}.")
    return codes.mean(axis=0), np.maximum(codes.std(axis=0), 1e-3)


def _check_regime(regime: str) -> None:
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {REGIMES}, got {regime!r}.")


def _reseed_noise(model: keras.Model, seed: int) -> None:
    """Restart every random layer of ``model`` (e.g. an input ``Dropout``) from ``seed``.

    The models of an :class:`Adapter` are reused from run to run; without this, the noise a run sees
    would depend on how many runs came before it, and the same (regime, subset, seed) could give a
    different result in a different order.
    """
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            _reseed_noise(layer, seed)
        elif getattr(layer, "seed_generator", None) is not None:
            layer.seed_generator.state.assign(np.array([seed, 0], dtype=layer.seed_generator.state.dtype))


class Adapter:
    """Adapts one pretrained encoder, in any regime, to many labelled sets, compiling each graph once.

    The models and their compiled training loops (:class:`helpers.training.GraphTrainer`) are built on
    first use and reused by later calls with fresh starting weights (and their noise layers restarted
    from the run's seed), so a grid of many small runs does not pay a second of compilation per run and
    a run's result does not depend on the runs before it. The pretrained encoder itself is never modified.

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
        self.encoder = encoder
        self.schedule = schedule
        self.n_classes = n_classes
        self.standardize = Standardize(*statistics)
        self._built: dict[str, tuple] = {}

    def _fresh(self, seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Seeded random starting weights for (the encoder's architecture, a softmax head)."""
        training.set_seed(seed)
        body = keras.models.clone_model(self.encoder)
        head = keras.layers.Dense(self.n_classes, activation="softmax")
        head.build((None, self.encoder.output_shape[-1]))
        return body.get_weights(), head.get_weights()

    def _models(self, regime: str) -> tuple:
        if regime not in self._built:
            s = self.schedule
            loss = "sparse_categorical_crossentropy"
            if regime == "scratch":
                model = keras.Sequential([keras.models.clone_model(self.encoder),
                                          keras.layers.Dense(self.n_classes, activation="softmax")])
                model.build((None, *self.encoder.input_shape[1:]))
                self._built[regime] = (model, training.GraphTrainer(
                    model, loss=loss, learning_rate=s.scratch_learning_rate, batch_size=s.batch_size))
            elif regime == "frozen":
                head = keras.layers.Dense(self.n_classes, activation="softmax", name="head")
                probe = keras.Sequential([keras.Input(shape=(self.encoder.output_shape[-1],)), head])
                body = keras.models.clone_model(self.encoder)
                classifier = keras.Sequential([body, self.standardize, head])
                classifier.build((None, *self.encoder.input_shape[1:]))
                body.set_weights(self.encoder.get_weights())
                self._built[regime] = (classifier, head, probe, training.GraphTrainer(
                    probe, loss=loss, learning_rate=s.probe_learning_rate, l2=s.probe_l2, batch_size=s.batch_size))
            else:
                head = keras.layers.Dense(self.n_classes, activation="softmax", name="head")
                classifier = keras.Sequential([keras.models.clone_model(self.encoder), self.standardize, head])
                classifier.build((None, *self.encoder.input_shape[1:]))
                self._built[regime] = (classifier, head, training.GraphTrainer(
                    classifier, loss=loss, learning_rate=s.finetune_learning_rate, batch_size=s.batch_size))
        return self._built[regime]

    def _probe(self, x: np.ndarray, y: np.ndarray, seed: int) -> list[np.ndarray]:
        """Train the softmax head on fixed standardised codes (a linear probe); return its weights.

        The codes are computed once, with the encoder in inference mode (any input-noise layer off).
        """
        classifier, head, probe, trainer = self._models("frozen")
        codes = keras.ops.convert_to_numpy(self.standardize(predict_in_batches(self.encoder, x)))
        head.set_weights(self._fresh(seed)[1])
        trainer.train(codes, y, steps=self.schedule.steps_for(self.schedule.probe_steps, len(x)), seed=seed)
        return head.get_weights()

    def run(self, regime: str, x: np.ndarray, y: np.ndarray, *, seed: int) -> keras.Model:
        """Train a classifier in ``regime`` on (x, y) and return it.

        The returned model is reused (with new weights) by the next call in the same regime: measure
        it before calling again, or use :func:`adapt` for a model of your own.

        Args:
            regime: one of :data:`REGIMES`.
            x, y: labelled images (m, 784) float32 and integer labels (m,).
            seed: seeds the starting weights of what is trained from scratch, and the mini-batches.

        Returns:
            The trained classifier, (n, 784) -> (n, n_classes) probabilities.
        """
        _check_regime(regime)
        y = np.asarray(y)
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"x and y must be non-empty and of equal length, got {len(x)} and {len(y)}.")
        s = self.schedule
        if regime == "scratch":
            body_weights, head_weights = self._fresh(seed)
            model, trainer = self._models(regime)
            model.set_weights(body_weights + head_weights)
            _reseed_noise(model, seed)
            trainer.train(x, y, steps=s.steps_for(s.scratch_steps, len(x)), seed=seed)
            return model
        head_weights = self._probe(x, y, seed)
        if regime == "frozen":
            classifier = self._models(regime)[0]
            return classifier
        classifier, head, trainer = self._models(regime)
        classifier.layers[0].set_weights(self.encoder.get_weights())
        head.set_weights(head_weights)
        _reseed_noise(classifier, seed + 1)
        trainer.train(x, y, steps=s.steps_for(s.finetune_steps, len(x)), seed=seed + 1)
        return classifier


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
    _check_regime(regime)
    return Adapter(encoder, statistics, schedule, n_classes).run(regime, x, y, seed=seed)


def accuracy(classifier: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of ``x`` whose most probable class is ``y`` (0..1)."""
    predictions = predict_in_batches(classifier, x)
    return float(np.mean(predictions.argmax(axis=1) == np.asarray(y)))


def _check_budgets(budgets: Sequence[int | str]) -> None:
    if not budgets:
        raise ValueError("budgets must list at least one label budget (labels per class, or 'all').")
    for budget in budgets:
        if budget != ALL and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 1):
            raise ValueError(f"each budget must be a positive number of labels per class or 'all', got {budget!r}.")


def run_grid(
    encoders: Mapping[str, keras.Model],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    budgets: Sequence[int | str],
    seeds: Sequence[int],
    regimes: Sequence[str] = REGIMES,
    schedule: Schedule = Schedule(),
    seeds_for_all: int = 1,
    progress: Callable[[str], None] | None = print,
) -> list[dict]:
    """Run every recipe × regime × label budget × seed; return one row per run.

    The labelled subset for a (budget, seed) pair is the same for every recipe and regime, drawn
    with :func:`helpers.data.stratified_sample`, so the comparison is paired. With the budget
    ``"all"`` the whole training set is used and only the first ``seeds_for_all`` seeds run (the
    subset no longer varies; only the initial weights do).

    Args:
        encoders: recipe name -> pretrained encoder (n, 784) -> (n, k).
        x_train, y_train: all training images (n, 784) float32 and labels (n,); the images are also
            the unlabelled pool for the code statistics.
        x_test, y_test: test images and labels; accuracy is measured on all of them.
        budgets: labels per class, e.g. ``[1, 10, 100, "all"]``.
        seeds: e.g. ``range(5)``.
        regimes: a subset of :data:`REGIMES`.
        progress: called with one line per finished run; None for silence.

    Returns:
        Rows ``{"recipe", "regime", "labels_per_class", "labels", "seed", "accuracy", "seconds"}``.
    """
    if not encoders:
        raise ValueError("encoders must map at least one recipe name to an encoder.")
    for regime in regimes:
        _check_regime(regime)
    _check_budgets(budgets)
    seeds = list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty list of non-negative integers, got {seeds!r}.")
    adapters = {name: Adapter(encoder, code_statistics(encoder, x_train), schedule)
                for name, encoder in encoders.items()}
    rows = []
    for budget in budgets:
        for seed in seeds[:seeds_for_all] if budget == ALL else seeds:
            if budget == ALL:
                x_labelled, y_labelled = x_train, y_train
            else:
                x_labelled, y_labelled = data.stratified_sample(x_train, y_train, budget, seed)
            for name in encoders:
                for regime in regimes:
                    start = time.perf_counter()
                    classifier = adapters[name].run(regime, x_labelled, y_labelled, seed=seed)
                    row = {"recipe": name, "regime": regime, "labels_per_class": budget,
                           "labels": len(y_labelled), "seed": seed,
                           "accuracy": accuracy(classifier, x_test, y_test),
                           "seconds": time.perf_counter() - start}
                    rows.append(row)
                    if progress:
                        progress(f"{name:>22s} {regime:>10s} {budget!s:>4s}/class seed {seed}: "
                                 f"{100 * row['accuracy']:.1f} %")
    return rows


def summarise(rows: Sequence[Mapping]) -> list[dict]:
    """Group rows by (recipe, regime, labels_per_class): mean, standard deviation, min, max, n of accuracy.

    Returns:
        One dict per group, in the order groups first appear, accuracies in percent.
    """
    groups: dict[tuple, list[float]] = {}
    for row in rows:
        groups.setdefault((row["recipe"], row["regime"], row["labels_per_class"]), []).append(100 * row["accuracy"])
    return [
        {"recipe": recipe, "regime": regime, "labels_per_class": budget, "n": len(values),
         "mean": float(np.mean(values)), "std": float(np.std(values)),
         "min": float(np.min(values)), "max": float(np.max(values))}
        for (recipe, regime, budget), values in groups.items()
    ]


def markdown_table(summary: Sequence[Mapping], *, budgets: Sequence[int | str] | None = None) -> str:
    """A Markdown table: one row per (recipe, regime), one column per budget, "mean ± std (n)" in %."""
    budgets = list(budgets) if budgets is not None else list(dict.fromkeys(s["labels_per_class"] for s in summary))
    cells = {(s["recipe"], s["regime"], s["labels_per_class"]): s for s in summary}
    keys = list(dict.fromkeys((s["recipe"], s["regime"]) for s in summary))
    header = "| recipe | regime | " + " | ".join(f"{b} / class" if b != ALL else "all labels" for b in budgets) + " |"
    lines = [header, "|" + " --- |" * (2 + len(budgets))]
    for recipe, regime in keys:
        values = []
        for budget in budgets:
            cell = cells.get((recipe, regime, budget))
            values.append(f"{cell['mean']:.1f} ± {cell['std']:.1f} ({cell['n']})" if cell else "—")
        lines.append(f"| {recipe} | {regime} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def save_results(rows: Sequence[Mapping], settings: Mapping, name: str) -> dict[str, str]:
    """Write the rows and the settings that produced them as ``<name>.json`` and ``<name>.csv``, atomically.

    Returns:
        ``{"json": path, "csv": path}`` as strings.
    """
    json_path = artifacts.artifact_path(name, ".json")
    csv_path = artifacts.artifact_path(name, ".csv")
    settings = {k: (asdict(v) if isinstance(v, Schedule) else v) for k, v in settings.items()}
    artifacts.save_json({"settings": settings, "rows": list(rows)}, json_path)
    buffer = io.StringIO()
    fields = ["recipe", "regime", "labels_per_class", "labels", "seed", "accuracy", "seconds"]
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    artifacts.save_text(buffer.getvalue(), csv_path)
    return {"json": str(json_path), "csv": str(csv_path)}
