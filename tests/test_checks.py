"""Each self-check of helpers.checks fails on the stub, fails on plausible wrong answers, and passes on the solution.

The right answers come from the solution notebooks, executed when the tests run (``solution_answers``), so that
this folder holds none; the wrong ones are mistakes students make, most built by changing one thing in the
solution's answer. Everything runs in fast mode.
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
from solution_answers import answers

from helpers import checks, data, linear, losses, models, training

ROOT = Path(__file__).resolve().parent.parent
NB02, NB03, NB04, NB05, NB06, NB08 = ("02_everything_is_a_mapping", "03_objectives", "04_keras_mnist_autoencoder",
                                      "05_fine_tuning", "06_pitfalls", "08_better_pretraining")


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


def solution(notebook: str, task: int, *names: str):
    """The solution's answer (fast mode): see tests/solution_answers.py."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EIAM_FAST", "1")
        return answers(notebook, task, *names)


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
    output = capsys.readouterr().out  # after any line the answer itself prints (the solutions load data)
    assert output.splitlines()[-1].startswith(f"✅ Task {task} passed: ") and "❌" not in output, output
    return output.splitlines()[-1]


def test_check_failed_is_an_assertion_error_so_nbval_and_pytest_report_it():
    assert issubclass(checks.CheckFailed, AssertionError)
    task = checks.Task("99_example", 2, "A section")
    with pytest.raises(checks.CheckFailed, match=r"^❌ Task 2: wrong\. Hint: look \(taught in 99_example, "
                                                r"section 'A section'\)\.$"):
        task.fail("wrong", "look")


def test_a_hint_says_more_only_from_the_tasks_second_failure():
    task = checks.Task("99_example", 7, "A section")
    first = str(task.failure("wrong", "the idea", "the closer look"))
    second = str(task.failure("wrong again", "the idea", "the closer look"))
    assert "closer look" not in first and "Hint: the idea (taught" in first
    assert "Hint: the idea. A closer look: the closer look (taught" in second


def test_any_exception_a_students_object_raises_becomes_the_checks_own_failure():
    class Unconvertible:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("cannot")

    fails(checks.check_02_task1, Unconvertible(), 3, task=1, match="should be an array of numbers")

    class Exploding(keras.Model):
        @property
        def input_shape(self):
            raise RuntimeError("boom")

    fails(checks.check_04_task3, Exploding(), task=3, match="could not use your answer: it raised RuntimeError: boom")


@pytest.mark.parametrize("name", [name for name in checks.__all__ if name.startswith("check_")])
def test_every_check_is_guarded(name):
    assert hasattr(getattr(checks, name), "__wrapped__"), f"decorate {name} with @guarded(its task)"


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
    assert len(TASKS) == len([name for name in checks.__all__ if name.startswith("check_")]) == 23


@pytest.mark.parametrize("task", TASKS, ids=lambda t: f"{t.notebook[:2]}-task{t.number}")
def test_each_check_names_a_section_that_exists_in_its_teaching_notebook(task):
    assert any(words(task.section) <= heading for heading in headings(task.notebook)), task.section


def chinese_words(text: str) -> list[str]:
    """The Chinese of a heading or a section name: its runs of Chinese characters and of digits, in order.

    Without its formulas (``$...$``, which a section name writes out), a heading's ``#`` marks and its number
    (``## 1 · ``), and the Latin letters around them (compared by :func:`words`).
    """
    text = re.sub(r"^#+\s*(\d+[a-z]? · )?", "", re.sub(r"\$[^$]*\$", " ", text))
    return re.findall(r"[\u4e00-\u9fff]+|\d+", text)


@pytest.mark.parametrize("task", TASKS, ids=lambda t: f"{t.notebook[:2]}-task{t.number}")
def test_each_check_names_a_heading_of_the_chinese_edition(task):
    """A Chinese failure names ``section_zh``: it must be a heading of the notebook's translation, word for word."""
    assert task.section_zh, f"give Task({task.notebook!r}, {task.number}, ...) the Chinese heading, section_zh"
    translation = ROOT / "translations" / "zh" / "notebooks" / f"{task.notebook}.md"
    lines = translation.read_text(encoding="utf-8").splitlines()
    assert any(chinese_words(line) == chinese_words(task.section_zh) and words(task.section_zh) <= words(line)
               for line in lines if line.startswith("#")), (
        f"{task.section_zh!r} is no heading of {translation.relative_to(ROOT)}")


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


def test_no_check_prints_a_reference_value_in_its_failure():
    # 02-3's errors, one of them wrong: the message names the student's value, never the expected one.
    error_ones, error_others = solution(NB02, 3, "error_ones", "error_others")
    message = fails(checks.check_02_task3, error_ones * 1.5, error_others, task=3)
    assert f"{error_ones:.5f}" not in message and f"{error_ones:.4f}" not in message, message


# --- in Chinese (EIAM_LANG=zh) --------------------------------------------------------------------

#: One failure of each module's checks that costs no training, and the Task that fails: (check, arguments, task).
CHINESE_FAILURES = {
    "02": (checks.check_02_task1, (np.linspace(1, 0, 100), 3), "TASK_02_1", "`variance_kept` 在某处下降了"),
    "03": (checks.check_03_task5, (0,), "TASK_03_5", "`bce_floor` 是 0，但只有对恰好为 0 或 1 的像素"),
    "04": (checks.check_04_task1, (lambda: 5,), "TASK_04_1", "`load_and_preprocess()` 应当返回两个数组"),
    "05": (checks.check_05_task2, (lambda baseline, candidate: (None, 0.0, 0.0, True),), "TASK_05_2",
           "情形「5 个子集上的明显增益」：`gain` 是 None"),
    "06": (checks.check_06_task3, (5, 5), "TASK_06_3", "`plain_autoencoder` 应当是 keras.Model，却得到了 int"),
    "08": (checks.check_08_task2, (lambda n, patch, ratio, seed: np.full((n, 784), 0.5),), "TASK_08_2",
           "patch_mask_by_hand(64, 7, 0.5, 0) 含有 0 和 1 以外的值"),
}


def english_prose(text: str) -> list[str]:
    """Runs of three or more English words in ``text`` outside its `code` spans."""
    return re.findall(r"[A-Za-z]{3,}(?: [A-Za-z]{3,}){2,}", re.sub(r"`[^`]*`", "", text))


@pytest.mark.parametrize("module", sorted(CHINESE_FAILURES))
def test_a_check_of_each_module_fails_in_chinese_with_eiam_lang_zh(module, monkeypatch):
    check, arguments, task_name, problem = CHINESE_FAILURES[module]
    task = getattr(importlib.import_module(check.__module__), task_name)
    monkeypatch.setenv("EIAM_LANG", "zh")
    with pytest.raises(checks.CheckFailed) as info:
        check(*arguments)
    message = str(info.value)
    assert message.startswith(f"❌ 任务 {task.number}：{problem}") and "。提示：" in message, message
    assert message.endswith(f"（讲解见 {task.notebook} 的「{task.section_zh}」一节）。"), message
    assert not english_prose(message), message
    monkeypatch.delenv("EIAM_LANG")
    english = fails(check, *arguments, task=task.number, match=re.escape(f"section '{task.section}'"))
    assert not re.search(r"[\u4e00-\u9fff]", english), english


def test_a_passing_check_says_what_it_verified_in_chinese(monkeypatch, capsys):
    def load_and_preprocess():
        (x_train, _), (x_test, _) = data.load_mnist(verbose=False)
        return tuple(x.reshape(len(x), 784).astype("float32") / 255.0 for x in (x_train, x_test))

    monkeypatch.setenv("EIAM_LANG", "zh")
    checks.check_04_task1(load_and_preprocess)
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r"✅ 任务 1 通过：x_train \(\d+, 784\) 和 x_test \(\d+, 784\)：float32，在 \[0, 1\] 之内，"
                        r"与文章的缩放一致", line), line


# --- 02 -------------------------------------------------------------------------------------------

def test_02_task1(mnist, capsys):
    kept, k = solution(NB02, 1, "variance_kept", "k_for_90_percent")
    pca = solution(NB02, 1, "pca")
    passes(checks.check_02_task1, kept, k, task=1, capsys=capsys)
    fails(checks.check_02_task1, None, None, task=1, match="None")
    per_direction = np.diff(kept, prepend=0.0)
    fails(checks.check_02_task1, per_direction, k, task=1, match="decreases")  # no running total
    fails(checks.check_02_task1, kept / kept[-1], k, task=1, match=r"variance_kept\[0\]")  # of 100 directions only
    fails(checks.check_02_task1, kept[:50], k, task=1, match="shape")
    fails(checks.check_02_task1, np.append(0.0, kept[:99]), k, task=1, match="outside")  # k from 0
    fails(checks.check_02_task1, kept, k - 1, task=1, match="less than 90%")  # np.argmax's position, not a count
    fails(checks.check_02_task1, kept, 100, task=1, match="not the smallest")
    fails(checks.check_02_task1, kept, None, task=1, match="None")
    fails(checks.check_02_task1, np.cumsum(pca.explained_variance), k, task=1, match="outside")  # not divided
    fails(checks.check_02_task1, 100 * kept, k, task=1, match="outside")  # percent
    on_test = np.cumsum(pca.explained_variance) / mnist["x_test"].astype(np.float64).var(axis=0).sum()
    fails(checks.check_02_task1, on_test, k, task=1, match="not the share")  # the test digits' total variance
    fails(checks.check_02_task1, kept[::-1].copy(), k, task=1, match="decreases")
    fails(checks.check_02_task1, kept, int(np.sum(kept >= 0.9)), task=1)  # how many k keep 90 %, not the smallest


def test_02_task2(capsys):
    encode, decode, W, mu, pca32 = solution(NB02, 2, "encode", "decode", "W", "mu", "pca32")
    passes(checks.check_02_task2, encode, decode, task=2, capsys=capsys)
    fails(checks.check_02_task2, stub, stub, task=2, match="NotImplementedError")
    fails(checks.check_02_task2, None, None, task=2, match="None")
    fails(checks.check_02_task2, lambda x: x @ W.T, decode, task=2, match="subtracting the mean")
    fails(checks.check_02_task2, encode, lambda h: h @ W, task=2, match="add the mean")
    fails(checks.check_02_task2, encode, lambda h: h @ W.T + mu, task=2, match="raised ValueError")
    fails(checks.check_02_task2, lambda x: (x - mu) @ W[::-1].T, decode, task=2, match="differs")
    fails(checks.check_02_task2, encode, None, task=2, match="`decode` is None")
    fails(checks.check_02_task2, lambda x: (x - x.mean(axis=0)) @ W.T, decode, task=2,
          match="mean of the images it is given")
    fails(checks.check_02_task2, lambda x: encode(x).T, decode, task=2, match="transposed")
    fails(checks.check_02_task2, lambda x: pca32.encode(x), decode, task=2, match="uses `encode`")
    fails(checks.check_02_task2, encode, lambda h: pca32.decode(h), task=2, match="uses `decode`")
    fails(checks.check_02_task2, encode, lambda h: decode(h) + mu, task=2, match="differs from PCA's reconstruction")


def test_02_task3(mnist, capsys):
    x_train, y_train, x_test, y_test = mnist["x_train"], mnist["y_train"], mnist["x_test"], mnist["y_test"]
    ones, others = x_test[y_test == 1], x_test[y_test != 1]

    def errors(fit_rows, a=ones, b=others, size=32):
        pca = linear.fit_pca(fit_rows, size)
        return losses.mean_squared_error(a, pca.reconstruct(a)), losses.mean_squared_error(b, pca.reconstruct(b))

    error_ones, error_others = solution(NB02, 3, "error_ones", "error_others")
    passes(checks.check_02_task3, error_ones, error_others, task=3, capsys=capsys)
    fails(checks.check_02_task3, None, None, task=3, match="None")
    fails(checks.check_02_task3, error_others, error_ones, task=3, match="swapped")
    fails(checks.check_02_task3, *errors(x_train), task=3, match="fitted to all the training digits")
    training_ones = x_train[y_train == 1]
    fails(checks.check_02_task3, *errors(training_ones, training_ones, x_train[y_train != 1]), task=3,
          match="measured on training digits")
    fails(checks.check_02_task3, *errors(ones), task=3, match="error_ones")  # fitted to the test 1s
    fails(checks.check_02_task3, *errors(training_ones, size=16), task=3, match="error_ones")
    fails(checks.check_02_task3, error_ones, errors(training_ones, b=x_test)[1], task=3,
          match="error_others")  # "the others" measured on every test digit, 1s included
    fails(checks.check_02_task3, error_ones * 784, error_others * 784, task=3, match="error_ones")  # summed


# --- 03 -------------------------------------------------------------------------------------------

def test_03_task1(capsys):
    mse, bce = solution(NB03, 1, "mse_by_hand", "bce_by_hand")
    passes(checks.check_03_task1, mse, bce, task=1, capsys=capsys)
    fails(checks.check_03_task1, stub, bce, task=1, match="mse_by_hand.*NotImplementedError")
    fails(checks.check_03_task1, mse, stub, task=1, match="bce_by_hand.*NotImplementedError")
    fails(checks.check_03_task1, None, None, task=1, match="None")

    def bce_unclipped(x, x_hat):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.mean(-(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)))

    def mse_sum_over_pixels(x, x_hat):
        return np.mean(np.sum((x - x_hat) ** 2, axis=1))

    def bce_float64_bounds(x, x_hat):
        return bce_unclipped(x, np.clip(x_hat.astype(np.float64), 1e-7, 1 - 1e-7))

    fails(checks.check_03_task1, mse, bce_unclipped, task=1, match="not a finite number")
    for wrong in (lambda x, x_hat: bce(x, x_hat) / np.log(2),               # bits
                  lambda x, x_hat: bce(x, x_hat) * x.shape[1],              # summed over the pixels
                  lambda x, x_hat: bce(x, np.clip(x_hat, 1e-3, 1 - 1e-3)),  # clipped too far
                  lambda x, x_hat: -bce(x, x_hat),                          # the sign
                  bce_float64_bounds):
        fails(checks.check_03_task1, mse, wrong, task=1, match="bce_by_hand` differs from Keras")
    fails(checks.check_03_task1, mse, lambda x, x_hat: bce(x_hat, x), task=1, match="bce_by_hand")  # swapped
    fails(checks.check_03_task1, mse, lambda x, x_hat: np.mean(bce(x, x_hat) * np.ones(len(x))) + np.zeros(len(x)),
          task=1, match="single number")  # one loss per image
    for wrong in (mse_sum_over_pixels, lambda x, x_hat: np.sqrt(mse(x, x_hat)),
                  lambda x, x_hat: np.mean(np.abs(x - x_hat))):
        fails(checks.check_03_task1, wrong, bce, task=1, match="mse_by_hand` differs from Keras")
    fails(checks.check_03_task1, mse, lambda x, x_hat: float(np.mean(keras.losses.binary_crossentropy(x, x_hat))),
          task=1, match="uses `keras`")


def test_03_task2(capsys):
    passes(checks.check_03_task2, solution(NB03, 2, "predicted_loss"), task=2, capsys=capsys)
    fails(checks.check_03_task2, None, task=2, match="None")
    for wrong in (0.0, 0.5, 1.0, np.log(10), 0.25, -0.69):  # perfect; a probability; a guess; 10 classes; MSE; sign
        fails(checks.check_03_task2, wrong, task=2, match="away from the loss measured")


def autoencoder_by_hand(code_size: int, code_activation: str = "relu", bias: bool = True) -> keras.Model:
    pixels = keras.Input(shape=(784,))
    code = keras.layers.Dense(code_size, activation=code_activation, use_bias=bias)(pixels)
    return keras.Model(pixels, keras.layers.Dense(784, activation="sigmoid", use_bias=bias)(code))


def test_03_task3(capsys):
    autoencoder_16, count = solution(NB03, 3, "autoencoder_16", "parameter_count")
    passes(checks.check_03_task3, autoencoder_16, count, task=3, capsys=capsys)
    fails(checks.check_03_task3, None, count, task=3, match="None")
    fails(checks.check_03_task3, autoencoder_16, stub, task=3, match="NotImplementedError")
    fails(checks.check_03_task3, autoencoder_by_hand(32), count, task=3, match="32 units")
    fails(checks.check_03_task3, autoencoder_by_hand(16, "linear"), count, task=3, match="activations")
    fails(checks.check_03_task3, autoencoder_by_hand(16, "sigmoid"), count, task=3, match="activations")
    fails(checks.check_03_task3, models.build_autoencoder(16)[1], count, task=3, match=r"\(None, 16\)")
    fails(checks.check_03_task3, models.build_autoencoder(16)[0], count, task=3, match="models.build_autoencoder")
    fails(checks.check_03_task3, autoencoder_by_hand(16, bias=False), count, task=3, match="parameters, not")
    fails(checks.check_03_task3, autoencoder_16, lambda k: 2 * 784 * k, task=3, match=r"parameter_count\(")
    fails(checks.check_03_task3, autoencoder_16, lambda k: count(k) - 784, task=3, match=r"parameter_count\(")
    fails(checks.check_03_task3, autoencoder_16, lambda k: count(k) if k == 16 else 25888, task=3,
          match=r"parameter_count\(1\)")  # the number for 16, not a formula
    fails(checks.check_03_task3, autoencoder_16, lambda k: models.build_autoencoder(k)[0].count_params(), task=3,
          match="uses `models`")


class Proxy:
    """An optimizer that changes the gradients it is given before applying them: (gradient, variable) -> gradient."""

    def __init__(self, optimizer, change):
        self.optimizer, self.change = optimizer, change

    def apply_gradients(self, pairs):
        pairs = list(pairs)
        self.optimizer.apply_gradients([(self.change(g, v, pairs), v) for g, v in pairs])


def test_03_task4(capsys):
    train_step = solution(NB03, 4, "train_step")
    output = passes(checks.check_03_task4, train_step, task=4, capsys=capsys)
    assert "each of the 3 calls took exactly one gradient step" in output
    fails(checks.check_03_task4, stub, task=4, match="NotImplementedError")
    fails(checks.check_03_task4, None, task=4, match="None")

    def no_update(model, optimizer, x_batch):
        return float(tf.reduce_mean(keras.losses.binary_crossentropy(x_batch, model(x_batch))))

    def squared_error(model, optimizer, x_batch):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.mean_squared_error(x_batch, model(x_batch, training=True)))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss.numpy().item()

    def follows_squared_error(model, optimizer, x_batch):
        reported = no_update(model, optimizer, x_batch)
        squared_error(model, optimizer, x_batch)
        return reported

    def loss_outside_tape(model, optimizer, x_batch):
        loss = tf.reduce_mean(keras.losses.binary_crossentropy(x_batch, model(x_batch, training=True)))
        with tf.GradientTape() as tape:
            pass
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss.numpy().item()

    def ten_steps(model, optimizer, x_batch):
        first = train_step(model, optimizer, x_batch)
        for _ in range(9):
            train_step(model, optimizer, x_batch)
        return first

    def proxied(change):
        return lambda model, optimizer, x_batch: train_step(model, Proxy(optimizer, change), x_batch)

    def loss_after(model, optimizer, x_batch):
        train_step(model, optimizer, x_batch)
        return no_update(model, optimizer, x_batch)

    fails(checks.check_03_task4, no_update, task=4, match="only 0 of the 4 weight tensors")
    fails(checks.check_03_task4, proxied(lambda g, v, pairs: -g), task=4, match="uphill")
    fails(checks.check_03_task4, squared_error, task=4, match="another direction")
    fails(checks.check_03_task4, follows_squared_error, task=4, match="another direction")
    fails(checks.check_03_task4, proxied(lambda g, v, pairs: g if v is pairs[-1][1] or v is pairs[-2][1] else 0 * g),
          task=4, match="only 2 of the 4")  # the decoder only
    fails(checks.check_03_task4, loss_outside_tape, task=4, match="raised")
    fails(checks.check_03_task4, ten_steps, task=4, match=r"\d+ times as far as one gradient step: train_step takes")
    fails(checks.check_03_task4, proxied(lambda g, v, pairs: 256 * g), task=4, match="256 times as far")  # summed
    fails(checks.check_03_task4, loss_after, task=4, match="not the batch's mean binary cross-entropy before")


def test_03_task5(mnist, capsys):
    floor = solution(NB03, 5, "bce_floor")
    x_test = mnist["x_test"]
    passes(checks.check_03_task5, floor, task=5, capsys=capsys)
    passes(checks.check_03_task5, solution(NB03, 1, "bce_by_hand")(x_test, x_test), task=5, capsys=capsys)
    fails(checks.check_03_task5, None, task=5, match="None")
    fails(checks.check_03_task5, 0.0, task=5, match="is 0")
    fails(checks.check_03_task5, floor / np.log(2), task=5, match="nats per pixel")  # bits
    fails(checks.check_03_task5, floor * 784, task=5, match="nats per pixel")  # summed over the pixels
    fails(checks.check_03_task5, np.log(2), task=5, match="not the binary cross-entropy")
    on_training = float(np.mean(keras.losses.binary_crossentropy(mnist["x_train"], mnist["x_train"])))
    fails(checks.check_03_task5, on_training, task=5, match="test digits")
    on_a_few = float(np.mean(keras.losses.binary_crossentropy(x_test[:100], x_test[:100])))
    fails(checks.check_03_task5, on_a_few, task=5, match="test digits")


# --- 04 -------------------------------------------------------------------------------------------

def loader(transform):
    def load_and_preprocess():
        (x_train, _), (x_test, _) = data.load_mnist(verbose=False)
        return transform(x_train), transform(x_test)

    return load_and_preprocess


def test_04_task1(capsys):
    right = solution(NB04, 1, "load_and_preprocess")
    passes(checks.check_04_task1, right, task=1, capsys=capsys)
    fails(checks.check_04_task1, stub, task=1, match="NotImplementedError")
    fails(checks.check_04_task1, None, task=1, match="None")
    fails(checks.check_04_task1, loader(lambda x: x.reshape(len(x), 784) / 255.0), task=1, match="float64")
    fails(checks.check_04_task1, loader(lambda x: x.astype("float32") / 255.0), task=1, match="shape")
    fails(checks.check_04_task1, loader(lambda x: x.astype("float32").reshape(len(x), 784)), task=1,
          match="scale as the article does")
    fails(checks.check_04_task1, loader(lambda x: x.astype("float32").T.reshape(len(x), 784) / 255.0), task=1,
          match="differs")
    fails(checks.check_04_task1, loader(lambda x: x.astype("float32").reshape(len(x), 784) / 256.0), task=1,
          match="differs")
    fails(checks.check_04_task1, loader(lambda x: x.astype("float16").reshape(len(x), 784) / 255.0), task=1,
          match="float16")
    fails(checks.check_04_task1, lambda: right()[::-1], task=1, match="test images first")
    fails(checks.check_04_task1, lambda: (np.zeros((60_000, 784), np.float32), right()[1]), task=1,
          match="complete MNIST")
    fails(checks.check_04_task1, lambda: right()[0], task=1, match="two arrays")


def test_04_task2(capsys):
    passes(checks.check_04_task2, solution(NB04, 2, "default_learning_rate"), task=2, capsys=capsys)
    fails(checks.check_04_task2, None, task=2, match="None")
    for wrong in (1.0, 0.01, 0.95, 1e-7):  # Keras 1 and 2's; another optimizer's; rho; epsilon
        fails(checks.check_04_task2, wrong, task=2, match="not the default")


def compiled(optimizer, loss="binary_crossentropy", compile_it=True, code_size=32) -> keras.Model:
    autoencoder, _, _ = models.build_autoencoder(code_size)
    if compile_it:
        autoencoder.compile(optimizer=optimizer, loss=loss)
    return autoencoder


class UnregisteredAdadelta(keras.optimizers.Adadelta):
    """A student's own Adadelta class, not registered with Keras."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.extra = True

    def get_config(self):
        return {**super().get_config(), "extra": self.extra}


def test_04_task3(capsys):
    right = solution(NB04, 3, "autoencoder")
    weights = [w.copy() for w in right.get_weights()]
    passes(checks.check_04_task3, right, task=3, capsys=capsys)
    assert all(np.array_equal(a, b) for a, b in zip(weights, right.get_weights())), "the check must not train it"
    fails(checks.check_04_task3, None, task=3, match="None")
    fails(checks.check_04_task3, compiled(None, compile_it=False), task=3, match="not compiled")
    fails(checks.check_04_task3, compiled("adadelta"), task=3, match="should get below")  # the article's line
    fails(checks.check_04_task3, compiled(keras.optimizers.Adadelta()), task=3, match="learning rate 0.001")
    fails(checks.check_04_task3, compiled(keras.optimizers.Adam(learning_rate=1e-3)), task=3, match="Adam")
    rate = right.optimizer.get_config()["learning_rate"]
    fails(checks.check_04_task3, compiled(keras.optimizers.Adadelta(rate), loss="mse"), task=3,
          match="binary cross-entropy")
    squared_error = compiled(keras.optimizers.Adadelta(rate), loss=keras.losses.MeanSquaredError())
    message = fails(checks.check_04_task3, squared_error, task=3, match="MeanSquaredError")
    assert " object at 0x" not in message
    fails(checks.check_04_task3, compiled(keras.optimizers.Adadelta(rate),
                                          loss=keras.losses.BinaryCrossentropy(from_logits=True)), task=3,
          match="on probabilities")
    fails(checks.check_04_task3, compiled(keras.optimizers.Adadelta(rate), code_size=128), task=3,
          match="784-32-784")
    fails(checks.check_04_task3, compiled(UnregisteredAdadelta(learning_rate=rate)), task=3,
          match="could not copy your compiled model")


def test_04_task4(mnist, capsys):
    find_dead_units, codes = solution(NB04, 4, "find_dead_units", "codes")
    output = passes(checks.check_04_task4, find_dead_units, codes, task=4, capsys=capsys)
    assert f"among the {codes.shape[1]} of the trained encoder" in output
    fails(checks.check_04_task4, stub, codes, task=4, match="NotImplementedError")
    fails(checks.check_04_task4, None, codes, task=4, match="None")
    fails(checks.check_04_task4, lambda c: np.flatnonzero(c.mean(axis=0) < 1e-2), codes, task=4,
          match="positive for some row")  # nearly dead counted as dead
    fails(checks.check_04_task4, lambda c: np.flatnonzero((c == 0).any(axis=0)), codes, task=4,
          match="positive for some row")  # zero for some image, not for every image
    fails(checks.check_04_task4, lambda c: np.flatnonzero(c.max(axis=1) <= 0), codes, task=4, match="misses|outside")
    fails(checks.check_04_task4, lambda c: find_dead_units(c.T), codes, task=4, match="outside|misses|positive")
    fails(checks.check_04_task4, lambda c: np.isin(np.arange(c.shape[1]), find_dead_units(c)), codes, task=4,
          match="mask")
    fails(checks.check_04_task4, lambda c: np.where(np.isin(np.arange(c.shape[1]), find_dead_units(c))), codes,
          task=4, match="tuple")
    fails(checks.check_04_task4, lambda c: find_dead_units(c)[::-1].copy(), codes, task=4, match="increasing order")
    fails(checks.check_04_task4, lambda c: len(find_dead_units(c)), codes, task=4, match="1-D array")
    fails(checks.check_04_task4, lambda c: find_dead_units(c).astype(float), codes, task=4, match="integer")
    fails(checks.check_04_task4, find_dead_units, None, task=4, match="codes")
    message = fails(checks.check_04_task4, find_dead_units, mnist["x_test"], task=4, match="pixels")
    assert "passed" not in message
    untrained = models.build_autoencoder(32, seed=5)[1]
    fails(checks.check_04_task4, find_dead_units, untrained.predict(mnist["x_test"], verbose=0), task=4,
          match="not the trained encoder's codes")
    trained = solution(NB04, 4, "trained_encoder")
    fails(checks.check_04_task4, find_dead_units, trained.predict(mnist["x_train"], verbose=0), task=4,
          match="test digits")
    fails(checks.check_04_task4, find_dead_units, codes[:100], task=4, match="all of them")


# --- 05 -------------------------------------------------------------------------------------------

def test_05_task1(capsys):
    draw = solution(NB05, 1, "draw_labelled")
    passes(checks.check_05_task1, draw, task=1, capsys=capsys)
    fails(checks.check_05_task1, stub, task=1, match="NotImplementedError")
    fails(checks.check_05_task1, None, task=1, match="None")

    def first_of_each_class(x, y, n, seed):
        index = np.concatenate([np.flatnonzero(y == c)[:n] for c in np.unique(y)])
        return x[index], y[index]

    def block_from_a_random_start(x, y, n, seed):
        rng = np.random.default_rng(seed)
        index = []
        for c in np.unique(y):
            members = np.flatnonzero(y == c)
            start = rng.integers(len(members) - n + 1)
            index.extend(members[start:start + n])
        return x[np.array(index)], y[np.array(index)]

    def every_kth(x, y, n, seed):
        index = np.concatenate([np.flatnonzero(y == c)[seed % 2::2][:n] for c in np.unique(y)])
        return x[index], y[index]

    def unseeded(x, y, n, seed):
        return draw(x, y, n, int(np.random.default_rng().integers(1000)))

    def unbalanced(x, y, n, seed):
        index = np.random.default_rng(seed).choice(len(y), size=n * len(np.unique(y)), replace=False)
        return x[index], y[index]

    def shuffled_separately(x, y, n, seed):
        x_subset, y_subset = draw(x, y, n, seed)
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
    fails(checks.check_05_task1, block_from_a_random_start, task=1, match="block of consecutive examples")
    fails(checks.check_05_task1, every_kth, task=1, match="evenly spaced")
    fails(checks.check_05_task1, unseeded, task=1, match="same seed gave different")
    fails(checks.check_05_task1, lambda x, y, n, seed: draw(x, y, n, 0), task=1, match="same subset")
    fails(checks.check_05_task1, unbalanced, task=1, match="examples of class")
    fails(checks.check_05_task1, shuffled_separately, task=1, match="drawn or shuffled separately")
    fails(checks.check_05_task1, with_replacement, task=1, match="more than once")
    fails(checks.check_05_task1, ten_classes_assumed, task=1, match="raised ValueError")
    fails(checks.check_05_task1, lambda x, y, n, seed: np.arange(n), task=1, match="two arrays")
    fails(checks.check_05_task1, lambda x, y, n, seed: draw(x, y, n, seed)[::-1], task=1, match="shapes")
    fails(checks.check_05_task1, lambda x, y, n, seed: data.stratified_sample(x, y, n, seed), task=1,
          match="uses `stratified_sample`")
    fails(checks.check_05_task1, lambda x, y, n, seed: draw(x, y, 2 * n, seed), task=1, match="n_per_class=1")


def interval_of_the_course(baseline, candidate):
    """The paired interval from helpers.statistics.paired_interval (candidate first), which the check must accept."""
    from helpers.statistics import paired_interval

    result = paired_interval(candidate, baseline)
    return result.mean, result.low, result.high, result.low > 0


def interval_wrong(right, half=None, gain=None, helps=None, check_lengths=True, check_size=True):
    """The solution ``right`` with one part replaced: half and gain functions of (b, c), helps of (gain, low, high)."""

    def paired(baseline, candidate):
        b, c = np.asarray(baseline, dtype=np.float64), np.asarray(candidate, dtype=np.float64)
        if not check_lengths and len(b) != len(c):  # one accuracy against five: NumPy broadcasts it
            n = max(len(b), len(c))
            b, c = np.broadcast_to(b, n).copy(), np.broadcast_to(c, n).copy()
        if not check_size and len(b) == len(c) < 2:
            d = float(np.mean(c - b))
            return d, d, d, d > 0
        g, low, high, verdict = right(b, c)
        h = half(b, c) if half else (high - low) / 2
        g = gain(b, c) if gain else g
        low, high = g - h, g + h
        return g, low, high, helps(g, low, high) if helps else bool(low > 0)

    return paired


def test_05_task2(capsys):
    from scipy import stats

    check, right = checks.check_05_task2, solution(NB05, 2, "paired_interval_by_hand")
    half_of = lambda b, c: (lambda g, lo, hi, h: (hi - lo) / 2)(*right(b, c))  # noqa: E731
    t = lambda b, q=0.975, dof=None: stats.t.ppf(q, len(b) - 1 if dof is None else dof)  # noqa: E731
    passes(check, right, task=2, capsys=capsys)
    passes(check, interval_of_the_course, task=2, capsys=capsys)
    table = {2: 12.706, 5: 2.776, 8: 2.365}  # t read from a printed table, 3 decimals
    passes(check, interval_wrong(right, half=lambda b, c: half_of(b, c) * table[len(b)] / t(b)), task=2,
           capsys=capsys)
    fails(check, stub, task=2, match="NotImplementedError")
    fails(check, None, task=2, match="None")
    fails(check, 3, task=2, match="should be a function")
    # The old rule of thumb: gain ± the larger of the two arms' standard deviations (ddof=0 or 1).
    fails(check, interval_wrong(right, half=lambda b, c: max(np.std(b), np.std(c))), task=2,
          match="larger of the two arms' standard deviations")
    fails(check, interval_wrong(right, half=lambda b, c: max(np.std(b, ddof=1), np.std(c, ddof=1))), task=2,
          match="larger of the two arms' standard deviations")
    fails(check, interval_wrong(right, half=lambda b, c: half_of(b, c) * 1.96 / t(b)), task=2,
          match="normal 1.96 instead of Student's t")
    fails(check, interval_wrong(right, half=lambda b, c: half_of(b, c) * np.sqrt((len(b) - 1) / len(b))), task=2,
          match=r"divides by n \(ddof=0\)")
    fails(check, interval_wrong(right, half=lambda b, c: t(b) * np.sqrt((np.var(b, ddof=1) + np.var(c, ddof=1))
                                                                        / len(b))),
          task=2, match="two arms as independent samples")
    fails(check, interval_wrong(right, half=lambda b, c: (lambda ci: (ci.high - ci.low) / 2)(
          stats.ttest_ind(c, b).confidence_interval())), task=2, match="two arms as independent samples")
    fails(check, interval_wrong(right, half=lambda b, c: half_of(b, c) * t(b, 0.95) / t(b)), task=2,
          match="90 % interval")
    fails(check, interval_wrong(right, half=lambda b, c: half_of(b, c) * t(b, dof=len(b)) / t(b)), task=2,
          match="t has n degrees of freedom")
    fails(check, interval_wrong(right, half=lambda b, c: half_of(b, c) * 2.776 / t(b)), task=2,
          match="value for 5 subsets .4 degrees of freedom., used on 8 subsets")
    fails(check, interval_wrong(right, half=lambda b, c: half_of(b, c) * np.sqrt(len(b))), task=2,
          match="range of single")
    message = fails(check, interval_wrong(right, half=lambda b, c: 2 * half_of(b, c)), task=2,
                    match="not the 95 % paired t-interval: it is wider")
    assert "expected" not in message
    # The differences the wrong way round, baseline − candidate (with their interval and verdict).
    fails(check, lambda b, c: right(c, b), task=2, match="wrong way round")
    fails(check, interval_wrong(right, gain=lambda b, c: float(np.median(np.subtract(c, b)))), task=2,
          match="not the mean of the paired differences")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, hi, lo, h))(*right(b, c)), task=2, match="is above `high`")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, -hi, -lo, h))(*right(b, c)), task=2,
          match="that of baseline − candidate")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, lo, hi + 1, h))(*right(b, c)), task=2,
          match="not centred on the gain")
    # helps: a positive mean is not enough; a real loss is no help; a real gain is one.
    fails(check, interval_wrong(right, helps=lambda g, low, high: g > 0), task=2,
          match=r"positive mean gain within the noise on 5 subsets, `helps` is True, but the interval .* includes 0")
    fails(check, interval_wrong(right, helps=lambda g, low, high: low > 0 or high < 0), task=2, match="a real loss")
    fails(check, interval_wrong(right, helps=lambda g, low, high: low > 1e9), task=2, match="`helps` is False, but")
    fails(check, interval_wrong(right, helps=lambda g, low, high: "yes" if low > 0 else "no"), task=2,
          match="True or False")
    # Arrays that cannot be paired, and a single subset, must raise ValueError.
    fails(check, interval_wrong(right, check_lengths=False), task=2, match="accepted arrays of 5 and 1 subsets")
    fails(check, interval_wrong(right, check_size=False), task=2,
          match="accepted arrays of 1 and 1 subsets: one difference")

    def typed_error(baseline, candidate):
        if len(baseline) != len(candidate):
            raise TypeError("not paired")
        return right(baseline, candidate)

    fails(check, typed_error, task=2, match="raised TypeError, not ValueError")
    fails(check, lambda b, c: right(b, c)[:3], task=2, match="four values.*got tuple of 3 values")
    fails(check, lambda b, c: list(right(b, c)) + [0.0], task=2, match="four values.*got list of 5 values")
    fails(check, lambda b, c: None, task=2, match="four values.*got NoneType")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, np.nan, hi, h))(*right(b, c)), task=2,
          match=r"`low` is nan, not a finite number")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (g, None, hi, h))(*right(b, c)), task=2, match="`low` is None")
    fails(check, lambda b, c: (lambda g, lo, hi, h: (np.array([g, g]), lo, hi, h))(*right(b, c)),
          task=2, match="`gain` should be a single number")
    fails(check, lambda b, c: right(b, c) if isinstance(b, np.ndarray) else b - c, task=2, match="on Python lists")

    def division_by_zero(baseline, candidate):
        raise ZeroDivisionError("division by zero")

    fails(check, division_by_zero, task=2, match="raised ZeroDivisionError: division by zero")


@pytest.fixture(scope="module")
def article(mnist) -> dict:
    """The article's pretrained encoder (fast mode), the 10-per-class labelled subset of seed 0, the test set."""
    encoder, x_few, y_few = solution(NB05, 3, "encoder", "x_few", "y_few")
    return {"encoder": encoder, "x_few": x_few, "y_few": y_few, "x_train": mnist["x_train"],
            "y_train": mnist["y_train"].astype("int32"), "x_test": mnist["x_test"],
            "y_test": mnist["y_test"].astype("int32")}


def classifier_on(encoder, *middle, copy=False, train=None, **train_arguments) -> keras.Model:
    """encoder -> middle layers -> softmax head; trained on ``train`` with the course's Trainer when given."""
    if copy:
        body = keras.models.clone_model(encoder)
        if copy != "architecture only":
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


def standardising(encoder, images):
    from helpers import finetuning

    return finetuning.Standardize(*finetuning.code_statistics(encoder, images))


def test_05_task3(article, capsys):
    encoder, subset = article["encoder"], (article["x_few"], article["y_few"])
    probe = solution(NB05, 3, "probe_classifier")
    weights = [w.copy() for w in probe.get_weights()]
    passes(checks.check_05_task3, probe, task=3, capsys=capsys)
    assert all(np.array_equal(a, b) for a, b in zip(weights, probe.get_weights())), "the check must not train it"
    fails(checks.check_05_task3, None, task=3, match="None")
    fails(checks.check_05_task3, lambda x: x, task=3, match="keras.Model")
    fails(checks.check_05_task3, encoder, task=3, match=r"\(None, 32\)")
    on_train = standardising(encoder, article["x_train"])
    probe_settings = {"head_only": True, "steps": 150, "learning_rate": 1e-2, "l2": 1e-2}
    brief_on_raw_codes = classifier_on(encoder, train=subset, head_only=True, steps=240, learning_rate=1e-3)
    fails(checks.check_05_task3, brief_on_raw_codes, task=3, match="unstandardised")
    fails(checks.check_05_task3, classifier_on(encoder, on_train), task=3, match="trained as the task asks")
    everything_trained = classifier_on(encoder, copy=True, train=subset, steps=300, learning_rate=1e-3)
    fails(checks.check_05_task3, everything_trained, task=3, match="not the pretrained ones")
    scratch = classifier_on(encoder, copy="architecture only", train=subset, steps=300, learning_rate=1e-3)
    fails(checks.check_05_task3, scratch, task=3, match="not the pretrained ones")
    pixels_only = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    fails(checks.check_05_task3, pixels_only, task=3, match="no 784 × 32 weight matrix")
    on_test = classifier_on(encoder, on_train, train=(article["x_test"], article["y_test"]), **probe_settings)
    fails(checks.check_05_task3, on_test, task=3, match="trained on other images or labels|more than 10 labels")
    every_label = classifier_on(encoder, on_train, train=(article["x_train"], article["y_train"]), **probe_settings)
    fails(checks.check_05_task3, every_label, task=3, match="trained on other images or labels|more than 10 labels")
    for images, which in ((article["x_few"], "100 labelled digits"), (article["x_test"], "test digits")):
        wrong_statistics = classifier_on(encoder, standardising(encoder, images))  # found before any training
        fails(checks.check_05_task3, wrong_statistics, task=3, match=f"standard deviation of the {which}")
    hidden_layer = classifier_on(encoder, on_train, keras.layers.Dense(64, activation="relu"))
    fails(checks.check_05_task3, hidden_layer, task=3, match="one Dense layer of 10 units")


def test_05_task4(article, capsys):
    encoder, subset = article["encoder"], (article["x_few"], article["y_few"])
    pretrained_weights = [w.copy() for w in encoder.get_weights()]
    naive = solution(NB05, 4, "naive_classifier")
    output = passes(checks.check_05_task4, naive, task=4, capsys=capsys)
    assert "Naive fine-tuning: " in output and "a frozen probe on the same labels" in output
    assert all(np.array_equal(a, b) for a, b in zip(pretrained_weights, encoder.get_weights()))
    fails(checks.check_05_task4, None, task=4, match="None")
    fails(checks.check_05_task4, encoder, task=4, match=r"\(None, 32\)")
    frozen_probe = classifier_on(encoder, train=subset, head_only=True, steps=300, learning_rate=1e-2, l2=1e-2)
    fails(checks.check_05_task4, frozen_probe, task=4, match="only the head was trained")
    barely_trained = classifier_on(encoder, copy=True, train=subset, steps=5, learning_rate=1e-3)
    fails(checks.check_05_task4, barely_trained, task=4, match="barely trained|of its own 100 labelled digits")
    nudged = classifier_on(encoder, copy=True, train=subset, steps=30, learning_rate=1e-6)
    message = fails(checks.check_05_task4, nudged, task=4, match="barely trained")
    assert "every weight was trained" not in message
    scratch = classifier_on(encoder, copy="architecture only", train=subset, steps=300, learning_rate=1e-3)
    fails(checks.check_05_task4, scratch, task=4, match="no trace of the pretrained ones")
    every_label = classifier_on(encoder, copy=True, train=(article["x_train"], article["y_train"]), steps=300,
                                learning_rate=1e-3)
    fails(checks.check_05_task4, every_label, task=4, match="more than 10 labels per class")
    on_test = classifier_on(encoder, copy=True, train=(article["x_test"], article["y_test"]), steps=300,
                            learning_rate=1e-3)
    fails(checks.check_05_task4, on_test, task=4, match="of its own 100 labelled digits|more than 10 labels")


# --- 06 -------------------------------------------------------------------------------------------

def test_06_task1(capsys):
    right = solution(NB06, 1, "numbers_trained")
    passes(checks.check_06_task1, right, task=1, capsys=capsys)
    fails(checks.check_06_task1, stub, task=1, match="NotImplementedError")
    fails(checks.check_06_task1, None, task=1, match="None")

    def set_and_count(encoder, regime, restore_to=None):
        was = encoder.trainable
        encoder.trainable = regime != "frozen"
        model = keras.Sequential([encoder, keras.layers.Dense(10, activation="softmax")])
        count = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
        encoder.trainable = was if restore_to is None else restore_to
        return count

    def with_count_params(encoder, regime):
        head = right(encoder, "frozen")
        return head + (encoder.count_params() if regime == "fine-tuned" else 0)

    def ignores_regime(encoder, regime):
        model = keras.Sequential([encoder, keras.layers.Dense(10, activation="softmax")])
        return sum(int(np.prod(w.shape)) for w in model.trainable_weights) if regime == "fine-tuned" else \
            right(encoder, "frozen")

    fails(checks.check_06_task1, lambda encoder, regime: right(encoder, regime) - 10 * (regime == "frozen"), task=1,
          match="biases")
    fails(checks.check_06_task1, with_count_params, task=1, match="never updates")
    message = fails(checks.check_06_task1, lambda e, r: right(e, r) + 10 * (r == "fine-tuned"), task=1,
                    match="not the number of trained numbers")  # the head's biases counted twice
    assert "batch normalisation" not in message
    fails(checks.check_06_task1, lambda e, r: set_and_count(e, r, restore_to=False), task=1, match="left|leaves it")
    fails(checks.check_06_task1, lambda e, r: set_and_count(e, r, restore_to=True), task=1,
          match="frozen \\(trainable = False\\), .* leaves it trainable")  # always restores trainable=True
    fails(checks.check_06_task1, lambda e, r: right(e, "fine-tuned"), task=1, match="also counts the encoder")
    fails(checks.check_06_task1, lambda e, r: right(e, "frozen"), task=1, match="counts only the head")
    fails(checks.check_06_task1, ignores_regime, task=1, match="given frozen .* counts only the head")
    fails(checks.check_06_task1, lambda e, r: len(keras.Sequential([e, keras.layers.Dense(10)]).trainable_weights),
          task=1, match="not the number of trained numbers|only the head|biases")


def early_stopping(monitor, patience, restore, mode="auto", min_delta=0.0, validation=None):
    """An answer to Task 2 with the given EarlyStopping settings; ``validation`` (x, y, x_val, y_val) -> data."""

    def fit(model, x, y, x_val, y_val, epochs):
        stopper = keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=restore,
                                                mode=mode, min_delta=min_delta)
        data_for_validation = (x_val, y_val) if validation is None else validation(x, y, x_val, y_val)
        return model.fit(x, y, epochs=epochs, batch_size=32, validation_data=data_for_validation,
                         callbacks=[stopper], verbose=0).history

    return fit


def test_06_task2(capsys):
    output = passes(checks.check_06_task2, solution(NB06, 2, "fit_with_early_stopping"), task=2, capsys=capsys)
    assert "5 epochs after the lowest validation loss" in output
    fails(checks.check_06_task2, stub, task=2, match="NotImplementedError")
    fails(checks.check_06_task2, None, task=2, match="None")
    fails(checks.check_06_task2, lambda *args: None, task=2, match="None")  # forgot to return the history
    fails(checks.check_06_task2, early_stopping("loss", 5, True), task=2, match="ran all 18 epochs")
    message = fails(checks.check_06_task2, early_stopping("val_loss", 5, False), task=2,
                    match="weights of the last epoch")
    assert "patience" not in message
    message = fails(checks.check_06_task2, early_stopping("val_loss", 5, True, mode="max"), task=2,
                    match="which quantity does the callback watch, in which direction")
    assert "asks for a patience" not in message
    message = fails(checks.check_06_task2, early_stopping("val_loss", 5, True, validation=lambda x, y, xv, yv: (x, y)),
                    task=2, match="those of the training digits")
    assert "last epoch" not in message


def test_06_task3(mnist, capsys):
    plain, denoising = solution(NB06, 3, "plain_autoencoder", "denoising_autoencoder")
    output = passes(checks.check_06_task3, plain, denoising, task=3, capsys=capsys)
    assert "on clean digits" in output
    fails(checks.check_06_task3, None, denoising, task=3, match="`plain_autoencoder` is None")
    fails(checks.check_06_task3, plain, None, task=3, match="`denoising_autoencoder` is None")
    fails(checks.check_06_task3, denoising, plain, task=3, match="corrupts its inputs in training")  # swapped
    fails(checks.check_06_task3, plain, plain, task=3, match="lower by at least")  # no noise
    x_train = mnist["x_train"]
    masked = keras.ops.convert_to_numpy(keras.layers.Dropout(0.3, seed=1)(x_train, training=True))
    holes_as_targets, _, _ = models.build_autoencoder(128, seed=0)
    holes_as_targets.compile(optimizer=keras.optimizers.Adam(2e-3), loss="binary_crossentropy")
    holes_as_targets.fit(masked, np.clip(masked, 0, 1), epochs=10, batch_size=256, verbose=0)
    fails(checks.check_06_task3, plain, holes_as_targets, task=3, match="lower by at least")
    fails(checks.check_06_task3, plain, models.build_autoencoder(128, noise=0.3)[0], task=3, match="compile and fit")
    fails(checks.check_06_task3, plain, models.build_autoencoder(128)[1], task=3, match="not its encoder")


# --- 08 -------------------------------------------------------------------------------------------

def nt_xent_mistaken(mistake: str):
    """An answer to 08-1 that makes one mistake: "unnormalised", "self kept", "partner dropped" or "first view"."""

    def loss(first, second, temperature):
        z = np.concatenate([first, second])
        if mistake != "unnormalised":
            z = z / np.linalg.norm(z, axis=1, keepdims=True)
        n2 = len(z)
        logits = z @ z.T / temperature
        partners = np.roll(np.arange(n2), n2 // 2)
        keep = np.ones_like(logits, dtype=bool)
        keep[np.arange(n2), np.arange(n2)] = mistake == "self kept"
        if mistake == "partner dropped":
            keep[np.arange(n2), partners] = False
        denominator = np.log(np.where(keep, np.exp(logits), 0.0).sum(axis=1))
        per_view = denominator - logits[np.arange(n2), partners]
        return float(per_view[: n2 // 2].mean() if mistake == "first view" else per_view.mean())

    return loss


def test_08_task1(capsys):
    right = solution(NB08, 1, "nt_xent_by_hand")
    check = checks.check_08_task1
    passes(check, right, task=1, capsys=capsys)
    fails(check, stub, task=1, match="NotImplementedError")
    fails(check, None, task=1, match="None")
    fails(check, lambda f, s, t: right(f, s, 1.0), task=1, match="temperature is left out")
    fails(check, lambda f, s, t: right(f, s, 1.0 / t), task=1, match="multiplied by the temperature")
    fails(check, nt_xent_mistaken("unnormalised"), task=1, match="not normalised")
    fails(check, nt_xent_mistaken("self kept"), task=1, match="counts itself")
    fails(check, nt_xent_mistaken("partner dropped"), task=1, match="partner is left out")
    fails(check, nt_xent_mistaken("first view"), task=1, match="only the n views of `first`")
    fails(check, lambda f, s, t: 2 * len(f) * right(f, s, t), task=1, match="sum over the 2n views")
    fails(check, lambda f, s, t: right(f, s[::-1], t), task=1, match="differs from the course's")  # partners mixed up
    fails(check, lambda f, s, t: np.full(2 * len(f), right(f, s, t)), task=1, match="single number")
    from helpers import objectives

    fails(check, lambda f, s, t: float(objectives.nt_xent(f, s, t)), task=1, match="uses `nt_xent`")


def masks_from_grid(grid: np.ndarray, patch: int) -> np.ndarray:
    """(n, patches) 0/1 grid -> (n, 784) mask, each patch a square."""
    side = 28 // patch
    return grid.reshape(-1, side, side).repeat(patch, axis=1).repeat(patch, axis=2).reshape(len(grid), 784)


def masks_hiding(count, *, weights=None):
    """An answer to 08-2 that hides ``count(patches, ratio)`` random patches per image (with ``weights``, biased)."""

    def mask(n, patch, ratio, seed):
        rng, patches = np.random.default_rng(seed), (28 // patch) ** 2
        p = None if weights is None else weights(patches) / weights(patches).sum()
        grid = np.zeros((n, patches))
        for row in grid:
            row[rng.choice(patches, size=count(patches, ratio), replace=False, p=p)] = 1
        return masks_from_grid(grid, patch)

    return mask


def test_08_task2(capsys):
    right = solution(NB08, 2, "patch_mask_by_hand")
    check = checks.check_08_task2
    passes(check, right, task=2, capsys=capsys)
    fails(check, stub, task=2, match="NotImplementedError")
    fails(check, None, task=2, match="None")
    pixels = lambda n, p, r, s: (np.random.default_rng(s).random((n, 784)) < r).astype(float)  # noqa: E731
    fails(check, pixels, task=2, match="not made of whole 7 × 7 squares")

    def strips(n, patch, ratio, seed):  # the (n, patches) grid reshaped straight to 784 pixels
        side = 28 // patch
        grid = right(n, patch, ratio, seed).reshape(n, side, patch, side, patch)[:, :, 0, :, 0].reshape(n, -1)
        return np.repeat(grid, patch * patch, axis=1)

    fails(check, strips, task=2, match="not made of whole")
    fails(check, lambda n, p, r, s: 1 - right(n, p, r, s), task=2, match="marks the visible patches")
    fails(check, lambda n, p, r, s: 0.5 * right(n, p, r, s), task=2, match="values other than 0 and 1")
    fails(check, lambda n, p, r, s: right(n, p, r, s)[:, :783], task=2, match="shape")
    bernoulli = lambda n, p, r, s: masks_from_grid(  # noqa: E731  (each patch hidden with probability r)
        (np.random.default_rng(s).random((n, (28 // p) ** 2)) < r).astype(float), p)
    fails(check, bernoulli, task=2, match="hide from .* each must hide exactly")
    fails(check, masks_hiding(lambda patches, ratio: int(ratio * patches)), task=2, match="not max")  # floor
    fails(check, masks_hiding(lambda patches, ratio: round(ratio * patches)), task=2, match="hides 0 of its 16")
    fails(check, lambda n, p, r, s: np.repeat(right(1, p, r, s), n, axis=0), task=2, match="gets the same mask")
    fails(check, lambda n, p, r, s: right(n, p, r, 0), task=2, match="seeds 3 and 4 give the same masks")
    fresh_seeds = iter(range(1, 1000))
    fails(check, lambda n, p, r, s: right(n, p, r, next(fresh_seeds)), task=2, match="two calls with seed 3")
    biased = masks_hiding(lambda patches, ratio: max(1, round(ratio * patches)),
                          weights=lambda patches: np.arange(1.0, patches + 1))  # patch k drawn k times as often
    fails(check, biased, task=2, match="hidden far more often than others")
    from helpers import objectives

    fails(check, lambda n, p, r, s: objectives.patch_mask(n, patch=p, ratio=r, generator=s).numpy(), task=2,
          match="uses `patch_mask`")


def test_08_task3(capsys):
    from helpers import measurements

    frozen_probe_val, best = solution(NB08, 3, "frozen_probe_val", "best_for_probe")
    check = checks.check_08_task3
    passes(check, frozen_probe_val, best, task=3, capsys=capsys)
    fails(check, None, best, task=3, match="None")
    fails(check, frozen_probe_val, None, task=3, match="`best_for_probe` is None")
    rows = measurements.load_record()["rows"]

    def means(key="val_accuracy", regime="frozen", budget=10):
        return {name: float(np.mean([100 * r[key] for r in rows if r["recipe"] == f"{name} checkpoint"
                                     and r["regime"] == regime and budget in (None, r["labels_per_class"])]))
                for name in ("contrastive", "masked")}

    fails(check, {f"{k} checkpoint": v for k, v in frozen_probe_val.items()}, best, task=3, match="keys")
    fails(check, list(frozen_probe_val.values()), best, task=3, match="should be a dict")
    fails(check, {k: v / 100 for k, v in frozen_probe_val.items()}, best, task=3, match="a fraction")
    fails(check, means(key="accuracy"), best, task=3, match="test\\* accuracy")
    fails(check, means(regime="fine-tuned"), best, task=3, match="fine-tuned regime")
    fails(check, means(budget=None), best, task=3, match="every label budget")
    fails(check, {k: v + 0.5 for k, v in frozen_probe_val.items()}, best, task=3, match="not the mean validation")
    other = next(name for name in frozen_probe_val if name != best)
    fails(check, frozen_probe_val, other, task=3, match="the lower of the two")
    fails(check, frozen_probe_val, f"{best} checkpoint", task=3, match="should be one of")


def probe_classifier(encoder, x, y, data):
    """encoder -> standardisation (500 pool images) -> softmax head, the head trained alone on the codes of (x, y)."""
    from helpers import finetuning

    standardize = finetuning.Standardize(*finetuning.code_statistics(encoder, data.x_pool[:500]))
    head = keras.layers.Dense(10, activation="softmax", kernel_initializer=keras.initializers.GlorotUniform(0))
    training.Trainer(keras.Sequential([keras.Input((128,)), standardize, head]), loss="sparse_categorical_crossentropy",
                     optimizer=keras.optimizers.Adam(1e-2)).train_steps(models.predict_in_batches(encoder, x), y,
                                                                        steps=150)
    return keras.Sequential([encoder, standardize, head])


def nudged_checkpoint(scale: float) -> keras.Model:
    """The contrastive checkpoint with noise of ``scale`` times each kernel's spread added to its convolutions."""
    from helpers import checkpoints

    encoder, rng = checkpoints.load("contrastive"), np.random.default_rng(0)
    encoder.set_weights([w + scale * w.std() * rng.normal(size=w.shape) if w.ndim == 4 else w
                         for w in encoder.get_weights()])
    return encoder


def test_08_task4(capsys):
    from helpers import checkpoints, splits

    model = solution(NB08, 4, "fine_tuned_classifier")
    weights = [w.copy() for w in model.get_weights()]
    output = passes(checks.check_08_task4, model, task=4, capsys=capsys)
    assert "validation images" in output
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights())), "the check must not train it"
    check = checks.check_08_task4
    fails(check, None, task=4, match="None")
    fails(check, lambda x: x, task=4, match="keras.Model")
    fails(check, checkpoints.load("contrastive"), task=4, match=r"\(None, 128\)")
    head = lambda: keras.layers.Dense(10, activation="softmax")  # noqa: E731
    fails(check, keras.Sequential([checkpoints.load("masked"), head()]), task=4, match="masked checkpoint")
    fails(check, keras.Sequential([checkpoints.encoder(0), head()]), task=4, match="no trace of the contrastive")
    fails(check, keras.Sequential([keras.Input((784,)), head()]), task=4, match="three convolutions")
    data = splits.course_splits(verbose=False)
    x_few, y_few = data.labelled(10, 0)
    fails(check, probe_classifier(checkpoints.load("contrastive"), x_few, y_few, data), task=4,
          match="only the head was trained")
    moved = nudged_checkpoint(0.02)  # barely moved: the probe's data decides
    fails(check, probe_classifier(moved, data.x_val, data.y_val, data), task=4, match="more than 100 labels can give")
    fails(check, probe_classifier(moved, *data.labelled(10, 1), data), task=4,
          match="of the 100 labelled digits it should have been trained on")
    fails(check, probe_classifier(nudged_checkpoint(0.5), x_few, y_few, data), task=4,  # damaged: fits, does not carry
          match="fine-tuned as the task asks it reaches 88 %")
