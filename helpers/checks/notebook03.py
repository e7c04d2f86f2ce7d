"""Self-checks of exercises/03_objectives.ipynb."""

from __future__ import annotations

import numpy as np

from helpers.checks.task import Task, course_data

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
    _, _, x_test, _ = course_data()
    x = x_test[:100]
    autoencoder, _, _ = models.build_autoencoder(64, seed=0)
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
        built = autoencoder_16 if size == CODE_SIZE_03 else models.build_autoencoder(size, seed=0)[0]
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
    x_train, _, _, _ = course_data()
    batch = tf.constant(x_train[:256])
    autoencoder, _, _ = models.build_autoencoder(32, seed=0)
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
    _, _, x_test, _ = course_data()
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
