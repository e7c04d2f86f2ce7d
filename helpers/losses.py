"""Reconstruction losses L(x, x̂) written out in NumPy, to compare with Keras's.

Both average over pixels and then over examples: (1/n) Σ_i (1/d) Σ_j ℓ(x_ij, x̂_ij),
which is how Keras's losses reduce a batch (mean over the last axis, then over the batch).
"""

from __future__ import annotations

import numpy as np

from helpers import validation


def _pair(x: np.ndarray, x_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = validation.finite_floats(x, "x", ndim=2)
    x_hat = validation.finite_floats(x_hat, "x_hat", ndim=2)
    if x.shape != x_hat.shape:
        raise validation.value_error("x and x_hat", f"must have the same shape, got {x.shape} and {x_hat.shape}",
                                     "Pass each image's reconstruction in the same row.")
    return x.astype(np.float64), x_hat.astype(np.float64)


def mean_squared_error(x: np.ndarray, x_hat: np.ndarray) -> float:
    """(1/n) Σ_i (1/d) Σ_j (x_ij - x̂_ij)²: mean squared error per pixel, in (pixel value)² units."""
    x, x_hat = _pair(x, x_hat)
    return float(np.mean((x - x_hat) ** 2))


def binary_cross_entropy(x: np.ndarray, x_hat: np.ndarray, epsilon: float = 1e-7) -> float:
    """(1/n) Σ_i (1/d) Σ_j −[x log x̂ + (1−x) log(1−x̂)], in nats per pixel.

    Like Keras, x̂ is first clipped to [ε, 1−ε] (``keras.config.epsilon()`` = 1e-7, bounds rounded to
    float32) so that a prediction of exactly 0 or 1 costs a large but finite amount; the value then
    matches ``keras.losses.binary_crossentropy`` on the same arrays, averaged over the batch.
    """
    return float(np.mean(binary_cross_entropy_per_example(x, x_hat, epsilon)))


def binary_cross_entropy_per_example(x: np.ndarray, x_hat: np.ndarray, epsilon: float = 1e-7) -> np.ndarray:
    """(1/d) Σ_j −[x_ij log x̂_ij + (1−x_ij) log(1−x̂_ij)] for each row i: shape (n,), float64, nats per pixel.

    The per-image loss whose mean is :func:`binary_cross_entropy` (the same clipping of x̂ to [ε, 1−ε]),
    e.g. each image's reconstruction error, to rank images by it.
    """
    x, x_hat = _pair(x, x_hat)
    if x.min() < 0 or x.max() > 1:
        raise validation.value_error("x", "must hold targets in [0, 1] for binary cross-entropy",
                                     "Scale pixels with helpers.data.preprocess().")
    low, high = np.float32(epsilon), np.float32(1.0 - epsilon)
    x_hat = np.clip(x_hat.astype(np.float32), low, high).astype(np.float64)
    return np.mean(-(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)), axis=1)
