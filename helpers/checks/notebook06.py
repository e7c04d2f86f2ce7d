"""Self-checks of exercises/06_pitfalls.ipynb."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers import data
from helpers.checks.task import Task, course_data, guarded

# Exercise notebook 06 spans the three teaching notebooks of the pitfalls: each task names the one that teaches it.
NB06B, NB06C = "06b_overfitting", "06c_denoising"
TASK_06_1 = Task(NB06B, 1, "Remedy (b): train fewer numbers")
TASK_06_2 = Task(NB06B, 2, "Remedy (a): early stopping")
TASK_06_3 = Task(NB06C, 3, "A pretraining task that cannot be solved by copying: the denoising autoencoder")

#: Task 2: the check trains for at most this many epochs, and the task asks for this patience.
EARLY_STOPPING_EPOCHS_06, PATIENCE_06 = 18, 5
#: Task 3: both autoencoders must reconstruct clean test digits at least this well (binary cross-entropy per
#: pixel; an untrained one scores about 0.69)...
TRAINED_ERROR_06 = 0.2
#: ...and on masked test digits the denoising one must beat the plain one by at least this much. With a
#: 128-number code and 10 epochs the margin is 0.005-0.007 in fast mode, over seeds.
DENOISING_MARGIN_06 = 0.002


def _encoders_to_count() -> dict[str, Any]:
    """Encoders for Task 1: the article's, a narrow one, one with frozen statistics inside, a deep features model."""
    import keras

    from helpers import models

    pixels = keras.Input(shape=(784,))
    dense = keras.layers.Dense(24, kernel_initializer=keras.initializers.GlorotUniform(seed=3))
    hidden = keras.layers.BatchNormalization()(dense(pixels))  # 2 x 24 statistics never trained
    with_statistics = keras.Model(pixels, keras.layers.Activation("relu")(hidden), name="with_batch_statistics")
    return {"the article's encoder (784 → 32)": models.build_autoencoder(32, seed=0)[1],
            "a 784 → 7 encoder": models.build_autoencoder(7, seed=0)[1],
            "an encoder with batch normalisation": with_statistics,
            "a deep features model (64 + 16 numbers)": models.build_deep_autoencoder((64,), 16, seed=0)[2]}


def _numbers_updated(encoder: Any, regime: str) -> int:
    """How many numbers an optimizer updates in encoder -> Dense(10, softmax), counted from its own state.

    Another method than adding up weight sizes: a momentum optimizer keeps one momentum number per number
    it updates, so the sizes of its momenta, once built for the classifier's trainable variables, are the count.
    """
    import keras

    was = encoder.trainable
    encoder.trainable = {"frozen": False, "fine-tuned": True}[regime]
    try:
        classifier = keras.Sequential([encoder, keras.layers.Dense(10, activation="softmax")])
        optimizer = keras.optimizers.SGD(momentum=0.9)
        optimizer.build(classifier.trainable_variables)
        return int(sum(np.prod(momentum.shape) for momentum in optimizer.momentums))
    finally:
        encoder.trainable = was


@guarded(TASK_06_1)
def check_06_task1(numbers_trained: object) -> None:
    """Task 1: how many numbers training updates when a softmax head is put on an encoder, frozen or fine-tuned.

    Args:
        numbers_trained: function (encoder, regime) -> int, regime "frozen" or "fine-tuned": the number of
            trainable numbers of encoder -> Dense(10, softmax) when only the head is trained, or everything.
            It must leave ``encoder.trainable`` as it found it, True or False.

    Recomputed from the momenta of an optimizer built for the classifier (see :func:`_numbers_updated`), on
    four encoders (one with batch-normalisation statistics, which count as parameters but are never trained),
    each given once trainable and once frozen (``trainable = False``, as a frozen probe leaves it).
    """
    task = TASK_06_1
    task.answered(numbers_trained, "numbers_trained")
    for name, encoder in _encoders_to_count().items():
        expected = {regime: _numbers_updated(encoder, regime) for regime in ("frozen", "fine-tuned")}
        for given_trainable in (True, False):
            encoder.trainable = given_trainable
            state = "trainable" if given_trainable else "frozen (trainable = False)"
            for regime in ("frozen", "fine-tuned"):
                count = task.number_from(task.call(numbers_trained, "numbers_trained", encoder, regime),
                                         f"numbers_trained(encoder, {regime!r})", integer=True)
                if encoder.trainable != given_trainable:
                    task.fail(f"given {name} {state}, numbers_trained(encoder, {regime!r}) leaves it "
                              f"{'trainable' if encoder.trainable else 'frozen'}: the next use of the encoder would "
                              f"train {'nothing of it' if given_trainable else 'it after all'}",
                              "remember encoder.trainable before changing it, and put that value back (try ... "
                              "finally)")
                if count == expected[regime]:
                    continue
                if regime == "frozen" and count == expected["frozen"] - 10:
                    task.fail(f"for {name}, frozen: {count:,} leaves out the head's biases",
                              "a Dense layer has weights and biases")
                if count == expected["fine-tuned"] and regime == "frozen":
                    task.fail(f"for {name}, frozen: {count:,} also counts the encoder's numbers",
                              "frozen means the encoder is not trained: set encoder.trainable before counting")
                if regime == "fine-tuned" and count == expected["frozen"]:
                    task.fail(f"for {name} given {state}, fine-tuned: {count:,} counts only the head",
                              "fine-tuned means everything is trained: set encoder.trainable = True before counting, "
                              "whatever it was")
                if regime == "fine-tuned" and count == expected["frozen"] + encoder.count_params():
                    task.fail(f"for {name}, fine-tuned: {count:,} also counts numbers the optimizer never updates "
                              f"(batch normalisation's moving statistics)", "count the trainable weights only")
                task.fail(f"for {name} given {state}, {regime}: {count:,} is not the number of trained numbers",
                          "put the head on the encoder, set encoder.trainable for the regime, and let Keras list the "
                          "trainable weights")
        encoder.trainable = True
    task.passed("numbers_trained is right for 4 encoders, each given trainable and frozen, in both regimes, "
                "including one whose batch statistics are never trained, and leaves each encoder as it found it")


def _early_stopping_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """10 labelled training digits per class and 10 other ones per class for validation, as notebook 06b draws them.

    From the bundled sample in both modes: the check's run is then the same everywhere, and it stops early
    (on the complete MNIST these 100 digits can keep the validation loss falling until the last epochs allowed).
    """
    (x_train, y_train), _ = data.load_mnist(data.MNIST_SAMPLE, verbose=False)
    x_train, y_train = data.preprocess(x_train), y_train.astype("int32")
    train_index = data.stratified_indices(y_train, 10, 0)
    others = np.setdiff1d(np.arange(len(y_train)), train_index)
    validation_index = others[data.stratified_indices(y_train[others], 10, 1000)]
    return x_train[train_index], y_train[train_index], x_train[validation_index], y_train[validation_index]


@guarded(TASK_06_2)
def check_06_task2(fit_with_early_stopping: object) -> None:
    """Task 2: training that stops when the validation loss has not improved for 5 epochs, and keeps the best weights.

    Args:
        fit_with_early_stopping: function (model, x, y, x_val, y_val, epochs) -> the history of ``model.fit``
            (a ``keras.callbacks.History`` or its ``.history`` dict), trained with keras.callbacks.EarlyStopping.

    Runs it on a fresh, seeded 784-512-10 MLP (notebook 06b's, compiled with Adam(3e-3) so that it overfits within
    about ten epochs) with 10 labelled digits per class, 10 more per class for validation and at most 18 epochs. It
    must stop early, exactly 5 epochs after the best validation
    loss, with the weights of that epoch (the model's validation loss afterwards is the lowest recorded, to 1e-3).
    """
    import keras

    task = TASK_06_2
    x, y, x_val, y_val = _early_stopping_split()
    glorot = keras.initializers.GlorotUniform  # seeded: the same model at every run, no global random state
    model = keras.Sequential([keras.Input(shape=(784,)),
                              keras.layers.Dense(512, activation="relu", kernel_initializer=glorot(seed=1)),
                              keras.layers.Dense(10, activation="softmax", kernel_initializer=glorot(seed=2))])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")  # overfits soon
    history = task.call(fit_with_early_stopping, "fit_with_early_stopping", model, x, y, x_val, y_val,
                        EARLY_STOPPING_EPOCHS_06)
    task.answered(history, "fit_with_early_stopping(...)")
    history = getattr(history, "history", history)
    if not isinstance(history, dict) or "loss" not in history:
        task.fail("`fit_with_early_stopping` should return what model.fit returns (or its .history dict)",
                  "end with `return model.fit(...)`")
    if "val_loss" not in history:
        task.fail("the history has no validation loss", "pass validation_data=(x_val, y_val) to model.fit")
    val_loss = [float(v) for v in history["val_loss"]]
    epochs, best = len(val_loss), int(np.argmin(val_loss)) + 1
    if best == epochs and epochs >= EARLY_STOPPING_EPOCHS_06:
        on_training = float(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])
        if abs(on_training - val_loss[-1]) <= 1e-3:
            task.fail("the losses recorded as validation losses are those of the training digits, which keep falling",
                      "validate on (x_val, y_val), the digits the model is not trained on")
        task.fail(f"training ran all {epochs} epochs and the recorded validation loss was still falling at the end, "
                  f"which the validation digits' loss does not do", "validate on (x_val, y_val), the digits the "
                  "model is not trained on")
    if epochs >= EARLY_STOPPING_EPOCHS_06:
        task.fail(f"training ran all {epochs} epochs although the validation loss stopped improving at epoch {best}",
                  "stop on the loss measured on the validation digits, not on the training loss",
                  "keras.callbacks.EarlyStopping, given to model.fit in its callbacks list")
    waited = epochs - best
    if waited != PATIENCE_06:
        task.fail(f"training stopped at epoch {epochs}, {waited} epochs after the lowest validation loss (epoch "
                  f"{best}); stopping on the validation loss with a patience of {PATIENCE_06} stops exactly "
                  f"{PATIENCE_06} epochs after it", "which quantity does the callback watch, in which direction, "
                  "how long does it wait, and what counts as an improvement?",
                  "the defaults of mode and min_delta fit a loss; patience is the number of epochs it waits")
    final = float(model.evaluate(x_val, y_val, verbose=0, return_dict=True)["loss"])
    if abs(final - min(val_loss)) > 1e-3:
        on_training = float(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])
        if abs(final - val_loss[-1]) <= 1e-3:
            task.fail(f"after training the model's validation loss is {final:.4f}, that of the last epoch, not the "
                      f"lowest recorded ({min(val_loss):.4f}): it kept the weights of the last epoch",
                      "the callback can give back the weights of the best epoch")
        if min(abs(on_training - v) for v in val_loss) <= 1e-3:
            task.fail("the losses recorded as validation losses are those of the training digits",
                      "validate on (x_val, y_val), the digits the model is not trained on")
        task.fail(f"after training the model's loss on (x_val, y_val) is {final:.4f}, neither the lowest validation "
                  f"loss recorded ({min(val_loss):.4f}) nor the last: the validation losses were measured on other "
                  f"digits, or the weights are not those of the best epoch", "validate on (x_val, y_val), and keep "
                  "the weights of the best epoch")
    task.passed(f"training stopped after {epochs} of at most {EARLY_STOPPING_EPOCHS_06} epochs, {PATIENCE_06} epochs "
                f"after the lowest validation loss ({min(val_loss):.3f}, epoch {best}), and the model ends with the "
                f"weights of that epoch (its loss on the validation digits is that lowest one)")


def _masks_in_training(model: Any, x: np.ndarray) -> bool:
    """Whether ``model`` computes something else in training than in inference (a noise layer is active)."""
    import keras

    training = keras.ops.convert_to_numpy(model(x, training=True))
    return not np.allclose(training, keras.ops.convert_to_numpy(model(x, training=False)), atol=1e-6)


def _reconstruction_error(task: Task, model: object, name: str, inputs: np.ndarray, clean: np.ndarray) -> float:
    import keras

    from helpers import models

    task.answered(model, name)
    if not isinstance(model, keras.Model):
        task.fail(f"`{name}` should be a keras.Model, got {type(model).__name__}", "the first value "
                  "models.build_autoencoder returns is the autoencoder")
    if tuple(model.input_shape) != (None, 784) or tuple(model.output_shape) != (None, 784):
        task.fail(f"`{name}` maps {model.input_shape} to {model.output_shape}; an autoencoder maps (None, 784) "
                  f"to (None, 784)", "pass the autoencoder, not its encoder")
    x_hat = models.predict_in_batches(model, inputs)
    return float(np.mean(keras.losses.binary_crossentropy(clean, x_hat)))


@guarded(TASK_06_3)
def check_06_task3(plain_autoencoder: object, denoising_autoencoder: object) -> None:
    """Task 3: a denoising autoencoder that reconstructs masked digits better than the plain one.

    Args:
        plain_autoencoder, denoising_autoencoder: trained Keras autoencoders (n, 784) -> (n, 784).

    Both must be trained (binary cross-entropy below 0.2 on the clean test digits); on test digits with 30 %
    of their pixels masked (a ``Dropout(0.3)`` layer, as in notebook 06c), measured against the clean digits,
    the denoising one's error must be lower than the plain one's by at least 0.002.
    """
    import keras

    task = TASK_06_3
    _, _, x_test, _ = course_data()
    masked = keras.ops.convert_to_numpy(keras.layers.Dropout(0.3, seed=0)(x_test, training=True))
    errors = {}
    for name, model in (("plain_autoencoder", plain_autoencoder), ("denoising_autoencoder", denoising_autoencoder)):
        clean_error = _reconstruction_error(task, model, name, x_test, x_test)
        if name == "plain_autoencoder" and _masks_in_training(model, x_test[:64]):
            task.fail("`plain_autoencoder` corrupts its inputs in training: it is a denoising autoencoder",
                      "the plain one is the article's autoencoder, without noise; pass them in the task's order")
        if clean_error > TRAINED_ERROR_06:
            task.fail(f"`{name}` reconstructs clean test digits with an error of {clean_error:.3f}; a trained "
                      f"autoencoder gets below {TRAINED_ERROR_06}", "compile and fit it on x_train before passing it")
        errors[name] = (clean_error, _reconstruction_error(task, model, name, masked, x_test))
    (plain_clean, plain_masked), (denoising_clean, denoising_masked) = errors.values()
    if not denoising_masked <= plain_masked - DENOISING_MARGIN_06:
        task.fail(f"on masked test digits the denoising autoencoder's error is {denoising_masked:.4f} against "
                  f"{plain_masked:.4f} for the plain one; it should be lower by at least {DENOISING_MARGIN_06}",
                  "the denoising one sees masked inputs in training and must reproduce the clean images, with the "
                  "same settings as the plain one", "the noise belongs inside the model, and the targets stay clean")
    task.passed(f"on masked test digits the denoising autoencoder's error is {denoising_masked:.4f} against "
                f"{plain_masked:.4f} for the plain one; on clean digits: {denoising_clean:.4f} against "
                f"{plain_clean:.4f}")
