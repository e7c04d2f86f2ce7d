"""Grade students' exercise notebooks: run each headless on a fresh kernel and record every checked task.

Usage::

    python -m scripts.grade SUBMISSIONS [--out build/grades] [--timeout 900]     # make grade SUBMISSIONS=folder

``SUBMISSIONS`` holds one folder per student (its name is the student's), each with that student's exercise
notebooks, named like the handed-out ones (``02_everything_is_a_mapping.ipynb``; only the two-digit number
counts, so ``02_mine.ipynb`` is notebook 02). Every notebook is executed from the top on a fresh kernel, in an
empty working folder, with the course's ``helpers`` of this checkout, and within ``--timeout`` seconds in all.
Its ``# CHECK`` cells are not the student's: each is replaced by the check cell as handed out (the exercise
generated from ``solutions/``, matched by cell id), so editing a check cell changes nothing; a check cell that
was deleted counts as a failed task.

Before any of the student's code runs, a first cell records the objects the checks rely on (every attribute
of the ``helpers`` modules, of NumPy, SciPy's statistics, Keras's main modules and the builtins, and of the
classes ``Task``, ``CheckFailed`` and ``keras.Model``). Before each check cell, a probe compares them: a
notebook that replaced any of them (``Task.fail``, a check function, ``np.allclose``, ``print``...) or rebound
the name ``checks`` is reported as tampering with the checks, and its tasks from there on as failed. This
catches tampering by ordinary means, not a student who studies this grader to defeat it; the grades are a
first pass for an instructor to review, not a sandbox (the notebooks run with the grader's permissions).

Outputs in ``--out``: ``grades.csv`` (student, notebook, task, passed, message: one row per checked task of
every notebook handed in, or expected and missing) and ``summary.md`` (each student's tasks passed, and
every notebook that could not be read, failed to run, timed out or tampered with the checks). Exit status:
0 once the grades are written, 2 when the submissions folder cannot be used.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.checks.task import msg as task_messages
from scripts import make_exercises as gen
from scripts.course_files import ROOT, SOLUTIONS

DEFAULT_OUT = ROOT / "build" / "grades"
DEFAULT_TIMEOUT = 900
CHECK_CALL = re.compile(r"checks\.check_(\d\d)_task(\d+)\(")
PROBE_PREFIX = "EIAM-GRADER-PROBE"
#: Modules whose attributes the probe watches (those loaded when the first cell has run).
WATCHED_MODULES = ("builtins", "numpy", "numpy.linalg", "scipy.stats", "scipy.special", "keras", "keras.losses",
                   "keras.layers", "keras.models", "keras.optimizers", "keras.callbacks", "keras.ops", "tensorflow")
#: Attributes the kernel itself rebinds at every execution (ipykernel's input and getpass), not watched.
VOLATILE = ("input", "getpass")
#: Classes whose attributes (methods) the probe watches, as module:name.
WATCHED_CLASSES = ("helpers.checks.task:Task", "helpers.checks.task:CheckFailed", "keras:Model")


@dataclass
class Result:
    """One checked task of one student's notebook."""

    student: str
    notebook: str
    task: int
    passed: bool
    message: str


@dataclass
class Run:
    """What happened to one notebook: its status ("ran", "unreadable", "failed to run", "timed out", "tampered")."""

    student: str
    notebook: str
    status: str = "ran"
    detail: str = ""
    results: list[Result] = field(default_factory=list)


def handed_out() -> dict[str, nbformat.NotebookNode]:
    """The exercise notebooks as handed out, generated from ``solutions/``: number ("02") -> notebook."""
    return {name[:2]: nbformat.reads(text, as_version=4) for name, text in gen.generate(SOLUTIONS).items()}


def check_cells(exercise: nbformat.NotebookNode) -> dict[str, int]:
    """The exercise's check cells that call a check: cell id -> task number."""
    found = {}
    for cell in exercise.cells:
        if cell.cell_type == "code" and cell.source.startswith(gen.CHECK_PREFIX):
            match = CHECK_CALL.search(cell.source)
            if match:
                found[cell.id] = int(match.group(2))
    return found


def _snapshot_cell(nonce: str, imports_keras: bool) -> str:
    """The first cell: import what the checks use and record the watched objects (in a module of its own)."""
    extra = "import keras, scipy.stats, scipy.special\n" if imports_keras else ""
    return f'''# grader: the objects the checks rely on, recorded before any of the notebook's code runs
import importlib as _eiam_importlib, sys as _eiam_sys, types as _eiam_types
import numpy
import helpers.checks
{extra}import helpers.data, helpers.linear, helpers.losses
_eiam_record = _eiam_types.ModuleType("_eiam_grader_{nonce}")
_eiam_sys.modules[_eiam_record.__name__] = _eiam_record
_eiam_record.watched = {{}}
for _eiam_name in sorted(set({WATCHED_MODULES!r}) | {{m for m in list(_eiam_sys.modules) if m.startswith("helpers")}}):
    if _eiam_name in _eiam_sys.modules:
        _eiam_record.watched[_eiam_name] = dict(vars(_eiam_sys.modules[_eiam_name]))
for _eiam_name in {WATCHED_CLASSES!r}:
    _eiam_module, _, _eiam_class = _eiam_name.partition(":")
    if _eiam_module in _eiam_sys.modules:
        _eiam_record.watched[_eiam_name] = dict(vars(getattr(_eiam_sys.modules[_eiam_module], _eiam_class)))
del _eiam_name
'''


def _probe_cell(nonce: str) -> str:
    """A cell that prints which watched objects changed since the first cell, and whether `checks` is the module."""
    return f'''# grader: have the checks been tampered with?
import sys as _eiam_sys
_eiam_changed = []
_eiam_record = _eiam_sys.modules.get("_eiam_grader_{nonce}")
if _eiam_record is None:
    _eiam_changed.append("the grader's record")
else:
    for _eiam_name, _eiam_before in _eiam_record.watched.items():
        _eiam_module, _, _eiam_class = _eiam_name.partition(":")
        _eiam_now = vars(_eiam_sys.modules[_eiam_module])
        if _eiam_class:
            _eiam_now = vars(_eiam_now[_eiam_class])
        for _eiam_key, _eiam_value in _eiam_before.items():
            if _eiam_key.startswith("__") or _eiam_key in {VOLATILE!r}:
                continue
            if _eiam_key not in _eiam_now or _eiam_now[_eiam_key] is not _eiam_value:
                _eiam_changed.append(f"{{_eiam_name.replace(':', '.')}}.{{_eiam_key}}")
if "checks" in globals() and globals()["checks"] is not _eiam_sys.modules.get("helpers.checks"):
    _eiam_changed.append("the name checks")
if "print" in globals():
    _eiam_changed.append("print")
_eiam_sys.stdout.write("{PROBE_PREFIX} {nonce} " + repr(sorted(set(_eiam_changed))) + "\\n")
'''


def graded_notebook(submitted: nbformat.NotebookNode, exercise: nbformat.NotebookNode,
                    nonce: str) -> tuple[nbformat.NotebookNode, dict[str, int], dict[str, str]]:
    """The notebook to run: the student's cells, each check cell replaced by a probe and the handed-out check cell.

    Returns:
        (notebook, tasks, probes): tasks maps the ids of the check cells it holds to their task numbers;
        probes maps each such id to the id of the probe cell just before it.
    """
    pristine = {cell.id: cell for cell in exercise.cells if cell.id in check_cells(exercise)}
    numbers = check_cells(exercise)
    imports_keras = any("import keras" in cell.source for cell in exercise.cells if cell.cell_type == "code")
    cells = [nbformat.v4.new_code_cell(_snapshot_cell(nonce, imports_keras), id="eiam-grader-snapshot")]
    tasks, probes = {}, {}
    for cell in submitted.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("id") in pristine and cell.id not in tasks:
            probes[cell.id] = f"eiam-grader-probe-{len(probes)}"
            cells.append(nbformat.v4.new_code_cell(_probe_cell(nonce), id=probes[cell.id]))
            cells.append(nbformat.v4.new_code_cell(pristine[cell.id].source, id=cell.id))
            tasks[cell.id] = numbers[cell.id]
        elif not cell.source.lstrip().startswith(gen.CHECK_PREFIX):  # a check cell of the student's own is dropped
            cells.append(nbformat.v4.new_code_cell(cell.source, id=cell.get("id") or f"cell-{len(cells)}"))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3",
                                                                              "display_name": "Python 3",
                                                                              "language": "python"}})
    return notebook, tasks, probes


def _text(outputs: list) -> str:
    return "".join(output.get("text", "") for output in outputs if output.get("output_type") == "stream")


def _error(outputs: list) -> tuple[str, str] | None:
    for output in outputs:
        if output.get("output_type") == "error":
            return output.get("ename", "Error"), output.get("evalue", "")
    return None


def _outcome(cell: nbformat.NotebookNode, task: int) -> tuple[bool, str] | None:
    """(passed, message) of an executed check cell, or None when it did not run."""
    if cell.get("execution_count") is None and not cell.get("outputs"):
        return None
    error = _error(cell.outputs)
    if error is not None:
        name, value = error
        first = value.strip().split("\n")[0]
        return False, first if name == "CheckFailed" else f"the check cell raised {name}: {first}"
    passed = task_messages.every_language("passed", number=task, what="")  # in English or Chinese (EIAM_LANG)
    line = next((line for line in _text(cell.outputs).splitlines() if line.startswith(passed)), None)
    return (True, line) if line else (False, "the check cell printed no result")


def _tampering(cell: nbformat.NotebookNode, nonce: str) -> list[str] | None:
    """What the probe cell found changed, or None when it did not run or did not report."""
    for line in _text(cell.get("outputs", [])).splitlines():
        if line.startswith(f"{PROBE_PREFIX} {nonce} "):
            return json.loads(line.split(" ", 2)[2].replace("'", '"'))
    return None


def run_notebook(student: str, path: Path, exercise: nbformat.NotebookNode, timeout: float) -> Run:
    """Execute one submitted notebook as described in the module's docstring and collect its results."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    name = path.name
    run = Run(student, name)
    numbers = check_cells(exercise)
    try:
        submitted = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook
        run.status, run.detail = "unreadable", f"the notebook could not be read ({type(error).__name__}: {error})"
        run.results = [Result(student, name, task, False, run.detail) for task in numbers.values()]
        return run
    nonce = secrets.token_hex(8)
    notebook, tasks, probes = graded_notebook(submitted, exercise, nonce)
    deadline = time.monotonic() + timeout
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]  # this checkout's helpers come first
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    with tempfile.TemporaryDirectory(prefix="eiam-grade-") as folder:
        client = NotebookClient(notebook, allow_errors=True, kernel_name="python3",
                                timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
                                resources={"metadata": {"path": folder}})
        try:
            client.execute(env=env)
        except CellTimeoutError:
            run.status, run.detail = "timed out", f"the notebook did not finish within {timeout:g} s"
        except DeadKernelError as error:
            run.status, run.detail = "failed to run", f"the kernel died ({error})"
        except Exception as error:
            run.status, run.detail = "failed to run", f"{type(error).__name__}: {error}"
    executed = {cell.get("id"): cell for cell in notebook.cells}
    tampered_from = None
    for cell_id, task in numbers.items():
        if cell_id not in tasks:
            run.results.append(Result(student, name, task, False, "the check cell of this task is missing from the "
                                                                  "notebook (deleted?)"))
            continue
        changed = _tampering(executed[probes[cell_id]], nonce)
        if changed and tampered_from is None:
            tampered_from = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
            run.status, run.detail = "tampered", f"the notebook changed what the checks rely on: {tampered_from}"
        outcome = _outcome(executed[cell_id], task)
        if tampered_from is not None:
            run.results.append(Result(student, name, task, False, f"not graded: {run.detail}"))
        elif outcome is None:
            reason = run.detail or "the check cell did not run"
            run.results.append(Result(student, name, task, False, f"not graded: {reason}"))
        else:
            run.results.append(Result(student, name, task, *outcome))
    return run


def grade(submissions: Path, timeout: float = DEFAULT_TIMEOUT) -> list[Run]:
    """Run every student's notebooks (see the module's docstring)."""
    exercises = handed_out()
    runs = []
    for folder in sorted(path for path in submissions.iterdir() if path.is_dir() and not path.name.startswith(".")):
        handed_in = {}
        for path in sorted(folder.glob("*.ipynb")):
            number = path.name[:2]
            if number not in exercises:
                runs.append(Run(folder.name, path.name, "unreadable", "no exercise notebook has this number"))
            elif number in handed_in:
                runs.append(Run(folder.name, path.name, "unreadable", f"a second notebook {number}; "
                                f"{handed_in[number].name} was graded"))
            else:
                handed_in[number] = path
        for number, path in handed_in.items():
            print(f"grading {folder.name}/{path.name} ...", flush=True)
            runs.append(run_notebook(folder.name, path, exercises[number], timeout))
    return runs


def write_reports(runs: list[Run], out: Path) -> tuple[Path, Path]:
    """``out/grades.csv`` and ``out/summary.md``."""
    out.mkdir(parents=True, exist_ok=True)
    table, summary = out / "grades.csv", out / "summary.md"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "notebook", "task", "passed", "message"])
        for run in runs:
            for result in run.results:
                writer.writerow([result.student, result.notebook, result.task, result.passed, result.message])
    lines = ["# Grades", "", "| student | notebook | tasks passed | status |", "| --- | --- | --- | --- |"]
    for run in runs:
        passed = sum(result.passed for result in run.results)
        status = run.status + (f": {run.detail}" if run.detail else "")
        lines.append(f"| {run.student} | {run.notebook} | {passed} of {len(run.results)} | {status} |")
    problems = [run for run in runs if run.status != "ran"]
    lines += ["", f"{len(runs)} notebook(s) of {len({run.student for run in runs})} student(s); "
                  f"{len(problems)} could not be graded as handed in (see status). Details per task: grades.csv.", ""]
    summary.write_text("\n".join(lines), encoding="utf-8")
    return table, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="a folder with one folder of notebooks per student")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write (default {DEFAULT_OUT})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds each notebook may run, in all (default {DEFAULT_TIMEOUT})")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        print(f"{args.submissions} is not a folder; give the folder that holds one folder per student "
              f"(make grade SUBMISSIONS=path/to/folder).", file=sys.stderr)
        return 2
    runs = grade(args.submissions, args.timeout)
    if not runs:
        print(f"{args.submissions} holds no student folder with notebooks; nothing to grade.", file=sys.stderr)
        return 2
    table, summary = write_reports(runs, args.out)
    print(summary.read_text(encoding="utf-8"))
    print(f"written: {table} and {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
