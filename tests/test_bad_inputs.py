"""A battery of bad inputs across the public API: each raises the course's own error, before any work is done.

Every case must raise :class:`helpers.validation.CourseError` (never a raw NumPy, TensorFlow or Keras
error), of the right kind (``TypeError`` for a wrong type, ``ValueError`` for a wrong value), with a
message that names the argument at fault. Cases that would train a model check that its weights did
not move: the error came before any training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import pytest

from helpers import (
    artifacts,
    baselines,
    data,
    finetuning,
    linear,
    losses,
    models,
    plotting,
    pretrained,
    speed,
    splits,
    statistics,
    tables,
    training,
    validation,
    widgets,
)

T, V = TypeError, ValueError


@dataclass(frozen=True)
class Case:
    """One bad call: what it does (given the fixtures), the kind of error, and a regex its message matches."""

    call: Callable[[dict], object]
    kind: type
    message: str
    guards: str | None = None  # the name of a fixture model whose weights must not change


def images(n=40, **changes) -> np.ndarray:
    x = np.random.default_rng(0).random((n, 784)).astype("float32")
    for key, value in changes.items():
        if key == "nan":
            x[3, 5] = np.nan
        elif key == "scale":
            x = x * value
    return x


def labels(n=40) -> np.ndarray:
    return np.arange(n) % 10


def fit(f, **changes):
    """training.train on the fixture autoencoder with one argument changed."""
    arguments = dict(model=f["autoencoder"], x=f["x"], y=f["x"], loss="binary_crossentropy",
                     optimizer=keras.optimizers.Adam(1e-3), epochs=2, verbose=0) | changes
    return training.train(arguments.pop("model"), arguments.pop("x"), arguments.pop("y"), **arguments)


def classify(f, **changes):
    """training.train on the fixture classifier with one argument changed."""
    arguments = dict(x=f["x"], y=labels(), loss="sparse_categorical_crossentropy", optimizer="adam", epochs=1,
                     verbose=0) | changes
    return training.train(f["classifier"], arguments.pop("x"), arguments.pop("y"), **arguments)


def adapt(f, regime="frozen", **changes):
    arguments = dict(x=f["x"], y=labels(), statistics=f["statistics"], seed=0,
                     schedule=finetuning.Schedule(scratch_steps=2, probe_steps=2, finetune_steps=2)) | changes
    encoder = arguments.pop("encoder", f["encoder"])
    return finetuning.adapt(encoder, regime, arguments.pop("x"), arguments.pop("y"), **arguments)


def grid(f, **changes):
    arguments = dict(encoders={"ae": f["encoder"]}, data=f["splits"], budgets=[1], seeds=[0, 1], progress=None,
                     schedule=finetuning.Schedule(scratch_steps=2, probe_steps=2, finetune_steps=2)) | changes
    return finetuning.run_grid(arguments.pop("encoders"), arguments.pop("data"), **arguments)


def used_optimizer(f):
    optimizer = keras.optimizers.Adam()
    training.Trainer(models.build_autoencoder(4, seed=0)[0], loss="mse", optimizer=optimizer)
    return optimizer


ROWS = [{"recipe": "r", "regime": "scratch", "pretraining_seed": None, "labels_per_class": 1, "labels": 10, "seed": 0,
         "val_accuracy": 0.5, "accuracy": 0.5, "seconds": 1.0}]

CASES = {
    # --- training.train and the Trainer -------------------------------------------------------------
    "train: NaN pixels": Case(lambda f: fit(f, x=images(nan=True), y=images()), V, r"x holds 1 NaN", "autoencoder"),
    "train: NaN targets": Case(lambda f: fit(f, y=images(nan=True)), V, r"y holds 1 NaN", "autoencoder"),
    "train: 0..255 pixels with binary cross-entropy": Case(
        lambda f: fit(f, x=images(scale=255), y=images(scale=255)), V, r"y holds targets .*needs targets in \[0, 1\]",
        "autoencoder"),
    "train: (n, 28, 28) images": Case(lambda f: fit(f, x=images().reshape(40, 28, 28)), V,
                                      r"x has shape \(40, 28, 28\).*Flatten", "autoencoder"),
    "train: uint8 pixels": Case(lambda f: fit(f, x=(images() * 255).astype("uint8")), T, "x must be an array of floats",
                                "autoencoder"),
    "train: strings as images": Case(lambda f: fit(f, x=np.full((40, 784), "a")), T, "x must be an array of numbers",
                                     "autoencoder"),
    "train: a list of strings": Case(lambda f: fit(f, x=["not", "images"]), T, "x must be an array of numbers"),
    "train: x and y of different lengths": Case(lambda f: fit(f, y=images(30)), V, "same number of examples",
                                                "autoencoder"),
    "train: no examples": Case(lambda f: fit(f, x=images(0), y=images(0)), V, "x is empty"),
    "train: epochs 0": Case(lambda f: fit(f, epochs=0), V, "epochs must be at least 1", "autoencoder"),
    "train: epochs 2.5": Case(lambda f: fit(f, epochs=2.5), T, "epochs must be a whole number", "autoencoder"),
    "train: epochs as a string": Case(lambda f: fit(f, epochs="5"), T, "epochs must be a whole number"),
    "train: batch_size 0": Case(lambda f: fit(f, batch_size=0), V, "batch_size must be at least 1"),
    "train: batch_size np.float64": Case(lambda f: fit(f, batch_size=np.float64(32)), T, "batch_size must be a whole"),
    "train: negative seed": Case(lambda f: fit(f, seed=-1), V, "seed must be at least 0"),
    "train: fractional seed": Case(lambda f: fit(f, seed=1.5), T, "seed must be a whole number"),
    "train: verbose 3": Case(lambda f: fit(f, verbose=3), V, "verbose must be 0, 1 or 2"),
    "train: jit_compile 'yes'": Case(lambda f: fit(f, jit_compile="yes"), T, "jit_compile must be True or False"),
    "train: a misspelt loss": Case(lambda f: fit(f, loss="binary_crossentrop"), V, "loss 'binary_crossentrop' is not"),
    "train: a number as loss": Case(lambda f: fit(f, loss=42), T, "loss must be a Keras loss"),
    "train: an unknown optimizer name": Case(lambda f: fit(f, optimizer="adamm"), V, "optimizer 'adamm' is not"),
    "train: a number as optimizer": Case(lambda f: fit(f, optimizer=0.01), T, "optimizer must be a Keras optimizer"),
    "train: NaN learning rate": Case(lambda f: fit(f, optimizer=keras.optimizers.Adam(float("nan"))), V,
                                     "learning_rate must be a finite number", "autoencoder"),
    "train: negative learning rate": Case(lambda f: fit(f, optimizer=keras.optimizers.SGD(-0.1)), V,
                                          "learning_rate must be at least 0"),
    "train: an optimizer used by another model": Case(lambda f: fit(f, optimizer=used_optimizer(f)), V,
                                                      "already been used"),
    "train: a string as model": Case(lambda f: fit(f, model="autoencoder"), T, "model must be a Keras model"),
    "train: a model without an input shape": Case(
        lambda f: fit(f, model=keras.Sequential([keras.layers.Dense(784)])), V, "model has no known input shape"),
    "train: validation_data as a string": Case(lambda f: fit(f, validation_data="val"), T,
                                               "validation_data must be a tuple"),
    "train: validation_data of one array": Case(lambda f: fit(f, validation_data=(images(),)), V,
                                                "must be 2 arrays"),
    "train: NaN validation data": Case(lambda f: fit(f, validation_data=(images(nan=True), images())), V,
                                       "x holds 1 NaN", "autoencoder"),
    "train: fractional labels": Case(lambda f: classify(f, y=labels() + 0.5), V, "not whole numbers", "classifier"),
    "train: labels beyond the classes": Case(lambda f: classify(f, y=labels() + 3), V, "the classes are 0..9",
                                             "classifier"),
    "train: negative labels": Case(lambda f: classify(f, y=labels() - 1), V, "the classes are 0..9"),
    "train: one label for all images": Case(lambda f: classify(f, y=np.array([3])), V, "1 labels for 40 examples"),
    "train: one-hot labels with a sparse loss": Case(lambda f: classify(f, y=np.eye(10)[labels()]), V,
                                                     r"one label per example.*argmax"),
    "train: nothing to train": Case(lambda f: classify(f, variables=[]), V, "nothing to train"),
    "StopAtLoss: a target that is a word": Case(lambda f: training.StopAtLoss("low"), T, "target must be a number"),
    "Trainer.train_steps: steps 0": Case(
        lambda f: training.Trainer(f["classifier"], loss="sparse_categorical_crossentropy",
                                   optimizer="adam").train_steps(f["x"], labels(), steps=0), V,
        "steps must be at least 1", "classifier"),
    "Trainer.train_steps: negative seed": Case(
        lambda f: training.Trainer(f["classifier"], loss="sparse_categorical_crossentropy",
                                   optimizer="adam").train_steps(f["x"], labels(), steps=3, seed=-2), V,
        "seed must be at least 0"),
    "Trainer: three arrays for (x, y)": Case(
        lambda f: training.Trainer(f["classifier"], loss="mse", optimizer="adam").train_epoch(f["x"], f["x"], f["x"]),
        V, "must be 2 arrays"),
    # --- fine-tuning ---------------------------------------------------------------------------------
    "adapt: an unknown regime": Case(lambda f: adapt(f, regime="probe"), V, "regime must be one of"),
    "adapt: NaN pixels": Case(lambda f: adapt(f, x=images(nan=True)), V, "x holds 1 NaN"),
    "adapt: 0..255 pixels": Case(lambda f: adapt(f, x=images(scale=255)), V, r"outside \[0, 1\].*divide by 255"),
    "adapt: fractional labels": Case(lambda f: adapt(f, y=labels() / 3), V, "not whole numbers"),
    "adapt: labels out of 0..9": Case(lambda f: adapt(f, y=labels() * 2), V, "the classes are 0..9"),
    "adapt: an encoder of another input width": Case(
        lambda f: adapt(f, encoder=models.build_autoencoder(8, input_dim=100, seed=0)[1]), V,
        r"x must have shape \(n, 100\)"),
    "adapt: a string as encoder": Case(lambda f: adapt(f, encoder="encoder"), T, "encoder must be a Keras model"),
    "adapt: statistics of another encoder": Case(lambda f: adapt(f, statistics=(np.zeros(5), np.ones(5))), V,
                                                 "statistics are for 5 code units"),
    "adapt: statistics not a pair": Case(lambda f: adapt(f, statistics=np.zeros(8)), T, "statistics must be a pair"),
    "adapt: a dict as schedule": Case(lambda f: adapt(f, schedule={"probe_steps": 3}), T,
                                      "schedule must be a finetuning.Schedule"),
    "code_statistics: images of another width": Case(
        lambda f: finetuning.code_statistics(f["encoder"], images()[:, :100]), V, r"must have shape \(n, 784\)"),
    "code_statistics: (n, 28, 28) images": Case(
        lambda f: finetuning.code_statistics(f["encoder"], images().reshape(40, 28, 28)), V, "not flattened"),
    "Schedule: negative steps": Case(lambda f: finetuning.Schedule(scratch_steps=-3), V,
                                     "Schedule.scratch_steps must be at least 1"),
    "Schedule: NaN learning rate": Case(lambda f: finetuning.Schedule(probe_learning_rate=float("nan")), V,
                                        "Schedule.probe_learning_rate must be a finite number"),
    "Schedule: negative L2 penalty": Case(lambda f: finetuning.Schedule(probe_l2=-1), V,
                                          "Schedule.probe_l2 must be at least 0"),
    "Schedule: a fractional batch size": Case(lambda f: finetuning.Schedule(batch_size=2.5), T,
                                              "Schedule.batch_size must be a whole number"),
    "run_grid: seeds_for_all 0": Case(lambda f: grid(f, seeds_for_all=0), V, "seeds_for_all must be at least 1"),
    "run_grid: more seeds_for_all than seeds": Case(lambda f: grid(f, seeds_for_all=5), V,
                                                    "seeds_for_all must be at most 2"),
    "run_grid: budgets as a string": Case(lambda f: grid(f, budgets="10"), T, "budgets must be a list"),
    "run_grid: a budget of 0": Case(lambda f: grid(f, budgets=[0]), V, r"budgets\[0\] must be at least 1"),
    "run_grid: a repeated seed": Case(lambda f: grid(f, seeds=[0, 0]), V, "seeds repeats a seed"),
    "run_grid: regimes as a string": Case(lambda f: grid(f, regimes="frozen"), T, "regimes must be a non-empty list"),
    "run_grid: encoders as a list": Case(lambda f: grid(f, encoders=[f["encoder"]]), T, "encoders must be a non-empty"),
    "run_grid: progress that is not a function": Case(lambda f: grid(f, progress=3), T,
                                                      "progress must be a function"),
    "run_grid: arrays instead of the splits": Case(lambda f: grid(f, data=f["x"]), T,
                                                   "data must be the splits"),
    "run_grid: an empty dict of pretraining seeds": Case(lambda f: grid(f, encoders={"ae": {}}), V,
                                                         "empty dict of pretraining seeds"),
    "run_grid: a negative pretraining seed": Case(lambda f: grid(f, encoders={"ae": {-1: f["encoder"]}}), V,
                                                  "a pretraining seed of 'ae' must be at least 0"),
    "paired_interval: arms of different lengths": Case(
        lambda f: statistics.paired_interval(np.zeros(4), np.zeros(5)), V, "candidate has shape"),
    "paired_interval: one subset": Case(lambda f: statistics.paired_interval(np.ones(1), np.zeros(1)), V,
                                        "at least 2"),
    "Splits.labelled: a budget of 0": Case(lambda f: f["splits"].labelled(0, 0), V, "per_class must be at least 1"),
    "course_splits: an unknown data set": Case(lambda f: splits.course_splits("cifar10"), V,
                                               "dataset must be one of"),
    "baselines.build: an unknown baseline": Case(lambda f: baselines.build("ResNet", 0), V, "name must be one of"),
    "tables.verdict: no pretrained runs": Case(lambda f: tables.verdict(ROWS, 1), V,
                                               "need from-scratch and pretrained runs"),
    # --- models --------------------------------------------------------------------------------------
    "build_autoencoder: a float code size": Case(lambda f: models.build_autoencoder(np.float32(8)), T,
                                                 "code_size must be a whole number"),
    "build_autoencoder: a string code size": Case(lambda f: models.build_autoencoder("32"), T,
                                                  "code_size must be a whole number"),
    "build_autoencoder: noise 1": Case(lambda f: models.build_autoencoder(noise=1.0), V, "noise must be less than 1"),
    "build_autoencoder: NaN noise": Case(lambda f: models.build_autoencoder(noise=float("nan")), V,
                                         "noise must be a finite number"),
    "build_autoencoder: a misspelt activation": Case(lambda f: models.build_autoencoder(code_activation="Relu"), V,
                                                     "code_activation must be one of.*Check the spelling"),
    "build_autoencoder: a string seed": Case(lambda f: models.build_autoencoder(seed="0"), T,
                                             "seed must be a whole number"),
    "build_deep_autoencoder: hidden=512": Case(lambda f: models.build_deep_autoencoder(hidden=512), T,
                                               "hidden must be a sequence of positive whole numbers"),
    "build_deep_autoencoder: a width that is a string": Case(
        lambda f: models.build_deep_autoencoder(hidden=(512, "256")), T, r"hidden\[1\] must be a whole number"),
    "linear_encoder: components and mean that disagree": Case(
        lambda f: models.linear_encoder(np.zeros((4, 784)), np.zeros(100)), V, "components and mean must be"),
    "predict_in_batches: (n, 28, 28) images": Case(
        lambda f: models.predict_in_batches(f["encoder"], images().reshape(40, 28, 28)), V,
        r"x has shape \(40, 28, 28\).*preprocess"),
    "predict_in_batches: a string as model": Case(lambda f: models.predict_in_batches("encoder", images()), T,
                                                  "model must be a Keras model"),
    "accuracy: one label for all images": Case(lambda f: models.accuracy(f["classifier"], images(), np.array([1])), V,
                                               "1 labels for 40 examples"),
    "accuracy: labels the classifier does not have": Case(
        lambda f: models.accuracy(f["classifier"], images(), labels() + 10), V, "the classes are 0..9"),
    "accuracy: fractional labels": Case(lambda f: models.accuracy(f["classifier"], images(), labels() * 0.5), V,
                                        "not whole numbers"),
    "fresh_weights: a negative seed": Case(lambda f: models.fresh_weights(f["encoder"], -1), V,
                                           "seed must be at least 0"),
    # --- data, PCA, losses ---------------------------------------------------------------------------
    "preprocess: float images": Case(lambda f: data.preprocess(images().reshape(40, 28, 28)), T,
                                     "images must be raw uint8 pixels"),
    "preprocess: a list": Case(lambda f: data.preprocess([[0] * 784]), T, "images must be a NumPy array"),
    "preprocess: 32 x 32 images": Case(lambda f: data.preprocess(np.zeros((2, 32, 32), np.uint8)), V,
                                       r"images must have shape \(n, 28, 28\)"),
    "to_images: strings": Case(lambda f: data.to_images(np.full((2, 784), "x")), T, "flat must be an array of numbers"),
    "to_images: already images": Case(lambda f: data.to_images(np.zeros((2, 28, 28))), V,
                                      r"flat must have shape \(n, 784\)"),
    "stratified_sample: a float count": Case(lambda f: data.stratified_sample(images(), labels(), np.float64(2), 0),
                                             T, "n_per_class must be a whole number"),
    "stratified_indices: float labels": Case(lambda f: data.stratified_indices(labels() * 1.0, 1, 0), V,
                                             "labels must be a 1-D integer array"),
    "stratified_sample: more than a class holds": Case(lambda f: data.stratified_sample(images(), labels(), 5, 0), V,
                                                       "n_per_class = 5 is more than some classes hold"),
    "load_mnist: a number as path": Case(lambda f: data.load_mnist(42), T, "path must be a file path"),
    "load_mnist: a missing file": Case(lambda f: data.load_mnist(f["tmp"] / "none.npz"), V, "no file at"),
    "fit_pca: NaN pixels": Case(lambda f: linear.fit_pca(images(nan=True), 4), V, "x holds 1 NaN"),
    "fit_pca: code size 0": Case(lambda f: linear.fit_pca(images(), 0), V, "code_size must be at least 1"),
    "fit_pca: uint8 pixels": Case(lambda f: linear.fit_pca(np.zeros((5, 784), np.uint8), 2), T,
                                  "x must be an array of floats"),
    "PCA.encode: another width": Case(lambda f: linear.fit_pca(images(), 4).encode(images()[:, :10]), V,
                                      r"x must have shape \(n, 784\)"),
    "binary_cross_entropy: NaN reconstruction": Case(
        lambda f: losses.binary_cross_entropy(images(), images(nan=True)), V, "x_hat holds 1 NaN"),
    "binary_cross_entropy: 0..255 targets": Case(lambda f: losses.binary_cross_entropy(images(scale=255), images()),
                                                 V, r"x must hold targets in \[0, 1\]"),
    "mean_squared_error: shapes that differ": Case(lambda f: losses.mean_squared_error(images(4), images(5)), V,
                                                   "x and x_hat must have the same shape"),
    # --- saving --------------------------------------------------------------------------------------
    "artifact_path: a suffix that climbs out": Case(lambda f: artifacts.artifact_path("grid", "/../../../etc/x"), V,
                                                    "suffix must be letters"),
    "artifact_path: a name that climbs out": Case(lambda f: artifacts.artifact_path("../grid", ".json"), V,
                                                  "name must be letters"),
    "save_model: not a .keras path": Case(lambda f: artifacts.save_model(f["encoder"], f["tmp"] / "e.h5"), V,
                                          r"must end in \.keras"),
    "load_model: no such file": Case(lambda f: artifacts.load_model(f["tmp"] / "none.keras"), V, "names no saved"),
    "pretrained.save: NaN in the history": Case(
        lambda f: pretrained.save(f["encoder"], f["encoder"], {"loss": [float("nan")]}), V, r"history\['loss'\] holds"),
    "pretrained.load_or_train: an unknown recipe": Case(lambda f: pretrained.load_or_train("bert"), V,
                                                        "recipe must be one of"),
    "pretrained.load_or_train: an unknown dataset": Case(
        lambda f: pretrained.load_or_train("article", dataset="cifar10"), V, "dataset must be one of"),
    "tables.markdown_table: a budget of 0": Case(lambda f: tables.markdown_table([], budgets=[0]), V,
                                                 r"budgets\[0\] must be at least 1"),
    "tables.save_results: rows as a string": Case(lambda f: tables.save_results("rows", {}, "grid"), T,
                                                  "rows must be a list"),
    "tables.summarise: rows without their keys": Case(lambda f: tables.summarise([{"recipe": "r"}]), V,
                                                      r"rows\[0\] must be a dict with the keys"),
    "tables.save_results: settings as a list": Case(lambda f: tables.save_results(ROWS, ["mode"], "grid"), T,
                                                    "settings must be a dict"),
    # --- figures and widgets -------------------------------------------------------------------------
    "image_grid: NaN pixels": Case(lambda f: plotting.image_grid(images(4, nan=True)), V, "images holds 1 NaN"),
    "image_grid: strings": Case(lambda f: plotting.image_grid(np.full((2, 784), "a")), T,
                                "images must be an array of numbers"),
    "code_scatter: fractional labels": Case(lambda f: plotting.code_scatter(np.zeros((4, 3)), np.full(4, 0.5)), V,
                                            "labels holds values that are not whole numbers"),
    "code_scatter: a negative seed": Case(lambda f: plotting.code_scatter(np.zeros((4, 3)), np.zeros(4, int), seed=-1),
                                          V, "seed must be at least 0"),
    "code_size_explorer: reconstruct that is not a function": Case(
        lambda f: widgets.code_size_explorer(images(), "pca", [2, 8]), T, "reconstruct must be a function"),
    "digit_picker: reconstructions of another shape": Case(
        lambda f: widgets.digit_picker(images(), images(39)), V, "must have the same shape"),
    "matrix_product_floor: one width": Case(lambda f: speed.matrix_product_floor(100, (784,)), V,
                                            "widths must list at least two"),
    "matrix_product_floor: a width that is a string": Case(lambda f: speed.matrix_product_floor(100, (784, "32")), T,
                                                           r"widths\[1\] must be a whole number"),
}


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory) -> dict:
    autoencoder, encoder, _ = models.build_autoencoder(8, seed=0)
    classifier = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    classifier.set_weights(models.fresh_weights(classifier, 0))
    x = images()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EIAM_FAST", "1")
        patch.delenv("EIAM_MNIST", raising=False)
        course = splits.course_splits(verbose=False)
    return {"autoencoder": autoencoder, "encoder": encoder, "classifier": classifier, "x": x, "splits": course,
            "statistics": finetuning.code_statistics(encoder, x), "tmp": tmp_path_factory.mktemp("bad-inputs")}


def test_the_battery_is_large():
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_bad_input_raises_the_courses_own_error(fixtures, course_env, case):
    guarded = fixtures[case.guards] if case.guards else None
    before = [w.copy() for w in guarded.get_weights()] if guarded is not None else []
    with pytest.raises(case.kind) as raised:
        case.call(fixtures)
    assert isinstance(raised.value, validation.CourseError), (
        f"a raw {type(raised.value).__module__}.{type(raised.value).__name__} escaped: {raised.value}")
    assert raised.match(case.message)
    if guarded is not None:
        for a, b in zip(before, guarded.get_weights()):
            np.testing.assert_array_equal(a, b, err_msg="the model was trained before the error")
