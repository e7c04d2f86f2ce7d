"""Self-checks of exercises/04_keras_mnist_autoencoder.ipynb."""

from __future__ import annotations

import inspect

import numpy as np

from helpers import data
from helpers.checks.task import Task, course_data, guarded

NB04 = "04_keras_mnist_autoencoder"
TASK_04_1 = Task(NB04, 1, "Step 1: the data, as the article writes it")
TASK_04_2 = Task(NB04, 2, "Why: the meaning of 'adadelta' changed")
TASK_04_3 = Task(NB04, 3, "Step 4: the fix, and a comparison with Adam")
TASK_04_4 = Task(NB04, 4, "Step 5: encoder.predict and decoder.predict, as in the article")

#: Task 1: how many images the complete MNIST has, to recognise it in fast mode.
COMPLETE_MNIST_04 = {"x_train": 60_000, "x_test": 10_000}
#: Task 1: how many images (spread over the whole array) are compared pixel by pixel with the raw ones / 255.
ROWS_COMPARED_04 = 1000
#: Task 3: the check trains a copy of the model for this many epochs on this many training digits...
TRAINING_EPOCHS_04, TRAINING_DIGITS_04 = 5, 4000
#: ...and the training loss must end below this (the 'adadelta' string stays near ln 2 ≈ 0.69).
TARGET_LOSS_04 = 0.45


@guarded(TASK_04_1)
def check_04_task1(load_and_preprocess: object) -> None:
    """Task 1: the article's data code, fixed, as a function returning ``(x_train, x_test)``.

    Args:
        load_and_preprocess: function () -> (x_train, x_test), float32 arrays of shape (n, 784) in [0, 1],
            the MNIST of the current mode scaled as the article does. Compared with the raw images / 255 on 1,000
            images spread over each array.
    """
    task = TASK_04_1
    result = task.call(load_and_preprocess, "load_and_preprocess")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        task.fail("`load_and_preprocess()` should return two arrays, (x_train, x_test)",
                  "return both arrays, the training images first")
    (x_train_raw, _), (x_test_raw, _) = data.load_mnist(verbose=False)
    sizes = tuple(np.shape(array)[:1] for array in result)
    if sizes == ((len(x_test_raw),), (len(x_train_raw),)):
        task.fail("`load_and_preprocess()` returns the test images first: the task asks for (x_train, x_test)",
                  "return them in the order the article names them")
    for name, array, raw in [("x_train", result[0], x_train_raw), ("x_test", result[1], x_test_raw)]:
        if not isinstance(array, np.ndarray):
            task.fail(f"{name} should be a NumPy array, got {type(array).__name__}", "return the arrays themselves")
        expected_shape = (len(raw), 784)
        if array.ndim == 2 and array.shape[1] == 784 and len(array) == COMPLETE_MNIST_04[name] != len(raw):
            task.fail(f"{name} holds {len(array):,} images, the complete MNIST's, but in this mode the course uses "
                      f"{len(raw):,}", "load the images with data.load_mnist(), as the task says")
        if array.shape != expected_shape:
            task.fail(f"{name} has shape {array.shape}, expected {expected_shape}",
                      "flatten each 28 × 28 image into one row of 784 numbers, one row per image")
        if array.dtype != np.float32:
            task.fail(f"{name} has dtype {array.dtype}, the article's is float32",
                      "the order of converting and dividing matters: uint8 / 255. gives float64")
        if array.max() > 1:
            task.fail(f"{name} holds values up to {array.max():g}; scaled pixels lie in [0, 1]",
                      "scale as the article does")
        rows = np.linspace(0, len(raw) - 1, ROWS_COMPARED_04).astype(int)  # enough to see any reordering or scaling
        if not np.allclose(array[rows], raw[rows].reshape(len(rows), 784) / 255.0, atol=1e-6):
            task.fail(f"{name} differs from the article's preprocessing (the raw pixels / 255, each image one row)",
                      "keep the images and their pixels in their order; only convert, scale and reshape")
    task.passed(f"x_train {result[0].shape} and x_test {result[1].shape}: float32, in [0, 1], the article's scaling")


@guarded(TASK_04_2)
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
                  "ask the installed Keras itself, with code, rather than a web page",
                  "an optimizer made without arguments holds its defaults")
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


def _loss_name(loss: object) -> str:
    """How a message names a compiled loss: its string, its function's name, or its class and name."""
    if isinstance(loss, str):
        return repr(loss)
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None)
    kind = type(loss).__name__
    return f"{kind} {name!r}" if name and kind not in ("function", "str") else repr(name or kind)


@guarded(TASK_04_3)
def check_04_task3(autoencoder: object) -> None:
    """Task 3: the article's autoencoder compiled with an Adadelta that learns.

    Args:
        autoencoder: a compiled Keras model (n, 784) -> (n, 784), the article's 784-32-784 autoencoder, with
            an optimizer of class Adadelta and binary cross-entropy.

    Trains a copy (fresh weights, a new Adadelta with the same settings) for 5 epochs on 4,000 training digits;
    the training loss must end below 0.45.
    """
    import keras

    from helpers import models

    task = TASK_04_3
    task.answered(autoencoder, "autoencoder")
    if not isinstance(autoencoder, keras.Model):
        task.fail(f"`autoencoder` should be a keras.Model, got {type(autoencoder).__name__}",
                  "compile the model that the cell above builds")
    if tuple(autoencoder.input_shape) != (None, 784) or tuple(autoencoder.output_shape) != (None, 784):
        task.fail(f"`autoencoder` maps {autoencoder.input_shape} to {autoencoder.output_shape}, not 784 to 784",
                  "compile the autoencoder itself, not its encoder or decoder")
    if autoencoder.count_params() != models.build_autoencoder(32, seed=0)[0].count_params():
        task.fail(f"`autoencoder` has {autoencoder.count_params():,} parameters, not those of the article's "
                  f"784-32-784 autoencoder", "compile the model that the cell above builds")
    if not autoencoder.compiled or autoencoder.optimizer is None:
        task.fail("`autoencoder` is not compiled", "call autoencoder.compile(optimizer=..., loss=...)")
    optimizer = autoencoder.optimizer
    if not isinstance(optimizer, keras.optimizers.Adadelta):
        task.fail(f"it is compiled with {type(optimizer).__name__}; this task is about Adadelta",
                  "pass an instance of keras.optimizers.Adadelta, with the learning rate written out")
    if not _is_binary_cross_entropy(autoencoder.loss):
        task.fail(f"it is compiled with the loss {_loss_name(autoencoder.loss)}; the article's is binary "
                  f"cross-entropy on probabilities", "the article's loss is the one named 'binary_crossentropy'")
    try:  # fresh weights and a new optimizer: the student's model is left as it is
        copy = models.reinitialised(autoencoder, seed=0)
        settings = optimizer.get_config()
        copy.compile(optimizer=keras.optimizers.Adadelta.from_config(settings), loss="binary_crossentropy")
    except Exception as error:
        raise task.failure(f"the check could not copy your compiled model to train it ({type(error).__name__}: "
                           f"{error})", "compile the model the cell builds with keras.optimizers.Adadelta itself, "
                           "not a class of your own") from error
    x_train, _, _, _ = course_data()
    x = x_train[:TRAINING_DIGITS_04]
    start = float(np.mean(keras.losses.binary_crossentropy(x, models.predict_in_batches(copy, x))))
    history = copy.fit(x, x, epochs=TRAINING_EPOCHS_04, batch_size=256, shuffle=True, verbose=0)
    final = float(history.history["loss"][-1])
    rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    if not final < TARGET_LOSS_04:
        task.fail(f"a copy with your optimizer's settings (learning rate {rate:g}) trained for {TRAINING_EPOCHS_04} "
                  f"epochs on {TRAINING_DIGITS_04:,} digits went from {start:.3f} only to {final:.3f}; it should get "
                  f"below {TARGET_LOSS_04}", "the string 'adadelta' and Adadelta() take today's default learning "
                  "rate; which one did the article's 2016 Keras use?")
    task.passed(f"a copy with your optimizer's settings (learning rate {rate:g}) trained for {TRAINING_EPOCHS_04} "
                f"epochs on {TRAINING_DIGITS_04:,} digits went from {start:.3f} to {final:.3f}, below "
                f"{TARGET_LOSS_04} (the 'adadelta' string stays near 0.69)")


def _dead_units_test_codes() -> tuple[np.ndarray, np.ndarray]:
    """Codes (300, 24) float32 like a ReLU layer's, dead units hidden among nearly dead ones; and the dead units.

    Returns:
        ``(codes, dead)``: dead is the sorted indices of the columns set to zero by construction.
    """
    rng = np.random.default_rng(4)
    codes = np.maximum(rng.normal(size=(300, 24)), 0.0).astype(np.float32)
    columns = rng.permutation(24)
    codes[:, columns[:5]] = 0.0                     # dead: zero for every row
    codes[:, columns[5:7]] = 0.0
    codes[rng.integers(300), columns[5:7]] = 1e-3   # nearly dead: positive for one row only
    codes[:150, columns[7]] = 0.0                   # zero for half of the rows
    return codes, np.sort(columns[:5])


def _dead_units_from(task: Task, function: object, codes: np.ndarray, what: str) -> np.ndarray:
    found = task.call(function, "find_dead_units", codes.copy())
    task.answered(found, f"find_dead_units({what})")
    if isinstance(found, tuple):
        task.fail("`find_dead_units` returned a tuple; the task asks for one 1-D array of indices",
                  "np.where returns a tuple of arrays, one per axis")
    found = np.asarray(found)
    if found.dtype == bool:
        task.fail("`find_dead_units` returned a True/False mask; the task asks for the units' indices",
                  "turn the mask into the positions of its Trues")
    if found.ndim != 1 or (found.size and not np.issubdtype(found.dtype, np.integer)):
        task.fail(f"`find_dead_units` should return a 1-D array of integer indices, got {found.dtype} {found.shape}",
                  "return the positions of the dead units, one integer each")
    if found.size and (found.min() < 0 or found.max() >= codes.shape[1]):
        task.fail(f"`find_dead_units({what})` returned indices outside 0..{codes.shape[1] - 1}, so they are not "
                  f"units (columns) of the codes", "a unit is a column; index the columns")
    if not np.array_equal(found, np.unique(found)):
        task.fail("`find_dead_units` should return each index once, in increasing order", "sort the indices")
    return found


def _wrong_units(codes: np.ndarray, found: np.ndarray) -> tuple[list[int], list[int]]:
    """Units named dead that are positive for some row, and units zero in every row that were not named."""
    named = set(found.tolist())
    alive_named = [unit for unit in sorted(named) if np.any(codes[:, unit] != 0)]
    missed = [unit for unit in range(codes.shape[1]) if unit not in named and not np.any(codes[:, unit] != 0)]
    return alive_named, missed


@guarded(TASK_04_4)
def check_04_task4(find_dead_units: object, codes: object) -> None:
    """Task 4: the indices of the dead units of a code, the units that are zero for every input.

    Args:
        find_dead_units: function codes (n, k) -> sorted 1-D integer array of the dead units' indices.
        codes: the trained encoder's codes of the test digits, (n_test, 32): checked against the article's
            encoder of notebook 04 (loaded as the exercise loads it) applied to the test digits.

    On a test array of its own, built with known dead units among nearly dead ones, the result must be
    exactly those units; on ``codes``, every unit named must be zero in every row and every other unit
    positive in some row.
    """
    from helpers import models, pretrained

    task = TASK_04_4
    hint = "a unit is one column of the codes; it is dead when it is 0 in every row (every image)"
    test_codes, dead = _dead_units_test_codes()
    found = _dead_units_from(task, find_dead_units, test_codes, "test codes")
    alive_named, missed = _wrong_units(test_codes, found)
    if alive_named:
        task.fail(f"on a test array with {len(dead)} dead units, `find_dead_units` also names units that are "
                  f"positive for some row", hint)
    if missed:
        task.fail(f"on a test array with {len(dead)} dead units, `find_dead_units` misses {len(missed)} of them", hint)
    task.answered(codes, "codes")
    _, _, x_test, _ = course_data()
    shape = np.shape(codes)
    if len(shape) != 2:
        task.fail(f"`codes` should be a 2-D array (images, units), got shape {shape}", "encode the test digits")
    if shape[1] == 784:
        task.fail(f"`codes` has shape {shape}: 784 columns are pixels, not the encoder's 32 code units",
                  "give the check the encoder's output on the test digits, not the digits")
    encoder = pretrained.load_or_train(verbose=0)[0]
    if shape != (len(x_test), encoder.output_shape[-1]):
        task.fail(f"`codes` has shape {shape}; the trained encoder's codes of the {len(x_test):,} test digits have "
                  f"shape {(len(x_test), encoder.output_shape[-1])}", "encode the test digits, x_test, all of them")
    codes = task.array_from(codes, "codes", shape)
    if not np.allclose(codes, models.predict_in_batches(encoder, x_test), atol=1e-4):
        task.fail("`codes` are not the trained encoder's codes of the test digits (an untrained encoder's, or "
                  "other images')", "use the encoder that the first cell loads, on x_test")
    found = _dead_units_from(task, find_dead_units, codes, "codes")
    if any(_wrong_units(codes, found)):
        task.fail("`find_dead_units(codes)` is wrong on the encoder's codes", hint)
    task.passed(f"find_dead_units is right on a test array with {len(dead)} dead units among nearly dead ones, "
                f"and finds {len(found)} dead unit(s) among the {codes.shape[1]} of the trained encoder")
