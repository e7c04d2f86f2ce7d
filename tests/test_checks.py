"""Each self-check of helpers.checks fails on the stub, fails on plausible wrong answers, and passes on the solution.

The right answers here are written independently of the solution notebooks (which nbval runs with
every check passing); the wrong ones are mistakes students make. Everything runs in fast mode.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import checks, data, linear, losses, models, training

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


TASKS = [value for module in pkgutil.iter_modules(checks.__path__)
         for value in vars(importlib.import_module(f"helpers.checks.{module.name}")).values()
         if isinstance(value, checks.Task)]


def test_every_exercise_task_is_found():
    assert len(TASKS) == len([name for name in checks.__all__ if name.startswith("check_")]) == 19


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


# --- 05 -------------------------------------------------------------------------------------------

def draw_right(x, y, n_per_class, seed):
    rng = np.random.default_rng(seed)
    index = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:n_per_class] for c in np.unique(y)])
    rng.shuffle(index)
    return x[index], y[index]


def test_05_task1(capsys):
    passes(checks.check_05_task1, draw_right, task=1, capsys=capsys)
    passes(checks.check_05_task1, data.stratified_sample, task=1, capsys=capsys)
    fails(checks.check_05_task1, stub, task=1, match="NotImplementedError")
    fails(checks.check_05_task1, None, task=1, match="None")

    def first_of_each_class(x, y, n, seed):
        index = np.concatenate([np.flatnonzero(y == c)[:n] for c in np.unique(y)])
        return x[index], y[index]

    def unseeded(x, y, n, seed):
        return draw_right(x, y, n, int(np.random.default_rng().integers(1000)))

    def unbalanced(x, y, n, seed):
        index = np.random.default_rng(seed).choice(len(y), size=n * len(np.unique(y)), replace=False)
        return x[index], y[index]

    def shuffled_separately(x, y, n, seed):
        x_subset, y_subset = draw_right(x, y, n, seed)
        return np.random.default_rng(seed).permutation(x_subset), y_subset

    def with_replacement(x, y, n, seed):
        rng = np.random.default_rng(seed)
        index = np.concatenate([rng.choice(np.flatnonzero(y == c), size=n) for c in np.unique(y)])
        return x[index], y[index]

    def ten_classes_assumed(x, y, n, seed):
        rng = np.random.default_rng(seed)
        index = np.concatenate([rng.choice(np.flatnonzero(y == c), size=n, replace=False) for c in range(10)])
        return x[index], y[index]

    fails(checks.check_05_task1, first_of_each_class, task=1, match="first n examples")
    fails(checks.check_05_task1, unseeded, task=1, match="same seed gave different")
    fails(checks.check_05_task1, unbalanced, task=1, match="examples of class")
    fails(checks.check_05_task1, shuffled_separately, task=1, match="drawn or shuffled separately")
    fails(checks.check_05_task1, with_replacement, task=1, match="more than once")
    fails(checks.check_05_task1, ten_classes_assumed, task=1, match="raised ValueError")
    fails(checks.check_05_task1, lambda x, y, n, seed: np.arange(n), task=1, match="two arrays")


def interval_right(baseline, candidate):
    """The paired 95 % t-interval, written another way than the solution: sd with ddof=0 over √(n − 1), t.isf."""
    from scipy import stats

    b, c = np.array(baseline, dtype=np.float64), np.array(candidate, dtype=np.float64)
    if b.shape != c.shape or len(b) < 2:
        raise ValueError("not paired, or fewer than 2 subsets")
    d = c - b
    half = stats.t.isf(0.025, len(d) - 1) * np.sqrt(np.mean((d - d.mean()) ** 2) / (len(d) - 1))
    return c.mean() - b.mean(), d.mean() - half, d.mean() + half, bool(d.mean() - half > 0)


def interval_of_the_course(baseline, candidate):
    """The same from helpers.statistics.paired_interval (candidate first), to show that it agrees with the check."""
    from helpers.statistics import paired_interval

    result = paired_interval(candidate, baseline)
    return result.mean, result.low, result.high, result.low > 0


def interval_wrong(half=None, gain=None, helps=None, check_lengths=True, check_size=True):
    """interval_right with one part replaced: half and gain functions of (b, c), helps of (gain, low, high)."""
    from scipy import stats

    def paired(baseline, candidate):
        b, c = np.asarray(baseline, dtype=np.float64), np.asarray(candidate, dtype=np.float64)
        if check_lengths and len(b) != len(c):
            raise ValueError("not paired")
        if check_size and len(b) < 2:
            raise ValueError("fewer than 2 subsets")
        d, n = c - b, len(b)
        g = gain(b, c) if gain else float(np.mean(d))
        h = half(b, c) if half else stats.t.ppf(0.975, n - 1) * np.std(d, ddof=1) / np.sqrt(n)
        low, high = g - h, g + h
        return g, low, high, helps(g, low, high) if helps else bool(low > 0)

    return paired


def test_05_task2(capsys):
    from scipy import stats

    check = checks.check_05_task2
    t = lambda b: stats.t.ppf(0.975, len(b) - 1)  # noqa: E731
    se = lambda b, c, ddof=1: np.std(c - b, ddof=ddof) / np.sqrt(len(b))  # noqa: E731
    passes(check, interval_right, task=2, capsys=capsys)
    passes(check, interval_of_the_course, task=2, capsys=capsys)
    passes(check, interval_wrong(half=lambda b, c: {2: 12.706, 5: 2.776, 8: 2.365}[len(b)] * se(b, c)), task=2,
           capsys=capsys)  # t read from a printed table, 3 decimals
    fails(check, stub, task=2, match="NotImplementedError")
    fails(check, None, task=2, match="None")
    fails(check, 3, task=2, match="should be a function")
    # The old rule of thumb: gain ± the larger of the two arms' standard deviations (ddof=0 or 1).
    fails(check, interval_wrong(half=lambda b, c: max(np.std(b), np.std(c))), task=2,
          match="larger of the two arms' standard deviations")
    fails(check, interval_wrong(half=lambda b, c: max(np.std(b, ddof=1), np.std(c, ddof=1))), task=2,
          match="larger of the two arms' standard deviations")
    fails(check, interval_wrong(half=lambda b, c: 1.96 * se(b, c)), task=2, match="normal 1.96 instead of Student's t")
    fails(check, interval_wrong(half=lambda b, c: t(b) * se(b, c, ddof=0)), task=2, match=r"divides by n \(ddof=0\)")
    fails(check, interval_wrong(half=lambda b, c: t(b) * np.sqrt((np.var(b, ddof=1) + np.var(c, ddof=1)) / len(b))),
          task=2, match="two arms as independent samples")
    fails(check, interval_wrong(half=lambda b, c: (lambda ci: (ci.high - ci.low) / 2)(
          stats.ttest_ind(c, b).confidence_interval())), task=2, match="two arms as independent samples")
    fails(check, interval_wrong(half=lambda b, c: stats.t.ppf(0.95, len(b) - 1) * se(b, c)), task=2,
          match="90 % interval")
    fails(check, interval_wrong(half=lambda b, c: stats.t.ppf(0.975, len(b)) * se(b, c)), task=2,
          match="t has n degrees of freedom")
    fails(check, interval_wrong(half=lambda b, c: 2.776 * se(b, c)), task=2,
          match="value for 5 subsets .4 degrees of freedom., used on 8 subsets")
    fails(check, interval_wrong(half=lambda b, c: t(b) * np.std(c - b, ddof=1)), task=2, match="range of single")
    fails(check, interval_wrong(half=lambda b, c: 2 * t(b) * se(b, c)), task=2,
          match="not the 95 % paired t-interval: its half-width is")
    # The differences the wrong way round, baseline − candidate (with their interval and verdict).
    fails(check, lambda b, c: interval_right(c, b), task=2, match="wrong way round")
    fails(check, interval_wrong(gain=lambda b, c: float(np.median(c - b))), task=2,
          match="not the mean of the paired differences")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, hi, lo, h))(*interval_right(b, c)), task=2,
          match="is above `high`")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, -hi, -lo, h))(*interval_right(b, c)), task=2,
          match="that of baseline − candidate")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, lo, hi + 1, h))(*interval_right(b, c)), task=2,
          match="not centred on the gain")
    # helps: a positive mean is not enough; a real loss is no help; a real gain is one.
    fails(check, interval_wrong(helps=lambda g, low, high: g > 0), task=2,
          match=r"positive mean gain within the noise on 5 subsets, `helps` is True, but the interval .* includes 0")
    fails(check, interval_wrong(helps=lambda g, low, high: low > 0 or high < 0), task=2, match="a real loss")
    fails(check, interval_wrong(helps=lambda g, low, high: low > 1e9), task=2, match="`helps` is False, but")
    fails(check, interval_wrong(helps=lambda g, low, high: "yes" if low > 0 else "no"), task=2,
          match="True or False")
    # Arrays that cannot be paired, and a single subset, must raise ValueError.
    fails(check, interval_wrong(check_lengths=False), task=2, match="accepted arrays of 5 and 1 subsets")
    fails(check, interval_wrong(check_size=False), task=2, match="accepted arrays of 1 and 1 subsets: one difference")

    def typed_error(baseline, candidate):
        if len(baseline) != len(candidate):
            raise TypeError("not paired")
        return interval_right(baseline, candidate)

    fails(check, typed_error, task=2, match="raised TypeError, not ValueError")
    fails(check, lambda b, c: interval_right(b, c)[:3], task=2, match="four values.*got tuple of 3 values")
    fails(check, lambda b, c: list(interval_right(b, c)) + [0.0], task=2, match="four values.*got list of 5 values")
    fails(check, lambda b, c: None, task=2, match="four values.*got NoneType")
    fails(check, interval_wrong(half=lambda b, c: stats.t.ppf(97.5, len(b) - 1) * se(b, c)), task=2,
          match=r"`low` is nan, not a finite number")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, None, hi, h))(*interval_right(b, c)), task=2,
          match="`low` is None")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (np.array([g, g]), lo, hi, h))(*interval_right(b, c)),
          task=2, match="`gain` should be a single number")
    fails(check, lambda b, c: interval_right(b, c) if isinstance(b, np.ndarray) else b - c, task=2,
          match="on Python lists")

    def division_by_zero(baseline, candidate):
        raise ZeroDivisionError("division by zero")

    fails(check, division_by_zero, task=2, match="raised ZeroDivisionError: division by zero")


@pytest.fixture(scope="module")
def article(mnist) -> dict:
    """The article's pretrained encoder (fast mode) and the 10-per-class labelled subset of seed 0."""
    from helpers import pretrained

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EIAM_FAST", "1")
        encoder = pretrained.load_or_train("article", verbose=0)[0]
    x_few, y_few = data.stratified_sample(mnist["x_train"], mnist["y_train"].astype("int32"), 10, seed=0)
    return {"encoder": encoder, "x_few": x_few, "y_few": y_few.astype("int32")}


def classifier_on(encoder, *middle, copy=False, train=None, **train_arguments) -> keras.Model:
    """encoder -> middle layers -> softmax head; trained on the subset with the course's Trainer when ``train``."""
    if copy:
        body = keras.models.clone_model(encoder)
        body.set_weights(encoder.get_weights())
        encoder = body
    l2 = train_arguments.pop("l2", 0.0)
    head = keras.layers.Dense(10, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(seed=0),
                              kernel_regularizer=keras.regularizers.L2(l2) if l2 else None)
    model = keras.Sequential([encoder, *middle, head])
    if train is not None:
        x, y = train
        variables = head.trainable_variables if train_arguments.pop("head_only", False) else None
        trainer = training.Trainer(model, loss="sparse_categorical_crossentropy", variables=variables,
                                   optimizer=keras.optimizers.Adam(train_arguments.pop("learning_rate")))
        trainer.train_steps(x, y, **train_arguments)
    return model


def test_05_task3(mnist, article, capsys):
    encoder, subset = article["encoder"], (article["x_few"], article["y_few"])
    normalise = keras.layers.Normalization()
    normalise.adapt(encoder.predict(mnist["x_train"], verbose=0))
    probe = classifier_on(encoder, normalise, train=subset, head_only=True, steps=300, learning_rate=1e-2, l2=1e-2)
    weights = [w.copy() for w in probe.get_weights()]
    passes(checks.check_05_task3, probe, task=3, capsys=capsys)
    assert all(np.array_equal(a, b) for a, b in zip(weights, probe.get_weights())), "the check must not train it"
    fails(checks.check_05_task3, None, task=3, match="None")
    fails(checks.check_05_task3, lambda x: x, task=3, match="keras.Model")
    fails(checks.check_05_task3, encoder, task=3, match=r"\(None, 32\)")
    brief_on_raw_codes = classifier_on(encoder, train=subset, head_only=True, steps=240, learning_rate=1e-3)
    fails(checks.check_05_task3, brief_on_raw_codes, task=3, match="trained to convergence")
    untrained_head = classifier_on(encoder, normalise)
    fails(checks.check_05_task3, untrained_head, task=3, match="trained to convergence")
    everything_trained = classifier_on(encoder, copy=True, train=subset, steps=300, learning_rate=1e-3)
    fails(checks.check_05_task3, everything_trained, task=3, match="not the pretrained ones")
    scratch = classifier_on(keras.models.clone_model(encoder), train=subset, steps=300, learning_rate=1e-3)
    fails(checks.check_05_task3, scratch, task=3, match="not the pretrained ones")
    pixels_only = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    fails(checks.check_05_task3, pixels_only, task=3, match="no 784 × 32 weight matrix")


def test_05_task4(article, capsys):
    encoder, subset = article["encoder"], (article["x_few"], article["y_few"])
    pretrained_weights = [w.copy() for w in encoder.get_weights()]
    naive = classifier_on(encoder, copy=True, train=subset, steps=300, learning_rate=1e-3)
    output = passes(checks.check_05_task4, naive, task=4, capsys=capsys)
    assert "Naive fine-tuning: " in output and "a frozen probe on the same labels" in output
    assert all(np.array_equal(a, b) for a, b in zip(pretrained_weights, encoder.get_weights()))
    fails(checks.check_05_task4, None, task=4, match="None")
    fails(checks.check_05_task4, encoder, task=4, match=r"\(None, 32\)")
    frozen_probe = classifier_on(encoder, train=subset, head_only=True, steps=300, learning_rate=1e-2, l2=1e-2)
    fails(checks.check_05_task4, frozen_probe, task=4, match="only the head was trained")
    barely_trained = classifier_on(encoder, copy=True, train=subset, steps=5, learning_rate=1e-3)
    fails(checks.check_05_task4, barely_trained, task=4, match="of its own 100 labelled digits")


# --- 06 -------------------------------------------------------------------------------------------

def count_right(encoder, regime):
    head = encoder.output_shape[-1] * 10 + 10
    return head + (sum(int(np.prod(w.shape)) for w in encoder.trainable_weights) if regime == "fine-tuned" else 0)


def test_06_task1(capsys):
    passes(checks.check_06_task1, count_right, task=1, capsys=capsys)
    fails(checks.check_06_task1, stub, task=1, match="NotImplementedError")
    fails(checks.check_06_task1, None, task=1, match="None")

    def without_head_biases(encoder, regime):
        return count_right(encoder, regime) - 10

    def with_count_params(encoder, regime):
        return encoder.output_shape[-1] * 10 + 10 + (encoder.count_params() if regime == "fine-tuned" else 0)

    def leaves_it_frozen(encoder, regime):
        encoder.trainable = regime == "fine-tuned"
        model = keras.Sequential([encoder, keras.layers.Dense(10, activation="softmax")])
        return sum(int(np.prod(w.shape)) for w in model.trainable_weights)

    def everything_always(encoder, regime):
        return count_right(encoder, "fine-tuned")

    fails(checks.check_06_task1, without_head_biases, task=1, match="10 biases")
    fails(checks.check_06_task1, with_count_params, task=1, match="never updates")
    fails(checks.check_06_task1, leaves_it_frozen, task=1, match="left frozen")
    fails(checks.check_06_task1, everything_always, task=1, match="frozen: .* is not the number")


def early_stopping(monitor="val_loss", patience=5, restore=True):
    def fit(model, x, y, x_val, y_val, epochs):
        stopper = keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=restore)
        history = model.fit(x, y, epochs=epochs, batch_size=32, validation_data=(x_val, y_val), callbacks=[stopper],
                            verbose=0)
        return history.history

    return fit


def test_06_task2(capsys):
    output = passes(checks.check_06_task2, early_stopping(), task=2, capsys=capsys)
    assert "5 epochs after the best validation loss" in output
    fails(checks.check_06_task2, stub, task=2, match="NotImplementedError")
    fails(checks.check_06_task2, None, task=2, match="None")
    fails(checks.check_06_task2, lambda *args: None, task=2, match="None")  # forgot to return the history
    fails(checks.check_06_task2, early_stopping(monitor="loss"), task=2, match="ran all 40 epochs")
    fails(checks.check_06_task2, early_stopping(restore=False), task=2, match="weights of the last epoch")
    fails(checks.check_06_task2, early_stopping(patience=10), task=2, match="patience of 5")


def trained_autoencoder(x_train, noise=0.0, inputs=None, targets=None, epochs=10) -> keras.Model:
    keras.utils.set_random_seed(0)  # fit's shuffling
    autoencoder, _, _ = models.build_autoencoder(128, noise=noise, seed=0)
    autoencoder.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy")
    autoencoder.fit(x_train if inputs is None else inputs, x_train if targets is None else targets, epochs=epochs,
                    batch_size=64, verbose=0)
    return autoencoder


def test_06_task3(mnist, capsys):
    x_train = mnist["x_train"]
    plain, denoising = trained_autoencoder(x_train), trained_autoencoder(x_train, noise=0.3)
    output = passes(checks.check_06_task3, plain, denoising, task=3, capsys=capsys)
    assert "on clean digits" in output
    fails(checks.check_06_task3, None, denoising, task=3, match="`plain_autoencoder` is None")
    fails(checks.check_06_task3, plain, None, task=3, match="`denoising_autoencoder` is None")
    fails(checks.check_06_task3, denoising, plain, task=3, match="lower by at least")  # swapped
    fails(checks.check_06_task3, plain, plain, task=3, match="lower by at least")  # no noise
    masked_inputs = keras.ops.convert_to_numpy(keras.layers.Dropout(0.3, seed=1)(x_train, training=True))
    holes_as_targets = trained_autoencoder(x_train, inputs=masked_inputs, targets=np.clip(masked_inputs, 0, 1))
    fails(checks.check_06_task3, plain, holes_as_targets, task=3, match="lower by at least")
    fails(checks.check_06_task3, plain, models.build_autoencoder(128, noise=0.3)[0], task=3, match="compile and fit")
    fails(checks.check_06_task3, plain, models.build_autoencoder(128)[1], task=3, match="not its encoder")
