"""The latent space, explored: interpolation, nearest neighbours and anomaly scores, in NumPy.

An encoder maps each 784-pixel image to a code (notebook 04's: 32 numbers). This module holds the
measurements notebook 04b makes on those codes; each works on plain arrays (codes or flattened images,
one row per example), so the same function compares code space with pixel space:

- :func:`interpolate`: the straight line between two points, ``(1 − w) · start + w · end``;
- :func:`nearest_neighbours` and :func:`neighbour_label_agreement`: Euclidean retrieval, and how often
  the nearest labelled example has the query's label (1-nearest-neighbour accuracy);
- :func:`reconstruction_errors`, :func:`detection_rates`, :func:`false_alarm_threshold` and
  :func:`roc_auc`: anomaly detection by reconstruction error (a high error: not like the training data).

It imports NumPy and SciPy only (no TensorFlow): the notebook encodes and decodes, this module measures.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as scipy_stats

from helpers import losses, validation

#: Rows of queries per block in :func:`nearest_neighbours`, so that a block's distance matrix stays small.
BLOCK_ROWS = 1024


def _floats(value: object, name: str, ndim: int) -> np.ndarray:
    """Finite numbers (ints or floats) with ``ndim`` dimensions, as float64."""
    return validation.finite_floats(validation.array(value, name).astype(np.float64, copy=False), name, ndim=ndim)


def _rows(value: object, name: str) -> np.ndarray:
    """One row per example, (n, d), finite, as float64."""
    return _floats(value, name, 2)


def interpolate(start: np.ndarray, end: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Points on the straight line from ``start`` to ``end``: ``(1 − w) · start + w · end`` for each weight w.

    Args:
        start, end: two points of the same shape (d,): two codes, or two flattened images.
        weights: the mixing weights, shape (s,), each in [0, 1] (0 gives ``start``, 1 gives ``end``).

    Returns:
        float32 array (s, d), one point per weight, in the order of ``weights``.
    """
    start = _floats(start, "start", 1)
    end = _floats(end, "end", 1)
    if start.shape != end.shape:
        raise validation.value_error("start and end", f"must have the same shape, got {start.shape} and {end.shape}",
                                     "Pass two codes of one encoder, or two flattened images.")
    weights = _floats(weights, "weights", 1)
    if weights.min() < 0 or weights.max() > 1:
        raise validation.value_error("weights", f"must lie in [0, 1], got {weights.min():g} to {weights.max():g}",
                                     "A weight w mixes (1 - w) of start with w of end, e.g. np.linspace(0, 1, 9).")
    return ((1.0 - weights)[:, None] * start + weights[:, None] * end).astype(np.float32)


def nearest_neighbours(queries: np.ndarray, gallery: np.ndarray, k: int = 1) -> np.ndarray:
    """The indices of each query's ``k`` nearest rows of ``gallery``, by Euclidean distance, nearest first.

    Distances are computed as ``|q|² − 2 q·g + |g|²`` with matrix products, in blocks of
    :data:`BLOCK_ROWS` queries; among equally distant rows the lower index comes first.

    Args:
        queries: (n, d) floats: codes, or flattened images.
        gallery: (m, d) floats, in the same space; k <= m.
        k: how many neighbours per query.

    Returns:
        int64 array (n, k): row i holds the gallery indices of query i's neighbours, nearest first.
    """
    queries = _rows(queries, "queries")
    gallery = _rows(gallery, "gallery")
    if queries.shape[1] != gallery.shape[1]:
        raise validation.value_error("queries and gallery", f"must have as many columns, got {queries.shape[1]} and "
                                     f"{gallery.shape[1]}", "Compare codes with codes and images with images.")
    k = validation.integer(k, "k", minimum=1, maximum=len(gallery), fix="It is how many neighbours to return.")
    gallery_norms = np.sum(gallery**2, axis=1)
    found = []
    for begin in range(0, len(queries), BLOCK_ROWS):
        block = queries[begin:begin + BLOCK_ROWS]
        distances = np.sum(block**2, axis=1)[:, None] - 2.0 * block @ gallery.T + gallery_norms[None, :]
        found.append(np.argsort(distances, axis=1, kind="stable")[:, :k])
    return np.concatenate(found).astype(np.int64)


def neighbour_label_agreement(
    queries: np.ndarray, query_labels: np.ndarray, gallery: np.ndarray, gallery_labels: np.ndarray
) -> float:
    """The fraction of queries whose nearest gallery row has the query's label (1-nearest-neighbour accuracy).

    Args:
        queries: (n, d) floats, e.g. the codes (or pixels) of test digits.
        query_labels: (n,) labels 0..9.
        gallery: (m, d) floats in the same space, e.g. a few labelled training digits.
        gallery_labels: (m,) labels 0..9.

    Returns:
        A fraction in [0, 1].
    """
    queries = _rows(queries, "queries")
    gallery = _rows(gallery, "gallery")
    query_labels = validation.labels(query_labels, "query_labels", n=len(queries))
    gallery_labels = validation.labels(gallery_labels, "gallery_labels", n=len(gallery))
    nearest = nearest_neighbours(queries, gallery, 1)[:, 0]
    return float(np.mean(gallery_labels[nearest] == query_labels))


def reconstruction_errors(images: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Each image's reconstruction error: binary cross-entropy averaged over its 784 pixels, in nats per pixel.

    The autoencoder's own training loss, per image (:func:`helpers.losses.binary_cross_entropy_per_example`).

    Args:
        images: (n, 784) preprocessed images in [0, 1].
        reconstructions: (n, 784), e.g. ``autoencoder`` outputs in (0, 1).

    Returns:
        float64 array (n,).
    """
    images = validation.flat_images(images, "images")
    reconstructions = validation.finite_floats(reconstructions, "reconstructions", ndim=2)
    return losses.binary_cross_entropy_per_example(images, reconstructions)


def detection_rates(normal_scores: np.ndarray, anomaly_scores: np.ndarray, threshold: float) -> tuple[float, float]:
    """What a detector that flags every score above ``threshold`` finds.

    Args:
        normal_scores: (n,) scores of examples of the kind the model was trained on (e.g. MNIST digits).
        anomaly_scores: (m,) scores of examples of another kind (e.g. Fashion-MNIST clothes).
        threshold: flag a score strictly greater than this.

    Returns:
        ``(detection_rate, false_alarm_rate)``: the fraction of anomalies flagged and the fraction of
        normal examples flagged, both in [0, 1].
    """
    normal_scores = _floats(normal_scores, "normal_scores", 1)
    anomaly_scores = _floats(anomaly_scores, "anomaly_scores", 1)
    threshold = validation.number(threshold, "threshold")
    return float(np.mean(anomaly_scores > threshold)), float(np.mean(normal_scores > threshold))


def false_alarm_threshold(normal_scores: np.ndarray, rate: float) -> float:
    """The threshold that flags a fraction ``rate`` of ``normal_scores``: their (1 − rate) quantile.

    Choose it on validation data (scores of normal examples the test set does not contain), then
    measure :func:`detection_rates` on the test sets.

    Args:
        normal_scores: (n,) scores of normal examples.
        rate: the wanted false-alarm rate, in [0, 1), e.g. 0.05.

    Returns:
        The threshold (NumPy's default, linearly interpolated quantile).
    """
    normal_scores = _floats(normal_scores, "normal_scores", 1)
    rate = validation.fraction(rate, "rate", "It is the fraction of normal examples to flag, e.g. 0.05.")
    return float(np.quantile(normal_scores, 1.0 - rate))


def roc_auc(normal_scores: np.ndarray, anomaly_scores: np.ndarray) -> float:
    """The area under the ROC curve of the detector "a high score is an anomaly".

    It equals the probability that a random anomaly scores higher than a random normal example (ties
    count one half): the Mann-Whitney U statistic divided by n·m (``scipy.stats.mannwhitneyu``).
    1 separates them perfectly, 0.5 is chance.

    Args:
        normal_scores: (n,) scores of normal examples.
        anomaly_scores: (m,) scores of anomalies.

    Returns:
        A number in [0, 1].
    """
    normal_scores = _floats(normal_scores, "normal_scores", 1)
    anomaly_scores = _floats(anomaly_scores, "anomaly_scores", 1)
    u = scipy_stats.mannwhitneyu(anomaly_scores, normal_scores, alternative="two-sided").statistic
    return float(u / (len(anomaly_scores) * len(normal_scores)))
