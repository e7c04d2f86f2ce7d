"""The simplest encoder and decoder: a linear mapping found by principal component analysis (PCA).

The encoder is ``h = f(x) = W (x - μ)`` and the decoder ``x̂ = g(h) = Wᵀ h + μ``, where the k rows
of W are the top k principal directions of the training images. Among all linear encoder/decoder
pairs with a k-dimensional code, this one has the smallest mean squared reconstruction error on
the data it was fitted to (the Eckart-Young theorem); a linear autoencoder trained on squared
error converges to the same subspace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers import validation


@dataclass(frozen=True)
class PCA:
    """A fitted linear encoder/decoder pair.

    Attributes:
        mean: μ, shape (d,), the mean training image.
        components: W, shape (k, d), orthonormal rows, the principal directions by decreasing variance.
        explained_variance: shape (k,), the variance of the data along each direction (pixel² units).
    """

    mean: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray

    @property
    def code_size(self) -> int:
        return int(self.components.shape[0])

    def _check(self, x: np.ndarray, width: int, name: str) -> np.ndarray:
        x = validation.array(x, name)
        if x.ndim != 2 or x.shape[1] != width:
            raise validation.value_error(name, f"must have shape (n, {width}), got {x.shape}")
        return validation.finite_floats(x.astype(np.float64), name)

    def encode(self, x: np.ndarray) -> np.ndarray:
        """h = W (x - μ): (n, d) -> (n, k), float32."""
        x = self._check(x, self.mean.shape[0], "x")
        return ((x - self.mean) @ self.components.T).astype(np.float32)

    def decode(self, h: np.ndarray) -> np.ndarray:
        """x̂ = Wᵀ h + μ: (n, k) -> (n, d), float32 (not clipped: a linear map can leave [0, 1])."""
        h = self._check(h, self.code_size, "h")
        return (h @ self.components + self.mean).astype(np.float32)

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        """g(f(x)): (n, d) -> (n, d)."""
        return self.decode(self.encode(x))

    def truncate(self, code_size: int) -> PCA:
        """The same mapping keeping only the first ``code_size`` directions."""
        code_size = validation.integer(code_size, "code_size", minimum=1, maximum=self.code_size)
        return PCA(self.mean, self.components[:code_size], self.explained_variance[:code_size])


def fit_pca(x: np.ndarray, code_size: int) -> PCA:
    """Fit a PCA encoder/decoder with a ``code_size``-dimensional code to the rows of ``x``.

    Args:
        x: float array of shape (n, d), e.g. preprocessed images (n, 784) in [0, 1]; n >= 2.
        code_size: k, from 1 to d.

    Returns:
        The fitted :class:`PCA`. Computed from the eigenvectors of the d × d covariance matrix
        (float64), so the cost grows with d², not with n².
    """
    x = validation.finite_floats(x, "x", ndim=2)
    if len(x) < 2:
        raise validation.value_error("x", f"has {len(x)} row; PCA needs at least 2", "Pass more images.")
    d = x.shape[1]
    code_size = validation.integer(code_size, "code_size", minimum=1, maximum=d)
    x = x.astype(np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    covariance = centred.T @ centred / (len(x) - 1)
    variances, vectors = np.linalg.eigh(covariance)  # ascending order
    order = np.argsort(variances)[::-1][:code_size]
    components = vectors[:, order].T
    # Fix each direction's sign (eigenvectors are defined up to sign) so results are reproducible.
    signs = np.sign(components[np.arange(code_size), np.abs(components).argmax(axis=1)])
    return PCA(mean, components * signs[:, None], np.clip(variances[order], 0.0, None))
