"""Self-checks for the exercise notebooks in ``exercises/``: one function per task, ``check_NN_taskK``.

``NN`` is the teaching notebook the exercises belong to and ``K`` the task. A check tests *properties*
of a student's answer (shapes, values within a tolerance of an independent recomputation, a loss that
falls, a threshold reached) and then either prints one line::

    ✅ Task K passed: <what was verified>

or raises :class:`CheckFailed` (an ``AssertionError``) whose message says what is wrong and where it
is taught::

    ❌ Task K: <what is wrong>. Hint: <hint> (taught in <notebook>, section '<section>').

Raising is what makes a wrong solution notebook fail its nbval run. No check stores the answer it
expects: each recomputes it from the course's data, with another method than the one the task asks
for where the task is itself a computation, or tests a property only a right answer has. Checks never
change the student's objects (a model is cloned before it is trained). Checks that train a model seed
Keras's random generators first (``keras.utils.set_random_seed(0)``), so they pass or fail the same
way every time. Each takes a few seconds at most, in both modes. The checks of notebooks 03 and
later import Keras when they run, so that importing this module (and notebook 02's exercises) stays light.

To add the checks of a new exercise notebook: define its tasks with :class:`Task`, and use
:meth:`Task.answered`, :meth:`Task.number_from`, :meth:`Task.array_from` and :meth:`Task.call` to turn
anything a student may pass (None, a stub that raises, a list instead of an array) into a clear failure.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from helpers import data, linear

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


def _course_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST of the current mode, preprocessed: x_train (n, 784) float32, y_train (n,), x_test, y_test."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist(verbose=False)
    return data.preprocess(x_train), y_train, data.preprocess(x_test), y_test


# --- 02_everything_is_a_mapping -------------------------------------------------------------------

NB02 = "02_everything_is_a_mapping"
TASK_02_1 = Task(NB02, 1, "What the mapping learned: the mean digit and the principal directions")
TASK_02_2 = Task(NB02, 2, "The simplest encoder and decoder: linear ones, found by PCA")
TASK_02_3 = Task(NB02, 3, 'What "general" means, and where it stops')

#: Task 1 asks for the variance kept by the first 1..VARIANCE_KEPT_SIZES directions.
VARIANCE_KEPT_SIZES = 100
#: Task 2 uses a code of this size.
CODE_SIZE_02 = 32


def check_02_task1(variance_kept: object, k_for_90_percent: object) -> None:
    """Task 1: the share of the pixel variance kept by the first k principal directions.

    Args:
        variance_kept: shape (100,); entry k-1 is the fraction (0..1) of the total variance of the
            784 pixels of the training digits that the first k principal directions keep.
        k_for_90_percent: the smallest k whose directions keep at least 90% of it.

    Recomputed from the eigenvalues of the pixels' covariance matrix (``np.linalg.eigvalsh``).
    """
    task = TASK_02_1
    kept = task.array_from(variance_kept, "variance_kept", (VARIANCE_KEPT_SIZES,))
    ratio_hint = (
        "for each k, divide the sum of the first k variances along the principal directions "
        "(np.cumsum of pca.explained_variance) by the total variance of all 784 pixels"
    )
    if np.any(np.diff(kept) < 0):
        task.fail("`variance_kept` decreases somewhere, but every extra direction keeps more variance", ratio_hint)
    if kept[0] <= 0 or kept[-1] > 1 + 1e-9:
        task.fail("`variance_kept` holds values outside (0, 1], so they are not fractions of the variance", ratio_hint)
    k = task.number_from(k_for_90_percent, "k_for_90_percent", integer=True)
    x_train, _, _, _ = _course_data()
    eigenvalues = np.linalg.eigvalsh(np.cov(x_train.astype(np.float64), rowvar=False))[::-1]
    share = np.cumsum(eigenvalues) / eigenvalues.sum()
    wrong = np.flatnonzero(np.abs(kept - share[:VARIANCE_KEPT_SIZES]) > 1e-3)
    if wrong.size:
        k = int(wrong[0]) + 1
        task.fail(
            f"`variance_kept[{k - 1}]` = {kept[k - 1]:.4f} is not the share of the variance that the first {k} "
            f"direction{'s' if k > 1 else ''} keep", ratio_hint,
        )
    tolerance = 5e-4  # variances with n or n - 1 in the denominator may differ by this much
    if not 1 <= k <= len(share) or share[k - 1] < 0.9 - tolerance:
        task.fail(f"the first {k} directions keep less than 90% of the variance", "look further along variance_kept")
    if k > 1 and share[k - 2] >= 0.9 + tolerance:
        task.fail(
            f"{k - 1} directions already keep 90% of the variance, so {k} is not the smallest",
            "variance_kept[k - 1] belongs to k directions: add 1 to a position found with np.argmax",
        )
    task.passed(
        f"variance_kept agrees with an independent eigendecomposition to 0.001 for every k from 1 to "
        f"{VARIANCE_KEPT_SIZES}, and {k} is the smallest code that keeps 90% of the variance"
    )


def check_02_task2(encode: object, decode: object) -> None:
    """Task 2: PCA's encoder h = W (x − μ) and decoder x̂ = Wᵀ h + μ written with NumPy.

    Args:
        encode: function (n, 784) -> (n, 32), with the PCA of the training digits at code size 32.
        decode: function (n, 32) -> (n, 784), its decoder.

    Compared with :class:`helpers.linear.PCA` on 200 test digits, to 1e-4.
    """
    task = TASK_02_2
    x_train, _, x_test, _ = _course_data()
    x = x_test[:200]
    task.answered(decode, "decode")
    h = task.array_from(task.call(encode, "encode", x), "encode(x)", (len(x), CODE_SIZE_02))
    pca = linear.fit_pca(x_train, CODE_SIZE_02)
    if not np.allclose(h, pca.encode(x), atol=1e-4):
        if np.allclose(h, x @ pca.components.T, atol=1e-4):
            task.fail("`encode(x)` projects x without first subtracting the mean digit μ", "h = W (x − μ)")
        task.fail("`encode(x)` differs from PCA's code h = W (x − μ)", "W is pca32.components, shape (32, 784)")
    h = pca.encode(x)
    x_hat = task.array_from(task.call(decode, "decode", h), "decode(h)", x.shape)
    if not np.allclose(x_hat, pca.decode(h), atol=1e-4):
        if np.allclose(x_hat, h @ pca.components, atol=1e-4):
            task.fail("`decode(h)` forgets to add the mean digit μ back", "x̂ = Wᵀ h + μ")
        task.fail("`decode(h)` differs from PCA's reconstruction x̂ = Wᵀ h + μ", "h has shape (n, 32), W (32, 784)")
    error = float(np.mean((decode(encode(x)) - x) ** 2))
    task.passed(
        f"encode and decode agree with PCA's mapping to 1e-4 on 200 test digits; "
        f"decode(encode(x)) reconstructs them with a mean squared error of {error:.4f}"
    )


def check_02_task3(error_ones: object, error_others: object) -> None:
    """Task 3: a PCA mapping (code size 32) fitted to the training 1s only, measured on test digits.

    Args:
        error_ones: its mean squared reconstruction error per pixel on the test 1s.
        error_others: the same on every other test digit.

    Recomputed with a singular value decomposition of the centred 1s, to a relative 1e-3.
    """
    task = TASK_02_3
    given = {"error_ones": task.number_from(error_ones, "error_ones"),
             "error_others": task.number_from(error_others, "error_others")}
    x_train, y_train, x_test, y_test = _course_data()
    ones = x_train[y_train == 1].astype(np.float64)
    mean = ones.mean(axis=0)
    directions = np.linalg.svd(ones - mean, full_matrices=False)[2][:CODE_SIZE_02]

    def error(x: np.ndarray) -> float:
        centred = x.astype(np.float64) - mean
        return float(np.mean((centred - centred @ directions.T @ directions) ** 2))

    expected = {"error_ones": error(x_test[y_test == 1]), "error_others": error(x_test[y_test != 1])}
    hint = ("fit with linear.fit_pca(x_train[y_train == 1], 32), then measure with losses.mean_squared_error "
            "on x_test[y_test == 1] and on x_test[y_test != 1]")
    if (np.isclose(given["error_ones"], expected["error_others"], rtol=1e-3)
            and np.isclose(given["error_others"], expected["error_ones"], rtol=1e-3)):
        task.fail("`error_ones` and `error_others` are swapped", "which of the two test sets holds only 1s?")
    for name in expected:
        if not np.isclose(given[name], expected[name], rtol=1e-3):
            task.fail(f"`{name}` = {given[name]:.5f} is not the test error of a 32-number PCA fitted to the "
                      f"training 1s only", hint)
    ratio = given["error_others"] / given["error_ones"]
    task.passed(f"both errors agree with an independent SVD; the other digits' error is {ratio:.0f} times the 1s'")


# --- 03_objectives --------------------------------------------------------------------------------

NB03 = "03_objectives"
TASK_03_1 = Task(NB03, 1, "The reconstruction loss L(x, x̂), by hand")
TASK_03_2 = Task(NB03, 2, "The reconstruction loss L(x, x̂), by hand")
TASK_03_3 = Task(NB03, 3, "The encoder h = f(x; θe) and the decoder x̂ = g(h; θd)")
TASK_03_4 = Task(NB03, 4, "Minimising the pretraining objective, one step at a time")
TASK_03_5 = Task(NB03, 5, "Why cross-entropy suits pixels in [0, 1]")

#: Task 2: how close a prediction of the untrained loss must be to the measured one.
PREDICTION_TOLERANCE = 0.05
#: Task 3: the code size of the student's autoencoder.
CODE_SIZE_03 = 16


def _loss_test_arrays() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pairs (x, x̂) of shape (16, 784) float32 to test loss functions on, some x̂ exactly 0 or 1."""
    rng = np.random.default_rng(3)
    x = rng.random((16, 784)).astype(np.float32)
    x[:8] = x[:8] > 0.5  # black-and-white images as well as grey ones
    x_hat = (rng.random((16, 784)) * 0.98 + 0.01).astype(np.float32)
    saturated = x_hat.copy()
    saturated[:, :5], saturated[:, 5:10] = 0.0, 1.0
    return {"x̂ within (0, 1)": (x, x_hat), "x̂ holding exact 0s and 1s": (x, saturated)}


def check_03_task1(mse_by_hand: object, bce_by_hand: object) -> None:
    """Task 1: mean squared error and binary cross-entropy written with NumPy.

    Args:
        mse_by_hand, bce_by_hand: functions (x, x_hat), both (n, 784), -> one number, the loss averaged
            over pixels and images. Compared with Keras's losses to 1e-6, also where x̂ is exactly 0 or 1.
    """
    import keras

    task = TASK_03_1
    for name, function, keras_loss, hint in [
        ("mse_by_hand", mse_by_hand, keras.losses.mean_squared_error,
         "average (x − x̂)² over the 784 pixels of each image, then over the images"),
        ("bce_by_hand", bce_by_hand, keras.losses.binary_crossentropy,
         "−[x log x̂ + (1 − x) log(1 − x̂)] averaged over pixels, then images, with x̂ first clipped to "
         "[1e-7, 1 − 1e-7] as Keras does"),
    ]:
        for case, (x, x_hat) in _loss_test_arrays().items():
            value = task.number_from(task.call(function, name, x, x_hat), f"{name}(x, x_hat)")
            expected = float(np.mean(keras_loss(x, x_hat)))
            if abs(value - expected) > 1e-6:
                task.fail(f"`{name}` differs from Keras's loss by {abs(value - expected):.2g} for {case}", hint)
    task.passed("mse_by_hand and bce_by_hand equal Keras's losses to 1e-6, also where x̂ is exactly 0 or 1")


def check_03_task2(predicted_loss: object) -> None:
    """Task 2: a prediction of the binary cross-entropy of an untrained autoencoder on test digits.

    Args:
        predicted_loss: the student's number, made before measuring.

    Passes when it is within 0.05 of the loss of a freshly built 784-64-784 autoencoder on 100 test digits.
    """
    import keras

    from helpers import models

    task = TASK_03_2
    guess = task.number_from(predicted_loss, "predicted_loss")
    _, _, x_test, _ = _course_data()
    x = x_test[:100]
    autoencoder, _, _ = models.build_autoencoder(64)
    measured = float(np.mean(keras.losses.binary_crossentropy(x, autoencoder.predict(x, verbose=0))))
    if abs(guess - measured) > PREDICTION_TOLERANCE:
        task.fail(
            f"your prediction {guess:g} is more than {PREDICTION_TOLERANCE} away from the loss measured on an "
            f"untrained autoencoder", "what does a sigmoid output when its input is close to 0, and what does "
            "binary cross-entropy charge for that prediction whatever the pixel is? Explain the gap below",
        )
    task.passed(f"your prediction {guess:g} is within {PREDICTION_TOLERANCE} of the loss of an untrained "
                f"autoencoder built by the check ({measured:.3f})")


def check_03_task3(autoencoder_16: object, parameter_count: object) -> None:
    """Task 3: the article's autoencoder with a 16-number code, and its parameter count as a formula.

    Args:
        autoencoder_16: a Keras model 784 -> Dense(16, relu) -> Dense(784, sigmoid).
        parameter_count: function code_size -> number of parameters of the 784-code_size-784 autoencoder,
            compared with Keras's ``count_params()`` of models built for several code sizes.
    """
    import keras

    from helpers import models

    task = TASK_03_3
    task.answered(autoencoder_16, "autoencoder_16")
    if not isinstance(autoencoder_16, keras.Model):
        task.fail(f"`autoencoder_16` should be a keras.Model, got {type(autoencoder_16).__name__}",
                  "build it with keras.Input, two keras.layers.Dense and keras.Model, as the article does")
    shapes = (tuple(autoencoder_16.input_shape), tuple(autoencoder_16.output_shape))
    if shapes != ((None, 784), (None, 784)):
        task.fail(f"`autoencoder_16` maps {shapes[0]} to {shapes[1]}; an autoencoder maps (None, 784) to "
                  f"(None, 784)", "its input is keras.Input(shape=(784,)) and its last layer has 784 units")
    dense = [layer for layer in autoencoder_16.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) != 2:
        task.fail(f"`autoencoder_16` has {len(dense)} Dense layers; the article's has two", "one encoder, one decoder")
    if dense[0].units != CODE_SIZE_03:
        task.fail(f"its code layer has {dense[0].units} units, the task asks for {CODE_SIZE_03}",
                  "the code size is the number of units of the first Dense layer")
    activations = tuple(getattr(layer.activation, "__name__", str(layer.activation)) for layer in dense)
    if activations != ("relu", "sigmoid"):
        task.fail(f"its activations are {activations}, the article's are ('relu', 'sigmoid')",
                  "pass activation='relu' to the encoder layer and activation='sigmoid' to the decoder layer")
    sizes = (1, 7, CODE_SIZE_03, 64, 200)
    for size in sizes:
        built = autoencoder_16 if size == CODE_SIZE_03 else models.build_autoencoder(size)[0]
        count = task.number_from(task.call(parameter_count, "parameter_count", size),
                                 f"parameter_count({size})", integer=True)
        if count != built.count_params():
            task.fail(f"parameter_count({size}) = {count}, but a 784-{size}-784 autoencoder built with Keras has "
                      f"a different number of parameters", "a Dense layer from a inputs to b units has a × b "
                      "weights and b biases; count both layers")
    task.passed(f"autoencoder_16 is 784 → 16 (ReLU) → 784 (sigmoid) with {autoencoder_16.count_params():,} "
                f"parameters, and parameter_count agrees with Keras for code sizes {', '.join(map(str, sizes))}")


def check_03_task4(train_step: object) -> None:
    """Task 4: one gradient step on the reconstruction loss, written with ``tf.GradientTape``.

    Args:
        train_step: function (model, optimizer, x_batch) -> the batch's mean binary cross-entropy *before*
            the step (a number), which moves every trainable weight one step against the gradient.

    Runs it three times on a fresh 784-32-784 autoencoder with Adam(learning_rate=1e-3) and a batch of
    256 training digits: the returned losses must be the batch's loss before each step (to 1e-4), every
    weight tensor must move, and the loss must fall.
    """
    import keras
    import tensorflow as tf

    from helpers import models

    task = TASK_03_4
    x_train, _, _, _ = _course_data()
    batch = tf.constant(x_train[:256])
    autoencoder, _, _ = models.build_autoencoder(32)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)

    def loss_now() -> float:
        return float(np.mean(keras.losses.binary_crossentropy(batch, autoencoder(batch))))

    start = [variable.numpy().copy() for variable in autoencoder.trainable_variables]
    first = loss_now()
    for step in range(1, 4):
        expected = loss_now()
        returned = task.number_from(task.call(train_step, "train_step", autoencoder, optimizer, batch),
                                    f"the value train_step returned at step {step}")
        if abs(returned - expected) > 1e-4:
            task.fail(f"at step {step} train_step returned {returned:.4f}, which is not the batch's mean binary "
                      f"cross-entropy before the step", "compute the loss inside the tape with "
                      "keras.losses.binary_crossentropy, average it with tf.reduce_mean, and return it")
    moved = [not np.array_equal(before, variable.numpy())
             for before, variable in zip(start, autoencoder.trainable_variables)]
    if not all(moved):
        task.fail(f"only {sum(moved)} of the {len(moved)} weight tensors changed",
                  "ask the tape for the gradient with respect to model.trainable_variables and pass all of them "
                  "to optimizer.apply_gradients")
    last = loss_now()
    if not last < first:
        task.fail(f"after 3 steps the batch loss went from {first:.4f} up to {last:.4f}",
                  "apply the gradients themselves: the optimizer subtracts them, which is a step downhill")
    task.passed(f"3 steps lowered the batch loss from {first:.4f} to {last:.4f}, the returned losses are the "
                f"loss before each step, and all {len(moved)} weight tensors moved")


def check_03_task5(bce_floor: object) -> None:
    """Task 5: the binary cross-entropy of a perfect reconstruction (x̂ = x) of the test digits.

    Args:
        bce_floor: the number, in nats per pixel. Recomputed as the mean entropy of the test pixels
            (with 0 log 0 = 0), to 1e-4.
    """
    task = TASK_03_5
    value = task.number_from(bce_floor, "bce_floor")
    _, _, x_test, _ = _course_data()
    p = x_test.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -(np.where(p > 0, p * np.log(p), 0.0) + np.where(p < 1, (1 - p) * np.log(1 - p), 0.0))
    expected = float(entropy.mean())
    if value == 0:
        task.fail("`bce_floor` is 0, but binary cross-entropy is 0 at x̂ = x only for pixels that are exactly 0 or 1",
                  "compute the loss of x̂ = x on the test digits instead of assuming it")
    if abs(value - expected) > 1e-4:
        task.fail(f"`bce_floor` = {value:.5f} is not the binary cross-entropy of x̂ = x on the test digits, "
                  f"in nats per pixel", "pass the test images as both arguments of keras.losses.binary_crossentropy "
                  "(or of your bce_by_hand) and average")
    task.passed(f"{value:.4f} nats per pixel agrees with the mean entropy of the test pixels: a perfect "
                f"reconstruction does not score 0")


# --- 04_keras_mnist_autoencoder -------------------------------------------------------------------

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
    x_train, _, _, _ = _course_data()
    x = x_train[:TRAINING_DIGITS_04]
    keras.utils.set_random_seed(0)
    copy = keras.models.clone_model(autoencoder)  # fresh weights: the student's model is left as it is
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



# --- 05_fine_tuning -------------------------------------------------------------------------------

NB05 = "05_fine_tuning"
TASK_05_1 = Task(NB05, 1, "One labelled subset, three regimes")
TASK_05_2 = Task(NB05, 2, "The claim, tested")
TASK_05_3 = Task(NB05, 3, "Three ways to adapt a pretrained encoder")
TASK_05_4 = Task(NB05, 4, "Two ways to get it wrong")

#: Tasks 3 and 4 train on this many labelled digits per class (the subset of seed 0).
LABELS_PER_CLASS_05 = 10
#: Task 3: the frozen probe's test accuracy must reach this, in full and in fast mode. A converged probe on
#: standardised codes reaches 74-78 % on the complete MNIST and 53-54 % in fast mode (whose encoder is
#: pretrained for 10 epochs on 4,000 images); a brief probe on the raw codes reaches 37 % and 20-29 %.
PROBE_ACCURACY_05 = {"full": 0.65, "fast": 0.45}
#: Task 4: a fine-tuned classifier must fit its own labelled digits at least this well.
FIT_ACCURACY_05 = 0.9


def _labelled_subset_test_data() -> tuple[np.ndarray, np.ndarray]:
    """Test data for Task 1: four classes of unequal sizes; row i of x is (i, label i, i), so a row names its index."""
    rng = np.random.default_rng(5)
    y = rng.permutation(np.repeat(np.arange(4), [30, 45, 60, 25])).astype(np.uint8)
    index = np.arange(len(y), dtype=np.float32)
    return np.stack([index, y.astype(np.float32), index], axis=1), y


def _subset_from(task: Task, function: object, x: np.ndarray, y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Call ``draw_labelled(x, y, n, seed)``, check its result, and return the indices of the rows it drew."""
    result = task.call(function, "draw_labelled", x, y, n, seed)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        task.fail("`draw_labelled` should return two arrays, (x_subset, y_subset)",
                  "end with `return x[index], y[index]`")
    x_subset, y_subset = np.asarray(result[0]), np.asarray(result[1])
    classes, counts = np.unique(y, return_counts=True)
    if x_subset.ndim != 2 or x_subset.shape[1:] != x.shape[1:] or y_subset.shape != (len(x_subset),):
        task.fail(f"`draw_labelled` returned arrays of shapes {x_subset.shape} and {y_subset.shape}; for x of shape "
                  f"{x.shape} they should be (m, {x.shape[1]}) and (m,)", "index x and y with the same index array")
    for label, count in zip(classes, counts):
        drawn = int(np.sum(y_subset == label))
        if drawn != n:
            task.fail(f"with n_per_class={n} the subset holds {drawn} examples of class {label} (which has {count})",
                      "draw n examples from each class separately: np.flatnonzero(y == c) lists the examples of "
                      "class c")
    index = x_subset[:, 0].astype(np.int64)
    if (np.any(x_subset[:, 0] != index) or index.min() < 0 or index.max() >= len(x)
            or not np.array_equal(x_subset, x[index])):
        task.fail("`x_subset` holds rows that are not rows of x", "return x[index] itself, unchanged")
    if not np.array_equal(y_subset, y[index]):
        task.fail("some x_subset[i] is not the example whose label is y_subset[i]: x and y were drawn or shuffled "
                  "separately", "draw one index array and use it for both: x[index], y[index]")
    if len(np.unique(index)) != len(index):
        task.fail("the same example appears more than once in the subset", "draw without replacement: "
                  "rng.choice(..., size=n, replace=False)")
    return index


def check_05_task1(draw_labelled: object) -> None:
    """Task 1: a stratified labelled subset, drawn reproducibly from a seed, written with NumPy.

    Args:
        draw_labelled: function (x (n, ...), y (n,) integer labels, n_per_class, seed) -> (x_subset, y_subset),
            n_per_class examples of every class present in y, without repeats, x and y aligned, at random but
            the same for the same seed.

    Tried on test data of its own (four classes of unequal sizes, rows that name their index) with several
    sizes and seeds, then on the training labels of the course with 10 per class.
    """
    task = TASK_05_1
    x, y = _labelled_subset_test_data()
    first = {n: np.sort(np.concatenate([np.flatnonzero(y == c)[:n] for c in np.unique(y)])) for n in (1, 3, 10)}
    drawn = {(n, seed): _subset_from(task, draw_labelled, x, y, n, seed) for n in (1, 3, 10) for seed in (0, 1, 2)}
    again = _subset_from(task, draw_labelled, x, y, 3, 1)
    if not np.array_equal(np.sort(again), np.sort(drawn[3, 1])):
        task.fail("two calls with the same seed gave different subsets", "make the generator from the seed: "
                  "rng = np.random.default_rng(seed), and draw everything from rng")
    if all(np.array_equal(np.sort(drawn[n, seed]), first[n]) for n, seed in drawn):
        task.fail("the subset is always the first n examples of each class", "draw them at random, with "
                  "rng.choice(np.flatnonzero(y == c), size=n, replace=False)")
    if len({tuple(np.sort(drawn[3, seed])) for seed in (0, 1, 2)}) == 1:
        task.fail("seeds 0, 1 and 2 give the same subset", "make the generator from the seed argument")
    _, y_train, _, _ = _course_data()
    x_rows = np.arange(len(y_train), dtype=np.float32)[:, None].repeat(3, axis=1)
    x_rows[:, 1] = y_train
    _subset_from(task, draw_labelled, x_rows, y_train, LABELS_PER_CLASS_05, 0)
    task.passed(f"draw_labelled gives exactly n examples of every class, without repeats, x and y aligned, the same "
                f"subset for the same seed and another for another seed; on the course's {len(y_train):,} training "
                f"labels it draws {LABELS_PER_CLASS_05} of each of the 10 digits")


def _paired_result(task: Task, function: object, baseline: np.ndarray, candidate: np.ndarray) -> tuple:
    result = task.call(function, "paired_gain", baseline, candidate)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        task.fail("`paired_gain` should return three values, (gain, spread, helps)", "end with "
                  "`return gain, spread, helps`")
    gain = task.number_from(result[0], "gain")
    spread = task.number_from(result[1], "spread")
    if not isinstance(result[2], (bool, np.bool_)):
        task.fail(f"`helps` should be True or False, got {type(result[2]).__name__}", "a comparison, `gain > spread`, "
                  "is one")
    return gain, spread, bool(result[2])


def check_05_task2(paired_gain: object) -> None:
    """Task 2: the paired comparison of two recipes' per-seed accuracies, as notebook 05 makes it.

    Args:
        paired_gain: function (baseline (s,), candidate (s,)) -> (gain, spread, helps): the mean of the paired
            differences candidate − baseline, the larger of the two arrays' standard deviations (``np.std``,
            ddof = 0) and whether gain > spread; it raises ValueError when the arrays differ in length.

    Tried on generated accuracies: a clear gain, a gain within the noise, a clear loss, and 8 seeds.
    """
    task = TASK_05_2
    base = np.array([75.3, 76.1, 74.2, 75.8, 74.9])  # spread 0.67
    rng = np.random.default_rng(6)
    cases = {
        "a clear gain": (base, base + [3.1, 2.8, 3.3, 2.9, 3.0]),
        "a gain within the noise": (base, np.array([76.4, 75.2, 75.9, 74.8, 76.0])),  # +0.40, spread 0.67
        "a clear loss": (base, base - [4.1, 3.9, 4.0, 4.2, 3.8]),
        "8 seeds": (80 + rng.normal(0, 2, 8), 81 + rng.normal(0, 2, 8)),
    }
    for case, (baseline, candidate) in cases.items():
        gain, spread, helps = _paired_result(task, paired_gain, baseline, candidate)
        expected_gain = float(np.mean(candidate) - np.mean(baseline))
        if np.isclose(gain, -expected_gain, atol=1e-9) and not np.isclose(gain, expected_gain, atol=1e-9):
            task.fail(f"for {case}, `gain` has the wrong sign", "the gain of the candidate over the baseline is "
                      "candidate − baseline")
        if not np.isclose(gain, expected_gain, atol=1e-9):
            task.fail(f"for {case}, `gain` = {gain:.4f} is not the mean of the paired differences",
                      "np.mean(candidate - baseline)")
        stds = [np.std(baseline), np.std(candidate)]
        if np.isclose(spread, max(np.std(baseline, ddof=1), np.std(candidate, ddof=1)), atol=1e-9):
            task.fail(f"for {case}, `spread` uses the sample standard deviation (ddof=1)", "the notebook's criterion "
                      "uses np.std's default, ddof=0")
        if np.isclose(spread, np.std(candidate - baseline), atol=1e-9):
            task.fail(f"for {case}, `spread` is the standard deviation of the differences", "the notebook compares "
                      "the gain with the spread between seeds of each recipe: the larger of the two np.std")
        if not np.isclose(spread, max(stds), atol=1e-9):
            task.fail(f"for {case}, `spread` = {spread:.4f} is not the larger of the two arrays' standard deviations",
                      "max(np.std(baseline), np.std(candidate))")
        if helps != (expected_gain > max(stds)):
            if helps == (abs(expected_gain) > max(stds)):
                task.fail(f"for {case}, `helps` is {helps}: a loss larger than the spread is counted as a gain",
                          "compare the gain itself, not its size, with the spread")
            task.fail(f"for {case}, `helps` is {helps}, but gain {gain:+.2f} and spread {spread:.2f} say otherwise",
                      "helps = gain > spread")
    length_hint = "compare the lengths first and `raise ValueError(...)` with a message that says why"
    for baseline, candidate in [(base, np.append(base, 76.0)), (base, base[:1])]:
        sizes = f"arrays of {len(baseline)} and {len(candidate)} seeds"
        try:
            paired_gain(baseline, candidate)
        except ValueError:
            continue
        except NotImplementedError as error:
            raise task.failure("`paired_gain()` still raises NotImplementedError", NO_ANSWER_HINT) from error
        except Exception as error:
            raise task.failure(f"on {sizes} `paired_gain` raised {type(error).__name__}, not ValueError",
                               length_hint) from error
        task.fail(f"`paired_gain` accepted {sizes}, which cannot be paired", length_hint)
    task.passed("paired_gain gives the mean paired gain, the larger spread between seeds and the notebook's verdict "
                "on a clear gain, a gain within the noise, a clear loss and 8 seeds, and refuses unpaired arrays")


def _classifier_of_digits(task: Task, model: object, name: str) -> None:
    import keras

    task.answered(model, name)
    if not isinstance(model, keras.Model):
        task.fail(f"`{name}` should be a keras.Model, got {type(model).__name__}", "keras.Sequential([...]) is one")
    shapes = (tuple(model.input_shape), tuple(model.output_shape))
    if shapes != ((None, 784), (None, 10)):
        task.fail(f"`{name}` maps {shapes[0]} to {shapes[1]}; a digit classifier maps (None, 784) images to "
                  f"(None, 10) class probabilities", "the encoder first, then a Dense(10, activation='softmax') head")


def _pretrained_kernels(task: Task, model: object, name: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """The pretrained encoder's kernel (784, 32), from its saved file, and the model's (784, 32) kernels."""
    from helpers import pretrained

    reference = pretrained.load_or_train("article", verbose=0)[0].get_weights()[0]
    kernels = [w for w in model.get_weights() if w.shape == reference.shape]
    if not kernels:
        task.fail(f"`{name}` holds no 784 × 32 weight matrix, so it is not built on the article's encoder",
                  "put the pretrained `encoder` first in the model")
    return reference, kernels


def check_05_task3(probe_classifier: object) -> None:
    """Task 3: a linear probe on the article's pretrained encoder, trained on 10 labels per class.

    Args:
        probe_classifier: a Keras model (n, 784) -> (n, 10) holding the article's pretrained encoder with its
            weights unchanged (frozen); its test accuracy must reach 65 % (full mode) or 45 % (fast mode).
    """
    from helpers import config, finetuning

    task = TASK_05_3
    _classifier_of_digits(task, probe_classifier, "probe_classifier")
    reference, kernels = _pretrained_kernels(task, probe_classifier, "probe_classifier")
    if not any(np.allclose(kernel, reference, atol=1e-5) for kernel in kernels):
        task.fail("the encoder's weights in `probe_classifier` are not the pretrained ones: the encoder was trained "
                  "(or never loaded)", "a frozen probe trains only the head: pass variables=head.trainable_variables "
                  "to training.train_in_graph")
    _, _, x_test, y_test = _course_data()
    accuracy = finetuning.accuracy(probe_classifier, x_test, y_test)
    threshold = PROBE_ACCURACY_05[config.mode_name()]
    if accuracy < threshold:
        task.fail(f"the probe classifies {100 * accuracy:.1f} % of the test digits correctly; a probe trained to "
                  f"convergence on standardised codes reaches {100 * threshold:.0f} % in {config.mode_name()} mode",
                  "standardise the codes with finetuning.code_statistics(encoder, x_train) and a "
                  "finetuning.Standardize layer, and train the head for a few hundred steps at learning rate 1e-2 "
                  "with a small L2 penalty (l2=1e-2)")
    task.passed(f"the encoder is frozen (its weights are the pretrained ones) and the probe classifies "
                f"{100 * accuracy:.1f} % of the {len(y_test):,} test digits correctly, at least "
                f"{100 * threshold:.0f} % in {config.mode_name()} mode")


def check_05_task4(naive_classifier: object) -> None:
    """Task 4: naive fine-tuning, every weight trained at once from the pretrained encoder and a random head.

    Args:
        naive_classifier: a Keras model (n, 784) -> (n, 10) built on the article's encoder and trained, encoder
            included, on the 10-per-class subset of seed 0.

    Checked loosely: the encoder's weights moved and the model fits its 100 labelled digits; the message
    gives its test accuracy next to that of a frozen probe the check trains on the same labels.
    """
    from helpers import finetuning, pretrained

    task = TASK_05_4
    _classifier_of_digits(task, naive_classifier, "naive_classifier")
    reference, kernels = _pretrained_kernels(task, naive_classifier, "naive_classifier")
    if any(np.allclose(kernel, reference, atol=1e-5) for kernel in kernels):
        task.fail("the encoder's weights in `naive_classifier` are still the pretrained ones: only the head was "
                  "trained, which is the frozen probe", "train every weight: leave out the `variables` argument")
    x_train, y_train, x_test, y_test = _course_data()
    x_few, y_few = data.stratified_sample(x_train, y_train, LABELS_PER_CLASS_05, seed=0)
    fit = finetuning.accuracy(naive_classifier, x_few, y_few)
    if fit < FIT_ACCURACY_05:
        task.fail(f"`naive_classifier` classifies only {100 * fit:.0f} % of its own 100 labelled digits correctly",
                  "train it on x_few, y_few: 300 steps at learning rate 1e-3 fit them")
    naive = finetuning.accuracy(naive_classifier, x_test, y_test)
    encoder = pretrained.load_or_train("article", verbose=0)[0]
    probe = finetuning.adapt(encoder, "frozen", x_few, y_few, statistics=finetuning.code_statistics(encoder, x_train),
                             seed=0, schedule=finetuning.course_schedule())
    frozen = finetuning.accuracy(probe, x_test, y_test)
    task.passed(f"every weight was trained and the model fits its 100 digits ({100 * fit:.0f} %). Naive fine-tuning: "
                f"{100 * naive:.1f} % of the test digits; a frozen probe on the same labels (trained by the check): "
                f"{100 * frozen:.1f} %")


# --- 06_pitfalls ----------------------------------------------------------------------------------

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
    hidden = keras.layers.BatchNormalization()(keras.layers.Dense(24)(inputs))  # 2 x 24 statistics never trained
    with_statistics = keras.Model(inputs, keras.layers.Activation("relu")(hidden), name="with_batch_statistics")
    return {"the article's encoder (784 → 32)": models.build_autoencoder(32)[1],
            "a 784 → 7 encoder": models.build_autoencoder(7)[1],
            "an encoder with batch normalisation": with_statistics,
            "a deep features model (64 + 16 numbers)": models.build_deep_autoencoder((64,), 16)[2]}


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
    x_train, y_train, _, _ = _course_data()
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

    Runs it on a fresh, compiled 784-512-10 MLP (notebook 06's) with 10 labelled digits per class, 10 more per
    class for validation and at most 40 epochs. It must stop early, exactly 5 epochs after the best validation
    loss, with the weights of that epoch (the model's validation loss afterwards is the lowest recorded, to 1e-3).
    """
    import keras

    task = TASK_06_2
    x, y, x_val, y_val = _early_stopping_split()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
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

    from helpers import finetuning

    task.answered(model, name)
    if not isinstance(model, keras.Model):
        task.fail(f"`{name}` should be a keras.Model, got {type(model).__name__}", "the first value "
                  "models.build_autoencoder returns is the autoencoder")
    if tuple(model.input_shape) != (None, 784) or tuple(model.output_shape) != (None, 784):
        task.fail(f"`{name}` maps {model.input_shape} to {model.output_shape}; an autoencoder maps (None, 784) "
                  f"to (None, 784)", "pass the autoencoder, not its encoder")
    x_hat = finetuning.predict_in_batches(model, inputs)
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
    _, _, x_test, _ = _course_data()
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
