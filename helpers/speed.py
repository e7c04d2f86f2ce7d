"""How fast can training go? The floor under every training loop of a dense network: its matrix products.

Notebook 04 and ``make bench`` compare each way of training the article's autoencoder with
:func:`matrix_product_floor`, the time of one epoch's matrix products alone; ``make bench`` compares each
pretraining objective's step with :func:`network_floor`, its network's forward and backward passes alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from helpers import training, validation
from helpers.training import traced_on_purpose


def matrix_product_floor(
    n_examples: int,
    widths: Sequence[int] = (784, 32, 784),
    *,
    batch_size: int = 256,
    backward: bool = True,
    repeats: int = 3,
) -> float:
    """Seconds one epoch's matrix products alone take: the floor under any training loop of a dense network.

    A dense network of layer widths ``widths`` (the article's autoencoder: 784, 32, 784) does, for each
    mini-batch X of ``batch_size`` rows and each layer's kernel W, one product forward (X W) and, to
    train, two backward (Xᵀ dY for W's gradient, dY Wᵀ for the layer below, except below the first
    layer): 5 products per step for the article's model, about 64 million multiply-adds at batch 256.
    This times exactly those products over ``n_examples`` rows (random data; a product's cost does not
    depend on the values) inside one compiled loop, with no activations, loss, optimizer or Python
    in between. Each step also subtracts a tiny multiple of the gradients from the weights, so that
    no product can be skipped; that costs far less than the products.

    Args:
        n_examples: rows in the epoch (60,000 for the complete MNIST training set).
        widths: the layer widths, input first, at least two.
        batch_size: rows per step; the last step of the epoch is shorter, as in ``fit``.
        backward: True for a training epoch (forward and backward), False for the forward
            products only (an evaluation pass).
        repeats: timed epochs after one untimed warm-up; the median is returned.

    Returns:
        The median time of one epoch of products, in seconds.
    """
    widths = validation.positive_ints(widths, "widths", example="(784, 32, 784)")
    if len(widths) < 2:
        raise validation.value_error("widths", f"must list at least two layer widths (input first), got {widths}")
    n_examples = validation.positive_int(n_examples, "n_examples")
    batch_size = validation.positive_int(batch_size, "batch_size")
    repeats = validation.positive_int(repeats, "repeats")
    backward = validation.boolean(backward, "backward")
    generator = tf.random.Generator.from_seed(0)
    x = generator.uniform((n_examples, widths[0]))
    kernels = [0.01 * generator.normal((a, b)) for a, b in zip(widths[:-1], widths[1:])]

    def epoch(x: tf.Tensor, kernels: list[tf.Tensor]) -> tf.Tensor:
        n = tf.shape(x)[0]
        for start in tf.range(0, n, batch_size):
            activations = [x[start:start + batch_size]]
            for kernel in kernels:
                activations.append(activations[-1] @ kernel)
            if backward:
                signal = activations[-1]
                updated = list(kernels)
                for layer in reversed(range(len(kernels))):
                    gradient = tf.matmul(activations[layer], signal, transpose_a=True)
                    if layer > 0:
                        signal = tf.matmul(signal, kernels[layer], transpose_b=True)
                    updated[layer] = kernels[layer] - 1e-9 * gradient
                kernels = updated
            else:
                kernels = [kernels[0] + 1e-9 * tf.reduce_sum(activations[-1])] + kernels[1:]
        return tf.add_n([tf.reduce_sum(k) for k in kernels])

    epoch = traced_on_purpose(tf.function(epoch))  # one graph per call of this function, traced once
    epoch(x, kernels).numpy()  # trace and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        epoch(x, kernels).numpy()
        times.append(time.perf_counter() - start)
    return float(np.median(times))



class _Passes(training.Objective):
    """The sum of a model's outputs over some passes of a batch's first rows: a loss with no maths of its own."""

    n_arrays = 1

    def __init__(self, passes: list[tuple[int, bool]]) -> None:
        self.passes = passes

    def check(self, model: keras.Model, arrays: tuple[object, ...]) -> tuple[np.ndarray, ...]:
        return (np.asarray(arrays[0], np.float32),)

    def __call__(self, model: keras.Model, batch: tuple[tf.Tensor, ...], training: bool) -> tf.Tensor:
        sums = [tf.reduce_sum(model(batch[0][:rows], training=training)) for rows, _ in self.passes]
        return tf.add_n([total if backward else tf.stop_gradient(total)
                         for total, (_, backward) in zip(sums, self.passes)])


def network_floor(model: keras.Model, passes: Sequence[tuple[int, bool]], *, steps: int = 20,
                  repeats: int = 3) -> float:
    """Seconds per training step of a network's own layers alone: the floor under an objective's step.

    One step here runs ``passes``, each ``(rows, backward)``: ``rows`` random (rows, 784) images forward through
    ``model`` and, when ``backward``, back again to every weight (the convolutions, pooling, dense products and
    activations of the network), then a plain gradient-descent update with a tiny rate (so that no pass can
    be skipped), through the course's one gradient step (:class:`helpers.training.Trainer`). What an
    objective's real step adds on top is everything else: the augmentations, the loss and its maths, Adam's
    update (two moments per weight).

    Args:
        model: a Keras model taking (rows, 784) inputs (its weights move by 1e-9 × gradient per step: pass a
            model built for measuring).
        passes: the objective's passes per step, e.g. SimCLR ``[(256, True), (256, True)]`` (two views),
            a masked autoencoder ``[(256, True)]``.
        steps: steps per timed call (one compiled loop).
        repeats: timed calls after one untimed warm-up; the median is used.

    Returns:
        The median time of one step, in seconds.
    """
    model = validation.keras_model(model)
    steps = validation.positive_int(steps, "steps")
    repeats = validation.positive_int(repeats, "repeats")
    passes = [(validation.positive_int(rows, "passes' rows"), validation.boolean(backward, "passes' backward"))
              for rows, backward in passes]
    if not passes:
        raise validation.value_error("passes", "is empty",
                                     "Give at least one (rows, backward) pass, e.g. [(256, True)].")
    rows = max(r for r, _ in passes)
    x = np.random.default_rng(0).random((rows, 784), dtype=np.float32)
    trainer = training.Trainer(model, loss=_Passes(passes), optimizer=keras.optimizers.SGD(1e-9), batch_size=rows)
    data = trainer.prepare(x)
    trainer.train_steps(data, steps=1)  # trace and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.train_steps(data, steps=steps, fresh_optimizer=False)
        times.append((time.perf_counter() - start) / steps)
    return float(np.median(times))
