"""How fast can training go? The floor under every training loop of a dense network: its matrix products.

Notebook 04 and ``make bench`` compare each way of training the article's autoencoder with
:func:`matrix_product_floor`, the time of one epoch's matrix products alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from helpers import validation
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

