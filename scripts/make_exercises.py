"""Write the exercise notebooks (``exercises/``) from their one source, the solutions (``solutions/``).

Usage::

    python -m scripts.make_exercises            # make exercises
    python -m scripts.make_exercises --force    # make exercises FORCE=1: also replace changed exercises (backed up)
    python -m scripts.make_exercises --check    # write nothing; exit 1 when exercises/ is out of date

Markers in ``solutions/NN_name.ipynb`` (each marker alone on its line):

* Code cells: the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` are the answer. The exercise
  replaces them with a stub: a comment, ``name = None`` for each name the answer binds that later code
  reads (outside functions only), and ``raise NotImplementedError("... Hint: <hint>")``. The hint is
  taken from the comment block just above ``# BEGIN SOLUTION``, from its line starting ``# HINT:`` to
  the end of the block (kept in the exercise too); without one, a generic hint is used.
* Markdown cells: the lines between ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` become
  ``*Write your answer here.*``.
* A code cell whose first line starts with ``# CHECK`` runs the student's answer (it calls a check from
  ``helpers.checks``, or uses the answer in any other way).
* A cell whose first line is ``# SOLUTION ONLY`` (code) or ``<!-- SOLUTION ONLY -->`` (markdown) is left out.

Cells meant to fail: in the exercise, the standard ``raises-exception`` cell tag (which nbval, nbclient
and JupyterLab honour) is given to every cell whose stub runs when the cell runs (a stub outside any
``def``) and to every ``# CHECK`` cell; no other cell gets it. So a stub inside a function body raises
only when the function is called, in its check cell. Every ``# CHECK`` cell must come after a stub, and
tasks must not use each other's answers.

Exercise notebooks keep the solution's cell ids and metadata, have no outputs, and are byte-identical
from run to run. ``exercises/.generated.json`` (the manifest) records the fingerprint (SHA-256) of each
notebook as it was written. An exercise notebook that is neither what its solution generates now nor
what the manifest records is the student's work: answers typed in, or only outputs saved by running it.
Then nothing at all is written, the notebook is named, and the exit status is 1. With no manifest, every
existing notebook that differs from what would be generated counts as such work. ``--force`` replaces
those notebooks too, after copying each to ``exercises/.backup/NN_name.<UTC time>.ipynb`` (git-ignored)
and printing where; no run of this script loses work. Missing exercise notebooks are simply written.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as dt
import hashlib
import json
import os
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from scripts.course_files import (
    EXERCISES,
    NOTEBOOK_PATTERN,
    RAISES_EXCEPTION,
    SOLUTIONS,
    add_tag,
    numbered_notebooks,
    parse_cell,
)

MANIFEST_NAME = ".generated.json"
BACKUP_FOLDER = ".backup"

BEGIN_CODE, END_CODE = "# BEGIN SOLUTION", "# END SOLUTION"
BEGIN_MARKDOWN, END_MARKDOWN = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
HINT_PREFIX = "# HINT:"
CHECK_PREFIX = "# CHECK"
SOLUTION_ONLY = {"code": "# SOLUTION ONLY", "markdown": "<!-- SOLUTION ONLY -->"}
ANSWER_PLACEHOLDER = "*Write your answer here.*"
STUB_MESSAGE = "Your answer goes here: replace this `raise` with your code."
GENERIC_HINT = "The task above says what to write."
STUB_COMMENT = "# YOUR ANSWER: replace the {what} below with your code."
LINE_LENGTH = 120  # ruff's limit (pyproject.toml): the stubs must pass the linter too


class MarkerError(ValueError):
    """A solution notebook's markers cannot be turned into an exercise; the message names the cell and the fix."""


@dataclass(frozen=True)
class Region:
    """One answer region of a code cell: line indices of its markers, its indentation and its hint."""

    begin: int
    end: int
    indent: str
    hint: str | None


def fingerprint(text: str) -> str:
    """SHA-256 of a notebook file's text: any change to the file (answers, outputs, counts, tags) changes it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """The bytes ``nbformat.write`` would write (as text), so a file can be compared without writing it."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _names_read(source: str) -> set[str]:
    """Names that code reads; for code that does not parse, every identifier in it."""
    tree = parse_cell(source)
    if tree is None:
        return set(re.findall(r"[A-Za-z_]\w*", source))
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


class _Bindings(ast.NodeVisitor):
    """Names bound in a block's own scope, in order (not inside defs, classes, lambdas or comprehensions)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def _bind(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self._bind(node.id)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._bind(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind(node.name)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._bind(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass

    def visit_ListComp(self, node: ast.AST) -> None:
        pass

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp


def _inside_function(tree: ast.Module, line_number: int) -> bool:
    """Whether 1-based ``line_number`` lies in the body of a function (so it runs only when that is called)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if node.lineno < line_number <= (node.end_lineno or node.lineno):
                return True
    return False


def _string_literal(text: str, indent: str, prefix: str) -> list[str]:
    """``prefix`` + a Python string literal of ``text`` + ``)``, split over lines to stay within LINE_LENGTH."""

    def literal(part: str) -> str:
        return json.dumps(part, ensure_ascii=False)  # a JSON string is a valid Python string literal

    one_line = f"{indent}{prefix}{literal(text)})"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    room = LINE_LENGTH - len(indent) - 4  # continuation lines are indented by 4 more
    parts, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and len(literal(candidate + " ")) > room:
            parts.append(current + " ")
            current = word
        else:
            current = candidate
    parts.append(current)
    return [f"{indent}{prefix}"] + [f"{indent}    {literal(part)}" for part in parts] + [f"{indent})"]


def _find_regions(lines: list[str], where: str) -> list[Region]:
    regions, begin = [], None
    for index, line in enumerate(lines):
        text = line.strip()
        if text == BEGIN_CODE:
            if begin is not None:
                raise MarkerError(f"{where}, line {index + 1}: '{BEGIN_CODE}' inside another answer region; "
                                  f"close the first with '{END_CODE}'.")
            begin = index
        elif text == END_CODE:
            if begin is None:
                raise MarkerError(f"{where}, line {index + 1}: '{END_CODE}' without a '{BEGIN_CODE}' above it.")
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            if not line.startswith(indent) or line[len(indent):] != END_CODE:
                raise MarkerError(f"{where}, line {index + 1}: indent '{END_CODE}' exactly like its '{BEGIN_CODE}'.")
            if not any(body.strip() for body in lines[begin + 1:index]):
                raise MarkerError(f"{where}, line {begin + 1}: the answer region is empty; put the answer in it.")
            regions.append(Region(begin, index, indent, _hint(lines, begin, indent)))
            begin = None
        elif re.search(r"(BEGIN|END) SOLUTION", text) and text.startswith("#"):
            raise MarkerError(f"{where}, line {index + 1}: {text!r} is not a marker; write exactly "
                              f"'{BEGIN_CODE}' or '{END_CODE}', alone on the line.")
    if begin is not None:
        raise MarkerError(f"{where}, line {begin + 1}: '{BEGIN_CODE}' is never closed; add '{END_CODE}'.")
    return regions


def _hint(lines: list[str], begin: int, indent: str) -> str | None:
    """The hint: the comment block just above ``begin``, from its ``# HINT:`` line down, as one sentence."""
    top = begin
    while top > 0 and lines[top - 1].startswith(indent + "#") and lines[top - 1].strip() != END_CODE:
        top -= 1
    block = [line.strip() for line in lines[top:begin]]
    starts = [i for i, line in enumerate(block) if line.startswith(HINT_PREFIX)]
    if not starts:
        return None
    first = block[starts[-1]][len(HINT_PREFIX):].strip()
    rest = [line.lstrip("#").strip() for line in block[starts[-1] + 1:]]
    return " ".join(part for part in [first, *rest] if part) or None


def stub_message(hint: str | None) -> str:
    """The message of a stub's NotImplementedError: what to do, then the hint (or a generic one)."""
    return f"{STUB_MESSAGE} " + (f"Hint: {hint}" if hint else GENERIC_HINT)


def stub_code(source: str, later_code: str, where: str) -> tuple[str, bool, bool]:
    """Replace the answer regions of a code cell with stubs.

    Args:
        source: the solution cell's source.
        later_code: the sources of the notebook's later code cells, joined: names they read are set to
            None by stubs that run at the top level, so the checks can say "no answer yet".
        where: the cell, for error messages.

    Returns:
        ``(exercise source, has regions, a stub runs when the cell runs)``.
    """
    lines = source.split("\n")
    regions = _find_regions(lines, where)
    if not regions:
        return source, False, False
    tree = parse_cell(source)
    if tree is None:
        raise MarkerError(f"{where}: a cell with an answer region must be valid Python (IPython magics are "
                          f"fine); fix its syntax.")
    output, previous_end, raises = [], -1, False
    for region in regions:
        output += lines[previous_end + 1: region.begin]
        body = "\n".join(lines[region.begin + 1: region.end])
        at_top_level = not _inside_function(tree, region.begin + 1)
        names: list[str] = []
        if at_top_level:
            raises = True
            region_tree = parse_cell(textwrap.dedent(body))
            if region_tree is None:
                raise MarkerError(f"{where}, line {region.begin + 1}: an answer region must hold whole statements.")
            bindings = _Bindings()
            for statement in region_tree.body:
                bindings.visit(statement)
            following = "\n".join(lines[region.end + 1:]) + "\n" + later_code
            read_later = _names_read(following)
            names = [name for name in bindings.names if name in read_later]
        stub = [region.indent + STUB_COMMENT.format(what="lines" if names else "line")]
        stub += [f"{region.indent}{name} = None" for name in names]
        stub += _string_literal(stub_message(region.hint), region.indent, "raise NotImplementedError(")
        output += stub
        previous_end = region.end
    output += lines[previous_end + 1:]
    exercise = "\n".join(output)
    if parse_cell(exercise) is None:
        raise MarkerError(f"{where}: the cell is not valid Python once its answers are replaced by stubs; "
                          f"make each answer region whole statements.")
    return exercise, True, raises


def stub_markdown(source: str, where: str, placeholder: str = ANSWER_PLACEHOLDER) -> tuple[str, bool]:
    """Replace the answer regions of a markdown cell with ``placeholder`` (``*Write your answer here.*``)."""
    output, inside, found = [], None, False
    for index, line in enumerate(source.split("\n")):
        text = line.strip()
        if text == BEGIN_MARKDOWN:
            if inside is not None:
                raise MarkerError(f"{where}, line {index + 1}: '{BEGIN_MARKDOWN}' inside another answer region.")
            inside, found = index, True
            output.append(placeholder)
        elif text == END_MARKDOWN:
            if inside is None:
                raise MarkerError(f"{where}, line {index + 1}: '{END_MARKDOWN}' without a '{BEGIN_MARKDOWN}'.")
            inside = None
        elif re.search(r"(BEGIN|END) SOLUTION", text) and "<!--" in text:
            raise MarkerError(f"{where}, line {index + 1}: {text!r} is not a marker; write exactly "
                              f"'{BEGIN_MARKDOWN}' or '{END_MARKDOWN}', alone on the line.")
        elif inside is None:
            output.append(line)
    if inside is not None:
        raise MarkerError(f"{where}, line {inside + 1}: '{BEGIN_MARKDOWN}' is never closed; add '{END_MARKDOWN}'.")
    return "\n".join(output), found


def _first_line(source: str) -> str:
    return source.split("\n", 1)[0].strip()


def build_exercise(solution: nbformat.NotebookNode, name: str, *,
                   answer_placeholder: str = ANSWER_PLACEHOLDER) -> nbformat.NotebookNode:
    """The exercise notebook for a solution notebook (read with nbformat), named ``name`` in messages.

    ``answer_placeholder`` replaces each written answer (another language's edition gives its own words).
    """
    exercise = new_notebook(metadata=copy.deepcopy(solution.metadata))
    code_sources = [cell.source for cell in solution.cells if cell.cell_type == "code"]
    code_index, stubs_so_far, answers = 0, 0, 0
    for number, cell in enumerate(solution.cells):
        if "id" not in cell:
            raise MarkerError(f"{name}: cell {number} has no id; save the notebook with nbformat 4.5 or later.")
        where = f"{name}, cell {number} (id {cell.id})"
        metadata = {key: value for key, value in copy.deepcopy(cell.metadata).items() if key != "execution"}
        if cell.cell_type == "code":
            code_index += 1
        if _first_line(cell.source) == SOLUTION_ONLY.get(cell.cell_type):
            continue
        if cell.cell_type == "markdown":
            source, found = stub_markdown(cell.source, where, answer_placeholder)
            answers += found
            exercise.cells.append(new_markdown_cell(source, id=cell.id, metadata=metadata))
        elif cell.cell_type == "code":
            source, found, raises = stub_code(cell.source, "\n".join(code_sources[code_index:]), where)
            answers += found
            stubs_so_far += found
            is_check = re.match(re.escape(CHECK_PREFIX) + r"\b", _first_line(cell.source)) is not None
            if is_check and not stubs_so_far:
                raise MarkerError(f"{where}: a '{CHECK_PREFIX}' cell before any answer region would pass in the "
                                  f"exercise; move it after the answer it checks.")
            exercise_cell = new_code_cell(source, id=cell.id, metadata=metadata)
            if raises or is_check:
                add_tag(exercise_cell, RAISES_EXCEPTION)
            exercise.cells.append(exercise_cell)
        else:
            exercise.cells.append(copy.deepcopy(cell))
    if not answers:
        raise MarkerError(f"{name}: no answer regions ('{BEGIN_CODE}' or '{BEGIN_MARKDOWN}'); the exercise would "
                          f"show every answer.")
    nbformat.validate(exercise)
    return exercise


def generate(solutions: Path) -> dict[str, str]:
    """Every solution notebook's exercise: ``{file name: notebook text}``, in name order."""
    generated = {}
    for path in numbered_notebooks(solutions):
        solution = nbformat.read(path, as_version=4)
        generated[path.name] = notebook_text(build_exercise(solution, f"{solutions.name}/{path.name}"))
    return generated


class ManifestError(ValueError):
    """The manifest cannot be read; the message says how to recover without losing anyone's work."""


def read_manifest(exercises: Path, command: str = "make exercises") -> dict[str, str]:
    """The recorded fingerprints, ``{file name: sha256}``; empty when there is no manifest yet.

    ``command`` is the one that writes this folder, for the advice when the manifest is damaged.
    """
    path = exercises / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        recorded = dict(json.loads(path.read_text(encoding="utf-8"))["notebooks"])
        if not all(isinstance(value, str) for value in recorded.values()):
            raise TypeError("its fingerprints are not strings")
    except (ValueError, KeyError, TypeError) as error:
        raise ManifestError(
            f"{_show(path)} is damaged or was not written by this script ({error}). Nothing was written. Delete "
            f"that file and run `{command}` again, without FORCE=1: with no manifest, every "
            f"notebook that differs from what would be generated is kept and named, never overwritten."
        ) from None
    return recorded


MANIFEST_ABOUT = ("Written by python -m scripts.make_exercises (make exercises): the fingerprint of each exercise "
                  "notebook as it was generated, to notice a student's work in it. Do not edit.")


def manifest_text(generated: dict[str, str], about: str = MANIFEST_ABOUT) -> str:
    """The manifest's content for these generated notebooks (``{file name: notebook text}``); ``about`` says who
    writes it."""
    payload = {
        "about": about,
        "notebooks": {name: fingerprint(text) for name, text in sorted(generated.items())},
    }
    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"


def pending_write(path: Path, text: str, recorded: str | None) -> str | None:
    """What writing generated ``text`` to ``path`` means, given the fingerprint the manifest ``recorded`` for it.

    None: the file holds ``text`` already. ``"missing"``: there is no file. ``"generated"``: it holds what was
    generated before (its fingerprint is the recorded one), so it may be replaced. ``"edited"``: anything else,
    someone's work, replaced only when asked (after a :func:`backup`).
    """
    if not path.exists():
        return "missing"
    current = _read(path)
    if current == text:
        return None
    return "generated" if current is not None and fingerprint(current) == recorded else "edited"


def _read(path: Path) -> str | None:
    """A file's text (any line endings read as ``\\n``); None when it is not UTF-8 text."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


def _write(path: Path, text: str) -> None:
    """Write atomically, with ``\\n`` line endings on every system: a reader never sees half a notebook."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="\n")
    os.replace(temporary, path)


def backup(path: Path, now: dt.datetime) -> Path:
    """Copy ``exercises/NN_name.ipynb`` to ``exercises/.backup/NN_name.<UTC time>.ipynb``; never replaces a backup."""
    folder = path.parent / BACKUP_FOLDER
    folder.mkdir(exist_ok=True)
    stamp = now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    content = path.read_bytes()
    for attempt in range(1, 1000):
        target = folder / f"{path.stem}.{stamp}{'' if attempt == 1 else f'-{attempt}'}{path.suffix}"
        try:
            with target.open("xb") as handle:  # "x": fails when the file exists, so no backup is replaced
                handle.write(content)
            return target
        except FileExistsError:
            continue
    raise OSError(f"{folder} already holds 999 backups of {path.name} from {stamp}; move some elsewhere.")


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def check(solutions: Path, exercises: Path) -> int:
    """``--check``: 0 when exercises/ is exactly what solutions/ generate, else 1 with the list of differences."""
    generated = generate(solutions)
    problems = []
    for name, text in generated.items():
        path = exercises / name
        if not path.exists():
            problems.append(f"{_show(path)}: missing")
        elif _read(path) != text:
            problems.append(f"{_show(path)}: differs from what {solutions.name}/{name} generates")
    for path in numbered_notebooks(exercises):
        if path.name not in generated:
            problems.append(f"{_show(path)}: has no solution notebook in {solutions.name}/")
    manifest = exercises / MANIFEST_NAME
    if not manifest.exists() or _read(manifest) != manifest_text(generated):
        problems.append(f"{_show(manifest)}: does not record the generated notebooks")
    if problems:
        print("exercises are out of date with their solutions:\n  " + "\n  ".join(problems))
        print("Run `make exercises` and commit the result.")
        return 1
    print(f"{len(generated)} exercise notebooks are up to date with {solutions.name}/.")
    return 0


def write(solutions: Path, exercises: Path, *, force: bool, now: dt.datetime | None = None) -> int:
    """Write the exercise notebooks that are missing or out of date.

    Refuses (1, writing nothing) when one holds a student's work, unless ``force``: then each such notebook
    is first copied to ``exercises/.backup/`` (named with the UTC time ``now``, default the current time).
    """
    generated = generate(solutions)
    if not generated:
        print(f"no solution notebooks (named {NOTEBOOK_PATTERN}) in {_show(solutions)}; nothing to do.")
        return 1
    recorded = read_manifest(exercises)
    writes, students = [], []
    for name, text in generated.items():
        path = exercises / name
        state = pending_write(path, text, recorded.get(name))
        if state == "missing":
            writes.append((path, text, "written"))
        elif state == "generated":
            writes.append((path, text, f"updated from {solutions.name}/{name}"))
        elif state == "edited":
            students.append((path, text))
    if students and not force:
        for path, _ in students:
            print(f"{_show(path)} differs from what was generated (a student's answers, or outputs saved by "
                  f"running it).")
        print(f"Nothing was written. `make exercises FORCE=1` (python -m scripts.make_exercises --force) first "
              f"copies each notebook named above to {_show(exercises / BACKUP_FOLDER)}/, then replaces it.")
        return 1
    exercises.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.timezone.utc)
    for path, text in students:
        copy_path = backup(path, now)
        writes.append((path, text, f"replaced (--force); the version it replaces is in {_show(copy_path)}"))
    for path, text, what in writes:
        _write(path, text)
        print(f"{_show(path)}: {what}")
    manifest = manifest_text(generated)
    manifest_path = exercises / MANIFEST_NAME
    if not manifest_path.exists() or _read(manifest_path) != manifest:
        _write(manifest_path, manifest)
    for path in numbered_notebooks(exercises):
        if path.name not in generated:
            print(f"note: {_show(path)} has no solution notebook; left as it is.")
    print(f"{len(writes)} exercise notebook(s) written, {len(generated) - len(writes)} already up to date.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when exercises/ is out of date")
    parser.add_argument("--force", action="store_true",
                        help=f"also replace exercise notebooks that hold a student's work, after copying each to "
                             f"exercises/{BACKUP_FOLDER}/")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS, help="folder of the solution notebooks")
    parser.add_argument("--exercises", type=Path, default=EXERCISES, help="folder of the exercise notebooks")
    args = parser.parse_args(argv)
    if args.check and args.force:
        parser.error("--check writes nothing, so --force makes no sense with it")
    try:
        if args.check:
            return check(args.solutions, args.exercises)
        return write(args.solutions, args.exercises, force=args.force)
    except (MarkerError, ManifestError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
