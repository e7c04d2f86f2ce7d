"""The framework of the exercise self-checks: :class:`Task`, its messages, and the course's data.

A check prints one line when an answer passes, ``✅ Task K passed: <what was verified>``, or raises
:class:`CheckFailed` (an ``AssertionError``) whose message says what is wrong and where it is taught,
``❌ Task K: <what is wrong>. Hint: <hint> (taught in <notebook>, section '<section>').`` Hints point to the
idea; a hint's ``more`` (a closer look) is added only when the same task fails a second time in the session.

Use :meth:`Task.answered`, :meth:`Task.number_from`, :meth:`Task.array_from`, :meth:`Task.classifier_from` and
:meth:`Task.call` to turn anything a student may pass (None, a stub that raises, a list instead of an array, a
model of the wrong shape) into a clear failure, and
decorate every check with :func:`guarded`, so that an exception raised by a student's object anywhere in the
check (a model that cannot be copied, an array that cannot be compared) becomes a failure too.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import numpy as np

from helpers import config, data
from helpers.messages import Catalog

msg = Catalog(__name__, {
    "passed": ("✅ Task {number} passed: {what}", "✅ 任务 {number} 通过：{what}"),
    "failed": ("❌ Task {number}: {problem}. Hint: {hint} (taught in {notebook}, section '{section}').",
               "❌ 任务 {number}：{problem}。提示：{hint}（讲解见 {notebook} 的「{section}」一节）。"),
    "closer": ("{hint} A closer look: {more}", "{hint}再具体一点：{more}"),
    "no_answer_hint": ("replace the `raise NotImplementedError(...)` line (and any `= None` line above it) with your "
                       "code", "把 `raise NotImplementedError(...)` 这一行（以及它上面的 `= None` 行）换成你的代码"),
    "is_none": ("`{name}` is None: there is no answer yet", "`{name}` 是 None：还没有答案"),
    "not_a_number": ("`{name}` should be a single number, got {got}", "`{name}` 应当是一个数，却得到了 {got}"),
    "assign_one_number": ("assign one number to it", "给它赋一个数"),
    "not_finite": ("`{name}` is {number}, not a finite number", "`{name}` 是 {number}，不是有限的数"),
    "log_of_zero": ("look for a log of 0 or a division by 0", "找找有没有对 0 取对数或除以 0 的地方"),
    "not_whole": ("`{name}` should be a whole number, got {number}", "`{name}` 应当是整数，却得到了 {number}"),
    "it_counts": ("it counts something", "它数的是个数"),
    "not_an_array": ("`{name}` should be an array of numbers, got {got}", "`{name}` 应当是数值数组，却得到了 {got}"),
    "return_an_array": ("return a NumPy array", "返回一个 NumPy 数组"),
    "transposed": ("`{name}` has shape {shape}, expected {expected}: it is transposed",
                   "`{name}` 的形状是 {shape}，应为 {expected}：它被转置了"),
    "one_row_per_image": ("keep one row per image, as the inputs have", "像输入那样，每张图像占一行"),
    "wrong_shape": ("`{name}` has shape {shape}, expected {expected}", "`{name}` 的形状是 {shape}，应为 {expected}"),
    "which_axis": ("check which axis you reduce or index", "检查你是沿哪个轴求和（或取平均）、取索引的"),
    "not_finite_array": ("`{name}` holds NaN or infinite values", "`{name}` 含有 NaN 或无穷大"),
    "not_a_model": ("`{name}` should be a keras.Model, got {got}", "`{name}` 应当是 keras.Model，却得到了 {got}"),
    "sequential_is_one": ("keras.Sequential([...]) is one", "keras.Sequential([...]) 就是一种"),
    "not_a_classifier": ("`{name}` maps {inputs} to {outputs}; a digit classifier maps (None, 784) images to "
                         "(None, 10) class probabilities",
                         "`{name}` 把 {inputs} 映射到 {outputs}；数字分类器应把 (None, 784) 的图像映射到 "
                         "(None, 10) 的类别概率"),
    "encoder_then_head": ("the encoder first, then a softmax head of 10 units",
                          "先是编码器，再接一个 10 个单元的 softmax 输出头"),
    "not_a_function": ("`{name}` should be a function, got {got}", "`{name}` 应当是函数，却得到了 {got}"),
    "define_with_def": ("define it with `def`", "用 `def` 定义它"),
    "still_a_stub": ("`{name}()` still raises NotImplementedError", "`{name}()` 仍然抛出 NotImplementedError"),
    "raised": ("`{name}()` raised {error}: {message}", "`{name}()` 抛出了 {error}：{message}"),
    "run_it_small": ("run it on a small input and read the error", "在一个小输入上运行它，读一读报错"),
    "refused_name": ("`{name}` uses `{forbidden}`, which the task asks you not to use",
                     "`{name}` 用到了 `{forbidden}`，而任务要求不用它"),
    "check_raised": ("the check could not use your answer: it raised {error}: {message}",
                     "检查无法使用你的答案：它抛出了 {error}：{message}"),
    "use_named_objects": ("use the objects and functions the task names (the course's models, Keras's own classes), "
                          "and run your cell again before the check",
                          "使用任务指明的对象和函数（课程的模型、Keras 自己的类），并在检查之前重新运行你的单元格"),
    "described_shape": ("{kind} of shape {shape}", "形状为 {shape} 的 {kind}"),
    "mode_fast": ("fast", "快速"),
    "mode_full": ("full", "完整"),
})

#: The message that names each mode of :func:`helpers.config.mode_name`, for :func:`mode_in_words`.
_MODE_MESSAGES = {"fast": "mode_fast", "full": "mode_full"}

#: The hint of a task with no answer yet, in English (:data:`msg` ``"no_answer_hint"`` in the student's language).
NO_ANSWER_HINT = msg.text("no_answer_hint", "en")

#: How many times each task (notebook, number) has failed in this session: from the second, hints say more.
_FAILURES: dict[tuple[str, int], int] = {}


class CheckFailed(AssertionError):
    """An answer failed its self-check; the message says what is wrong, a hint, and where it is taught."""


@dataclass(frozen=True)
class Task:
    """One exercise task: the teaching notebook and section that teach it, for the messages.

    Attributes:
        notebook: the teaching notebook's name without ``.ipynb``, e.g. ``"03_objectives"``.
        number: the task's number in its exercise notebook, from 1.
        section: the heading of the section that teaches it, as the notebook writes it.
        section_zh: the same heading in the Chinese edition, as ``translations/zh/notebooks/<notebook>.md`` writes
            it (its formulas written out as ``section`` writes them); a message in Chinese names it, a message in
            English ``section``. Empty: the Chinese message names ``section`` too.
    """

    notebook: str
    number: int
    section: str
    section_zh: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.notebook, str) or not self.notebook[:2].isdigit() or self.notebook.endswith(".ipynb"):
            raise ValueError(
                f"notebook must be a teaching notebook's name, like '03_objectives'; got {self.notebook!r}."
            )
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 1:
            raise ValueError(f"number must be the task's number, a positive integer, got {self.number!r}.")
        if not isinstance(self.section, str) or not self.section.strip():
            raise ValueError("section must be the heading of the section that teaches the task, as the notebook "
                             f"writes it; got {self.section!r}.")
        if not isinstance(self.section_zh, str):
            raise ValueError("section_zh must be the Chinese heading of the section that teaches the task, as "
                             f"translations/zh/notebooks/{self.notebook}.md writes it; got {self.section_zh!r}.")

    def passed(self, what: str) -> None:
        """Print ``✅ Task K passed: <what>``."""
        print(msg("passed", number=self.number, what=what))

    def failure(self, problem: str, hint: str, more: str | None = None) -> CheckFailed:
        """The :class:`CheckFailed` for ``problem`` (no final full stop) with ``hint`` and the section.

        ``more``, a closer hint, is added only from the task's second failure in this session on.
        """
        key = (self.notebook, self.number)
        _FAILURES[key] = _FAILURES.get(key, 0) + 1
        if more and _FAILURES[key] > 1:
            hint = msg("closer", hint=_sentence(hint), more=more)
        return CheckFailed(msg("failed", number=self.number, problem=problem, hint=hint, notebook=self.notebook,
                               section=self.section_in(config.language())))

    def section_in(self, language: str) -> str:
        """The heading of the section that teaches the task in ``language`` (``"en"`` or ``"zh"``)."""
        return self.section_zh if language == "zh" and self.section_zh else self.section

    def fail(self, problem: str, hint: str, more: str | None = None) -> NoReturn:
        """Raise :meth:`failure`."""
        __tracebackhide__ = True  # noqa: F841  (IPython and pytest hide this frame from tracebacks)
        raise self.failure(problem, hint, more)

    def answered(self, value: object, name: str) -> None:
        """Fail when ``value`` is None: the stub's placeholder, or a function that returned nothing."""
        if value is None:
            self.fail(msg("is_none", name=name), msg("no_answer_hint"))

    def number_from(self, value: object, name: str, *, integer: bool = False) -> float:
        """``value`` as a finite float (or an int when ``integer``), or a failure that names it."""
        self.answered(value, name)
        try:
            number = float(np.asarray(value, dtype=np.float64).reshape(()))
        except Exception:  # a list, a string, an array of many numbers, an object NumPy cannot convert
            self.fail(msg("not_a_number", name=name, got=_described(value)), msg("assign_one_number"))
        if not np.isfinite(number):
            self.fail(msg("not_finite", name=name, number=number), msg("log_of_zero"))
        if integer:
            if number != round(number):
                self.fail(msg("not_whole", name=name, number=number), msg("it_counts"))
            return int(round(number))
        return number

    def array_from(self, value: object, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """``value`` as a float64 array of ``shape`` with finite values, or a failure that names it."""
        self.answered(value, name)
        try:
            array = np.asarray(value, dtype=np.float64)
        except Exception:
            self.fail(msg("not_an_array", name=name, got=_described(value)), msg("return_an_array"))
        if array.shape != shape:
            if array.shape == shape[::-1] and len(shape) == 2:
                self.fail(msg("transposed", name=name, shape=array.shape, expected=shape), msg("one_row_per_image"))
            self.fail(msg("wrong_shape", name=name, shape=array.shape, expected=shape), msg("which_axis"))
        if not np.all(np.isfinite(array)):
            self.fail(msg("not_finite_array", name=name), msg("log_of_zero"))
        return array

    def classifier_from(self, model: object, name: str) -> None:
        """Fail unless ``model`` is a Keras digit classifier: (None, 784) images to (None, 10) class probabilities."""
        import keras

        self.answered(model, name)
        if not isinstance(model, keras.Model):
            self.fail(msg("not_a_model", name=name, got=type(model).__name__), msg("sequential_is_one"))
        shapes = (tuple(model.input_shape), tuple(model.output_shape))
        if shapes != ((None, 784), (None, 10)):
            self.fail(msg("not_a_classifier", name=name, inputs=shapes[0], outputs=shapes[1]), msg("encoder_then_head"))

    def call(self, function: object, name: str, *args: Any) -> Any:
        """Call the student's ``function(*args)``; a stub, a non-function or an exception becomes a failure."""
        __tracebackhide__ = True  # noqa: F841
        self.answered(function, name)
        if not callable(function):
            self.fail(msg("not_a_function", name=name, got=type(function).__name__), msg("define_with_def"))
        try:
            return function(*args)
        except NotImplementedError as error:
            raise self.stub_failure(name) from error
        except CheckFailed:
            raise
        except Exception as error:
            raise self.failure(msg("raised", name=name, error=type(error).__name__, message=error),
                               msg("run_it_small")) from error

    def stub_failure(self, name: str) -> CheckFailed:
        """The failure for the student's function ``name`` that still raises the exercise's NotImplementedError."""
        return self.failure(msg("still_a_stub", name=name), msg("no_answer_hint"))

    def refuse_names(self, function: object, name: str, names: dict[str, str]) -> None:
        """Fail when ``function``'s code uses one of ``names`` (name -> what the task asks instead)."""
        used = code_names(function)
        for forbidden, instead in names.items():
            if forbidden in used:
                self.fail(msg("refused_name", name=name, forbidden=forbidden), instead)


F = TypeVar("F", bound=Callable[..., None])


def guarded(task: Task) -> Callable[[F], F]:
    """Decorate a check: any exception but :class:`CheckFailed` raised while it runs becomes ``task``'s failure.

    A student's object can raise anywhere (a model Keras cannot copy, an optimizer of an unregistered class,
    an array whose comparison raises); the message names the exception and says the check could not use it.
    """

    def decorate(check: F) -> F:
        @functools.wraps(check)
        def guarded_check(*args: Any, **kwargs: Any) -> None:
            __tracebackhide__ = True  # noqa: F841
            try:
                return check(*args, **kwargs)
            except CheckFailed:
                raise
            except Exception as error:
                raise task.failure(msg("check_raised", error=type(error).__name__, message=error),
                                   msg("use_named_objects")) from error

        return guarded_check  # type: ignore[return-value]

    return decorate


def code_names(function: object) -> set[str]:
    """The global and attribute names a function's code (nested functions and lambdas included) refers to."""
    code = getattr(function, "__code__", None)
    names: set[str] = set()
    stack: list[Any] = [code] if isinstance(code, types.CodeType) else []
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack.extend(const for const in current.co_consts if isinstance(const, types.CodeType))
    return names


def _sentence(text: str) -> str:
    """``text`` ending with a full stop of the student's language, unless it ends with one already (or ? or !)."""
    if text.endswith((".", "?", "!", "。", "？", "！")):
        return text
    return text + ("。" if config.language() == "zh" else ".")


def _described(value: object) -> str:
    """How a failure names what a student gave: its type, and its shape when it has one."""
    shape = getattr(value, "shape", None)
    if shape is None:
        return type(value).__name__
    return msg("described_shape", kind=type(value).__name__, shape=tuple(shape))


def mode_in_words() -> str:
    """The current mode (:func:`helpers.config.mode_name`) as a message says it: ``"fast"`` or ``"快速"``, ..."""
    return msg(_MODE_MESSAGES[config.mode_name()])


def course_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST of the current mode, preprocessed: x_train (n, 784) float32, y_train (n,), x_test, y_test."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist(verbose=False)
    return data.preprocess(x_train), y_train, data.preprocess(x_test), y_test
