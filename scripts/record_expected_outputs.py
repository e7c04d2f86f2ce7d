"""Record, in fast mode, the outputs of every ``# NBVAL_CHECK_OUTPUT`` cell for the test suite.

Usage: ``python -m scripts.record_expected_outputs [NOTEBOOK ...]`` (default: every course notebook,
of notebooks/, solutions/ and exercises/, that has a marked cell). Executes each notebook on
a fresh kernel with EIAM_FAST=1 and writes tests/expected_outputs/<folder>__<name>.json.
The notebooks themselves are only read, never written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from scripts.course_files import ROOT, all_notebooks, expected_outputs_file, without_stderr

MARKER = "NBVAL_CHECK_OUTPUT"


def is_marked(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and any(line.strip() == f"# {MARKER}" for line in cell.source.splitlines())


def record(notebook: Path) -> Path | None:
    """Execute ``notebook`` in fast mode and write its marked cells' outputs; return the file written."""
    nb = nbformat.read(notebook, as_version=4)
    if not any(is_marked(cell) for cell in nb.cells):
        return None
    os.environ["EIAM_FAST"] = "1"
    NotebookClient(nb, timeout=1200, resources={"metadata": {"path": str(notebook.parent)}},
                   allow_errors=True).execute()
    expected = {}
    for cell in nb.cells:
        if is_marked(cell):
            outputs = without_stderr([dict(o) for o in cell.outputs])
            for output in outputs:
                output.pop("execution_count", None)
            expected[cell["id"]] = outputs
    target = expected_outputs_file(notebook)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    return target


def main(argv: list[str]) -> None:
    notebooks = [Path(a).resolve() for a in argv] or all_notebooks()
    for notebook in notebooks:
        written = record(notebook)
        if written:
            print(f"{notebook.relative_to(ROOT)} -> {written.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
