"""The right answers of the exercises, taken from the solution notebooks when the tests run.

No test writes a right answer down (so ``tests/`` gives none away): a test asks for the names a task's
solution defines, and :func:`answers` executes the solution notebook's set-up cells (the code before the
first task, without the Colab cell) and that task's code cells (without its ``# CHECK`` cells), in a fresh
namespace, once per notebook and task.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import nbformat

from scripts import make_exercises as gen
from scripts.course_files import SOLUTIONS

SET_UP_CELL_ID = "colab-setup"


def task_cells(notebook: str) -> tuple[list[str], dict[int, list[str]]]:
    """The code of ``solutions/<notebook>.ipynb``: its set-up cells, and each task's code cells (checks left out)."""
    cells = nbformat.read(SOLUTIONS / f"{notebook}.ipynb", as_version=4).cells
    set_up, tasks, current = [], {}, None
    for cell in cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            match = re.match(r"## Task (\d+) · ", cell.source)
            current = int(match.group(1)) if match else -1
            tasks.setdefault(current, [])
            continue
        if cell.cell_type != "code" or cell.get("id") == SET_UP_CELL_ID or cell.source.startswith(gen.CHECK_PREFIX):
            continue
        (set_up if current is None else tasks[current]).append(cell.source)
    return set_up, {number: sources for number, sources in tasks.items() if number > 0}


@functools.cache
def _namespace(notebook: str, task: int) -> dict[str, Any]:
    set_up, tasks = task_cells(notebook)
    if task not in tasks:
        raise KeyError(f"solutions/{notebook}.ipynb has no '## Task {task} ·' section")
    namespace: dict[str, Any] = {"__name__": f"solution_{notebook}_task{task}"}
    for source in [*set_up, *tasks[task]]:
        exec(compile(source, f"solutions/{notebook}.ipynb", "exec"), namespace)
    return namespace


def answers(notebook: str, task: int, *names: str) -> Any:
    """The values the solution of ``task`` gives ``names`` (one value, or a tuple for several names)."""
    namespace = _namespace(notebook, task)
    values = tuple(namespace[name] for name in names)
    return values[0] if len(values) == 1 else values
