"""Figures of measured results: accuracy against the number of labels, accuracy bars by arm, and paired differences
with their interval.

Like :mod:`helpers.plotting`, every function returns its matplotlib figure and never calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers import plotting, splits, statistics, validation


def label_efficiency(summary: Sequence[Mapping], *, labels_with_all: int, title: str | None = None,
                     arms: Sequence[tuple[str, str]] | None = None,
                     points: Sequence[tuple[str, str]] = ()) -> Figure:
    """Test accuracy against labels per class (log scale), one line per arm, its 95 % interval shaded.

    Args:
        summary: the summaries of :func:`helpers.tables.summarise` (accuracies in %).
        labels_with_all: labels per class that the budget ``"all"`` stands for, e.g. 5,500 (the pool / 10).
        title: optional title.
        arms: the (recipe, regime) arms to draw as lines, each measured at every budget of ``summary``, in
            order; default every arm that is not in ``points``.
        points: (recipe, regime) arms measured at some budgets only (notebook 08's joint objective: 10 labels
            per class), each drawn as a star with its 95 % interval as an error bar, at the budgets it has.

    Returns:
        The figure with one axes: ``len(arms)`` lines (labelled ``"recipe, regime"``) and one error bar per
        point, all in the legend.

    Raises:
        ValueError: an arm of ``arms`` lacks a budget, or an arm of ``points`` is not in ``summary`` at all.
    """
    labels_with_all = validation.positive_int(labels_with_all, "labels_with_all")
    points = list(points)
    if arms is None:
        arms = [arm for arm in dict.fromkeys((s["recipe"], s["regime"]) for s in summary) if arm not in points]
    arms = list(arms)
    budgets = list(dict.fromkeys(s["labels_per_class"] for s in summary))
    x = [labels_with_all if b == splits.ALL else b for b in budgets]
    cells = {(s["recipe"], s["regime"], s["labels_per_class"]): s for s in summary}
    means, spreads = {}, {}
    for recipe, regime in arms:
        chosen = [cells.get((recipe, regime, b)) for b in budgets]
        if any(cell is None for cell in chosen):
            raise validation.value_error("summary", f"lacks {recipe!r}, {regime!r} at some of the budgets {budgets}",
                                         "Pass an arm measured at some budgets only in points=, not in arms=.")
        means[f"{recipe}, {regime}"] = [cell["mean"] for cell in chosen]
        spreads[f"{recipe}, {regime}"] = [cell["high"] - cell["mean"] for cell in chosen]
    measured = [[cells[(recipe, regime, b)] for b in budgets if (recipe, regime, b) in cells]
                for recipe, regime in points]
    for (recipe, regime), found in zip(points, measured):
        if not found:
            raise validation.value_error("points", f"names {recipe!r}, {regime!r}, which summary does not hold")
    fig = plotting.plot_curve(x, means, spreads=spreads, log_x=True,
                              xlabel="labelled examples per class (log scale; the last point is all labels)",
                              ylabel="test accuracy (%), 95 % interval shaded", title=title)
    ax = fig.axes[0]
    for (recipe, regime), found in zip(points, measured):
        at = [labels_with_all if cell["labels_per_class"] == splits.ALL else cell["labels_per_class"] for cell in found]
        below = [cell["mean"] - cell["low"] for cell in found]
        above = [cell["high"] - cell["mean"] for cell in found]
        ax.errorbar(at, [cell["mean"] for cell in found], yerr=[below, above], fmt="*", markersize=12, capsize=4,
                    label=f"{recipe}" + (f", {regime}" if regime != recipe else "") + " (measured at "
                          + ", ".join(f"{cell['labels_per_class']}" for cell in found) + " / class)")
    if points:
        ax.legend(fontsize=8)
    return fig


def paired_differences(differences: np.ndarray, interval: statistics.PairedInterval, *,
                       title: str | None = None, ylabel: str = "difference in test accuracy (points)") -> Figure:
    """Each paired difference as a dot (one column per labelled subset), and the mean with its 95 % interval.

    Args:
        differences: shape (s,), one per subset, or (p, s), one row per pretraining run.
        interval: the :class:`~helpers.statistics.PairedInterval` of those differences.
    """
    d = validation.finite_floats(np.asarray(differences, dtype=np.float64), "differences")
    d = d[None, :] if d.ndim == 1 else d
    if d.ndim != 2:
        raise validation.value_error("differences", f"must be 1-D or 2-D, got shape {d.shape}")
    fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
    p, s = d.shape
    for i in range(p):
        offsets = np.arange(s) + (i - (p - 1) / 2) * 0.12
        ax.scatter(offsets, d[i], s=28, alpha=0.8, label=f"pretraining run {i}" if p > 1 else "one subset")
    ax.axhline(0.0, color="black", linewidth=1)
    ax.errorbar([s + 0.6], [interval.mean], yerr=[[interval.mean - interval.low], [interval.high - interval.mean]],
                fmt="D", color="black", capsize=6, label="mean, 95 % interval")
    ax.set_xticks([*range(s), s + 0.6], [f"subset {j}" for j in range(s)] + ["mean"])
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title)
    return fig


def accuracy_bars(summary: Sequence[Mapping], *, arms: Sequence[tuple[str, str]] | None = None,
                  title: str | None = None) -> Figure:
    """Test accuracy of each arm as a bar with its 95 % interval, one group of bars per labels-per-class budget.

    Args:
        summary: the summaries of :func:`helpers.tables.summarise` (accuracies in %).
        arms: the (recipe, regime) arms to draw, in this order; default all of them, in the summary's order.
        title: optional title.
    """
    summary = list(summary)
    if not summary:
        raise validation.value_error("summary", "is empty", "Pass tables.summarise(rows) of some results.")
    arms = list(arms) if arms is not None else list(dict.fromkeys((s["recipe"], s["regime"]) for s in summary))
    budgets = list(dict.fromkeys(s["labels_per_class"] for s in summary))
    cells = {(s["recipe"], s["regime"], s["labels_per_class"]): s for s in summary}
    fig, ax = plt.subplots(figsize=(9.0, 3.8), layout="constrained")
    width = 0.8 / len(arms)
    for i, (recipe, regime) in enumerate(arms):
        chosen = [cells.get((recipe, regime, b)) for b in budgets]
        if any(cell is None for cell in chosen):
            raise validation.value_error("summary", f"lacks {recipe!r}, {regime!r} at some of the budgets {budgets}")
        means = np.array([cell["mean"] for cell in chosen])
        errors = np.array([[cell["mean"] - cell["low"] for cell in chosen],
                           [cell["high"] - cell["mean"] for cell in chosen]])
        ax.bar(np.arange(len(budgets)) + (i - (len(arms) - 1) / 2) * width, means, width * 0.92, yerr=errors,
               capsize=4, label=f"{recipe}, {regime}")
    lowest = min(cell["low"] for cell in summary)
    ax.set_ylim(max(0.0, lowest - 10), 100)
    ax.set_xticks(range(len(budgets)),
                  [f"{b} labels / class" if b != splits.ALL else "all labels" for b in budgets])
    ax.set_ylabel("test accuracy (%), 95 % interval")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the bars, never over them
    if title:
        ax.set_title(title)
    return fig
