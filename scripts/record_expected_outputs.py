"""Record, in fast mode, the outputs of every cell tagged ``nbval-check-output``, for the test suite.

Usage: ``python -m scripts.record_expected_outputs [NOTEBOOK ...]`` (``make expected-outputs``; default:
every course notebook, of notebooks/, solutions/ and exercises/, and the Chinese notebooks the tests execute
(``course_files.ZH_EXECUTED``), that has a tagged cell). Executes each
notebook on a fresh kernel with EIAM_FAST=1 and writes tests/expected_outputs/<folder>__<name>.json.
The notebooks themselves are only read, never written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from scripts.course_files import (
    CHECK_OUTPUT,
    ROOT,
    ZH_EXECUTED,
    all_notebooks,
    expected_outputs_file,
    has_tag,
    without_stderr,
)


def is_checked(cell: nbformat.NotebookNode) -> bool:
    """Whether the tests compare this cell's output with a recorded one."""
    return cell.cell_type == "code" and has_tag(cell, CHECK_OUTPUT)


def record(notebook: Path) -> Path | None:
    """Execute ``notebook`` in fast mode and write its checked cells' outputs; return the file written."""
    nb = nbformat.read(notebook, as_version=4)
    if not any(is_checked(cell) for cell in nb.cells):
        return None
    os.environ["EIAM_FAST"] = "1"
    NotebookClient(nb, timeout=1200, resources={"metadata": {"path": str(notebook.parent)}},
                   allow_errors=True).execute()
    expected = {}
    for cell in nb.cells:
        if is_checked(cell):
            outputs = without_stderr([dict(o) for o in cell.outputs])
            for output in outputs:
                output.pop("execution_count", None)
            expected[cell["id"]] = outputs
    target = expected_outputs_file(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    return target


def main(argv: list[str]) -> None:
    missing = [arg for arg in argv if not Path(arg).is_file()]
    if missing:
        raise SystemExit(f"no such notebook: {', '.join(missing)}; give paths such as notebooks/03_objectives.ipynb")
    notebooks = [Path(a).resolve() for a in argv] or all_notebooks() + list(ZH_EXECUTED)
    for notebook in notebooks:
        written = record(notebook)
        if written:
            print(f"{notebook.relative_to(ROOT)} -> {written.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
