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

from helpers import data

NO_ANSWER_HINT = "replace the `raise NotImplementedError(...)` line (and any `= None` line above it) with your code"

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
    """

    notebook: str
    number: int
    section: str

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

    def passed(self, what: str) -> None:
        """Print ``✅ Task K passed: <what>``."""
        print(f"✅ Task {self.number} passed: {what}")

    def failure(self, problem: str, hint: str, more: str | None = None) -> CheckFailed:
        """The :class:`CheckFailed` for ``problem`` (no final full stop) with ``hint`` and the section.

        ``more``, a closer hint, is added only from the task's second failure in this session on.
        """
        key = (self.notebook, self.number)
        _FAILURES[key] = _FAILURES.get(key, 0) + 1
        if more and _FAILURES[key] > 1:
            hint = f"{hint}{' ' if hint.endswith(('?', '.')) else '. '}A closer look: {more}"
        return CheckFailed(
            f"❌ Task {self.number}: {problem}. Hint: {hint} "
            f"(taught in {self.notebook}, section '{self.section}')."
        )

    def fail(self, problem: str, hint: str, more: str | None = None) -> NoReturn:
        """Raise :meth:`failure`."""
        __tracebackhide__ = True  # noqa: F841  (IPython and pytest hide this frame from tracebacks)
        raise self.failure(problem, hint, more)

    def answered(self, value: object, name: str) -> None:
        """Fail when ``value`` is None: the stub's placeholder, or a function that returned nothing."""
        if value is None:
            self.fail(f"`{name}` is None: there is no answer yet", NO_ANSWER_HINT)

    def number_from(self, value: object, name: str, *, integer: bool = False) -> float:
        """``value`` as a finite float (or an int when ``integer``), or a failure that names it."""
        self.answered(value, name)
        try:
            number = float(np.asarray(value, dtype=np.float64).reshape(()))
        except Exception:  # a list, a string, an array of many numbers, an object NumPy cannot convert
            self.fail(f"`{name}` should be a single number, got {_described(value)}", "assign one number to it")
        if not np.isfinite(number):
            self.fail(f"`{name}` is {number}, not a finite number", "look for a log of 0 or a division by 0")
        if integer:
            if number != round(number):
                self.fail(f"`{name}` should be a whole number, got {number}", "it counts something")
            return int(round(number))
        return number

    def array_from(self, value: object, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """``value`` as a float64 array of ``shape`` with finite values, or a failure that names it."""
        self.answered(value, name)
        try:
            array = np.asarray(value, dtype=np.float64)
        except Exception:
            self.fail(f"`{name}` should be an array of numbers, got {_described(value)}", "return a NumPy array")
        if array.shape != shape:
            if array.shape == shape[::-1] and len(shape) == 2:
                self.fail(f"`{name}` has shape {array.shape}, expected {shape}: it is transposed",
                          "keep one row per image, as the inputs have")
            self.fail(f"`{name}` has shape {array.shape}, expected {shape}", "check which axis you reduce or index")
        if not np.all(np.isfinite(array)):
            self.fail(f"`{name}` holds NaN or infinite values", "look for a log of 0 or a division by 0")
        return array

    def classifier_from(self, model: object, name: str) -> None:
        """Fail unless ``model`` is a Keras digit classifier: (None, 784) images to (None, 10) class probabilities."""
        import keras

        self.answered(model, name)
        if not isinstance(model, keras.Model):
            self.fail(f"`{name}` should be a keras.Model, got {type(model).__name__}", "keras.Sequential([...]) is one")
        shapes = (tuple(model.input_shape), tuple(model.output_shape))
        if shapes != ((None, 784), (None, 10)):
            self.fail(f"`{name}` maps {shapes[0]} to {shapes[1]}; a digit classifier maps (None, 784) images to "
                      f"(None, 10) class probabilities", "the encoder first, then a softmax head of 10 units")

    def call(self, function: object, name: str, *args: Any) -> Any:
        """Call the student's ``function(*args)``; a stub, a non-function or an exception becomes a failure."""
        __tracebackhide__ = True  # noqa: F841
        self.answered(function, name)
        if not callable(function):
            self.fail(f"`{name}` should be a function, got {type(function).__name__}", "define it with `def`")
        try:
            return function(*args)
        except NotImplementedError as error:
            raise self.failure(f"`{name}()` still raises NotImplementedError", NO_ANSWER_HINT) from error
        except CheckFailed:
            raise
        except Exception as error:
            raise self.failure(
                f"`{name}()` raised {type(error).__name__}: {error}", "run it on a small input and read the error"
            ) from error

    def refuse_names(self, function: object, name: str, names: dict[str, str]) -> None:
        """Fail when ``function``'s code uses one of ``names`` (name -> what the task asks instead)."""
        used = code_names(function)
        for forbidden, instead in names.items():
            if forbidden in used:
                self.fail(f"`{name}` uses `{forbidden}`, which the task asks you not to use", instead)


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
                raise task.failure(
                    f"the check could not use your answer: it raised {type(error).__name__}: {error}",
                    "use the objects and functions the task names (the course's models, Keras's own classes), "
                    "and run your cell again before the check",
                ) from error

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


def _described(value: object) -> str:
    """How a failure names what a student gave: its type, and its shape when it has one."""
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__} of shape {tuple(shape)}" if shape is not None else type(value).__name__


def course_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST of the current mode, preprocessed: x_train (n, 784) float32, y_train (n,), x_test, y_test."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist(verbose=False)
    return data.preprocess(x_train), y_train, data.preprocess(x_test), y_test
