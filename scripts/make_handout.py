"""Write the folder (and a zip of it) that an instructor gives to students: the exercises and what they need.

Usage::

    python -m scripts.make_handout                    # make handout: build/handout/eiam-exercises/ and .zip
    python -m scripts.make_handout --out other/folder

The handout holds the exercise notebooks, generated afresh from ``solutions/`` (so nothing typed into
``exercises/`` travels with them), the ``helpers`` package they import (the self-checks included), a
``pyproject.toml`` to install it, and a short README for students. It holds no solutions, no tests and no
reference answers: after writing, every file (and the zip) is searched for every solution line (see
:func:`solution_lines`), and a line found stops the command with status 1, naming the file and the line.

The output folder is replaced only when this command wrote it (it holds :data:`STAMP`); any other folder
that is not empty is left alone, and the command says so.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat

from scripts import make_exercises as gen
from scripts.course_files import NOTEBOOKS, PYPROJECT, ROOT, SOLUTIONS, numbered_notebooks

NAME = "eiam-exercises"
DEFAULT_OUT = ROOT / "build" / "handout"
STAMP = ".written-by-make-handout"
#: A solution line shorter than this (spaces collapsed) is too generic to be a leak: ``try:``, ``return loss``.
MIN_LINE = 16
#: Solution lines that the handout may hold, each for a reason: course material the students are given anyway.
ALLOWED_LINES = {
    "return x[index], y[index]": "how any subset is returned; helpers.data's stratified_sample, which the "
                                 "exercises use, ends so",
    "if len(baseline) < 2:": "helpers.statistics checks its inputs so",
    "return float(np.mean(-(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat))))":
        "helpers.losses.binary_crossentropy, the course's own loss, which notebook 03 teaches; Task 03-1 asks "
        "students to write it themselves",
}

STUDENT_README = """# Everything Is a Mapping: exercises

These are the course's exercise notebooks, one per teaching notebook from `02_…` to `08_…` (the summary, 07,
has none), with the small Python package `helpers` that they use. The teaching notebooks themselves are in the
course's repository.

## Set up (once)

With Python 3.10–3.13, in this folder:

```bash
python -m venv .venv
.venv/bin/python -m pip install -e ".[lab]"     # Windows: .venv\\Scripts\\python -m pip install -e ".[lab]"
.venv/bin/jupyter lab
```

In Colab, open a notebook and run its first cell, which installs the helpers.

Set `EIAM_FAST=1` before starting Jupyter to work on a small bundled sample of MNIST (everything runs in
seconds); without it the notebooks use the complete MNIST, which Keras downloads once.

## Working on a task

Each task says what to do, what a good answer looks like and which section of which teaching notebook
teaches it. Replace the `raise NotImplementedError(...)` line of the answer cell (and any `name = None`
above it) with your code, then run the check cell below it (its first line is `# CHECK`). It prints
`✅ Task K passed: …` or `❌ Task K: <what is wrong>. Hint: …`; run it again after a second failure and the
hint says a little more. Written answers (*Write your answer here.*) are read by your instructor.

## Handing in

Hand in your notebooks under their own names (`02_everything_is_a_mapping.ipynb`, …), saved after a run from
top to bottom. Do not delete or edit the `# CHECK` cells: for grading, each notebook is run again from the
top on a fresh kernel, with the check cells as they were handed out, and a notebook that changes the checks
is reported as such.
"""


def _normalised(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip()


def _without_comment(line: str) -> str:
    return line.split("  # ", 1)[0] if "  # " in line else line


def solution_lines(solutions: Path = SOLUTIONS, notebooks: Path = NOTEBOOKS) -> set[str]:
    """The lines of the solutions' answers that students must not be given, spaces collapsed.

    Every line inside an answer region (code or markdown) of a solution notebook, without a trailing comment,
    unless it is short (:data:`MIN_LINE`), a comment or an import, or students have it anyway: it occurs in
    the generated exercises (given code and hints), in the teaching notebooks (taught verbatim), or in
    :data:`ALLOWED_LINES`.
    """
    answers, given = set(), []
    for path in numbered_notebooks(solutions):
        for cell in nbformat.read(path, as_version=4).cells:
            begin, end = ((gen.BEGIN_CODE, gen.END_CODE) if cell.cell_type == "code"
                          else (gen.BEGIN_MARKDOWN, gen.END_MARKDOWN))
            inside = False
            for line in cell.source.split("\n"):
                if line.strip() in (begin, end):
                    inside = line.strip() == begin
                elif inside:
                    answers.add(_normalised(_without_comment(line) if cell.cell_type == "code" else line))
    given += [_normalised(_as_text(name, text.encode("utf-8"))) for name, text in gen.generate(solutions).items()]
    given += [_normalised("\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells))
              for path in numbered_notebooks(notebooks)]
    lines = {line for line in answers if len(line) >= MIN_LINE and not line.startswith(("#", "import ", "from "))}
    return {line for line in lines if line not in ALLOWED_LINES and not any(line in text for text in given)}


def texts(folder: Path) -> dict[str, str]:
    """Every text file under ``folder`` (a notebook as its cells' sources), and every text file inside a zip.

    Binary files (holding a NUL byte: the samples' arrays) are left out: they hold no lines of code.
    """
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = str(path.relative_to(folder))
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if not member.endswith(".npz"):
                        found[f"{name}:{member}"] = _as_text(member, archive.read(member))
        else:
            found[name] = _as_text(name, path.read_bytes())
    return {name: text for name, text in found.items() if "\0" not in text}


def _as_text(name: str, content: bytes) -> str:
    text = content.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        try:
            return "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        except Exception:  # not a notebook after all: search its raw text
            return text
    return text


def leaks(folder: Path, lines: set[str]) -> list[tuple[str, str]]:
    """(file, line) for every solution line found in a file under ``folder`` (spaces collapsed)."""
    found = []
    for name, text in texts(folder).items():
        text = _normalised(text)
        found += [(name, line) for line in sorted(lines) if line in text]
    return found


def _pyproject() -> str:
    """A pyproject.toml that installs ``helpers`` with the course's dependencies (and JupyterLab as ``[lab]``)."""
    import tomllib

    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]

    def strings(values: list[str]) -> str:
        return "[" + ", ".join(json.dumps(value) for value in values) + "]"

    return "\n".join([
        "[build-system]", 'requires = ["setuptools>=77"]', 'build-backend = "setuptools.build_meta"', "",
        "[project]", f"name = {json.dumps(project['name'])}", f"version = {json.dumps(project['version'])}",
        f"description = {json.dumps(project['description'])}", 'readme = "README.md"',
        f"license = {json.dumps(project['license'])}", f"requires-python = {json.dumps(project['requires-python'])}",
        f"dependencies = {strings(project['dependencies'])}", "", "[project.optional-dependencies]",
        f"lab = {strings(project['optional-dependencies']['lab'])}", "",
        "[tool.setuptools.packages.find]", 'include = ["helpers*"]', "",
        "[tool.setuptools.package-data]", 'helpers = ["samples/*.npz", "samples/*.md", "records/*.json", "hub/*.keras",'
        ' "hub/*.json"]', "",
    ])


def build(out: Path) -> Path:
    """Write ``out/eiam-exercises/`` and ``out/eiam-exercises.zip``; return the folder."""
    folder = out / NAME
    if folder.exists():
        if not (folder / STAMP).exists() and any(folder.iterdir()):
            raise FileExistsError(f"{folder} exists and was not written by make handout; nothing was written. "
                                  f"Move it away or choose another folder with --out.")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / STAMP).write_text("This folder is rewritten by `make handout`.\n")
    for name, text in gen.generate(SOLUTIONS).items():
        (folder / name).write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "helpers", folder / "helpers",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    (folder / "pyproject.toml").write_text(_pyproject(), encoding="utf-8")
    (folder / "README.md").write_text(STUDENT_README, encoding="utf-8")
    archive = out / f"{NAME}.zip"
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != STAMP:
                zipped.write(path, Path(NAME) / path.relative_to(folder))
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        folder = build(args.out)
    except FileExistsError as error:
        print(error, file=sys.stderr)
        return 2
    found = leaks(args.out, solution_lines())
    if found:
        for name, line in found:
            print(f"{name}: holds the solution line {line!r}", file=sys.stderr)
        print("The handout would give answers away; fix the files named above and run make handout again.",
              file=sys.stderr)
        return 1
    print(f"handout written: {folder} and {folder.with_suffix('.zip')}; no solution line in it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
