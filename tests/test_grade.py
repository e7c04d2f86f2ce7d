"""The grader (scripts/grade.py) on a folder of sample submissions: right, wrong, broken, tampering, too slow.

The submissions are built in a temporary folder from the handed-out exercise 02 (the cheapest to run) and its
solution notebook, so that no answer is written in tests/. Each notebook runs on a fresh kernel, in fast mode.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import nbformat
import pytest

from scripts import grade
from scripts.course_files import ROOT, SOLUTIONS

NOTEBOOK = "02_everything_is_a_mapping.ipynb"
SET_UP_CELL, TASK_1_STUB, TASK_2_CHECK, TASK_3_CHECK = "23624efca2", "82991f507b", "474fa5084f", "6071db4cb9"


def exercise() -> nbformat.NotebookNode:
    return grade.handed_out()["02"]


def with_cell_after(notebook: nbformat.NotebookNode, cell_id: str, source: str) -> nbformat.NotebookNode:
    index = [cell.get("id") for cell in notebook.cells].index(cell_id)
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("submissions")
    students = {name: folder / name for name in ("alice", "bob", "carol", "dave")}
    for path in students.values():
        path.mkdir()
    # alice: every answer right (the solution notebook, as a student who solved everything would hand it in).
    (students["alice"] / NOTEBOOK).write_bytes((SOLUTIONS / NOTEBOOK).read_bytes())
    # bob: a wrong answer to task 1, a check cell of task 2 edited to print a pass, task 3's check cell deleted.
    bob = with_cell_after(exercise(), TASK_1_STUB, "variance_kept = np.linspace(0.1, 1, 100)\nk_for_90_percent = 3")
    next(cell for cell in bob.cells if cell.get("id") == TASK_2_CHECK).source = 'print("✅ Task 2 passed: trust me")'
    bob.cells = [cell for cell in bob.cells if cell.get("id") != TASK_3_CHECK]
    nbformat.write(bob, students["bob"] / NOTEBOOK)
    # carol: a file that is not a notebook, and a notebook with a number no exercise has.
    (students["carol"] / NOTEBOOK).write_text("{not json")
    nbformat.write(exercise(), students["carol"] / "99_extra.ipynb")
    # dave: Task.fail replaced, so that every wrong answer would pass, and a check function replaced by a fake.
    nbformat.write(with_cell_after(exercise(), SET_UP_CELL, "checks.Task.fail = lambda *args, **kwargs: None\n"
                                   "variance_kept, k_for_90_percent = np.ones(100), 1\n"
                                   'checks.check_02_task2 = lambda *args: print("✅ Task 2 passed: fake")'),
                   students["dave"] / NOTEBOOK)
    out = folder.parent / "grades"
    assert grade.main([str(folder), "--out", str(out), "--timeout", "120"]) == 0
    with (out / "grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {"rows": {(row["student"], int(row["task"])): row for row in rows if row["notebook"] == NOTEBOOK},
            "all": rows, "summary": (out / "summary.md").read_text(encoding="utf-8")}


def test_the_csv_has_one_row_per_checked_task_of_each_notebook(graded):
    assert {row["student"] for row in graded["all"]} == {"alice", "bob", "carol", "dave"}
    assert list(graded["all"][0]) == ["student", "notebook", "task", "passed", "message"]
    assert sorted(task for student, task in graded["rows"] if student == "alice") == [1, 2, 3]


def test_right_answers_pass(graded):
    for task in (1, 2, 3):
        row = graded["rows"]["alice", task]
        assert row["passed"] == "True" and row["message"].startswith(f"✅ Task {task} passed"), row
    assert "| alice | 02_everything_is_a_mapping.ipynb | 3 of 3 | ran |" in graded["summary"]


def test_wrong_answers_edited_and_deleted_check_cells_fail(graded):
    rows = graded["rows"]
    assert rows["bob", 1]["passed"] == "False" and rows["bob", 1]["message"].startswith("❌ Task 1: `variance_kept[")
    assert rows["bob", 2]["passed"] == "False" and "trust me" not in rows["bob", 2]["message"]  # the real check ran
    assert rows["bob", 3]["passed"] == "False" and "missing" in rows["bob", 3]["message"]


def test_a_notebook_that_cannot_be_read_is_reported(graded):
    assert all(graded["rows"]["carol", task]["passed"] == "False" for task in (1, 2, 3))
    assert "| carol | 02_everything_is_a_mapping.ipynb | 0 of 3 | unreadable: the notebook could not be read" in \
        graded["summary"]
    assert "| carol | 99_extra.ipynb | 0 of 0 | unreadable: no exercise notebook has this number |" in graded["summary"]


def test_tampering_with_the_checks_is_reported_not_passed(graded):
    for task in (1, 2, 3):
        row = graded["rows"]["dave", task]
        assert row["passed"] == "False" and row["message"].startswith("not graded: the notebook changed"), row
        assert "helpers.checks.task.Task.fail" in row["message"] and "helpers.checks.check_02_task2" in row["message"]
    assert "| dave | 02_everything_is_a_mapping.ipynb | 0 of 3 | tampered: " in graded["summary"]


def test_a_notebook_that_runs_too_long_is_stopped_and_reported(tmp_path):
    slow = exercise()
    slow.cells = [nbformat.v4.new_code_cell("while True:\n    pass"),
                  *(cell for cell in slow.cells if cell.get("id") == TASK_2_CHECK)]
    path = tmp_path / NOTEBOOK
    nbformat.write(slow, path)
    run = grade.run_notebook("frank", path, exercise(), timeout=2)
    assert run.status == "timed out" and "within 2 s" in run.detail
    assert [(result.task, result.passed) for result in run.results] == [(1, False), (2, False), (3, False)]
    assert "timed out" not in run.results[0].message and "missing" in run.results[0].message
    assert run.results[1].message == "not graded: the notebook did not finish within 2 s"


def test_a_missing_submissions_folder_stops_with_advice(tmp_path, capsys):
    assert grade.main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "SUBMISSIONS=" in capsys.readouterr().err


def test_make_grade_passes_the_folder_and_the_time_limit():
    def command(*args: str) -> str:
        result = subprocess.run(["make", "-n", "grade", *args], cwd=ROOT, capture_output=True, text=True)
        return next(line for line in result.stdout.splitlines() if "scripts.grade" in line)

    assert command("SUBMISSIONS=some/folder").endswith('-m scripts.grade "some/folder"')
    assert command("SUBMISSIONS=f", "TIMEOUT=60").endswith('-m scripts.grade "f" --timeout 60')
    assert Path(ROOT / "Makefile").read_text().count("scripts.grade") == 1
