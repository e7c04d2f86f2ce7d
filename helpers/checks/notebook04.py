"""Self-checks of exercises/04_keras_mnist_autoencoder.ipynb."""

from __future__ import annotations

import inspect

import numpy as np

from helpers import data
from helpers.checks.task import Task, course_data

NB04 = "04_keras_mnist_autoencoder"
TASK_04_1 = Task(NB04, 1, "Step 1: the data, as the article writes it")
TASK_04_2 = Task(NB04, 2, "Why: the meaning of 'adadelta' changed")
TASK_04_3 = Task(NB04, 3, "Step 4: the fix, and a comparison with Adam")
TASK_04_4 = Task(NB04, 4, "Step 5: encoder.predict and decoder.predict, as in the article")

#: Task 3: the check trains a copy of the model for this many epochs on this many training digits...
TRAINING_EPOCHS_04, TRAINING_DIGITS_04 = 5, 4000
#: ...and the training loss must end below this (the 'adadelta' string stays near ln 2 ≈ 0.69).
TARGET_LOSS_04 = 0.45


def check_04_task1(load_and_preprocess: object) -> None:
    """Task 1: the article's data code, fixed, as a function returning ``(x_train, x_test)``.

    Args:
        load_and_preprocess: function () -> (x_train, x_test), float32 arrays of shape (n, 784) in [0, 1],
            the MNIST of the current mode scaled as the article does. Compared with the raw images / 255.
    """
    task = TASK_04_1
    result = task.call(load_and_preprocess, "load_and_preprocess")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        task.fail("`load_and_preprocess()` should return two arrays, (x_train, x_test)",
                  "end the function with `return x_train, x_test`")
    (x_train_raw, _), (x_test_raw, _) = data.load_mnist(verbose=False)
    for name, array, raw in [("x_train", result[0], x_train_raw), ("x_test", result[1], x_test_raw)]:
        if not isinstance(array, np.ndarray):
            task.fail(f"{name} should be a NumPy array, got {type(array).__name__}", "return the arrays themselves")
        expected_shape = (len(raw), 784)
        if array.shape != expected_shape:
            task.fail(f"{name} has shape {array.shape}, expected {expected_shape}",
                      "flatten each 28 × 28 image into 784 numbers with reshape((len(x), np.prod(x.shape[1:])))")
        if array.dtype != np.float32:
            task.fail(f"{name} has dtype {array.dtype}, the article's is float32",
                      "convert with .astype('float32') before dividing: uint8 / 255. gives float64")
        if array.max() > 1:
            task.fail(f"{name} holds values up to {array.max():g}; scaled pixels lie in [0, 1]", "divide by 255")
        if not np.allclose(array, raw.reshape(expected_shape) / 255.0, atol=1e-6):
            task.fail(f"{name} differs from the article's preprocessing",
                      "keep the images and their pixels in their order; only convert, scale and reshape")
    task.passed(f"x_train {result[0].shape} and x_test {result[1].shape}: float32, in [0, 1], the article's scaling")


def check_04_task2(default_learning_rate: object) -> None:
    """Task 2: Adadelta's default learning rate in the installed Keras, found with code.

    Args:
        default_learning_rate: the number. Compared with the default in ``keras.optimizers.Adadelta``'s signature.
    """
    import keras

    task = TASK_04_2
    value = task.number_from(default_learning_rate, "default_learning_rate")
    default = inspect.signature(keras.optimizers.Adadelta).parameters["learning_rate"].default
    if not np.isclose(value, default, rtol=1e-6):
        task.fail(f"{value:g} is not the default learning rate of keras.optimizers.Adadelta in Keras "
                  f"{keras.__version__} (defaults change between versions: ask the one you are running)",
                  "read it from keras.optimizers.Adadelta().learning_rate, or from "
                  "inspect.signature(keras.optimizers.Adadelta)")
    task.passed(f"{value:g} is Adadelta's default learning rate in Keras {keras.__version__}")


def _is_binary_cross_entropy(loss: object) -> bool:
    import keras

    if isinstance(loss, keras.losses.BinaryCrossentropy):
        return not loss.from_logits
    if isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except ValueError:
            return False
    return loss is keras.losses.binary_crossentropy


def check_04_task3(autoencoder: object) -> None:
    """Task 3: the article's autoencoder compiled with an Adadelta that learns.

    Args:
        autoencoder: a compiled Keras model (n, 784) -> (n, 784), optimizer Adadelta, binary cross-entropy.

    Trains a copy (fresh weights, the same optimizer settings) for 5 epochs on 4,000 training digits;
    the training loss must end below 0.45.
    """
    import keras

    task = TASK_04_3
    task.answered(autoencoder, "autoencoder")
    if not isinstance(autoencoder, keras.Model):
        task.fail(f"`autoencoder` should be a keras.Model, got {type(autoencoder).__name__}",
                  "build it with models.build_autoencoder(32)")
    if tuple(autoencoder.input_shape) != (None, 784) or tuple(autoencoder.output_shape) != (None, 784):
        task.fail(f"`autoencoder` maps {autoencoder.input_shape} to {autoencoder.output_shape}, not 784 to 784",
                  "build it with models.build_autoencoder(32)")
    if not autoencoder.compiled or autoencoder.optimizer is None:
        task.fail("`autoencoder` is not compiled", "call autoencoder.compile(optimizer=..., loss=...)")
    optimizer = autoencoder.optimizer
    if not isinstance(optimizer, keras.optimizers.Adadelta):
        task.fail(f"it is compiled with {type(optimizer).__name__}; this task is about Adadelta",
                  "pass an instance of keras.optimizers.Adadelta, with the learning rate written out")
    if not _is_binary_cross_entropy(autoencoder.loss):
        task.fail(f"it is compiled with the loss {autoencoder.loss!r}; the article's is binary cross-entropy",
                  "loss='binary_crossentropy'")
    x_train, _, _, _ = course_data()
    x = x_train[:TRAINING_DIGITS_04]
    from helpers import models

    copy = models.reinitialised(autoencoder, seed=0)  # fresh weights: the student's model is left as it is
    copy.compile(optimizer=type(optimizer).from_config(optimizer.get_config()), loss="binary_crossentropy")
    start = float(np.mean(keras.losses.binary_crossentropy(x, copy.predict(x, verbose=0))))
    history = copy.fit(x, x, epochs=TRAINING_EPOCHS_04, batch_size=256, shuffle=True, verbose=0)
    final = float(history.history["loss"][-1])
    if not final < TARGET_LOSS_04:
        task.fail(f"a copy trained for {TRAINING_EPOCHS_04} epochs on {TRAINING_DIGITS_04:,} digits went from "
                  f"{start:.3f} only to {final:.3f}; it should get below {TARGET_LOSS_04}",
                  "the string 'adadelta' and Adadelta() take today's default learning rate; write out the "
                  "one the article's 2016 code relied on")
    task.passed(f"a copy trained for {TRAINING_EPOCHS_04} epochs on {TRAINING_DIGITS_04:,} digits went from "
                f"{start:.3f} to {final:.3f}, below {TARGET_LOSS_04} (the 'adadelta' string stays near 0.69)")


def _dead_units_test_codes() -> np.ndarray:
    """Codes (300, 24) float32 like a ReLU layer's, with dead units hidden among nearly dead ones."""
    rng = np.random.default_rng(4)
    codes = np.maximum(rng.normal(size=(300, 24)), 0.0).astype(np.float32)
    columns = rng.permutation(24)
    codes[:, columns[:5]] = 0.0                     # dead: zero for every row
    codes[:, columns[5:7]] = 0.0
    codes[rng.integers(300), columns[5:7]] = 1e-3   # nearly dead: positive for one row only
    codes[:150, columns[7]] = 0.0                   # zero for half of the rows
    return codes


def _dead_units_from(task: Task, function: object, codes: np.ndarray, what: str) -> np.ndarray:
    found = task.call(function, "find_dead_units", codes)
    task.answered(found, f"find_dead_units({what})")
    found = np.asarray(found)
    if found.dtype == bool:
        task.fail("`find_dead_units` returned a True/False mask; the task asks for the units' indices",
                  "np.flatnonzero(mask) turns a mask into indices")
    if found.ndim != 1 or (found.size and not np.issubdtype(found.dtype, np.integer)):
        task.fail(f"`find_dead_units` should return a 1-D array of integer indices, got {found.dtype} {found.shape}",
                  "np.flatnonzero returns one")
    return np.unique(found)


def check_04_task4(find_dead_units: object, codes: object) -> None:
    """Task 4: the indices of the dead units of a code, the units that are zero for every input.

    Args:
        find_dead_units: function codes (n, k) -> sorted 1-D integer array of the dead units' indices.
        codes: the trained encoder's codes of the test digits, (n, k); the result on them is recomputed.
    """
    task = TASK_04_4
    hint = "a unit is one column of the codes; it is dead when it is 0 in every row (every image)"
    test_codes = _dead_units_test_codes()
    expected = np.flatnonzero(test_codes.max(axis=0) <= 0)
    found = _dead_units_from(task, find_dead_units, test_codes, "test codes")
    if set(found) - set(expected):
        task.fail(f"on a test array with {len(expected)} dead units, `find_dead_units` also names units that are "
                  f"positive for some row", hint)
    if set(expected) - set(found):
        task.fail(f"on a test array with {len(expected)} dead units, `find_dead_units` misses "
                  f"{len(set(expected) - set(found))} of them", hint)
    task.answered(codes, "codes")
    if np.ndim(codes) != 2:
        task.fail(f"`codes` should be a 2-D array (images, units), got shape {np.shape(codes)}",
                  "codes = encoder.predict(x_test)")
    codes = task.array_from(codes, "codes", np.shape(codes))
    found = _dead_units_from(task, find_dead_units, codes, "codes")
    if not np.array_equal(found, np.flatnonzero(codes.max(axis=0) <= 0)):
        task.fail("`find_dead_units(codes)` is wrong on the encoder's codes", hint)
    task.passed(f"find_dead_units is right on a test array with {len(expected)} dead units among nearly dead ones, "
                f"and finds {len(found)} dead unit(s) among the {codes.shape[1]} of the trained encoder")
