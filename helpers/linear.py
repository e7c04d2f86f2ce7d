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

    def _check(self, x: np.ndarray, width: int, what: str) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != width:
            raise ValueError(f"{what} expects shape (n, {width}), got {x.shape}.")
        return x

    def encode(self, x: np.ndarray) -> np.ndarray:
        """h = W (x - μ): (n, d) -> (n, k), float32."""
        x = self._check(x, self.mean.shape[0], "encode()")
        return ((x - self.mean) @ self.components.T).astype(np.float32)

    def decode(self, h: np.ndarray) -> np.ndarray:
        """x̂ = Wᵀ h + μ: (n, k) -> (n, d), float32 (not clipped: a linear map can leave [0, 1])."""
        h = self._check(h, self.code_size, "decode()")
        return (h @ self.components + self.mean).astype(np.float32)

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        """g(f(x)): (n, d) -> (n, d)."""
        return self.decode(self.encode(x))

    def truncate(self, code_size: int) -> PCA:
        """The same mapping keeping only the first ``code_size`` directions."""
        if isinstance(code_size, bool) or not isinstance(code_size, int) or not 1 <= code_size <= self.code_size:
            raise ValueError(f"code_size must be an integer from 1 to {self.code_size}, got {code_size!r}.")
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
    x = np.asarray(x)
    if x.ndim != 2 or len(x) < 2 or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"fit_pca() expects a float array of shape (n, d) with n >= 2, got {x.dtype} {x.shape}; "
            f"preprocess images with helpers.data.preprocess() first."
        )
    d = x.shape[1]
    if isinstance(code_size, bool) or not isinstance(code_size, int) or not 1 <= code_size <= d:
        raise ValueError(f"code_size must be an integer from 1 to {d}, got {code_size!r}.")
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
