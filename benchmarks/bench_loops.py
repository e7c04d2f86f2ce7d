"""Training-speed measurements of the article's autoencoder: the loops, the floor, and time to a loss.

Every function here takes its data and settings as arguments and returns a JSON-serialisable dict
that holds its settings beside its figures; :mod:`bench` calls them and writes the report.
Times are wall-clock seconds (``time.perf_counter``); losses are binary cross-entropy in nats
per pixel, as Keras reports them.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from helpers import models, speed, training

ARTICLE = {"architecture": "784-32-784, relu code, sigmoid output", "loss": "binary_crossentropy",
           "optimizer": "Adadelta(learning_rate=1.0)", "batch_size": 256, "seed": 0}


def load_average() -> list[float]:
    """The machine's 1-, 5- and 15-minute load averages (runnable processes), rounded."""
    return [round(v, 2) for v in os.getloadavg()]


def article_model(optimizer: keras.optimizers.Optimizer | None = None, *, compile_model: bool = True) -> keras.Model:
    """The article's 784-32-784 autoencoder from seed 0, compiled with BCE and ``optimizer`` (default Adadelta(1.0))."""
    autoencoder, _, _ = models.build_autoencoder(32, seed=0)
    if compile_model:
        autoencoder.compile(optimizer=optimizer or keras.optimizers.Adadelta(learning_rate=1.0),
                            loss="binary_crossentropy")
    return autoencoder


class EpochClock(keras.callbacks.Callback):
    """Records each epoch's wall time (training and validation, as ``fit`` runs them) and its logs.

    ``seconds[i]`` runs from ``on_epoch_begin`` to ``on_epoch_end``, so it leaves out what one ``fit``
    call does once (building the data pipeline, compiling at the first call). ``elapsed[i]`` is the
    time from :meth:`start` (default: the start of training) to the end of epoch i. With ``target``,
    training stops after the first epoch whose validation loss is at or below it.
    """

    def __init__(self, target: float | None = None) -> None:
        super().__init__()
        self.target = target
        self.seconds: list[float] = []
        self.elapsed: list[float] = []
        self.val_loss: list[float] = []
        self._origin: float | None = None

    def start(self) -> None:
        self._origin = time.perf_counter()

    def on_train_begin(self, logs=None) -> None:
        if self._origin is None:
            self.start()

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._begin = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None) -> None:
        now = time.perf_counter()
        self.seconds.append(now - self._begin)
        self.elapsed.append(now - self._origin)
        if logs and "val_loss" in logs:
            self.val_loss.append(float(logs["val_loss"]))
            if self.target is not None and self.val_loss[-1] <= self.target:
                self.model.stop_training = True


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else float("nan")


# --- 1 and 5: per-epoch time of each loop, alternately, and the floor ------------------------------


def loop_epochs(x: np.ndarray, x_val: np.ndarray, *, rounds: int, progress: Callable[[str], None] = print) -> dict:
    """Per-epoch time of the course's training engine against plain ``model.fit``, measured alternately.

    Four contestants train the article's autoencoder (same seed, Adadelta(1.0), batch 256, the
    validation set evaluated after each epoch): plain ``model.fit``, the course's engine
    (:meth:`helpers.training.Trainer.train_epoch`, an epoch as one compiled graph, as
    :func:`helpers.training.train` runs it) without and with XLA, and the floor: one epoch of the
    matrix products alone (:func:`helpers.speed.matrix_product_floor`, training and validation). Each
    round runs one epoch of each, in an order rotated every round, so that a change of the machine's
    load hits all of them alike; round 1 (warm-up, tracing) is dropped.

    Returns:
        ``{"settings", "seconds": {name: [per measured round]}, "median_seconds", "ratio_to_fit",
        "ratio_to_floor", ...}``; ratios are medians of the per-round ratios (paired in time).
    """
    if rounds < 2:
        raise ValueError(f"rounds must be at least 2 (the first is dropped as warm-up), got {rounds}.")
    plain = article_model()
    engines = {jit: training.Trainer(article_model(compile_model=False), loss="binary_crossentropy",
                                     optimizer=keras.optimizers.Adadelta(learning_rate=1.0), batch_size=256,
                                     jit_compile=jit) for jit in (False, True)}
    prepared = {jit: (engine.prepare(x, x), engine.prepare(x_val, x_val)) for jit, engine in engines.items()}

    def run_plain() -> float:
        clock = EpochClock()
        plain.fit(x, x, epochs=1, batch_size=256, shuffle=True, validation_data=(x_val, x_val), verbose=0,
                  callbacks=[clock])
        return clock.seconds[0]

    def run_engine(jit: bool) -> float:
        start = time.perf_counter()
        engines[jit].train_epoch(prepared[jit][0])
        engines[jit].evaluate(prepared[jit][1])
        return time.perf_counter() - start

    def run_floor() -> float:
        return (speed.matrix_product_floor(len(x), (784, 32, 784), batch_size=256, repeats=1)
                + speed.matrix_product_floor(len(x_val), (784, 32, 784), batch_size=256, backward=False,
                                             repeats=1))

    contestants = {"plain_fit": run_plain, "epoch_compiled": lambda: run_engine(False),
                   "epoch_compiled_xla": lambda: run_engine(True), "floor": run_floor}
    names = list(contestants)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    load_before = load_average()
    for round_index in range(rounds):
        order = names[round_index % len(names):] + names[:round_index % len(names)]
        for name in order:
            value = contestants[name]()
            if round_index > 0:
                seconds[name].append(value)
        if round_index > 0:
            progress(f"  round {round_index}/{rounds - 1}: "
                     + ", ".join(f"{n} {seconds[n][-1]:.2f} s" for n in names))
        else:
            progress("  round 0 (warm-up, dropped) done")
    floor_parts = {
        "train_products": speed.matrix_product_floor(len(x), (784, 32, 784), batch_size=256, repeats=3),
        "validation_products": speed.matrix_product_floor(len(x_val), (784, 32, 784), batch_size=256,
                                                             backward=False, repeats=3),
    }
    fit_losses = [float(v) for v in plain.history.history.get("val_loss", [])] if plain.history else []

    def paired(name: str, reference: str) -> float:
        return _median([a / b for a, b in zip(seconds[name], seconds[reference])])

    return {
        "settings": {**ARTICLE, "training_examples": len(x), "validation_examples": len(x_val),
                     "rounds": rounds, "measured_rounds": rounds - 1,
                     "epoch": "one pass over the training set, then the validation loss over the validation set",
                     "timing": "fit: from on_epoch_begin to on_epoch_end (excludes each fit call's set-up); "
                               "other loops: the epoch and the validation pass; order rotated every round",
                     "floor": "matrix products only: forward and backward for every training batch, forward "
                              "for every validation batch, batch 256, in one compiled loop"},
        "seconds": seconds,
        "median_seconds": {name: _median(values) for name, values in seconds.items()},
        "ratio_to_fit": {name: paired(name, "plain_fit") for name in names if name != "plain_fit"},
        "ratio_to_floor": {name: paired(name, "floor") for name in names if name != "floor"},
        "floor_parts_seconds": floor_parts,
        "plain_fit_last_val_loss": fit_losses[-1] if fit_losses else None,
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def tiny_sets(*, n_examples: int = 100, epochs: int = 6, steps: int = 300, runs: int = 3) -> dict:
    """What a tiny labelled set costs per epoch in ``fit``, against one step and run of ``Trainer.train_steps``.

    A 784-32-10 softmax classifier on ``n_examples`` random images with random labels (the cost does
    not depend on the values): the median ``fit`` epoch (batch 256, so one step per epoch; the first
    epoch dropped), and the median time of a ``Trainer.train_steps`` run of ``steps`` steps (the first
    run, which compiles, dropped), as the fine-tuning grid uses it.
    """
    rng = np.random.default_rng(0)
    x = rng.random((n_examples, 784), dtype=np.float32)
    y = rng.integers(0, 10, n_examples).astype("int32")

    def classifier() -> keras.Model:
        model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(32, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.set_weights(models.fresh_weights(model, 0))
        return model

    model = classifier()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    clock = EpochClock()
    model.fit(x, y, epochs=epochs, batch_size=256, verbose=0, callbacks=[clock])
    trainer = training.Trainer(classifier(), loss="sparse_categorical_crossentropy",
                               optimizer=keras.optimizers.Adam(1e-3))
    run_seconds = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        trainer.train_steps(x, y, steps=steps, seed=0)
        run_seconds.append(time.perf_counter() - start)
    fit_epoch = _median(clock.seconds[1:])
    graph_run = _median(run_seconds[1:])
    return {
        "settings": {"model": "784-32-10 softmax classifier", "examples": n_examples, "fit_epochs": epochs,
                     "graph_steps": steps, "graph_runs": runs, "optimizer": "Adam(1e-3)"},
        "fit_seconds_per_epoch": fit_epoch,
        "graph_trainer_compile_and_first_run_seconds": run_seconds[0],
        "graph_trainer_seconds_per_run": graph_run,
        "graph_trainer_seconds_per_step": graph_run / steps,
        "fit_epoch_over_graph_step": fit_epoch / (graph_run / steps),
        "load_average_after": load_average(),
    }


# --- 2: wall time to the article recipe's validation loss -----------------------------------------


def _fit_run(x, x_val, *, optimizer, batch_size, epochs, target, steps_per_execution=1, pipeline=False,
             jit_compile=False) -> dict:
    model = article_model(compile_model=False)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", steps_per_execution=steps_per_execution,
                  jit_compile=jit_compile)
    clock = EpochClock(target)
    clock.start()
    if pipeline:
        dataset = (tf.data.Dataset.from_tensor_slices((x, x)).shuffle(len(x), seed=0, reshuffle_each_iteration=True)
                   .batch(batch_size).prefetch(tf.data.AUTOTUNE))
        validation = tf.data.Dataset.from_tensor_slices((x_val, x_val)).batch(batch_size).cache()
        model.fit(dataset, epochs=epochs, validation_data=validation, shuffle=False, verbose=0, callbacks=[clock])
    else:
        model.fit(x, x, epochs=epochs, batch_size=batch_size, shuffle=True, validation_data=(x_val, x_val),
                  verbose=0, callbacks=[clock])
    return {"val_loss": clock.val_loss, "elapsed": clock.elapsed}


def _engine_run(x, x_val, *, optimizer, batch_size, epochs, target, jit_compile=False) -> dict:
    """The course's engine, ``helpers.training.train``, timed by the same callback as the ``fit`` runs."""
    model = article_model(compile_model=False)
    clock = EpochClock(target)
    clock.start()
    training.train(model, x, x, loss="binary_crossentropy", optimizer=optimizer, epochs=epochs,
                   batch_size=batch_size, validation_data=(x_val, x_val), callbacks=[clock], jit_compile=jit_compile,
                   verbose=0)
    return {"val_loss": clock.val_loss, "elapsed": clock.elapsed}


def _variants(max_epochs: int) -> list[dict]:
    """The ways tried to reach the recipe's loss sooner: name, how, whether the maths is the recipe's, a runner."""
    def adadelta():
        return keras.optimizers.Adadelta(learning_rate=1.0)

    def fit_variant(name, how, optimizer, batch_size=256, **options):
        return {"name": name, "how": how, "same_maths": optimizer is adadelta and batch_size == 256,
                "run": lambda x, v, t: _fit_run(x, v, optimizer=optimizer(), batch_size=batch_size,
                                                epochs=max_epochs, target=t, **options)}

    def compiled_variant(name, how, optimizer, batch_size=256, jit_compile=False, taught=None):
        return {"name": name, "how": how, "same_maths": optimizer is adadelta and batch_size == 256,
                "taught": taught,
                "run": lambda x, v, t: _engine_run(x, v, optimizer=optimizer(), batch_size=batch_size,
                                                     epochs=max_epochs, target=t, jit_compile=jit_compile)}

    def adam(rate):
        return lambda: keras.optimizers.Adam(rate)

    return [
        fit_variant("fit, steps_per_execution=32", "model.compile(..., steps_per_execution=32): 32 steps per call "
                    "into the graph", adadelta, steps_per_execution=32),
        fit_variant("fit from a tf.data pipeline", "Dataset.from_tensor_slices(...).shuffle(n).batch(256)"
                    ".prefetch(AUTOTUNE), the validation set cached", adadelta, pipeline=True),
        fit_variant("fit, jit_compile=True", "model.compile(..., jit_compile=True): XLA fuses each step",
                    adadelta, jit_compile=True),
        compiled_variant("epoch-compiled loop", "helpers.training.train (the course's engine): each epoch one "
                         "tf.function call over in-memory tensors", adadelta),
        compiled_variant("epoch-compiled loop + XLA", "the same, each step compiled by XLA (jit_compile=True)",
                         adadelta, jit_compile=True, taught="the faster loop, same result"),
        fit_variant("fit, Adam(1e-3)", "plain fit, batch 256, Adam(learning_rate=0.001) instead of Adadelta(1.0)",
                    adam(1e-3)),
        fit_variant("fit, batch 1024, Adam(4e-3)", "plain fit, batch 1024 (4x) with Adam's learning rate scaled 4x",
                    adam(4e-3), batch_size=1024),
        compiled_variant("epoch-compiled loop + XLA, Adam(1e-3)", "training.train(..., jit_compile=True) "
                         "with Adam(0.001), batch 256", adam(1e-3), jit_compile=True, taught="the faster recipe"),
        compiled_variant("epoch-compiled loop + XLA, batch 1024, Adam(4e-3)", "the same with batch 1024 and Adam's "
                         "learning rate scaled 4x", adam(4e-3), batch_size=1024, jit_compile=True),
    ]


def time_to_target(x: np.ndarray, x_val: np.ndarray, *, recipe_epochs: int,
                   progress: Callable[[str], None] = print) -> dict:
    """Wall time of each way to reach the validation loss that the article's recipe reaches.

    The recipe is plain ``model.fit`` with Adadelta(1.0), batch 256, ``recipe_epochs`` epochs (the
    article: 50), the validation set evaluated after each epoch. Its final validation loss is the
    target. Each variant trains from the same initial weights until its validation loss (checked after
    each epoch) is at or below the target, or for at most ``ceil(1.2 * recipe_epochs)`` epochs: the
    variants that do the recipe's maths with another shuffling land near the target at about the
    recipe's last epoch, on either side of it. All times run from the start of the call (set-up and
    compilation included) to the end of the epoch that reached the target.
    """
    max_epochs = math.ceil(1.2 * recipe_epochs)
    load_before = load_average()
    recipe = _fit_run(x, x_val, optimizer=keras.optimizers.Adadelta(learning_rate=1.0), batch_size=256,
                      epochs=recipe_epochs, target=None)
    target = recipe["val_loss"][-1]
    recipe_seconds = recipe["elapsed"][-1]
    progress(f"  recipe: val_loss {target:.4f} after {recipe_epochs} epochs in {recipe_seconds:.1f} s")
    results = []
    for variant in _variants(max_epochs):
        run = variant["run"](x, x_val, target)
        reached = bool(run["val_loss"]) and run["val_loss"][-1] <= target
        seconds = run["elapsed"][-1]
        row = {key: variant[key] for key in ("name", "how", "same_maths")}
        row.update({"taught_in_appendix_90": variant.get("taught"), "reached": reached,
                    "epochs": len(run["val_loss"]), "seconds": seconds,
                    "ratio_to_recipe": seconds / recipe_seconds if reached else None,
                    "seconds_per_epoch": seconds / len(run["val_loss"]), "first_epoch_seconds": run["elapsed"][0],
                    "final_val_loss": run["val_loss"][-1],
                    "best_val_loss": min(run["val_loss"]), "load_average_after": load_average()})
        results.append(row)
        verdict = (f"reached in {row['epochs']} epochs, {seconds:.1f} s = {row['ratio_to_recipe']:.2f} x recipe"
                   if reached else f"not reached in {row['epochs']} epochs ({seconds:.1f} s)")
        progress(f"  {variant['name']}: {verdict}, val_loss {row['final_val_loss']:.4f}")
    return {
        "settings": {**ARTICLE, "recipe": "plain model.fit, Adadelta(learning_rate=1.0), batch 256, validation "
                                          "loss after each epoch", "recipe_epochs": recipe_epochs,
                     "max_epochs_per_variant": max_epochs, "training_examples": len(x),
                     "validation_examples": len(x_val)},
        "recipe": {"epochs": recipe_epochs, "seconds": recipe_seconds, "final_val_loss": target,
                   "val_loss": recipe["val_loss"], "elapsed": recipe["elapsed"]},
        "target_val_loss": target,
        "variants": results,
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
