"""Tables of the fine-tuning grid's results: rows, summaries, Markdown tables, and saving them. No TensorFlow.

A *row* is one training run, a dict ``{"recipe", "regime", "labels_per_class", "labels", "seed",
"accuracy", "seconds"}`` (accuracy as a fraction 0..1, seconds of wall time), as
:func:`helpers.finetuning.run_grid` returns it. Rendering or saving a table imports only NumPy, so a
notebook can show saved results without starting TensorFlow.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Mapping, Sequence

import numpy as np

from helpers import artifacts, validation

#: A label budget meaning every labelled training example.
ALL = "all"
#: The columns of a row, in the order the CSV file has them.
ROW_FIELDS = ("recipe", "regime", "labels_per_class", "labels", "seed", "accuracy", "seconds")


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


def summarise(rows: Sequence[Mapping]) -> list[dict]:
    """Group rows by (recipe, regime, labels_per_class): mean, standard deviation, min, max, n of accuracy.

    Returns:
        One dict per group, in the order groups first appear, accuracies in percent.
    """
    groups: dict[tuple, list[float]] = {}
    for row in _check_rows(rows):
        groups.setdefault((row["recipe"], row["regime"], row["labels_per_class"]), []).append(100 * row["accuracy"])
    return [
        {"recipe": recipe, "regime": regime, "labels_per_class": budget, "n": len(values),
         "mean": float(np.mean(values)), "std": float(np.std(values)),
         "min": float(np.min(values)), "max": float(np.max(values))}
        for (recipe, regime, budget), values in groups.items()
    ]


def markdown_table(summary: Sequence[Mapping], *, budgets: Sequence[int | str] | None = None) -> str:
    """A Markdown table: one row per (recipe, regime), one column per budget, "mean ± std (n)" in %."""
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
            values.append(f"{cell['mean']:.1f} ± {cell['std']:.1f} ({cell['n']})" if cell else "—")
        lines.append(f"| {recipe} | {regime} | " + " | ".join(values) + " |")
    return "\n".join(lines)


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
