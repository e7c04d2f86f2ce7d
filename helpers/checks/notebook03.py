"""Self-checks of exercises/03_objectives.ipynb."""

from __future__ import annotations

import numpy as np

from helpers.checks.task import Task, course_data, guarded

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
#: Task 4: the check calls train_step this many times, with plain gradient descent at this learning rate.
STEPS_03, STEP_LEARNING_RATE_03 = 3, 2.0


def _loss_test_arrays() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pairs (x, x̂) of shape (16, 784) float32 to test loss functions on, some x̂ exactly 0 or 1."""
    rng = np.random.default_rng(3)
    x = rng.random((16, 784)).astype(np.float32)
    x[:8] = x[:8] > 0.5  # black-and-white images as well as grey ones
    x_hat = (rng.random((16, 784)) * 0.98 + 0.01).astype(np.float32)
    saturated = x_hat.copy()
    saturated[:, :5], saturated[:, 5:10] = 0.0, 1.0
    return {"x̂ within (0, 1)": (x, x_hat), "x̂ holding exact 0s and 1s": (x, saturated)}


@guarded(TASK_03_1)
def check_03_task1(mse_by_hand: object, bce_by_hand: object) -> None:
    """Task 1: mean squared error and binary cross-entropy written with NumPy.

    Args:
        mse_by_hand, bce_by_hand: functions (x, x_hat), both (n, 784), -> one number, the loss averaged
            over pixels and images. Compared with Keras's losses to 1e-6, also where x̂ is exactly 0 or 1.
    """
    import keras

    task = TASK_03_1
    keras_names = {name: "write it with NumPy only" for name in ("keras", "tf", "losses", "tensorflow")}
    for name, function, keras_loss, hint, more in [
        ("mse_by_hand", mse_by_hand, keras.losses.mean_squared_error,
         "the mean over the 784 pixels of each image, then over the images", "square the differences, then average"),
        ("bce_by_hand", bce_by_hand, keras.losses.binary_crossentropy,
         "the same averaging as the squared error, of the formula the task gives, in nats (natural logarithms)",
         "clip x̂ first, with float32 bounds as Keras does, or an exact 0 or 1 costs log(0)"),
    ]:
        task.answered(function, name)
        task.refuse_names(function, name, keras_names)
        for case, (x, x_hat) in _loss_test_arrays().items():
            value = task.number_from(task.call(function, name, x.copy(), x_hat.copy()), f"{name}(x, x_hat)")
            expected = float(np.mean(keras_loss(x, x_hat)))
            if abs(value - expected) > 1e-6:
                task.fail(f"`{name}` differs from Keras's loss for {case}", hint, more)
    task.passed("mse_by_hand and bce_by_hand equal Keras's losses to 1e-6, also where x̂ is exactly 0 or 1")


@guarded(TASK_03_2)
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
            f"untrained autoencoder", "reason about what an untrained network outputs for each pixel, and what the "
            "loss charges for that output; explain the gap below",
            "what does a sigmoid output when its input is close to 0, and what does binary cross-entropy charge for "
            "that prediction whatever the pixel is?",
        )
    task.passed(f"your prediction {guess:g} is within {PREDICTION_TOLERANCE} of the loss of an untrained "
                f"autoencoder built by the check ({measured:.3f})")


@guarded(TASK_03_3)
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
                  "each Dense layer takes its activation as an argument", "the code layer uses ReLU, the output "
                  "layer a sigmoid")
    if {"encoder_dense", "decoder_dense"} & {layer.name for layer in autoencoder_16.layers}:
        task.fail("`autoencoder_16` comes from models.build_autoencoder, which the task asks you not to use",
                  "build it yourself with keras.Input, keras.layers.Dense and keras.Model")
    if autoencoder_16.count_params() != models.build_autoencoder(CODE_SIZE_03, seed=0)[0].count_params():
        task.fail(f"`autoencoder_16` has {autoencoder_16.count_params():,} parameters, not those of the article's "
                  f"layers with a 16-number code",
                  "keep the layers' defaults: every Dense layer has weights and biases")
    task.answered(parameter_count, "parameter_count")
    task.refuse_names(parameter_count, "parameter_count",
                      {name: "write the count as a formula of code_size, with no Keras inside"
                       for name in ("keras", "models", "count_params", "build_autoencoder")})
    sizes = (1, 7, CODE_SIZE_03, 64, 200)
    for size in sizes:
        built = autoencoder_16 if size == CODE_SIZE_03 else models.build_autoencoder(size, seed=0)[0]
        count = task.number_from(task.call(parameter_count, "parameter_count", size),
                                 f"parameter_count({size})", integer=True)
        if count != built.count_params():
            task.fail(f"parameter_count({size}) = {count}, but a 784-{size}-784 autoencoder built with Keras has "
                      f"a different number of parameters", "count the numbers of both layers, weights and biases",
                      "a Dense layer from a inputs to b units has a × b weights and b biases")
    task.passed(f"autoencoder_16 is 784 → 16 (ReLU) → 784 (sigmoid) with {autoencoder_16.count_params():,} "
                f"parameters, and parameter_count agrees with Keras for code sizes {', '.join(map(str, sizes))}")


@guarded(TASK_03_4)
def check_03_task4(train_step: object) -> None:
    """Task 4: one gradient step on the reconstruction loss, written with ``tf.GradientTape``.

    Args:
        train_step: function (model, optimizer, x_batch) -> the batch's mean binary cross-entropy *before*
            the step (a number), which moves every trainable weight one step against the gradient.

    Runs it three times on a fresh 784-32-784 autoencoder with plain gradient descent (``SGD``, whose step is
    the gradient itself, times the learning rate) and a batch of 256 training digits. Beside it, a copy
    compiled with the same loss and optimizer takes Keras's own step, ``train_on_batch``, each time (another
    method than the tape). After every call the weights must match the copy's (so the function took exactly
    one step, along the gradient of the batch's mean binary cross-entropy), the returned value must be the
    loss before the step (to 1e-5), and the loss must fall.
    """
    import keras
    import tensorflow as tf


    task = TASK_03_4
    task.answered(train_step, "train_step")
    x_train, _, _, _ = course_data()
    batch = tf.constant(x_train[:256])
    autoencoder, reference = _autoencoders_to_step(x_train)
    optimizer = keras.optimizers.SGD(learning_rate=STEP_LEARNING_RATE_03)
    reference.compile(optimizer=keras.optimizers.SGD(learning_rate=STEP_LEARNING_RATE_03), loss="binary_crossentropy")
    losses = []
    for step in range(1, STEPS_03 + 1):
        before = [variable.numpy().copy() for variable in autoencoder.trainable_variables]
        expected = float(reference.train_on_batch(batch, batch))  # the loss before Keras's own step
        returned = task.number_from(task.call(train_step, "train_step", autoencoder, optimizer, batch),
                                    f"the value train_step returned at call {step}")
        after = [variable.numpy() for variable in autoencoder.trainable_variables]
        moved = [not np.array_equal(a, b) for a, b in zip(before, after)]
        if not all(moved):
            task.fail(f"at call {step} only {sum(moved)} of the {len(moved)} weight tensors changed",
                      "the step updates all the model's trainable weights, the encoder's and the decoder's",
                      "ask the tape for the gradient with respect to model.trainable_variables and give all of them "
                      "to optimizer.apply_gradients")
        _compare_step(task, step, before, after, [w.numpy() for w in reference.trainable_variables])
        if abs(returned - expected) > 1e-5:
            task.fail(f"at call {step} train_step returned {returned:.4f}, which is not the batch's mean binary "
                      f"cross-entropy before the step", "return the loss the tape recorded, as a Python float",
                      "the loss is averaged over the pixels and over the images of the batch")
        losses.append(returned)
    last = float(np.mean(keras.losses.binary_crossentropy(batch, autoencoder(batch))))
    task.passed(f"each of the {STEPS_03} calls took exactly one gradient step (the weights match Keras's own "
                f"train_on_batch step), returned the loss before it, and the batch loss fell from {losses[0]:.4f} "
                f"to {last:.4f}")


def _autoencoders_to_step(x_train: np.ndarray) -> tuple[object, object]:
    """Two identical 784-32-784 autoencoders whose output starts at the mean training digit, not at 0.5 everywhere.

    At 0.5 everywhere the gradients of squared error and of cross-entropy point the same way; from the mean
    digit (pixels near 0 at the border, grey in the middle) they do not, so a step can tell the losses apart.
    """
    from helpers import models

    pair = [models.build_autoencoder(32, seed=0)[0] for _ in range(2)]
    mean_digit = np.clip(x_train.mean(axis=0), 0.02, 0.98)
    for model in pair:
        kernel, bias = model.layers[-1].get_weights()
        model.layers[-1].set_weights([kernel, np.log(mean_digit / (1 - mean_digit)).astype(bias.dtype)])
    return pair[0], pair[1]


def _compare_step(task: Task, step: int, before: list[np.ndarray], after: list[np.ndarray],
                  expected: list[np.ndarray]) -> None:
    """Fail unless the student's weights ``after`` a call equal Keras's one step, ``expected``, from ``before``."""
    taken = np.concatenate([(a - b).ravel() for a, b in zip(after, before)])
    right = np.concatenate([(e - b).ravel() for e, b in zip(expected, before)])
    if np.linalg.norm(taken - right) <= 1e-3 * np.linalg.norm(right):
        return
    ratio = np.linalg.norm(taken) / np.linalg.norm(right)
    cosine = float(taken @ right / (np.linalg.norm(taken) * np.linalg.norm(right)))
    if cosine < -0.9:
        task.fail(f"at call {step} the weights moved uphill, against one step of gradient descent: the loss rises",
                  "the optimizer subtracts the gradients it is given; give it the gradients themselves")
    if cosine > 0.98 and ratio > 1.5:
        task.fail(f"one call moved the weights about {ratio:.0f} times as far as one gradient step: train_step "
                  f"takes several steps (or a larger one) per call",
                  "one call, one step: compute the gradient once and apply it once")
    if cosine > 0.98 and ratio < 0.67:
        task.fail(f"one call moved the weights about {ratio:.2f} times as far as one gradient step of the batch's "
                  f"mean loss", "the loss is the mean over pixels and images; apply the gradient as it is")
    task.fail(f"at call {step} the weights did not move along the gradient of the batch's mean binary cross-entropy "
              f"(they moved in another direction: the gradient of another loss, or of other targets or inputs)",
              "the loss to differentiate is the one the function returns: binary cross-entropy between the batch and "
              "its reconstruction", "compute the reconstruction and the loss inside the tape, from x_batch itself")


@guarded(TASK_03_5)
def check_03_task5(bce_floor: object) -> None:
    """Task 5: the binary cross-entropy of a perfect reconstruction (x̂ = x) of the test digits.

    Args:
        bce_floor: the number, in nats per pixel. Recomputed as the mean of SciPy's elementwise entropy
            function of the test pixels (another method than the loss), to 1e-5.
    """
    from scipy import special

    task = TASK_03_5
    value = task.number_from(bce_floor, "bce_floor")
    _, _, x_test, _ = course_data()
    p = x_test.astype(np.float64)
    expected = float(np.mean(special.entr(p) + special.entr(1 - p)))
    if value == 0:
        task.fail("`bce_floor` is 0, but binary cross-entropy is 0 at x̂ = x only for pixels that are exactly 0 or 1",
                  "compute the loss of x̂ = x on the test digits instead of assuming it")
    if abs(value - expected) > 1e-5:
        task.fail("`bce_floor` is not the binary cross-entropy of x̂ = x on the test digits, in nats per pixel",
                  "a perfect reconstruction is the images themselves; average the loss over pixels and images",
                  "the loss of Task 1 takes a target and a prediction: here both are the test images")
    task.passed(f"{value:.4f} nats per pixel is the loss of a perfect reconstruction of the test digits (checked "
                f"another way, from the pixels' entropy): a perfect reconstruction does not score 0")
