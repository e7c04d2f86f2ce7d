"""The exercises: generated from the solutions and up to date, well-formed tasks, and the generator's behaviour.

The generator (:mod:`scripts.make_exercises`) is tested on small notebooks in a temporary folder; the
committed notebooks are only read. nbval runs the notebooks themselves (solutions/, exercises/).
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from scripts import course_files
from scripts import make_exercises as gen
from scripts.course_files import EXERCISES, RAISES_EXCEPTION, ROOT, SOLUTIONS, has_tag

SOLUTION_NOTEBOOKS = course_files.solution_notebooks()


# --- the committed notebooks ------------------------------------------------------------------------

def test_there_are_solutions_for_notebooks_02_to_04():
    names = {path.name[:2] for path in SOLUTION_NOTEBOOKS}
    assert {"02", "03", "04"} <= names
    for path in SOLUTION_NOTEBOOKS:
        assert (ROOT / "notebooks" / path.name).exists(), f"{path.name} should be named after its teaching notebook"


def test_exercises_are_up_to_date_with_solutions(capsys):
    status = gen.check(SOLUTIONS, EXERCISES)
    assert status == 0, capsys.readouterr().out + "\nRun `make exercises` and commit exercises/."


def words(text: str) -> set[str]:
    """The words of a heading or a section name, without its formulas and markup."""
    return set(re.findall(r"[a-z]{3,}", re.sub(r"\$[^$]*\$", " ", text).lower()))


def tasks_of(path: Path) -> dict[int, list]:
    """Cells of each task, keyed by task number: a task runs from its '## Task N ·' heading to the next '## '."""
    tasks, current = {}, None
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            match = re.match(r"## Task (\d+) · ", cell.source)
            current = int(match.group(1)) if match else None
            if current is not None:
                tasks[current] = []
        if current is not None:
            tasks[current].append(cell)
    return tasks


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=lambda p: p.name)
def test_each_solution_has_three_to_five_well_described_tasks(path):
    tasks = tasks_of(path)
    # A task is taught in the solution's teaching notebook or in one that continues it (06b_overfitting for 06).
    continuations = {p.stem for p in (ROOT / "notebooks").glob(f"{path.stem[:2]}*.ipynb")}
    assert path.stem in continuations
    assert 3 <= len(tasks) <= 5 and sorted(tasks) == list(range(1, len(tasks) + 1)), sorted(tasks)
    kinds = set()
    for number, cells in tasks.items():
        description = cells[0].source
        for part in ("**What to do.**", "**A good answer**", "**Taught in** `"):
            assert part in description, f"task {number} of {path.name} does not say {part!r}"
        taught = re.search(r"\*\*Taught in\*\* `([^`]+)`, section \*([^*]+)\*", description)
        assert taught and taught.group(1) in continuations, (
            f"task {number} of {path.name} should say **Taught in** `<notebook>`, section *<heading>*, naming one of "
            f"{sorted(continuations)}")
        notebook, section = taught.groups()
        teaching = [words(line) for cell in nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4).cells
                    if cell.cell_type == "markdown" for line in cell.source.split("\n") if line.startswith("#")]
        assert any(words(section) <= heading for heading in teaching), f"task {number}: no section {section!r}"
        checked = any(c.cell_type == "code" and c.source.startswith(gen.CHECK_PREFIX) for c in cells)
        written = any(c.cell_type == "markdown" and gen.BEGIN_MARKDOWN in c.source for c in cells)
        assert checked or written, f"task {number} of {path.name} has neither a check nor a written answer"
        if checked:
            kinds.add("code")
        if written:
            kinds.add("written")
    assert kinds == {"code", "written"}, f"{path.name} should mix code and written answers"


def split_answers(cell) -> tuple[set[str], set[str]]:
    """The stripped lines of a solution cell inside its answer regions, and those outside them."""
    begin, end = (gen.BEGIN_CODE, gen.END_CODE) if cell.cell_type == "code" else (gen.BEGIN_MARKDOWN, gen.END_MARKDOWN)
    inside, outside, in_region = set(), set(), False
    for line in cell.source.split("\n"):
        if line.strip() in (begin, end):
            in_region = line.strip() == begin
        else:
            (inside if in_region else outside).add(line.strip())
    return inside, outside


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=lambda p: p.name)
def test_no_answer_reaches_the_exercise(path):
    answers, elsewhere = set(), set()
    for cell in nbformat.read(path, as_version=4).cells:
        inside, outside = split_answers(cell)
        answers |= inside
        elsewhere |= outside
    exercise = nbformat.read(EXERCISES / path.name, as_version=4)
    exercise_lines = {line.strip() for cell in exercise.cells for line in cell.source.split("\n")}
    leaked = {line for line in (answers - elsewhere) & exercise_lines if len(line) > 3}
    assert not leaked, f"{path.name}: answer lines in the exercise: {leaked}"
    assert "SOLUTION" not in (EXERCISES / path.name).read_text()


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_keeps_the_solutions_cell_ids_and_marks_what_fails(path):
    solution = nbformat.read(path, as_version=4)
    exercise = nbformat.read(EXERCISES / path.name, as_version=4)
    kept = [c.id for c in solution.cells if gen._first_line(c.source) != gen.SOLUTION_ONLY.get(c.cell_type)]
    assert [c.id for c in exercise.cells] == kept
    for cell in exercise.cells:
        if cell.cell_type != "code":
            continue
        is_check = cell.source.startswith(gen.CHECK_PREFIX)
        expected = stub_runs_with_the_cell(cell.source) or is_check
        assert has_tag(cell, RAISES_EXCEPTION) == expected, f"{path.name}, cell {cell.id}"


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_that_must_run_reads_a_stubbed_answer(path):
    # make test does not execute the exercises (their code is the solutions', which it does execute; the
    # grader's test runs exercise 02 in a kernel): what only an exercise could break is a cell that must run, with
    # no raises-exception tag, reading an answer its stub leaves as None. Run All would stop there.
    exercise = nbformat.read(EXERCISES / path.name, as_version=4)
    stubbed: dict[str, str] = {}
    for cell in exercise.cells:
        tree = course_files.parse_cell(cell.source) if cell.cell_type == "code" else None
        if tree is None:
            continue
        if has_tag(cell, RAISES_EXCEPTION):
            stubbed |= {target.id: cell.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                        and isinstance(node.value, ast.Constant) and node.value.value is None
                        for target in node.targets if isinstance(target, ast.Name)}
            continue
        read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        assert not read & set(stubbed), (f"{path.name}, cell {cell.id} must run but reads "
                                         f"{sorted(read & set(stubbed))}, left None by the stubs of "
                                         f"{sorted({stubbed[name] for name in read & set(stubbed)})}")


def test_the_stubbed_answer_rule_sees_a_cell_that_reads_one(tmp_path, monkeypatch):
    solution = new_notebook(cells=[new_markdown_cell("## Task 1 · Write it"), new_code_cell(
        "# BEGIN SOLUTION\nanswer = 42\n# END SOLUTION", id="task"), new_code_cell("print(answer + 1)", id="uses")])
    exercise = gen.build_exercise(solution, "99_x.ipynb")
    monkeypatch.setattr(f"{__name__}.EXERCISES", tmp_path)
    nbformat.write(exercise, tmp_path / "99_x.ipynb")
    with pytest.raises(AssertionError, match=r"cell uses must run but reads \['answer'\]"):
        test_no_cell_that_must_run_reads_a_stubbed_answer(tmp_path / "99_x.ipynb")


def stub_runs_with_the_cell(source: str) -> bool:
    """Whether the cell raises NotImplementedError outside any function, i.e. when it runs."""

    def visit(node: ast.AST, in_function: bool) -> bool:
        if isinstance(node, ast.Raise) and not in_function and "NotImplementedError" in ast.unparse(node):
            return True
        in_function = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        return any(visit(child, in_function) for child in ast.iter_child_nodes(node))

    return visit(course_files.parse_cell(source), False)


# --- the generator, on small notebooks -------------------------------------------------------------

def notebook(*cells) -> nbformat.NotebookNode:
    """A solution notebook: each cell ("md" or "code", source), ids c0, c1, ..."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for i, (kind, source) in enumerate(cells):
        maker = new_markdown_cell if kind == "md" else new_code_cell
        nb.cells.append(maker(source, id=f"c{i}"))
    return nb


TOP_LEVEL = """data = [1, 2, 3]
# Not part of the hint.
# HINT: add them up
#   with sum().
# BEGIN SOLUTION
scratch = 10
total = sum(data) + scratch - scratch
# END SOLUTION
print(total)"""

IN_FUNCTION = """def double(x):
    # HINT: multiply by two.
    # BEGIN SOLUTION
    y = x * 2
    return y
    # END SOLUTION"""

WRITTEN = """Explain:

<!-- BEGIN SOLUTION -->
Because of the secret reason.
<!-- END SOLUTION -->

(two sentences)"""


def demo() -> nbformat.NotebookNode:
    return notebook(
        ("md", "# Demo"),
        ("md", "<!-- SOLUTION ONLY -->\nInstructor's notes: the secret reason."),
        ("code", "import math"),
        ("code", TOP_LEVEL),
        ("code", "# CHECK: run this cell.\nassert total == 6"),
        ("code", IN_FUNCTION),
        ("code", "# CHECK\nassert double(2) == 4"),
        ("code", "# SOLUTION ONLY\nprint('for instructors')"),
        ("md", WRITTEN),
        ("code", "print(math.pi)"),
    )


def by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {cell.id: cell for cell in nb.cells}


def run(source: str, namespace: dict) -> None:
    exec(compile(source, "<cell>", "exec"), namespace)


def test_a_stub_outside_functions_raises_with_its_hint_and_is_marked():
    cell = by_id(gen.build_exercise(demo(), "demo"))["c3"]
    lines = cell.source.split("\n")
    assert cell.metadata == {"tags": [RAISES_EXCEPTION]}
    assert "# HINT: add them up" in lines and "#   with sum()." in lines  # the hint stays visible
    assert "BEGIN SOLUTION" not in cell.source and "sum(data)" not in cell.source and "scratch" not in cell.source
    assert "total = None" in lines  # read later (by the check), so set: the check can say "no answer yet"
    namespace = {}
    with pytest.raises(NotImplementedError, match=r"replace this `raise`.*Hint: add them up with sum\(\)\.$"):
        run(cell.source, namespace)
    assert namespace["total"] is None and namespace["data"] == [1, 2, 3]


def test_a_stub_inside_a_function_raises_when_called_and_its_cell_is_not_marked():
    cells = by_id(gen.build_exercise(demo(), "demo"))
    source = cells["c5"].source
    assert not has_tag(cells["c5"], RAISES_EXCEPTION) and "x * 2" not in source and "y = None" not in source
    namespace = {}
    run(source, namespace)
    with pytest.raises(NotImplementedError, match="Hint: multiply by two"):
        namespace["double"](2)
    assert has_tag(cells["c6"], RAISES_EXCEPTION) and cells["c6"].source == "# CHECK\nassert double(2) == 4"


def test_check_cells_are_marked_and_other_cells_are_left_alone():
    solution, exercise = demo(), gen.build_exercise(demo(), "demo")
    cells = by_id(exercise)
    assert cells["c4"].source == "# CHECK: run this cell.\nassert total == 6"
    assert cells["c4"].metadata == {"tags": [RAISES_EXCEPTION]}
    for cid in ("c0", "c2", "c9"):
        assert cells[cid].source == by_id(solution)[cid].source and not has_tag(cells[cid], RAISES_EXCEPTION)


def test_a_marked_cell_keeps_its_own_tags_and_is_tagged_once():
    solution = demo()
    solution.cells[4].metadata["tags"] = ["keep-me", RAISES_EXCEPTION]
    solution.cells[6].metadata["tags"] = ["keep-me"]
    cells = by_id(gen.build_exercise(solution, "demo"))
    assert cells["c4"].metadata["tags"] == ["keep-me", RAISES_EXCEPTION]
    assert cells["c6"].metadata["tags"] == ["keep-me", RAISES_EXCEPTION]


def test_written_answers_become_a_blank_and_solution_only_cells_are_dropped():
    exercise = gen.build_exercise(demo(), "demo")
    cells = by_id(exercise)
    assert cells["c8"].source == f"Explain:\n\n{gen.ANSWER_PLACEHOLDER}\n\n(two sentences)"
    assert "c1" not in cells and "c7" not in cells
    assert "secret" not in gen.notebook_text(exercise) and "for instructors" not in gen.notebook_text(exercise)


def test_exercise_is_a_clean_valid_notebook_with_the_solutions_ids_and_metadata():
    solution = demo()
    solution.cells[2].outputs = [new_output("stream", name="stdout", text="old output\n")]
    solution.cells[2].execution_count = 3
    solution.cells[2].metadata["tags"] = ["keep-me"]
    exercise = gen.build_exercise(solution, "demo")
    nbformat.validate(exercise)
    assert (exercise.nbformat, exercise.nbformat_minor) >= (4, 5)
    assert exercise.metadata == solution.metadata
    assert [c.id for c in exercise.cells] == ["c0", "c2", "c3", "c4", "c5", "c6", "c8", "c9"]
    code = [c for c in exercise.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert by_id(exercise)["c2"].metadata == {"tags": ["keep-me"]}


def test_without_a_hint_the_stub_has_a_generic_one():
    nb = notebook(("code", "# BEGIN SOLUTION\nanswer = 42\n# END SOLUTION"), ("code", "# CHECK\nprint(answer)"))
    source = gen.build_exercise(nb, "demo").cells[0].source
    assert gen.GENERIC_HINT in source and "42" not in source


def test_a_long_hint_is_wrapped_within_the_line_length_and_kept_whole():
    hint = " ".join(["a long 'quoted' \"hint\" with a backslash \\ and ünïcode"] * 8)
    nb = notebook(("code", f"if True:\n    # HINT: {hint}\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION"))
    source = gen.build_exercise(nb, "demo").cells[0].source
    stub = source[source.index("# YOUR ANSWER"):]
    assert max(len(line) for line in stub.split("\n")) <= gen.LINE_LENGTH
    with pytest.raises(NotImplementedError) as info:
        run(source, {})
    assert str(info.value) == gen.stub_message(hint)


@pytest.mark.parametrize("source, message", [
    ("# BEGIN SOLUTION\nx = 1", "never closed"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n# END SOLUTION", "inside another"),
    ("x = 1\n# END SOLUTION", "without a"),
    ("#BEGIN SOLUTION\nx = 1\n#END SOLUTION", "is not a marker"),
    ("# BEGIN SOLUTION\n# END SOLUTION", "empty"),
    ("x = [\n# BEGIN SOLUTION\n1,\n# END SOLUTION\n]", "whole statements"),
    ("if True:\n    # BEGIN SOLUTION\n    x = 1\n# END SOLUTION", "indent"),
])
def test_malformed_code_markers_are_refused_with_the_cell_named(source, message):
    with pytest.raises(gen.MarkerError, match=f"demo, cell 0 \\(id c0\\).*{message}"):
        gen.build_exercise(notebook(("code", source)), "demo")


def test_other_marker_mistakes_are_refused():
    with pytest.raises(gen.MarkerError, match="never closed"):
        gen.build_exercise(notebook(("md", "<!-- BEGIN SOLUTION -->\nanswer")), "demo")
    with pytest.raises(gen.MarkerError, match="move it after the answer"):
        gen.build_exercise(notebook(("code", "# CHECK\nprint(1)"), ("code", "# BEGIN SOLUTION\nx = 1\n# END SOLUTION")),
                           "demo")
    with pytest.raises(gen.MarkerError, match="no answer regions"):
        gen.build_exercise(notebook(("code", "x = 1")), "demo")


# --- the command: writing, refusing, forcing, checking ----------------------------------------------

@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(demo(), solutions / "01_demo.ipynb")
    other = notebook(("md", "# Other"), ("code", "# BEGIN SOLUTION\nvalue = 1\n# END SOLUTION\nprint(value)"))
    nbformat.write(other, solutions / "02_other.ipynb")
    return solutions, exercises


def make(course: tuple[Path, Path], *flags: str) -> int:
    solutions, exercises = course
    return gen.main([*flags, "--solutions", str(solutions), "--exercises", str(exercises)])


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (backups included): its bytes and modification time."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit_a_cell(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("raise NotImplementedError(", "total = 6  # my answer\nraise (")
    nbformat.write(nb, path)


def run_in_place(path: Path) -> None:
    """What running an exercise and saving it does: outputs and execution counts, the same sources."""
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].outputs = [new_output("stream", name="stdout", text="ran it\n")]
    nb.cells[2].execution_count = 1
    nbformat.write(nb, path)


def backups(exercises: Path) -> list[Path]:
    return sorted((exercises / gen.BACKUP_FOLDER).glob("*")) if (exercises / gen.BACKUP_FOLDER).exists() else []


def test_writes_missing_exercises_and_a_second_run_is_a_no_op(course, capsys):
    assert make(course) == 0
    solutions, exercises = course
    assert sorted(p.name for p in exercises.iterdir()) == [gen.MANIFEST_NAME, "01_demo.ipynb", "02_other.ipynb"]
    assert (exercises / "01_demo.ipynb").read_text() == gen.generate(solutions)["01_demo.ipynb"]
    before = snapshot(exercises)
    capsys.readouterr()
    assert make(course) == 0
    assert snapshot(exercises) == before  # not even rewritten with the same bytes
    assert "0 exercise notebook(s) written, 2 already up to date" in capsys.readouterr().out


def test_output_is_deterministic(course):
    solutions, _ = course
    assert gen.generate(solutions) == gen.generate(solutions)


def test_the_manifest_records_each_file_exactly_as_written(course):
    _, exercises = course
    assert make(course) == 0
    recorded = json.loads((exercises / gen.MANIFEST_NAME).read_text())["notebooks"]
    assert recorded == {name: gen.fingerprint((exercises / name).read_text()) for name in ("01_demo.ipynb",
                                                                                          "02_other.ipynb")}


@pytest.mark.parametrize("student", [edit_a_cell, run_in_place], ids=["answers typed in", "only run, outputs saved"])
def test_refuses_to_touch_a_students_exercise_and_writes_nothing(course, capsys, student):
    solutions, exercises = course
    assert make(course) == 0
    student(exercises / "01_demo.ipynb")
    other = nbformat.read(solutions / "02_other.ipynb", as_version=4)
    other.cells[0].source = "# Other, improved"  # an update that is due for the other notebook
    nbformat.write(other, solutions / "02_other.ipynb")
    before = snapshot(exercises)
    capsys.readouterr()
    assert make(course) == 1
    out = capsys.readouterr().out
    assert "01_demo.ipynb differs from what was generated" in out and "Nothing was written" in out
    assert "FORCE=1" in out and ".backup" in out  # the advice keeps the student's version
    assert "02_other" not in out.split("Nothing was written")[0]
    assert snapshot(exercises) == before


@pytest.mark.parametrize("student", [edit_a_cell, run_in_place], ids=["answers typed in", "only run, outputs saved"])
def test_force_backs_a_students_exercise_up_before_replacing_it(course, capsys, student):
    solutions, exercises = course
    assert make(course) == 0
    student(exercises / "01_demo.ipynb")
    students_version = (exercises / "01_demo.ipynb").read_bytes()
    capsys.readouterr()
    now = dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.timezone.utc)
    assert gen.write(solutions, exercises, force=True, now=now) == 0
    backup = exercises / gen.BACKUP_FOLDER / "01_demo.20250304T050607Z.ipynb"
    assert backups(exercises) == [backup] and backup.read_bytes() == students_version
    assert f"replaced (--force); the version it replaces is in {backup}" in capsys.readouterr().out
    assert (exercises / "01_demo.ipynb").read_text() == gen.generate(solutions)["01_demo.ipynb"]
    assert make(course) == 0 and gen.check(solutions, exercises) == 0
    # A second forced replacement in the same second keeps both backups.
    student(exercises / "01_demo.ipynb")
    assert gen.write(solutions, exercises, force=True, now=now) == 0
    assert [p.name for p in backups(exercises)] == ["01_demo.20250304T050607Z-2.ipynb", backup.name]
    assert backup.read_bytes() == students_version


def test_an_untouched_exercise_follows_its_solution(course, capsys):
    solutions, exercises = course
    assert make(course) == 0
    solution = nbformat.read(solutions / "01_demo.ipynb", as_version=4)
    solution.cells[0].source = "# Demo, second edition"
    nbformat.write(solution, solutions / "01_demo.ipynb")
    assert make(course) == 0
    assert "updated from solutions/01_demo.ipynb" in capsys.readouterr().out
    assert nbformat.read(exercises / "01_demo.ipynb", as_version=4).cells[0].source == "# Demo, second edition"
    assert backups(exercises) == []


def test_an_exercise_that_was_never_generated_is_not_overwritten(course):
    solutions, exercises = course
    exercises.mkdir()
    shutil.copy(solutions / "01_demo.ipynb", exercises / "01_demo.ipynb")  # someone's own copy, no manifest
    assert make(course) == 1
    assert (exercises / "01_demo.ipynb").read_bytes() == (solutions / "01_demo.ipynb").read_bytes()


def test_without_a_manifest_only_what_would_be_generated_counts_as_untouched(course, capsys):
    solutions, exercises = course
    assert make(course) == 0
    edit_a_cell(exercises / "01_demo.ipynb")
    (exercises / gen.MANIFEST_NAME).unlink()
    before = snapshot(exercises)
    capsys.readouterr()
    assert make(course) == 1
    out = capsys.readouterr().out
    assert "01_demo.ipynb differs" in out and "02_other" not in out
    assert snapshot(exercises) == before
    # Once the student's notebook is moved away, 02_other (exactly what is generated) needs nothing: all is rebuilt.
    (exercises / "01_demo.ipynb").rename(exercises.parent / "my_01_demo.ipynb")
    assert make(course) == 0 and gen.check(solutions, exercises) == 0
    assert "1 exercise notebook(s) written, 1 already up to date" in capsys.readouterr().out


def test_a_damaged_manifest_stops_with_advice_that_loses_nothing(course, capsys):
    solutions, exercises = course
    assert make(course) == 0
    edit_a_cell(exercises / "01_demo.ipynb")
    students_version = (exercises / "01_demo.ipynb").read_bytes()
    (exercises / gen.MANIFEST_NAME).write_text("{not json")
    before = snapshot(exercises)
    capsys.readouterr()
    assert make(course) == 2 and make(course, "--force") == 2
    err = capsys.readouterr().err
    assert "is damaged" in err and "Delete that file" in err and "without FORCE=1" in err and "--force" not in err
    assert snapshot(exercises) == before
    # Following the advice keeps the student's notebook.
    (exercises / gen.MANIFEST_NAME).unlink()
    assert make(course) == 1
    assert (exercises / "01_demo.ipynb").read_bytes() == students_version


@pytest.mark.parametrize("manifest", ['{"notebooks": {"01_demo.ipynb": 3}}', '["a list"]', '{"about": "no notebooks"}'])
def test_a_manifest_of_the_wrong_shape_is_damaged(course, manifest):
    _, exercises = course
    exercises.mkdir()
    (exercises / gen.MANIFEST_NAME).write_text(manifest)
    with pytest.raises(gen.ManifestError, match="Delete that file"):
        gen.read_manifest(exercises)


def test_line_endings_alone_are_not_a_change(course):
    # A checkout with Windows line endings (git's autocrlf) holds the same notebooks.
    solutions, exercises = course
    assert make(course) == 0
    for path in sorted(exercises.iterdir()):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert gen.check(solutions, exercises) == 0
    before = snapshot(exercises)
    assert make(course) == 0 and snapshot(exercises) == before


def test_check_mode_lists_what_is_out_of_date_and_writes_nothing(course, capsys):
    solutions, exercises = course
    assert make(course, "--check") == 1
    assert not exercises.exists()
    assert make(course) == 0
    assert make(course, "--check") == 0
    solution = nbformat.read(solutions / "02_other.ipynb", as_version=4)
    solution.cells[0].source = "# Other, changed"
    nbformat.write(solution, solutions / "02_other.ipynb")
    before = snapshot(exercises)
    capsys.readouterr()
    assert make(course, "--check") == 1
    out = capsys.readouterr().out
    assert "02_other.ipynb: differs from what solutions/02_other.ipynb generates" in out and "01_demo" not in out
    assert snapshot(exercises) == before
    shutil.copy(exercises / "01_demo.ipynb", exercises / "03_orphan.ipynb")
    assert make(course) == 0 and make(course, "--check") == 1
    assert "03_orphan.ipynb: has no solution notebook" in capsys.readouterr().out


def test_a_marker_error_stops_the_command_with_status_2(course, capsys):
    solutions, exercises = course
    nbformat.write(notebook(("code", "# BEGIN SOLUTION\nx = 1")), solutions / "03_broken.ipynb")
    assert make(course) == 2
    assert "03_broken.ipynb, cell 0 (id c0)" in capsys.readouterr().err
    assert not exercises.exists()


def test_make_exercises_passes_force_through():
    def command(*args: str) -> str:
        result = subprocess.run(["make", "-n", "exercises", *args], cwd=ROOT, capture_output=True, text=True)
        return next(line for line in result.stdout.splitlines() if "scripts.make_exercises" in line)

    assert command().rstrip().endswith("-m scripts.make_exercises")
    assert command("FORCE=1").endswith("-m scripts.make_exercises --force")
