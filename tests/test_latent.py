"""helpers.latent against direct NumPy computations on tiny inputs, and its argument checks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from helpers import latent, losses, validation


def test_interpolate_is_the_straight_line():
    start, end = np.array([0.0, 2.0, -1.0]), np.array([4.0, 2.0, 1.0])
    points = latent.interpolate(start, end, [0.0, 0.25, 1.0])
    assert points.shape == (3, 3) and points.dtype == np.float32
    np.testing.assert_allclose(points, [start, [1.0, 2.0, -0.5], end])


def test_interpolate_accepts_integer_codes():
    np.testing.assert_allclose(latent.interpolate([0, 0], [2, 4], [0.5]), [[1.0, 2.0]])


@pytest.mark.parametrize(
    ("start", "end", "weights", "match"),
    [
        (np.zeros(3), np.zeros(4), [0.5], r"start and end must have the same shape, got \(3,\) and \(4,\)"),
        (np.zeros((1, 3)), np.zeros((1, 3)), [0.5], "start must have 1 dimensions"),
        (np.zeros(3), np.zeros(3), [1.5], r"weights must lie in \[0, 1\].*np.linspace"),
        (np.zeros(3), np.zeros(3), [-0.1], r"weights must lie in \[0, 1\]"),
        (np.zeros(3), np.full(3, np.nan), [0.5], "end holds 3 NaN"),
        (np.zeros(3), np.zeros(3), [], "weights is empty"),
    ],
)
def test_interpolate_rejects_bad_arguments(start, end, weights, match):
    with pytest.raises(validation.CourseError, match=match):
        latent.interpolate(start, end, weights)


def brute_force_neighbours(queries: np.ndarray, gallery: np.ndarray, k: int) -> np.ndarray:
    """Each query's k nearest gallery rows by explicit distances (lower index first among ties)."""
    distances = np.sqrt(((queries[:, None, :] - gallery[None, :, :]) ** 2).sum(axis=2))
    return np.array([sorted(range(len(gallery)), key=lambda j, row=row: (row[j], j))[:k] for row in distances])


def test_nearest_neighbours_match_explicit_distances():
    rng = np.random.default_rng(0)
    queries, gallery = rng.normal(size=(7, 5)), rng.normal(size=(12, 5))
    found = latent.nearest_neighbours(queries, gallery, k=4)
    assert found.shape == (7, 4) and found.dtype == np.int64
    np.testing.assert_array_equal(found, brute_force_neighbours(queries, gallery, 4))


def test_nearest_neighbours_in_blocks_match_one_block(monkeypatch):
    rng = np.random.default_rng(1)
    queries, gallery = rng.normal(size=(10, 3)), rng.normal(size=(6, 3))
    whole = latent.nearest_neighbours(queries, gallery, k=2)
    monkeypatch.setattr(latent, "BLOCK_ROWS", 3)
    np.testing.assert_array_equal(latent.nearest_neighbours(queries, gallery, k=2), whole)


def test_nearest_neighbours_break_ties_by_index():
    gallery = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [3.0, 3.0]])  # the first three equally near 0
    np.testing.assert_array_equal(latent.nearest_neighbours(np.zeros((1, 2)), gallery, k=3), [[0, 1, 2]])


def test_neighbour_label_agreement_counts_the_nearest_label():
    gallery = np.array([[0.0], [10.0]])
    gallery_labels = np.array([3, 7])
    queries = np.array([[1.0], [9.0], [2.0], [6.0]])  # nearest: 0, 1, 0, 1 -> labels 3, 7, 3, 7
    query_labels = np.array([3, 7, 7, 3])
    assert latent.neighbour_label_agreement(queries, query_labels, gallery, gallery_labels) == 0.5


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: latent.nearest_neighbours(np.zeros((2, 3)), np.zeros((4, 2))),
         "queries and gallery must have as many columns, got 3 and 2"),
        (lambda: latent.nearest_neighbours(np.zeros((2, 3)), np.zeros((4, 3)), k=5), "k must be at most 4"),
        (lambda: latent.nearest_neighbours(np.zeros((2, 3)), np.zeros((4, 3)), k=0), "k must be at least 1"),
        (lambda: latent.nearest_neighbours(np.zeros(3), np.zeros((4, 3))), "queries must have 2 dimensions"),
        (lambda: latent.neighbour_label_agreement(np.zeros((2, 3)), [1], np.zeros((4, 3)), [0, 1, 2, 3]),
         "query_labels has 1 labels for 2 examples"),
        (lambda: latent.neighbour_label_agreement(np.zeros((2, 3)), [1, 2], np.zeros((4, 3)), [0, 1, 2, 11]),
         r"gallery_labels holds labels from 0 to 11"),
    ],
)
def test_retrieval_rejects_bad_arguments(call, match):
    with pytest.raises(validation.CourseError, match=match):
        call()


def test_reconstruction_errors_are_each_images_binary_cross_entropy():
    rng = np.random.default_rng(2)
    images = rng.uniform(size=(4, 784)).astype(np.float32)
    reconstructions = rng.uniform(0.01, 0.99, size=(4, 784)).astype(np.float32)
    errors = latent.reconstruction_errors(images, reconstructions)
    assert errors.shape == (4,)
    x, r = images.astype(np.float64), reconstructions.astype(np.float64)
    direct = -(x * np.log(r) + (1 - x) * np.log(1 - r)).mean(axis=1)
    np.testing.assert_allclose(errors, direct, rtol=1e-6)
    for i in range(4):  # and each is the course's batch loss on that one image
        assert errors[i] == pytest.approx(losses.binary_cross_entropy(images[i:i + 1], reconstructions[i:i + 1]))


def test_reconstruction_errors_reject_raw_pixels_and_mismatched_shapes():
    with pytest.raises(validation.CourseError, match="preprocess"):
        latent.reconstruction_errors(np.zeros((2, 784), np.uint8), np.zeros((2, 784)))
    with pytest.raises(validation.CourseError, match="must have the same shape"):
        latent.reconstruction_errors(np.zeros((2, 784), np.float32), np.zeros((3, 784)))


def test_detection_rates_count_scores_above_the_threshold():
    normal, anomalies = np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.25, 0.5, 0.6])
    assert latent.detection_rates(normal, anomalies, 0.3) == (pytest.approx(2 / 3), 0.25)  # 0.3 itself is not flagged
    assert latent.detection_rates(normal, anomalies, 1.0) == (0.0, 0.0)
    assert latent.detection_rates(normal, anomalies, 0.0) == (1.0, 1.0)


def test_false_alarm_threshold_flags_that_fraction_of_normal_scores():
    normal = np.arange(1, 101, dtype=float)  # 1..100
    threshold = latent.false_alarm_threshold(normal, 0.05)
    assert np.mean(normal > threshold) == pytest.approx(0.05)
    assert latent.false_alarm_threshold(normal, 0.0) == 100.0


def pairwise_auc(normal: np.ndarray, anomalies: np.ndarray) -> float:
    """P(anomaly > normal) + P(tie) / 2 over every pair, by brute force."""
    pairs = list(itertools.product(anomalies, normal))
    return sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs) / len(pairs)


@pytest.mark.parametrize(
    ("normal", "anomalies"),
    [
        ([0.1, 0.2, 0.3], [0.4, 0.5]),  # perfectly separated
        ([0.4, 0.5], [0.1, 0.2, 0.3]),  # the wrong way round
        ([0.1, 0.3, 0.3, 0.7], [0.3, 0.6, 0.2]),  # overlapping, with ties
        ([1.0, 2.0], [1.0, 2.0]),  # the same scores
    ],
)
def test_roc_auc_is_the_probability_an_anomaly_scores_higher(normal, anomalies):
    assert latent.roc_auc(normal, anomalies) == pytest.approx(pairwise_auc(np.array(normal), np.array(anomalies)))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: latent.roc_auc([0.1, np.inf], [0.2]), "normal_scores holds 1 NaN or infinite value"),
        (lambda: latent.roc_auc([[0.1]], [0.2]), "normal_scores must have 1 dimensions"),
        (lambda: latent.detection_rates([0.1], [0.2], "high"), "threshold must be a number"),
        (lambda: latent.false_alarm_threshold([0.1, 0.2], 1.0), "rate must be less than 1"),
        (lambda: latent.false_alarm_threshold([], 0.1), "normal_scores is empty"),
    ],
)
def test_anomaly_functions_reject_bad_arguments(call, match):
    with pytest.raises(validation.CourseError, match=match):
        call()
