"""The paired interval: the t-interval for one difference per subset, the crossed t for pretraining seeds × subsets."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from helpers import statistics, validation


def test_one_difference_per_subset_is_scipys_paired_t_interval():
    rng = np.random.default_rng(0)
    baseline = 78 + rng.normal(0, 1, 5)
    candidate = baseline + 4 + rng.normal(0, 1.5, 5)
    result = statistics.paired_interval(candidate, baseline)
    reference = scipy_stats.ttest_rel(candidate, baseline).confidence_interval(0.95)
    assert (result.low, result.high) == pytest.approx((reference.low, reference.high))
    assert result.mean == pytest.approx(np.mean(candidate - baseline)) and result.method == "t"
    assert result.excludes_zero and result.n_subsets == 5 and result.n_pretraining == 1


def test_a_gain_within_the_noise_does_not_exclude_zero():
    baseline = np.array([75.3, 76.1, 74.2, 75.8, 74.9])
    result = statistics.paired_interval(np.array([76.4, 75.2, 75.9, 74.8, 76.0]), baseline)
    assert result.low < 0 < result.high and not result.excludes_zero


def test_pretraining_seeds_widen_the_interval_when_pretraining_varies():
    rng = np.random.default_rng(1)
    baseline = 78 + rng.normal(0, 1, 5)
    subset_effect = rng.normal(0, 1, 5)
    steady = baseline + 3 + subset_effect + np.zeros((3, 1))  # three pretraining runs that agree
    varying = steady + np.array([[-2.0], [0.0], [2.0]])  # three that do not: the same mean gain
    narrow, wide = statistics.paired_interval(steady, baseline), statistics.paired_interval(varying, baseline)
    assert narrow.mean == pytest.approx(wide.mean) and wide.method == "crossed t"
    assert (wide.high - wide.low) > 2 * (narrow.high - narrow.low)
    # One pretraining run is the paired t-interval again.
    assert statistics.paired_interval(steady[:1], baseline).method == "t"


def test_the_crossed_interval_covers_the_truth_about_95_percent_of_the_time():
    """Simulated grids with pretraining and subset effects: the interval should cover the true gain ≥ 93 %."""
    rng = np.random.default_rng(2)
    covered = 0
    for _ in range(400):
        grid = 2.0 + rng.normal(0, 1, (3, 1)) + rng.normal(0, 1, (1, 5)) + rng.normal(0, 0.5, (3, 5))
        mean, low, high, _ = statistics.interval(grid)
        covered += low <= 2.0 <= high
    assert covered / 400 >= 0.93


@pytest.mark.parametrize("candidate, baseline, message", [
    (np.zeros(4), np.zeros(5), "has shape"),
    (np.zeros(1), np.zeros(1), "at least 2"),
    (np.array([1.0, np.nan]), np.zeros(2), "NaN"),
    (np.zeros((2, 2, 2)), np.zeros(2), "has shape"),
])
def test_bad_inputs(candidate, baseline, message):
    with pytest.raises(validation.CourseError, match=message):
        statistics.paired_interval(candidate, baseline)
