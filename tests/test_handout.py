"""make handout: the folder and zip for students hold the exercises and helpers, and no answer anywhere."""

from __future__ import annotations

import zipfile

import nbformat
import pytest

from scripts import make_exercises as gen
from scripts import make_handout
from scripts.course_files import ROOT, SOLUTIONS, numbered_notebooks


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("handout")
    assert make_handout.main(["--out", str(out)]) == 0
    return out


def test_it_holds_the_exercises_the_helpers_a_readme_and_nothing_of_solutions_or_tests(handout):
    folder = handout / make_handout.NAME
    names = {path.name for path in folder.iterdir()}
    assert {path.name for path in numbered_notebooks(SOLUTIONS)} <= names
    assert {"helpers", "README.md", "pyproject.toml"} <= names
    assert not {"solutions", "tests", "scripts", "notebooks", "exercises"} & names
    assert (folder / "helpers" / "checks" / "task.py").is_file()
    assert not list(folder.rglob("__pycache__")) and not list(folder.rglob("test_*.py"))
    with zipfile.ZipFile(handout / f"{make_handout.NAME}.zip") as archive:
        members = set(archive.namelist())
    assert f"{make_handout.NAME}/02_everything_is_a_mapping.ipynb" in members
    assert f"{make_handout.NAME}/helpers/checks/task.py" in members
    assert "Handing in" in (folder / "README.md").read_text()


def test_its_notebooks_are_the_exercises_as_generated(handout):
    for name, text in gen.generate(SOLUTIONS).items():
        assert (handout / make_handout.NAME / name).read_text(encoding="utf-8") == text


def test_no_solution_line_appears_anywhere_in_it(handout):
    lines = make_handout.solution_lines()
    assert len(lines) > 100  # the answers of every task, not an empty set that would prove nothing
    found = make_handout.leaks(handout, lines)
    assert not found, found
    for text in make_handout.texts(handout).values():
        assert gen.BEGIN_CODE not in text and gen.BEGIN_MARKDOWN not in text


def test_every_solution_notebook_gives_solution_lines(tmp_path):
    for path in numbered_notebooks(SOLUTIONS):
        alone = tmp_path / path.stem
        alone.mkdir()
        (alone / path.name).write_bytes(path.read_bytes())
        assert len(make_handout.solution_lines(alone)) >= 5, path.name


def test_the_search_finds_a_solution_line_when_one_is_there(tmp_path):
    lines = make_handout.solution_lines()
    line = max(lines, key=len)  # written here with other spacing, taken from the solutions when the test runs
    (tmp_path / "notes.py").write_text("    " + line.replace(" ", "   ") + "\n")
    nbformat.write(nbformat.read(SOLUTIONS / "04_keras_mnist_autoencoder.ipynb", as_version=4), tmp_path / "04.ipynb")
    found = {name for name, _ in make_handout.leaks(tmp_path, lines)}
    assert found == {"notes.py", "04.ipynb"}


def test_tests_and_checks_hold_no_solution_line_either():
    lines = make_handout.solution_lines()
    folders = [ROOT / "tests", ROOT / "helpers" / "checks"]
    found = [(str(path.relative_to(ROOT)), line) for folder in folders for path in sorted(folder.glob("*.py"))
             for line in lines if line in make_handout._normalised(path.read_text(encoding="utf-8"))]
    assert not found, found


def test_a_folder_it_did_not_write_is_left_alone(tmp_path, capsys):
    (tmp_path / make_handout.NAME).mkdir()
    (tmp_path / make_handout.NAME / "mine.txt").write_text("someone's notes")
    assert make_handout.main(["--out", str(tmp_path)]) == 2
    assert "was not written by make handout" in capsys.readouterr().err
    assert (tmp_path / make_handout.NAME / "mine.txt").read_text() == "someone's notes"
