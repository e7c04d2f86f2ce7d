"""pytest plugin: the expected outputs of nbval's checked cells, kept outside the notebooks.

Notebooks are committed without outputs, and nbval never compares a cell whose stored
``execution_count`` is empty, so the ``nbval-check-output`` cell tag alone would check nothing.
This plugin gives each tagged cell its expected outputs from
``tests/expected_outputs/<folder>__<notebook>.json`` (cell id -> outputs), recorded in fast
mode by ``make expected-outputs``. A tagged cell without a recorded output, a recorded output
whose cell is gone, or a cell that marks itself for nbval with a comment (``# NBVAL_...``: the
course uses cell tags only, which JupyterLab shows and the course build reads too) stops the run
with a message that says how to fix it.

Only stdout and results are compared, never stderr: TensorFlow writes timestamped C++ log lines
there (for example about a missing GPU) that differ from run to run and machine to machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.course_files import CHECK_OUTPUT, RAISES_EXCEPTION, expected_outputs_file, has_tag, without_stderr


def _compare_without_stderr(compare):
    def compare_outputs(self, test, ref, skip_compare=None):
        return compare(self, without_stderr(test), without_stderr(ref), skip_compare)

    return compare_outputs


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        import nbformat
        from nbval.plugin import IPyNbCell, find_comment_markers
    except ImportError:
        return
    if not getattr(IPyNbCell.compare_outputs, "_drops_stderr", False):
        IPyNbCell.compare_outputs = _compare_without_stderr(IPyNbCell.compare_outputs)
        IPyNbCell.compare_outputs._drops_stderr = True
    root = Path(config.rootpath).resolve()
    by_notebook: dict[Path, list[IPyNbCell]] = {}
    for item in items:
        if not isinstance(item, IPyNbCell):
            continue
        notebook = Path(str(item.parent.fspath))
        if any(True for _ in find_comment_markers(item.cell.source)):
            raise pytest.UsageError(
                f"{notebook.relative_to(root)}, cell {item.cell.get('id')}: an nbval comment marker (# NBVAL_...); "
                f"delete that line and tag the cell instead ({CHECK_OUTPUT!r} or {RAISES_EXCEPTION!r}; "
                f"JupyterLab: Property Inspector > Cell Tags)."
            )
        if has_tag(item.cell, CHECK_OUTPUT):
            by_notebook.setdefault(notebook, []).append(item)
    for notebook, cells in by_notebook.items():
        golden = expected_outputs_file(notebook, root)
        expected = json.loads(golden.read_text()) if golden.exists() else {}
        marked = {cell.cell.get("id") for cell in cells}
        missing = sorted(str(cid) for cid in marked - expected.keys())
        stale = sorted(expected.keys() - marked)
        if missing or stale:
            raise pytest.UsageError(
                f"{notebook.relative_to(root)}: the cells tagged {CHECK_OUTPUT!r} and {golden.relative_to(root)} "
                f"disagree (cells without a recorded output: {missing}; recorded outputs without a tagged "
                f"cell: {stale}). Run `make expected-outputs` and review the diff before committing."
            )
        for cell in cells:
            cell.cell.outputs = [nbformat.from_dict(output) for output in expected[cell.cell["id"]]]
            cell.cell.execution_count = 1  # nbval compares only cells with an execution count
