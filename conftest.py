"""pytest plugin: the expected outputs of nbval's checked cells, kept outside the notebooks.

Notebooks are committed without outputs, and nbval never compares a cell whose stored
``execution_count`` is empty, so a ``# NBVAL_CHECK_OUTPUT`` marker alone would check nothing.
This plugin gives each marked cell its expected outputs from
``tests/expected_outputs/<folder>__<notebook>.json`` (cell id -> outputs), recorded in fast
mode by ``make expected-outputs``. A marked cell without a recorded output, or a recorded
output whose cell is gone, stops the run with a message that says how to fix it.

Only stdout and results are compared, never stderr: TensorFlow writes timestamped C++ log lines
there (for example about a missing GPU) that differ from run to run and machine to machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.course_files import expected_outputs_file, without_stderr


def _compare_without_stderr(compare):
    def compare_outputs(self, test, ref, skip_compare=None):
        return compare(self, without_stderr(test), without_stderr(ref), skip_compare)

    return compare_outputs


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        import nbformat
        from nbval.plugin import IPyNbCell
    except ImportError:
        return
    if not getattr(IPyNbCell.compare_outputs, "_drops_stderr", False):
        IPyNbCell.compare_outputs = _compare_without_stderr(IPyNbCell.compare_outputs)
        IPyNbCell.compare_outputs._drops_stderr = True
    by_notebook: dict[Path, list[IPyNbCell]] = {}
    for item in items:
        if isinstance(item, IPyNbCell) and item.options.get("check"):
            by_notebook.setdefault(Path(str(item.parent.fspath)), []).append(item)
    root = Path(config.rootpath).resolve()
    for notebook, cells in by_notebook.items():
        golden = expected_outputs_file(notebook, root)
        expected = json.loads(golden.read_text()) if golden.exists() else {}
        marked = {cell.cell.get("id") for cell in cells}
        missing = sorted(str(cid) for cid in marked - expected.keys())
        stale = sorted(expected.keys() - marked)
        if missing or stale:
            raise pytest.UsageError(
                f"{notebook.relative_to(root)}: the NBVAL_CHECK_OUTPUT cells and {golden.relative_to(root)} "
                f"disagree (cells without a recorded output: {missing}; recorded outputs without a marked "
                f"cell: {stale}). Run `make expected-outputs` and review the diff before committing."
            )
        for cell in cells:
            cell.cell.outputs = [nbformat.from_dict(output) for output in expected[cell.cell["id"]]]
            cell.cell.execution_count = 1  # nbval compares only cells with an execution count
