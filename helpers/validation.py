"""The course's one argument check: every public function of ``helpers`` checks its inputs here.

Each check returns the value in its normal form (a Python ``int``, a ``float``, a NumPy array of the
right dtype) or raises one of the course's own errors, which name the argument, say what was wrong
and how to fix it, before any work is done:

- :class:`ArgumentTypeError` (a ``TypeError``): the argument has the wrong type, e.g. a string where a
  model is expected, or a float where a whole number is;
- :class:`ArgumentValueError` (a ``ValueError``): the type is right, the value is not, e.g. a negative
  number of epochs, NaN pixels, images of shape (n, 28, 28) where (n, 784) is expected.

NumPy's scalars are accepted wherever Python's are (``np.int64(8)`` is an integer, ``np.float32(0.1)``
a number); ``bool`` is never taken for a number. This module imports NumPy only, so checking arguments
never starts TensorFlow.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import numpy as np

#: Pixels per flattened MNIST image, and the image shape.
N_PIXELS = 784
IMAGE_SHAPE = (28, 28)


class CourseError(Exception):
    """Base of the errors this course raises itself (as opposed to errors from a library it calls)."""


class ArgumentTypeError(CourseError, TypeError):
    """An argument of the wrong type; the message names it and says what to pass instead."""


class ArgumentValueError(CourseError, ValueError):
    """An argument of the right type with a wrong value; the message names it and says how to fix it."""


def _show(value: object) -> str:
    """A short description of a value for an error message: its repr (cut) and, for arrays, dtype and shape."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def type_error(name: str, expected: str, value: object, fix: str = "") -> ArgumentTypeError:
    """The error for argument ``name`` that should be ``expected`` but is ``value``."""
    return ArgumentTypeError(f"{name} must be {expected}, got {_show(value)}." + (f" {fix}" if fix else ""))


def value_error(name: str, problem: str, fix: str = "") -> ArgumentValueError:
    """The error for argument ``name`` whose value has ``problem`` (a phrase), with the ``fix``."""
    return ArgumentValueError(f"{name} {problem}." + (f" {fix}" if fix else ""))


# --- scalars ------------------------------------------------------------------------------------


def integer(value: object, name: str, *, minimum: int | None = None, maximum: int | None = None,
            fix: str = "") -> int:
    """``value`` as a Python int (Python or NumPy integer, not bool), within [minimum, maximum]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise type_error(name, "a whole number (an int)", value, fix)
    value = int(value)
    if minimum is not None and value < minimum:
        raise value_error(name, f"must be at least {minimum}, got {value}", fix)
    if maximum is not None and value > maximum:
        raise value_error(name, f"must be at most {maximum}, got {value}", fix)
    return value


def positive_int(value: object, name: str, fix: str = "") -> int:
    """``value`` as an int >= 1 (epochs, batch sizes, code sizes, steps...)."""
    return integer(value, name, minimum=1, fix=fix)


def seed(value: object, name: str = "seed") -> int:
    """A seed of a random generator: an int >= 0."""
    return integer(value, name, minimum=0, fix="Seeds are whole numbers such as 0, 1, 2.")


def number(value: object, name: str, *, minimum: float | None = None, maximum: float | None = None,
           above: float | None = None, below: float | None = None, fix: str = "") -> float:
    """``value`` as a finite float (Python or NumPy int or float, not bool).

    ``minimum``/``maximum`` are inclusive bounds, ``above``/``below`` exclusive ones.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise type_error(name, "a number", value, fix)
    value = float(value)
    if not math.isfinite(value):
        raise value_error(name, f"must be a finite number, got {value}", fix)
    if minimum is not None and value < minimum:
        raise value_error(name, f"must be at least {minimum:g}, got {value:g}", fix)
    if maximum is not None and value > maximum:
        raise value_error(name, f"must be at most {maximum:g}, got {value:g}", fix)
    if above is not None and value <= above:
        raise value_error(name, f"must be greater than {above:g}, got {value:g}", fix)
    if below is not None and value >= below:
        raise value_error(name, f"must be less than {below:g}, got {value:g}", fix)
    return value


def fraction(value: object, name: str, fix: str = "") -> float:
    """A fraction in [0, 1), e.g. a rate of masking noise."""
    return number(value, name, minimum=0.0, below=1.0, fix=fix)


def boolean(value: object, name: str) -> bool:
    """``value`` as a bool (Python or NumPy bool only: 0 and 1 are not accepted, to catch swapped arguments)."""
    if not isinstance(value, (bool, np.bool_)):
        raise type_error(name, "True or False", value)
    return bool(value)


def choice(value: object, name: str, options: Sequence[str]) -> str:
    """``value``, which must be one of the strings ``options``."""
    if not isinstance(value, str):
        raise type_error(name, f"one of the strings {tuple(options)}", value)
    if value not in options:
        raise value_error(name, f"must be one of {tuple(options)}, got {value!r}",
                          "Check the spelling." if any(value.lower() == o.lower() for o in options) else "")
    return value


def name_part(value: object, name: str) -> str:
    """A string usable inside a file name: letters, digits, '-', '_' and '.', not starting with '.'."""
    if not isinstance(value, str):
        raise type_error(name, "a string", value)
    if not value or value.startswith(".") or not all(c.isalnum() or c in "-_." for c in value) or ".." in value:
        raise value_error(name, f"must be letters, digits, '-', '_' or '.' (not starting with '.'), got {value!r}",
                          "It becomes part of a file name inside the artifacts folder.")
    return value


def positive_ints(values: object, name: str, *, example: str = "(512, 256)") -> tuple[int, ...]:
    """A non-empty sequence of positive whole numbers (layer widths, label budgets...), as a tuple."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise type_error(name, f"a sequence of positive whole numbers such as {example}", values)
    items = tuple(values)
    if not items:
        raise value_error(name, "is empty", f"Pass at least one, e.g. {example}.")
    return tuple(positive_int(item, f"{name}[{i}]") for i, item in enumerate(items))


def seeds(values: object, name: str = "seeds") -> list[int]:
    """A non-empty sequence of distinct seeds (e.g. ``range(5)``), as a list of ints."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise type_error(name, "a sequence of seeds such as range(5)", values)
    items = [seed(item, f"{name}[{i}]") for i, item in enumerate(values)]
    if not items:
        raise value_error(name, "is empty", "Pass at least one seed, e.g. range(3).")
    if len(set(items)) != len(items):
        raise value_error(name, f"repeats a seed ({items})", "Each seed must be a different run.")
    return items


def keras_model(value: object, name: str = "model") -> object:
    """``value``, which must be a Keras model with a known input shape (Keras is imported only here)."""
    import keras

    if not isinstance(value, keras.Model):
        raise type_error(name, "a Keras model (keras.Model)", value,
                         "Build one with helpers.models, keras.Sequential or keras.Model.")
    try:
        value.input_shape  # noqa: B018  (raises when the model was built without keras.Input)
    except (AttributeError, ValueError):
        raise value_error(name, "has no known input shape", "Start it with keras.Input(shape=...).") from None
    return value


def model_inputs(model: object, value: np.ndarray, name: str, model_name: str = "model") -> None:
    """``value`` (n, ...) has the per-example shape ``model`` expects."""
    expected = tuple(model.input_shape[1:])
    if tuple(value.shape[1:]) != expected:
        shape = ", ".join(["n", *map(str, expected)])
        fix = ("Flatten the images to (n, 784) with helpers.data.preprocess()." if expected == (N_PIXELS,)
               and tuple(value.shape[1:]) == IMAGE_SHAPE else "Pass data of the shape the model was built for.")
        raise value_error(name, f"has shape {value.shape}, but {model_name} expects ({shape})", fix)


def callable_(value: object, name: str, what: str) -> object:
    """``value``, which must be callable (``what`` describes its signature for the message)."""
    if not callable(value):
        raise type_error(name, f"a function {what}", value)
    return value


# --- arrays -------------------------------------------------------------------------------------


def array(value: object, name: str) -> np.ndarray:
    """``value`` as a NumPy array of numbers (not strings or objects), at least 1-D and non-empty."""
    if isinstance(value, (str, bytes)):
        raise type_error(name, "an array of numbers", value)
    try:
        result = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise type_error(name, "an array of numbers", value, f"({error})") from None
    if result.dtype.kind not in "biuf":
        raise type_error(name, "an array of numbers", result,
                         "Arrays of strings or Python objects cannot be images, codes or labels.")
    if result.ndim == 0:
        raise value_error(name, f"is a single number ({result.item()!r}), not an array",
                          "Pass one row per example.")
    if len(result) == 0:
        raise value_error(name, f"is empty (shape {result.shape})", "Pass at least one example.")
    return result


def finite_floats(value: object, name: str, *, ndim: int | None = None, width: int | None = None) -> np.ndarray:
    """A float array with no NaN or infinity, optionally of ``ndim`` dimensions and ``width`` columns."""
    result = array(value, name)
    if result.dtype.kind not in "f":
        raise type_error(name, "an array of floats", result,
                         "Convert with .astype('float32'); raw uint8 images go through helpers.data.preprocess().")
    if ndim is not None and result.ndim != ndim:
        raise value_error(name, f"must have {ndim} dimensions, got shape {result.shape}")
    if width is not None and result.shape[-1] != width:
        raise value_error(name, f"must have {width} columns, got shape {result.shape}")
    if not np.all(np.isfinite(result)):
        bad = int(np.size(result) - np.count_nonzero(np.isfinite(result)))
        raise value_error(name, f"holds {bad} NaN or infinite value{'s' if bad > 1 else ''}",
                          "Check where the array came from (a division by zero, a log of 0, a diverged model).")
    return result


def flat_images(value: object, name: str = "x", *, width: int = N_PIXELS) -> np.ndarray:
    """Preprocessed images: float (n, width), finite, pixel values in [0, 1]; returned as float32.

    The errors say how to fix the usual mistakes: raw uint8 pixels, (n, 28, 28) images not flattened,
    0..255 floats not divided by 255.
    """
    result = array(value, name)
    if result.dtype == np.uint8 or result.dtype.kind in "iu":
        raise type_error(name, f"float images of shape (n, {width}) with pixels in [0, 1]", result,
                         "Scale raw 0..255 pixels with helpers.data.preprocess(images).")
    if result.dtype.kind != "f":
        raise type_error(name, f"float images of shape (n, {width})", result)
    if result.ndim == 3 and result.shape[1:] == IMAGE_SHAPE and width == N_PIXELS:
        raise value_error(name, f"has shape {result.shape}: images, not flattened rows",
                          "Flatten them to (n, 784): images.reshape(len(images), 784), or helpers.data.preprocess().")
    if result.ndim != 2 or result.shape[1] != width:
        raise value_error(name, f"must have shape (n, {width}), got {result.shape}")
    result = finite_floats(result, name)
    low, high = float(result.min()), float(result.max())
    if low < 0.0 or high > 1.0:
        hint = ("These look like 0..255 pixels: divide by 255 (helpers.data.preprocess does)."
                if high > 1.0 else "Pixels must lie in [0, 1].")
        raise value_error(name, f"holds pixel values from {low:.3g} to {high:.3g}, outside [0, 1]", hint)
    return result.astype(np.float32, copy=False)


def labels(value: object, name: str = "y", *, n: int | None = None, n_classes: int = 10) -> np.ndarray:
    """Class labels 0..n_classes-1, one per example (``n`` of them when given), as an int32 array.

    Integer arrays are accepted, and float arrays whose values are whole numbers; fractional values,
    labels out of range and a wrong count are refused.
    """
    result = array(value, name)
    if result.ndim != 1:
        raise value_error(name, f"must be one label per example, shape (n,), got {result.shape}",
                          "For one-hot rows use labels.argmax(axis=1).")
    if result.dtype.kind == "f":
        if not np.all(np.isfinite(result)) or np.any(result != np.round(result)):
            raise value_error(name, "holds values that are not whole numbers (class labels are 0, 1, 2, ...)",
                              "Pass the integer labels the data loaders return, not probabilities.")
    elif result.dtype.kind == "b":
        raise type_error(name, f"integer class labels 0..{n_classes - 1}", result)
    if n is not None and len(result) != n:
        raise value_error(name, f"has {len(result)} labels for {n} examples", "Pass exactly one label per example.")
    low, high = result.min(), result.max()
    if low < 0 or high >= n_classes:
        raise value_error(name, f"holds labels from {low:g} to {high:g}; the classes are 0..{n_classes - 1}",
                          "Check that these are the labels of this data set.")
    return result.astype(np.int32)


def same_length(first: np.ndarray, second: np.ndarray, names: tuple[str, str]) -> None:
    """Two arrays with one row per example each: the same number of rows."""
    if len(first) != len(second):
        raise value_error(f"{names[0]} and {names[1]}",
                          f"must have the same number of examples, got {len(first)} and {len(second)}")


def displayable_images(value: object, name: str = "images") -> np.ndarray:
    """A batch of digit images to draw, as float32 (n, 28, 28) on a 0..1 scale.

    Accepts shape (n, 28, 28) or (n, 784), integer pixels 0..255 (divided by 255 here) or floats in
    [0, 1]; floats slightly outside [0, 1], as a linear decoder may produce, are kept (figures clip them).
    """
    result = array(value, name)
    if result.ndim not in (2, 3) or result.shape[1:] not in ((N_PIXELS,), IMAGE_SHAPE):
        raise value_error(name, f"must have shape (n, 28, 28) or (n, 784), got {result.shape}",
                          "For a single image pass image[None] (a batch of one).")
    if result.dtype.kind in "iu":
        if result.min() < 0 or result.max() > 255:
            raise value_error(name, f"holds integer pixels {result.min()}..{result.max()}, outside 0..255",
                              "Pass uint8 pixels or floats in [0, 1].")
        return result.reshape(len(result), *IMAGE_SHAPE).astype(np.float32) / 255.0
    if result.dtype.kind != "f":
        raise type_error(name, "pixels (uint8 0..255 or float 0..1)", result)
    result = finite_floats(result, name)
    low, high = float(result.min()), float(result.max())
    if low < -1.0 or high > 2.0:
        raise value_error(name, f"holds float pixels from {low:.3g} to {high:.3g}, not in [0, 1]",
                          "If these are 0..255 pixels, divide by 255 (or use helpers.data.preprocess).")
    return result.reshape(len(result), *IMAGE_SHAPE).astype(np.float32)
