"""Is a gain real? The paired 95 % confidence interval the course uses for every comparison.

Two recipes compared on the same labelled subsets give *paired* results: for subset ``j`` the
difference ``d_j = candidate_j − baseline_j`` removes what the subset itself does to accuracy. When the
candidate was also pretrained several times (pretraining seed ``i``), there is one difference per
(pretraining seed, subset), ``d_ij = candidate_ij − baseline_j``, and both the subsets and the
pretraining runs are random draws whose variance the interval must include.

:func:`paired_interval` returns the mean difference and a 95 % interval:

- one difference per subset (a 1-D array): the paired t-interval,
  ``mean ± t(0.975, n−1) · sd / √n`` (exercise 05 asks you to write it);
- a grid of differences (pretraining seeds × subsets): a t-interval whose variance has a part from the
  pretraining runs and a part from the subsets (:func:`interval`), with Satterthwaite's degrees of
  freedom. With a single pretraining seed it is the paired t-interval again.

A gain is called real only when its whole interval lies above 0 (``interval.low > 0``); an interval that
excludes 0 from below (:attr:`PairedInterval.excludes_zero` with ``high < 0``) is a real loss.
This module imports NumPy and SciPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from helpers import validation

#: The confidence level of every interval the course reports.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class PairedInterval:
    """The mean of paired differences and its 95 % interval, in the differences' unit (e.g. points of %).

    Attributes:
        mean: the mean difference.
        low, high: the interval's ends.
        n_subsets: how many labelled subsets (paired draws) the differences come from.
        n_pretraining: how many pretraining runs (1 when the candidate was not pretrained several times).
        method: ``"t"`` (one difference per subset) or ``"crossed t"`` (pretraining seeds × subsets).
    """

    mean: float
    low: float
    high: float
    n_subsets: int
    n_pretraining: int
    method: str

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval is above 0 (a real gain) or below 0 (a real loss)."""
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        return (f"{self.mean:+.1f} [{self.low:+.1f}, {self.high:+.1f}] (95 % {self.method}, {self.n_subsets} subsets"
                + (f" × {self.n_pretraining} pretraining runs)" if self.n_pretraining > 1 else ")"))


def t_interval(differences: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """``(mean, low, high)``: the t-interval of the mean of independent differences (at least 2)."""
    d = validation.finite_floats(np.asarray(differences, dtype=np.float64), "differences", ndim=1)
    if len(d) < 2:
        raise validation.value_error("differences", f"has {len(d)} value; an interval needs at least 2",
                                     "Run more seeds.")
    mean = float(d.mean())
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
    return mean, mean - half, mean + half


def interval(values: np.ndarray, *, confidence: float = CONFIDENCE) -> tuple[float, float, float, str]:
    """``(mean, low, high, method)`` of scores from independent seeds (1-D) or from a crossed design (2-D).

    1-D (one score per labelled subset): the t-interval. 2-D (pretraining seeds × subsets, each pretrained
    model trained on every subset): the grand mean, whose variance has a part from the pretraining runs
    (rows) and a part from the subsets (columns). With the two-way mean squares ``MS_rows = s·Σ(rᵢ − m)² / (p − 1)``
    and ``MS_columns = p·Σ(cⱼ − m)² / (s − 1)``, the variance of the mean is estimated as
    ``(MS_rows + MS_columns) / (p·s)`` (which slightly over-counts the residual, so errs on the wide side)
    and the interval is ``m ± t(0.975, ν)·√variance`` with Satterthwaite's degrees of freedom ν. A single row
    or a single column is the 1-D case.
    """
    values = validation.finite_floats(np.asarray(values, dtype=np.float64), "values")
    confidence = validation.number(confidence, "confidence", above=0, below=1)
    if values.ndim == 2 and 1 in values.shape:
        values = values.ravel()
    if values.ndim == 1:
        return (*t_interval(values, confidence), "t")
    if values.ndim != 2:
        raise validation.value_error("values", f"must be 1-D or 2-D (pretraining seeds × subsets), got shape "
                                     f"{values.shape}")
    p, s = values.shape
    mean = float(values.mean())
    rows = s * np.sum((values.mean(axis=1) - mean) ** 2) / (p - 1) / (p * s)
    columns = p * np.sum((values.mean(axis=0) - mean) ** 2) / (s - 1) / (p * s)
    variance = rows + columns
    if variance == 0:
        return mean, mean, mean, "crossed t"
    freedom = variance ** 2 / (rows ** 2 / (p - 1) + columns ** 2 / (s - 1))
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, freedom) * np.sqrt(variance))
    return mean, mean - half, mean + half, "crossed t"


def paired_interval(candidate: np.ndarray, baseline: np.ndarray, *, confidence: float = CONFIDENCE) -> PairedInterval:
    """The paired difference candidate − baseline, its mean and 95 % interval.

    Args:
        candidate: accuracies (or any scores) of the candidate, shape (s,) with one per labelled subset, or
            (p, s) with one row per pretraining run: entry [i, j] was trained on subset j.
        baseline: the baseline's scores on the same subsets, shape (s,), in the same order.
        confidence: the interval's level, default 0.95.

    Returns:
        A :class:`PairedInterval`; the 2-D case is :func:`interval`'s crossed t-interval.
    """
    candidate = validation.finite_floats(np.asarray(candidate, dtype=np.float64), "candidate")
    baseline = validation.finite_floats(np.asarray(baseline, dtype=np.float64), "baseline", ndim=1)
    if candidate.ndim == 1:
        candidate = candidate[None, :]
    if candidate.ndim != 2 or candidate.shape[1] != len(baseline):
        raise validation.value_error("candidate", f"has shape {candidate.shape}, but baseline has {len(baseline)} "
                                     f"subsets", "Pass one column per labelled subset, in the baseline's order.")
    if len(baseline) < 2:
        raise validation.value_error("baseline", f"has {len(baseline)} subset; a paired interval needs at least 2",
                                     "Run more labelled subsets (seeds).")
    mean, low, high, method = interval(candidate - baseline[None, :], confidence=confidence)
    return PairedInterval(mean, low, high, candidate.shape[1], candidate.shape[0], method)
