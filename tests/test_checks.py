"""Each self-check of helpers.checks fails on the stub, fails on plausible wrong answers, and passes on the solution.

The right answers here are written independently of the solution notebooks (which nbval runs with
every check passing); the wrong ones are mistakes students make. Everything runs in fast mode.
"""

from __future__ import annotations

import re
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import checks, data, linear, losses, models

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fast_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EIAM_FAST", "1")
    for name in ("EIAM_MNIST", "EIAM_FASHION_MNIST"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def mnist() -> dict[str, np.ndarray]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EIAM_FAST", "1")
        (x_train, y_train), (x_test, y_test) = data.load_mnist(verbose=False)
    return {"x_train": data.preprocess(x_train), "y_train": y_train,
            "x_test": data.preprocess(x_test), "y_test": y_test}


def stub(*args, **kwargs):
    raise NotImplementedError("Your answer goes here: replace this `raise` with your code.")


def fails(check, *args, task: int, match: str = "") -> str:
    """Assert that ``check(*args)`` fails with a well-formed message (matching ``match``); return it."""
    with pytest.raises(checks.CheckFailed) as info:
        check(*args)
    message = str(info.value)
    assert message.startswith(f"❌ Task {task}: "), message
    assert "Hint: " in message and "(taught in " in message and "section '" in message, message
    assert re.search(match, message), f"{match!r} not in {message!r}"
    return message


def passes(check, *args, task: int, capsys: pytest.CaptureFixture) -> str:
    capsys.readouterr()
    check(*args)
    output = capsys.readouterr().out
    assert output.startswith(f"✅ Task {task} passed: "), output
    return output


def test_check_failed_is_an_assertion_error_so_nbval_and_pytest_report_it():
    assert issubclass(checks.CheckFailed, AssertionError)
    task = checks.Task("99_example", 2, "A section")
    with pytest.raises(checks.CheckFailed, match=r"^❌ Task 2: wrong\. Hint: look \(taught in 99_example, "
                                                r"section 'A section'\)\.$"):
        task.fail("wrong", "look")


def words(text: str) -> set[str]:
    """The words of a heading or a section name, without its formulas and markup."""
    return set(re.findall(r"[a-z]{3,}", re.sub(r"\$[^$]*\$", " ", text).lower()))


def headings(notebook: str) -> list[set[str]]:
    import nbformat

    path = ROOT / "notebooks" / f"{notebook}.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    return [words(line) for cell in cells if cell.cell_type == "markdown"
            for line in cell.source.split("\n") if line.startswith("#")]


TASKS = [value for value in vars(checks).values() if isinstance(value, checks.Task)]


@pytest.mark.parametrize("task", TASKS, ids=lambda t: f"{t.notebook[:2]}-task{t.number}")
def test_each_check_names_a_section_that_exists_in_its_teaching_notebook(task):
    assert any(words(task.section) <= heading for heading in headings(task.notebook)), task.section


@pytest.mark.parametrize("arguments, message", [
    (("03_objectives.ipynb", 1, "A section"), "notebook must be"),
    (("objectives", 1, "A section"), "notebook must be"),
    (("03_objectives", 0, "A section"), "number must be"),
    (("03_objectives", 1, " "), "section must be"),
])
def test_task_rejects_bad_definitions(arguments, message):
    with pytest.raises(ValueError, match=message):
        checks.Task(*arguments)


@pytest.mark.parametrize("value", [None, "ten", [1, 2], float("nan")])
def test_number_from_turns_anything_into_a_clear_failure(value):
    with pytest.raises(checks.CheckFailed, match="Task 1"):
        checks.Task("99_example", 1, "A section").number_from(value, "answer")


# --- 02 -------------------------------------------------------------------------------------------

def test_02_task1(mnist, capsys):
    variances = linear.fit_pca(mnist["x_train"], 100).explained_variance
    per_direction = variances / mnist["x_train"].astype(np.float64).var(axis=0).sum()
    kept = np.cumsum(per_direction)
    k = int(np.flatnonzero(kept >= 0.9)[0]) + 1
    passes(checks.check_02_task1, kept, k, task=1, capsys=capsys)
    fails(checks.check_02_task1, None, None, task=1, match="None")
    fails(checks.check_02_task1, per_direction, k, task=1, match="decreases")
    of_kept_only = kept / kept[-1]
    fails(checks.check_02_task1, of_kept_only, k, task=1, match=r"variance_kept\[0\]")
    fails(checks.check_02_task1, kept[:50], k, task=1, match="shape")
    fails(checks.check_02_task1, kept, k - 1, task=1, match="less than 90%")  # np.argmax's position, not a count
    fails(checks.check_02_task1, kept, 100, task=1, match="not the smallest")
    fails(checks.check_02_task1, kept, None, task=1, match="None")
    fails(checks.check_02_task1, variances[:100].cumsum(), k, task=1, match="outside")  # not divided by the total


def test_02_task2(mnist, capsys):
    pca = linear.fit_pca(mnist["x_train"], 32)
    W, mu = pca.components, pca.mean
    passes(checks.check_02_task2, lambda x: (x - mu) @ W.T, lambda h: h @ W + mu, task=2, capsys=capsys)
    fails(checks.check_02_task2, stub, stub, task=2, match="NotImplementedError")
    fails(checks.check_02_task2, None, None, task=2, match="None")
    fails(checks.check_02_task2, lambda x: x @ W.T, lambda h: h @ W + mu, task=2, match="subtracting the mean")
    fails(checks.check_02_task2, lambda x: (x - mu) @ W.T, lambda h: h @ W, task=2, match="add the mean")
    fails(checks.check_02_task2, lambda x: (x - mu) @ W.T, lambda h: h @ W.T + mu, task=2, match="raised ValueError")
    fails(checks.check_02_task2, lambda x: (x - mu) @ W[::-1].T, lambda h: h @ W + mu, task=2, match="differs")
    fails(checks.check_02_task2, lambda x: (x - mu) @ W.T, None, task=2, match="`decode` is None")


def test_02_task3(mnist, capsys):
    x_train, y_train, x_test, y_test = mnist["x_train"], mnist["y_train"], mnist["x_test"], mnist["y_test"]
    ones, others = x_test[y_test == 1], x_test[y_test != 1]

    def errors(pca, a=ones, b=others):
        return losses.mean_squared_error(a, pca.reconstruct(a)), losses.mean_squared_error(b, pca.reconstruct(b))

    pca_ones = linear.fit_pca(x_train[y_train == 1], 32)
    error_ones, error_others = errors(pca_ones)
    passes(checks.check_02_task3, error_ones, error_others, task=3, capsys=capsys)
    fails(checks.check_02_task3, None, None, task=3, match="None")
    fails(checks.check_02_task3, error_others, error_ones, task=3, match="swapped")
    fails(checks.check_02_task3, *errors(linear.fit_pca(x_train, 32)), task=3, match="training 1s only")
    on_training = errors(pca_ones, x_train[y_train == 1], x_train[y_train != 1])
    fails(checks.check_02_task3, *on_training, task=3, match="error_ones")


# --- 03 -------------------------------------------------------------------------------------------

def bce_right(x, x_hat):
    x_hat = np.clip(x_hat, np.float32(1e-7), np.float32(1 - 1e-7)).astype(np.float64)
    return np.mean(-(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)))


def mse_right(x, x_hat):
    return np.mean((np.asarray(x, np.float64) - x_hat) ** 2)


def test_03_task1(capsys):
    passes(checks.check_03_task1, mse_right, bce_right, task=1, capsys=capsys)
    fails(checks.check_03_task1, stub, bce_right, task=1, match="mse_by_hand.*NotImplementedError")
    fails(checks.check_03_task1, mse_right, stub, task=1, match="bce_by_hand.*NotImplementedError")
    fails(checks.check_03_task1, None, None, task=1, match="None")

    def bce_unclipped(x, x_hat):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.mean(-(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)))

    def bce_bits(x, x_hat):
        return bce_right(x, x_hat) / np.log(2)

    def bce_sum_over_pixels(x, x_hat):
        return bce_right(x, x_hat) * x.shape[1]

    def bce_clipped_far(x, x_hat):
        return bce_right(np.asarray(x), np.clip(x_hat, 1e-3, 1 - 1e-3))

    def mse_sum_over_pixels(x, x_hat):
        return np.mean(np.sum((x - x_hat) ** 2, axis=1))

    def rmse(x, x_hat):
        return np.sqrt(mse_right(x, x_hat))

    fails(checks.check_03_task1, mse_right, bce_unclipped, task=1, match="not a finite number")
    for wrong in (bce_bits, bce_sum_over_pixels, bce_clipped_far):
        fails(checks.check_03_task1, mse_right, wrong, task=1, match="bce_by_hand` differs from Keras")
    for wrong in (mse_sum_over_pixels, rmse):
        fails(checks.check_03_task1, wrong, bce_right, task=1, match="mse_by_hand` differs from Keras")


def test_03_task2(capsys):
    passes(checks.check_03_task2, 0.69, task=2, capsys=capsys)
    passes(checks.check_03_task2, np.log(2), task=2, capsys=capsys)
    fails(checks.check_03_task2, None, task=2, match="None")
    for wrong in (0.0, 0.5, 1.0, np.log(10)):  # perfect; a probability, not a loss; a guess; 10 classes
        fails(checks.check_03_task2, wrong, task=2, match="away from the loss measured")


def autoencoder_by_hand(code_size: int, code_activation: str = "relu") -> keras.Model:
    inputs = keras.Input(shape=(784,))
    code = keras.layers.Dense(code_size, activation=code_activation)(inputs)
    return keras.Model(inputs, keras.layers.Dense(784, activation="sigmoid")(code))


def test_03_task3(capsys):
    def count(k):
        return 2 * 784 * k + k + 784

    passes(checks.check_03_task3, autoencoder_by_hand(16), count, task=3, capsys=capsys)
    fails(checks.check_03_task3, None, count, task=3, match="None")
    fails(checks.check_03_task3, autoencoder_by_hand(16), stub, task=3, match="NotImplementedError")
    fails(checks.check_03_task3, autoencoder_by_hand(32), count, task=3, match="32 units")
    fails(checks.check_03_task3, autoencoder_by_hand(16, "linear"), count, task=3, match="activations")
    fails(checks.check_03_task3, models.build_autoencoder(16)[1], count, task=3, match=r"\(None, 16\)")
    fails(checks.check_03_task3, autoencoder_by_hand(16), lambda k: 2 * 784 * k, task=3, match=r"parameter_count\(")
    fails(checks.check_03_task3, autoencoder_by_hand(16), lambda k: 2 * 784 * k + 784, task=3,
          match=r"parameter_count\(")


def train_step_right(model, optimizer, x_batch):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.binary_crossentropy(x_batch, model(x_batch, training=True)))
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return float(loss)


def test_03_task4(capsys):
    passes(checks.check_03_task4, train_step_right, task=4, capsys=capsys)
    fails(checks.check_03_task4, stub, task=4, match="NotImplementedError")
    fails(checks.check_03_task4, None, task=4, match="None")

    def no_update(model, optimizer, x_batch):
        return float(tf.reduce_mean(keras.losses.binary_crossentropy(x_batch, model(x_batch))))

    def ascent(model, optimizer, x_batch):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.binary_crossentropy(x_batch, model(x_batch, training=True)))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip([-g for g in gradients], model.trainable_variables))
        return float(loss)

    def squared_error(model, optimizer, x_batch):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.mean_squared_error(x_batch, model(x_batch, training=True)))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return float(loss)

    def decoder_only(model, optimizer, x_batch):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.binary_crossentropy(x_batch, model(x_batch, training=True)))
        variables = model.layers[-1].trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return float(loss)

    def loss_outside_tape(model, optimizer, x_batch):
        loss = tf.reduce_mean(keras.losses.binary_crossentropy(x_batch, model(x_batch, training=True)))
        with tf.GradientTape() as tape:
            pass
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return float(loss)

    fails(checks.check_03_task4, no_update, task=4, match="only 0 of the 4 weight tensors")
    fails(checks.check_03_task4, ascent, task=4, match="up to")
    fails(checks.check_03_task4, squared_error, task=4, match="not the batch's mean binary")
    fails(checks.check_03_task4, decoder_only, task=4, match="only 2 of the 4")
    fails(checks.check_03_task4, loss_outside_tape, task=4, match="raised")


def test_03_task5(mnist, capsys):
    x_test = mnist["x_test"]
    floor = float(np.mean(keras.losses.binary_crossentropy(x_test, x_test)))
    passes(checks.check_03_task5, floor, task=5, capsys=capsys)
    passes(checks.check_03_task5, bce_right(x_test, x_test), task=5, capsys=capsys)
    fails(checks.check_03_task5, None, task=5, match="None")
    fails(checks.check_03_task5, 0.0, task=5, match="is 0")
    fails(checks.check_03_task5, floor / np.log(2), task=5, match="nats per pixel")  # bits
    fails(checks.check_03_task5, np.log(2), task=5, match="not the binary cross-entropy")
    on_training = float(np.mean(keras.losses.binary_crossentropy(mnist["x_train"], mnist["x_train"])))
    fails(checks.check_03_task5, on_training, task=5, match="test digits")


# --- 04 -------------------------------------------------------------------------------------------

def loader(transform):
    def load_and_preprocess():
        (x_train, _), (x_test, _) = data.load_mnist(verbose=False)
        return transform(x_train), transform(x_test)

    return load_and_preprocess


def test_04_task1(capsys):
    passes(checks.check_04_task1, loader(lambda x: x.astype("float32").reshape(len(x), 784) / 255.0),
           task=1, capsys=capsys)
    fails(checks.check_04_task1, stub, task=1, match="NotImplementedError")
    fails(checks.check_04_task1, None, task=1, match="None")
    fails(checks.check_04_task1, loader(lambda x: x.reshape(len(x), 784) / 255.0), task=1, match="float64")
    fails(checks.check_04_task1, loader(lambda x: x.astype("float32") / 255.0), task=1, match="shape")
    fails(checks.check_04_task1, loader(lambda x: x.astype("float32").reshape(len(x), 784)), task=1,
          match="divide by 255")
    fails(checks.check_04_task1, loader(lambda x: x.astype("float32").T.reshape(len(x), 784) / 255.0), task=1,
          match="differs")
    fails(checks.check_04_task1, lambda: data.preprocess(data.load_mnist(verbose=False)[0][0]), task=1,
          match="two arrays")


def test_04_task2(capsys):
    passes(checks.check_04_task2, float(keras.optimizers.Adadelta().learning_rate), task=2, capsys=capsys)
    fails(checks.check_04_task2, None, task=2, match="None")
    fails(checks.check_04_task2, 1.0, task=2, match="not the default")  # what Keras 1 and 2 used
    fails(checks.check_04_task2, 0.01, task=2, match="not the default")


def compiled(optimizer, loss="binary_crossentropy", compile_it=True) -> keras.Model:
    autoencoder, _, _ = models.build_autoencoder(32)
    if compile_it:
        autoencoder.compile(optimizer=optimizer, loss=loss)
    return autoencoder


def test_04_task3(capsys):
    right = compiled(keras.optimizers.Adadelta(learning_rate=1.0))
    weights = [w.copy() for w in right.get_weights()]
    passes(checks.check_04_task3, right, task=3, capsys=capsys)
    assert all(np.array_equal(a, b) for a, b in zip(weights, right.get_weights())), "the check must not train it"
    fails(checks.check_04_task3, None, task=3, match="None")
    fails(checks.check_04_task3, compiled(None, compile_it=False), task=3, match="not compiled")
    fails(checks.check_04_task3, compiled("adadelta"), task=3, match="should get below")  # the article's line
    fails(checks.check_04_task3, compiled(keras.optimizers.Adam(learning_rate=1e-3)), task=3, match="Adam")
    fails(checks.check_04_task3, compiled(keras.optimizers.Adadelta(learning_rate=1.0), loss="mse"), task=3,
          match="binary cross-entropy")


def test_04_task4(capsys):
    codes = np.maximum(np.random.default_rng(0).normal(size=(50, 8)), 0).astype(np.float32)
    codes[:, [2, 5]] = 0.0

    def right(c):
        return np.flatnonzero(c.max(axis=0) <= 0)

    output = passes(checks.check_04_task4, right, codes, task=4, capsys=capsys)
    assert "finds 2 dead unit(s) among the 8" in output
    fails(checks.check_04_task4, stub, codes, task=4, match="NotImplementedError")
    fails(checks.check_04_task4, None, codes, task=4, match="None")
    fails(checks.check_04_task4, lambda c: np.flatnonzero(c.mean(axis=0) < 1e-2), codes, task=4,
          match="positive for some row")  # nearly dead counted as dead
    fails(checks.check_04_task4, lambda c: np.flatnonzero((c == 0).any(axis=0)), codes, task=4,
          match="positive for some row")  # zero for some image, not for every image
    fails(checks.check_04_task4, lambda c: np.flatnonzero(c.max(axis=1) <= 0), codes, task=4, match="misses")
    fails(checks.check_04_task4, lambda c: c.max(axis=0) <= 0, codes, task=4, match="mask")
    fails(checks.check_04_task4, lambda c: list(np.flatnonzero(c.max(axis=0) <= 0)), None, task=4, match="codes")
