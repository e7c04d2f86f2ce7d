"""Self-checks of exercises/06_pitfalls.ipynb."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers import data
from helpers.checks.task import Task, course_data

NB06 = "06_pitfalls"
TASK_06_1 = Task(NB06, 1, "Remedy (b): train fewer numbers")
TASK_06_2 = Task(NB06, 2, "Remedy (a): early stopping")
TASK_06_3 = Task(NB06, 3, "A pretraining task that cannot be solved by copying: the denoising autoencoder")

#: Task 2: the check trains for at most this many epochs, and the task asks for this patience.
EARLY_STOPPING_EPOCHS_06, PATIENCE_06 = 40, 5
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

    inputs = keras.Input(shape=(784,))
    dense = keras.layers.Dense(24, kernel_initializer=keras.initializers.GlorotUniform(seed=3))
    hidden = keras.layers.BatchNormalization()(dense(inputs))  # 2 x 24 statistics never trained
    with_statistics = keras.Model(inputs, keras.layers.Activation("relu")(hidden), name="with_batch_statistics")
    return {"the article's encoder (784 → 32)": models.build_autoencoder(32, seed=0)[1],
            "a 784 → 7 encoder": models.build_autoencoder(7, seed=0)[1],
            "an encoder with batch normalisation": with_statistics,
            "a deep features model (64 + 16 numbers)": models.build_deep_autoencoder((64,), 16, seed=0)[2]}


def check_06_task1(numbers_trained: object) -> None:
    """Task 1: how many numbers training updates when a softmax head is put on an encoder, frozen or fine-tuned.

    Args:
        numbers_trained: function (encoder, regime) -> int, regime "frozen" or "fine-tuned": the number of
            trainable numbers of encoder -> Dense(10, softmax) when only the head is trained, or everything.
            It must leave ``encoder.trainable`` as it found it.

    Recomputed from each encoder's trainable weights and its output width, on four encoders (one with
    batch-normalisation statistics, which count as parameters but are never trained).
    """
    task = TASK_06_1
    for name, encoder in _encoders_to_count().items():
        width = encoder.output_shape[-1]
        head = width * 10 + 10
        expected = {"frozen": head, "fine-tuned": head + sum(int(np.prod(w.shape)) for w in encoder.trainable_weights)}
        for regime in ("frozen", "fine-tuned"):
            count = task.number_from(task.call(numbers_trained, "numbers_trained", encoder, regime),
                                     f"numbers_trained(encoder, {regime!r})", integer=True)
            if not encoder.trainable:
                task.fail(f"after numbers_trained(encoder, {regime!r}) the encoder is left frozen "
                          f"(encoder.trainable is False), so fine-tuning it afterwards would train nothing",
                          "put encoder.trainable back as it was before returning (try ... finally)")
            if count == expected[regime]:
                continue
            if regime == "frozen" and count == width * 10:
                task.fail(f"for {name}, frozen: {count:,} leaves out the head's 10 biases", "a Dense layer from k "
                          "inputs to 10 units has k × 10 weights and 10 biases")
            if regime == "fine-tuned" and count == head + encoder.count_params():
                task.fail(f"for {name}, fine-tuned: {count:,} also counts parameters the optimiser never updates "
                          f"(batch normalisation's moving statistics)", "count model.trainable_weights, not "
                          "count_params()")
            task.fail(f"for {name}, {regime}: {count:,} is not the number of trained numbers", "build the classifier "
                      "keras.Sequential([encoder, keras.layers.Dense(10, activation='softmax')]), set "
                      "encoder.trainable, and add up the sizes of model.trainable_weights")
    task.passed("numbers_trained is right for 4 encoders, frozen and fine-tuned, including one whose batch "
                "statistics are never trained, and leaves each encoder as it found it")


def _early_stopping_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """10 labelled training digits per class and 10 other ones per class for validation, as notebook 06 draws them."""
    x_train, y_train, _, _ = course_data()
    y_train = y_train.astype("int32")
    train_index = data.stratified_indices(y_train, 10, 0)
    others = np.setdiff1d(np.arange(len(y_train)), train_index)
    validation_index = others[data.stratified_indices(y_train[others], 10, 1000)]
    return x_train[train_index], y_train[train_index], x_train[validation_index], y_train[validation_index]


def check_06_task2(fit_with_early_stopping: object) -> None:
    """Task 2: training that stops when the validation loss has not improved for 5 epochs, and keeps the best weights.

    Args:
        fit_with_early_stopping: function (model, x, y, x_val, y_val, epochs) -> the history of ``model.fit``
            (a ``keras.callbacks.History`` or its ``.history`` dict), trained with keras.callbacks.EarlyStopping.

    Runs it on a fresh, seeded 784-512-10 MLP (notebook 06's, compiled with Adam(3e-3) so that it overfits within
    about ten epochs) with 10 labelled digits per class, 10 more per class for validation and at most 40 epochs. It
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
    epochs = len(val_loss)
    if epochs >= EARLY_STOPPING_EPOCHS_06:
        task.fail(f"training ran all {epochs} epochs although the validation loss stopped improving at epoch "
                  f"{int(np.argmin(val_loss)) + 1}", "pass callbacks=[keras.callbacks.EarlyStopping(...)] to "
                  "model.fit, monitoring 'val_loss', not the training loss")
    waited = epochs - (int(np.argmin(val_loss)) + 1)
    if waited != PATIENCE_06:
        task.fail(f"training stopped {waited} epochs after the best validation loss; the task asks for a patience of "
                  f"{PATIENCE_06}", f"EarlyStopping(monitor='val_loss', patience={PATIENCE_06}, ...)")
    final = float(model.evaluate(x_val, y_val, verbose=0, return_dict=True)["loss"])
    if abs(final - min(val_loss)) > 1e-3:
        task.fail(f"after training the model's validation loss is {final:.4f}, not the lowest recorded "
                  f"({min(val_loss):.4f}): it kept the weights of the last epoch", "restore_best_weights=True")
    task.passed(f"training stopped after {epochs} of {EARLY_STOPPING_EPOCHS_06} epochs, {PATIENCE_06} epochs after "
                f"the best validation loss ({min(val_loss):.3f}, epoch {epochs - PATIENCE_06}), and the model keeps "
                f"the weights of that epoch")


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


def check_06_task3(plain_autoencoder: object, denoising_autoencoder: object) -> None:
    """Task 3: a denoising autoencoder that reconstructs masked digits better than the plain one.

    Args:
        plain_autoencoder, denoising_autoencoder: trained Keras autoencoders (n, 784) -> (n, 784).

    Both must be trained (binary cross-entropy below 0.2 on the clean test digits); on test digits with 30 %
    of their pixels masked (a ``Dropout(0.3)`` layer, as in notebook 06), measured against the clean digits,
    the denoising one's error must be lower than the plain one's by at least 0.002.
    """
    import keras

    task = TASK_06_3
    _, _, x_test, _ = course_data()
    masked = keras.ops.convert_to_numpy(keras.layers.Dropout(0.3, seed=0)(x_test, training=True))
    errors = {}
    for name, model in (("plain_autoencoder", plain_autoencoder), ("denoising_autoencoder", denoising_autoencoder)):
        clean_error = _reconstruction_error(task, model, name, x_test, x_test)
        if clean_error > TRAINED_ERROR_06:
            task.fail(f"`{name}` reconstructs clean test digits with an error of {clean_error:.3f}; a trained "
                      f"autoencoder gets below {TRAINED_ERROR_06}", "compile and fit it on x_train before passing it")
        errors[name] = (clean_error, _reconstruction_error(task, model, name, masked, x_test))
    (plain_clean, plain_masked), (denoising_clean, denoising_masked) = errors.values()
    if not denoising_masked <= plain_masked - DENOISING_MARGIN_06:
        task.fail(f"on masked test digits the denoising autoencoder's error is {denoising_masked:.4f} against "
                  f"{plain_masked:.4f} for the plain one; it should be lower by at least {DENOISING_MARGIN_06}",
                  "give the model masked inputs and the *clean* images as targets: models.build_autoencoder(128, "
                  "noise=0.3), then fit(x_train, x_train), with the same settings as the plain one")
    task.passed(f"on masked test digits the denoising autoencoder's error is {denoising_masked:.4f} against "
                f"{plain_masked:.4f} for the plain one; on clean digits: {denoising_clean:.4f} against "
                f"{plain_clean:.4f}")
