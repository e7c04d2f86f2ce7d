"""The plugin in conftest.py makes nbval's nbval-check-output cell tag really check output-free notebooks."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from scripts.course_files import CHECK_OUTPUT, ROOT

pytest_plugins = ["pytester"]


def checked_cell(source: str) -> nbformat.NotebookNode:
    return new_code_cell(source, id="answer", metadata={"tags": [CHECK_OUTPUT]})


def write_notebook(project, *cells) -> None:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, project / "notebooks" / "nb.ipynb")


@pytest.fixture
def project(pytester: pytest.Pytester):
    """A tiny project: the real conftest.py and scripts/, one output-free notebook with a checked cell."""
    shutil.copy(ROOT / "conftest.py", pytester.path / "conftest.py")
    shutil.copytree(ROOT / "scripts", pytester.path / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    (pytester.path / "notebooks").mkdir()
    write_notebook(pytester.path, checked_cell("print(6 * 7)"))
    (pytester.path / "tests" / "expected_outputs").mkdir(parents=True)
    return pytester.path


def record(project, text: str | None) -> None:
    golden = project / "tests" / "expected_outputs" / "notebooks__nb.json"
    outputs = {} if text is None else {"answer": [{"output_type": "stream", "name": "stdout", "text": text}]}
    golden.write_text(json.dumps(outputs))


def run(pytester: pytest.Pytester) -> pytest.RunResult:
    return pytester.runpytest_subprocess("--nbval-lax", "--nbval-current-env", "-p", "no:xdist", "notebooks")


def test_matching_output_passes(pytester, project):
    record(project, "42\n")
    run(pytester).assert_outcomes(passed=1)


def test_different_output_fails(pytester, project):
    record(project, "41\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Cell outputs differ*"])


def test_stderr_is_not_compared(pytester, project):
    write_notebook(project, checked_cell("import sys, time\nprint(time.time(), file=sys.stderr)\nprint(6 * 7)"))
    record(project, "42\n")
    run(pytester).assert_outcomes(passed=1)


def test_checked_cell_without_recorded_output_stops_the_run(pytester, project):
    record(project, None)
    result = run(pytester)
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*cells without a recorded output:*answer*make expected-outputs*"])


def test_an_nbval_comment_marker_stops_the_run(pytester, project):
    # A comment marker without the tag would make nbval check the cell against no recorded output: nothing.
    write_notebook(project, new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(6 * 7)", id="answer"))
    record(project, "41\n")
    result = run(pytester)
    assert result.ret != 0
    result.stderr.fnmatch_lines([f"*notebooks*nb.ipynb, cell answer: an nbval comment marker*{CHECK_OUTPUT}*"])
