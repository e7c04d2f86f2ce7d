"""The framework of the exercise self-checks: :class:`Task`, its messages, and the course's data.

A check prints one line when an answer passes, ``✅ Task K passed: <what was verified>``, or raises
:class:`CheckFailed` (an ``AssertionError``) whose message says what is wrong and where it is taught,
``❌ Task K: <what is wrong>. Hint: <hint> (taught in <notebook>, section '<section>').`` Use
:meth:`Task.answered`, :meth:`Task.number_from`, :meth:`Task.array_from` and :meth:`Task.call` to turn
anything a student may pass (None, a stub that raises, a list instead of an array) into a clear failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from helpers import data

NO_ANSWER_HINT = "replace the `raise NotImplementedError(...)` line (and any `= None` line above it) with your code"


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

    def failure(self, problem: str, hint: str) -> CheckFailed:
        """The :class:`CheckFailed` for ``problem`` (no final full stop) with ``hint`` and the section."""
        return CheckFailed(
            f"❌ Task {self.number}: {problem}. Hint: {hint} "
            f"(taught in {self.notebook}, section '{self.section}')."
        )

    def fail(self, problem: str, hint: str) -> NoReturn:
        """Raise :meth:`failure`."""
        __tracebackhide__ = True  # noqa: F841  (IPython and pytest hide this frame from tracebacks)
        raise self.failure(problem, hint)

    def answered(self, value: object, name: str) -> None:
        """Fail when ``value`` is None: the stub's placeholder, or a function that returned nothing."""
        if value is None:
            self.fail(f"`{name}` is None: there is no answer yet", NO_ANSWER_HINT)

    def number_from(self, value: object, name: str, *, integer: bool = False) -> float:
        """``value`` as a finite float (or an int when ``integer``), or a failure that names it."""
        self.answered(value, name)
        try:
            number = float(np.asarray(value, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            self.fail(f"`{name}` should be a single number, got {type(value).__name__}", "assign a number to it")
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
        except (TypeError, ValueError):
            self.fail(f"`{name}` should be an array of numbers, got {type(value).__name__}", "return a NumPy array")
        if array.shape != shape:
            self.fail(f"`{name}` has shape {array.shape}, expected {shape}", "check which axis you reduce or index")
        if not np.all(np.isfinite(array)):
            self.fail(f"`{name}` holds NaN or infinite values", "look for a log of 0 or a division by 0")
        return array

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
        except Exception as error:
            raise self.failure(
                f"`{name}()` raised {type(error).__name__}: {error}", "run it on a small input and read the error"
            ) from error


def course_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST of the current mode, preprocessed: x_train (n, 784) float32, y_train (n,), x_test, y_test."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist(verbose=False)
    return data.preprocess(x_train), y_train, data.preprocess(x_test), y_test
