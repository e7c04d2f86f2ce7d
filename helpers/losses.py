"""Reconstruction losses L(x, x̂) written out in NumPy, to compare with Keras's.

Both average over pixels and then over examples: (1/n) Σ_i (1/d) Σ_j ℓ(x_ij, x̂_ij),
which is how Keras's losses reduce a batch (mean over the last axis, then over the batch).
"""

from __future__ import annotations

import numpy as np


def _pair(x: np.ndarray, x_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, x_hat = np.asarray(x, np.float64), np.asarray(x_hat, np.float64)
    if x.shape != x_hat.shape or x.ndim != 2 or x.size == 0:
        raise ValueError(f"x and x_hat must have the same non-empty shape (n, d), got {x.shape} and {x_hat.shape}.")
    return x, x_hat


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
    x, x_hat = _pair(x, x_hat)
    if x.min() < 0 or x.max() > 1:
        raise ValueError("binary cross-entropy needs targets x in [0, 1]: scale pixels with helpers.data.preprocess().")
    low, high = np.float32(epsilon), np.float32(1.0 - epsilon)
    x_hat = np.clip(x_hat.astype(np.float32), low, high).astype(np.float64)
    return float(np.mean(-(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat))))
