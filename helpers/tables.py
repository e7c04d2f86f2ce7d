"""Tables of the fine-tuning grid's results: rows, summaries with intervals, verdicts, and saving them.

A *row* is one training run, a dict ``{"recipe", "regime", "pretraining_seed", "labels_per_class",
"labels", "seed", "val_accuracy", "accuracy", "seconds"}`` (accuracies as fractions 0..1, ``accuracy``
on the test set, seconds of wall time), as :func:`helpers.finetuning.run_grid` and
:func:`helpers.baselines.run` return it. An *arm* is a (recipe, regime) pair: all its runs at one label
budget form a grid of pretraining seeds × labelled subsets.

Choices are made on validation accuracy, reports on test accuracy: :func:`verdict` picks the best
from-scratch arm and the best pretrained arm by their mean *validation* accuracy, then compares their
*test* accuracies with the paired interval of :mod:`helpers.statistics`. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Mapping, Sequence

import numpy as np

from helpers import artifacts, splits, statistics, validation

ALL = splits.ALL
#: The columns of a row, in the order the CSV file has them.
ROW_FIELDS = ("recipe", "regime", "pretraining_seed", "labels_per_class", "labels", "seed", "val_accuracy",
              "accuracy", "seconds")
SCRATCH = "scratch"


def check_budgets(budgets: object) -> list[int | str]:
    """Label budgets: a non-empty sequence of positive numbers of labels per class, or ``"all"``."""
    if isinstance(budgets, (str, bytes)) or not isinstance(budgets, Sequence):
        raise validation.type_error("budgets", "a list of label budgets such as [1, 10, 100, 'all']", budgets)
    if not budgets:
        raise validation.value_error("budgets", "is empty", "Pass at least one, e.g. [10].")
    return [ALL if budget == ALL else validation.positive_int(budget, f"budgets[{i}]",
                                                              "A budget is labels per class, or 'all'.")
            for i, budget in enumerate(budgets)]


def _check_rows(rows: object) -> list[Mapping]:
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise validation.type_error("rows", "a list of result rows (dicts), as run_grid returns", rows)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping) or set(ROW_FIELDS) - set(row):
            raise validation.value_error(f"rows[{i}]", f"must be a dict with the keys {ROW_FIELDS}",
                                         "Pass the rows run_grid returns.")
    return list(rows)


def arm_grid(rows: Sequence[Mapping], recipe: str, regime: str, budget: int | str, *,
             key: str = "accuracy") -> tuple[np.ndarray, list[int]]:
    """One arm's scores at one budget as a (pretraining seeds × subset seeds) grid, in percent, and the subset seeds.

    A from-scratch arm has one row (no pretraining seed). Raises when the grid has holes.
    """
    chosen = [r for r in _check_rows(rows) if (r["recipe"], r["regime"], r["labels_per_class"]) ==
              (recipe, regime, budget)]
    if not chosen:
        raise validation.value_error("rows", f"hold no run of {recipe!r}, {regime!r} at {budget} labels per class")
    subset_seeds = sorted({r["seed"] for r in chosen})
    pretraining = sorted({r["pretraining_seed"] for r in chosen}, key=lambda s: -1 if s is None else s)
    grid = np.full((len(pretraining), len(subset_seeds)), np.nan)
    for r in chosen:
        grid[pretraining.index(r["pretraining_seed"]), subset_seeds.index(r["seed"])] = 100 * r[key]
    if np.isnan(grid).any():
        raise validation.value_error("rows", f"of {recipe!r}, {regime!r} at {budget} labels per class do not cover "
                                     "every (pretraining seed, subset) pair", "Run the grid again whole.")
    return grid, subset_seeds


def arms(rows: Sequence[Mapping]) -> list[tuple[str, str]]:
    """The (recipe, regime) arms in the rows, in the order they first appear."""
    return list(dict.fromkeys((r["recipe"], r["regime"]) for r in _check_rows(rows)))


def budgets_of(rows: Sequence[Mapping]) -> list[int | str]:
    """The label budgets in the rows, in the order they first appear."""
    return list(dict.fromkeys(r["labels_per_class"] for r in _check_rows(rows)))


def summarise(rows: Sequence[Mapping]) -> list[dict]:
    """One summary per (recipe, regime, labels_per_class): test accuracy's mean, 95 % interval and runs, in %.

    The interval is :func:`helpers.statistics.interval` over the arm's grid (pretraining seeds × subsets);
    with a single run it is that run's value. ``val_mean`` is the mean validation accuracy, for choosing.
    """
    summary = []
    for recipe, regime in arms(rows):
        for budget in budgets_of(rows):
            try:
                grid, _ = arm_grid(rows, recipe, regime, budget)
            except validation.ArgumentValueError:
                continue
            val_grid, _ = arm_grid(rows, recipe, regime, budget, key="val_accuracy")
            if grid.size > 1:
                mean, low, high, _ = statistics.interval(grid)
            else:
                mean = low = high = float(grid.mean())
            summary.append({"recipe": recipe, "regime": regime, "labels_per_class": budget, "n": int(grid.size),
                            "pretraining_runs": grid.shape[0], "subsets": grid.shape[1], "mean": mean, "low": low,
                            "high": high, "std": float(grid.std()), "val_mean": float(val_grid.mean())})
    return summary


def markdown_table(summary: Sequence[Mapping], *, budgets: Sequence[int | str] | None = None) -> str:
    """A Markdown table: one row per (recipe, regime), one column per budget, "mean [low, high] (runs)" in %."""
    budgets = check_budgets(budgets) if budgets is not None else list(
        dict.fromkeys(s["labels_per_class"] for s in summary))
    cells = {(s["recipe"], s["regime"], s["labels_per_class"]): s for s in summary}
    keys = list(dict.fromkeys((s["recipe"], s["regime"]) for s in summary))
    header = "| recipe | regime | " + " | ".join(f"{b} / class" if b != ALL else "all labels" for b in budgets) + " |"
    lines = [header, "|" + " --- |" * (2 + len(budgets))]
    for recipe, regime in keys:
        values = []
        for budget in budgets:
            cell = cells.get((recipe, regime, budget))
            if cell is None:
                values.append("—")
            elif cell["n"] == 1:
                values.append(f"{cell['mean']:.1f} (1)")
            else:
                values.append(f"{cell['mean']:.1f} [{cell['low']:.1f}, {cell['high']:.1f}] ({cell['n']})")
        lines.append(f"| {recipe} | {regime} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def compare(rows: Sequence[Mapping], candidate: tuple[str, str], baseline: tuple[str, str],
            budget: int | str) -> statistics.PairedInterval:
    """The paired interval of candidate − baseline test accuracy (points of %) on the same subsets at ``budget``.

    A from-scratch baseline (one run per subset) is subtracted from every pretraining run of the candidate.
    When both arms were pretrained the same number of times, run i of one is paired with run i of the other
    (independent runs, so any pairing is fair), and the differences' spread over pretraining includes both.
    """
    candidate_grid, candidate_seeds = arm_grid(rows, *candidate, budget)
    baseline_grid, baseline_seeds = arm_grid(rows, *baseline, budget)
    if candidate_seeds != baseline_seeds:
        raise validation.value_error("rows", f"of {candidate} and {baseline} were not trained on the same subsets "
                                     f"({candidate_seeds} and {baseline_seeds})", "Run them with the same seeds.")
    if baseline_grid.shape[0] == 1:
        return statistics.paired_interval(candidate_grid, baseline_grid[0])
    if baseline_grid.shape != candidate_grid.shape:
        raise validation.value_error("rows", f"of {candidate} and {baseline} have {candidate_grid.shape[0]} and "
                                     f"{baseline_grid.shape[0]} pretraining runs", "Pretrain both as often.")
    return statistics.paired_interval(candidate_grid - baseline_grid, np.zeros(baseline_grid.shape[1]))


def verdict(rows: Sequence[Mapping], budget: int | str) -> dict:
    """Is the best pretrained arm better than the best from-scratch arm at ``budget``? Chosen on validation.

    Returns:
        ``{"best_scratch", "best_pretrained"}`` (each an arm and its mean validation and test accuracy in %),
        ``"gain"`` (the :class:`~helpers.statistics.PairedInterval` of their test accuracies) and
        ``"helps"`` (True when the whole interval is above 0).
    """
    summary = {(s["recipe"], s["regime"]): s for s in summarise(rows) if s["labels_per_class"] == budget}
    scratch = [arm for arm in summary if arm[1] == SCRATCH]
    pretrained = [arm for arm in summary if arm[1] != SCRATCH]
    if not scratch or not pretrained:
        raise validation.value_error("rows", f"need from-scratch and pretrained runs at {budget} labels per class")
    best_scratch = max(scratch, key=lambda arm: summary[arm]["val_mean"])
    best_pretrained = max(pretrained, key=lambda arm: summary[arm]["val_mean"])
    gain = compare(rows, best_pretrained, best_scratch, budget)
    return {"budget": budget,
            "best_scratch": {"arm": best_scratch, "validation": summary[best_scratch]["val_mean"],
                             "test": summary[best_scratch]["mean"]},
            "best_pretrained": {"arm": best_pretrained, "validation": summary[best_pretrained]["val_mean"],
                                "test": summary[best_pretrained]["mean"]},
            "gain": gain, "helps": gain.low > 0}


def save_results(rows: Sequence[Mapping], settings: Mapping, name: str) -> dict[str, str]:
    """Write the rows and the settings that produced them as ``<name>.json`` and ``<name>.csv``, atomically.

    Settings may hold dataclasses (e.g. a ``Schedule``); they are written as dicts. Both files are
    written, or neither changes.

    Returns:
        ``{"json": path, "csv": path}`` as strings.
    """
    rows = _check_rows(rows)
    if not isinstance(settings, Mapping):
        raise validation.type_error("settings", "a dict of the settings that produced the rows", settings)
    settings = {k: (dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v) for k, v in settings.items()}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROW_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    paths = artifacts.save_files(name, {".json": artifacts.json_text({"settings": settings, "rows": rows}),
                                        ".csv": buffer.getvalue()})
    return {suffix.lstrip("."): str(path) for suffix, path in paths.items()}
