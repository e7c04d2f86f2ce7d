"""The Chinese edition (中文版): the notebooks of ``zh/``, generated from the English ones and translation files.

Usage::

    python -m scripts.translations skeleton NOTEBOOK ...   # write or update these notebooks' translation files
    python -m scripts.translations skeleton --all          # ... of every notebook of notebooks/ and solutions/
    python -m scripts.translations generate [--force]      # write zh/notebooks, zh/solutions, zh/exercises
    python -m scripts.translations check                   # write nothing; exit 1 listing what is out of date

``make translations`` runs ``skeleton --all``, then ``generate`` (``FORCE=1``: ``--force``).

**One source.** A Chinese notebook is its English notebook with the markdown cells translated: the same cells,
ids, metadata and code. The one difference in code: the set-up cell (id ``colab-setup``) gets the line
:data:`scripts.course_files.LANGUAGE_LINE` after its last ``os.environ.setdefault`` line, so that ``helpers``
speaks Chinese. Links between course notebooks point at the Chinese notebooks, a link to ``README.md`` at
``README.zh.md``, and every other relative link (images, ``GLOSSARY.md``) is rewritten to resolve from the
deeper folder. The Chinese exercises are made from the Chinese solutions by :mod:`scripts.make_exercises`
itself, with :data:`ANSWER_PLACEHOLDER` for a written answer.

**Translation files.** One UTF-8 Markdown file per English notebook of ``notebooks/`` and ``solutions/``,
``translations/zh/<folder>/<stem>.md``::

    <!-- translation of notebooks/04_keras_mnist_autoencoder.ipynb (zh) -->

    <!-- cell 5cb9abed4a en:1f2e3d4c5b6a -->
    # 04 · 文章里的 Keras MNIST 自编码器……

One entry per markdown cell of the English notebook, in its order: a header line (:data:`HEADER`) with the
cell's id and the :func:`fingerprint` of the English text that was translated, then the translation (up to the
next header, blank lines around it removed).

**The drift test.** When an English markdown cell changes, its fingerprint no longer matches the entry's and
``check`` (and ``tests/test_translations.py``) fails, naming the notebook, the cell and the command.
What a translator does then: run ``make translations``. Its ``skeleton`` step rewrites that entry: the new
fingerprint, the line :data:`UNTRANSLATED`, the new English text, and below :data:`PREVIOUS` the old
translation, for reference; it never deletes a translation (an entry whose cell is gone stays at the end of
the file, and ``check`` names it). Translate the English text, delete the marker line and the previous
translation, and run ``make translations`` again: ``check`` passes once nothing is left untranslated. Until
then the Chinese notebook shows that cell in English.

``check`` also fails when a translated cell lost a number, a ``<!-- ... -->`` marker or a code span of its
English cell, when a translation file is missing, extra or malformed, and when a Chinese notebook is not
exactly what ``generate`` writes (its code cells are compared with the English ones, cell by cell).

**Hand edits.** Like ``make exercises``: each folder of ``zh/`` has a manifest (``.generated.json``) with the
fingerprint of each notebook as written; a Chinese notebook that is neither what is generated now nor what
was written (edited, or run and saved) is named and nothing at all is written, unless ``--force``: then it
is first copied to ``zh/<folder>/.backup/`` (git-ignored). Output is byte-identical from run to run.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import posixpath
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from scripts import course_files
from scripts import make_exercises as gen

LANGUAGE = "zh"
#: The folders of English notebooks that have translation files (the exercises are generated from solutions/).
TRANSLATED_FOLDERS = ("notebooks", "solutions")
EXERCISES = "exercises"
HEADER = re.compile(r"^<!-- cell (?P<id>[A-Za-z0-9_-]+) en:(?P<fingerprint>[0-9a-f]{12}) -->$")
TITLE = "<!-- translation of {name} (zh) -->"
UNTRANSLATED = ("<!-- untranslated: the English cell below is new or changed. Translate it, then delete this line "
                "(and the previous translation, if any) -->")
PREVIOUS = "<!-- previous translation, of the English text before it changed (for reference; delete it when done) -->"
ANSWER_PLACEHOLDER = "*在这里写下你的答案。*"
MANIFEST_ABOUT = ("Written by python -m scripts.translations generate (make translations): the fingerprint of each "
                  "Chinese notebook as it was generated, to notice a hand edit. Do not edit.")
COMMAND = "make translations"

_NUMBER = re.compile(r"\d[\d,.]*")
_MARKER = re.compile(r"<!--.*?-->", re.S)
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^(?P=fence)[ \t]*$", re.S | re.M)
_SPAN = re.compile(r"(?P<ticks>`+)[^\n]+?(?P=ticks)")
_CODE = re.compile(f"{_FENCE.pattern}|{_SPAN.pattern}", re.S | re.M)
_LINKS = (re.compile(r"(?P<pre>!?\[[^\]\n]*\]\()(?P<target><[^>\n]*>|[^)\s]+)"),
          re.compile(r"(?P<pre>\b(?:src|href)=[\"'])(?P<target>[^\"'\n]+)"),
          re.compile(r"^(?P<pre> {0,3}\[[^\]\n]+\]:[ \t]*)(?P<target>\S+)", re.M))
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)


class TranslationError(ValueError):
    """A translation file or an English notebook cannot make a Chinese notebook; the message names file and line."""


def fingerprint(source: str) -> str:
    """The fingerprint of an English markdown cell's text (its ``source`` as nbformat reads it): 12 hex digits."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def header(cell_id: str, source: str) -> str:
    """The header line of the entry that translates the English cell ``cell_id`` whose text is ``source``."""
    return f"<!-- cell {cell_id} en:{fingerprint(source)} -->"


# --- translation files ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One entry of a translation file: the English cell's id and fingerprint, the text, its header's line (1-based)."""

    cell_id: str
    fingerprint: str
    text: str
    line: int

    @property
    def untranslated(self) -> bool:
        """Marked by ``skeleton`` as new or changed English, not yet translated."""
        return self.text.split("\n", 1)[0] == UNTRANSLATED

    @property
    def previous(self) -> str | None:
        """The translation kept for reference below the line :data:`PREVIOUS`, if there is one."""
        lines = self.text.split("\n")
        return _trim(lines[lines.index(PREVIOUS) + 1:]) if PREVIOUS in lines else None


@dataclass(frozen=True)
class Translation:
    """A parsed translation file: the English notebook its first line names, and its entries in order."""

    path: Path
    notebook: str
    entries: tuple[Entry, ...]

    def by_id(self) -> dict[str, Entry]:
        return {entry.cell_id: entry for entry in self.entries}


def _trim(lines: list[str]) -> str:
    """Lines joined, without the blank lines at the start and the end."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def parse(text: str, where: str) -> Translation:
    """A translation file's text; ``where`` (its path) names it in errors, which also give the line.

    Raises:
        TranslationError: no title line, text before the first entry, a duplicated cell id, or an empty entry.
    """
    lines = text.split("\n")
    title = re.fullmatch(r"<!-- translation of (?P<name>\S+\.ipynb) \(zh\) -->", lines[0].strip()) if lines else None
    if not title:
        raise TranslationError(f"{where}, line 1: the first line must be {TITLE.format(name='<folder>/<name>.ipynb')!r}"
                               f" (`python -m scripts.translations skeleton <notebook>` writes a file's skeleton).")
    entries, seen, current, body = [], {}, None, []

    def close() -> None:
        if current is None:
            return
        match, line = current
        entry = Entry(match.group("id"), match.group("fingerprint"), _trim(body), line)
        if not entry.text:
            raise TranslationError(f"{where}, line {entry.line}: the entry of cell {entry.cell_id} is empty; write "
                                   f"its translation below the header.")
        entries.append(entry)

    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("<!-- cell "):
            match = HEADER.match(line.rstrip())
            if not match:
                raise TranslationError(f"{where}, line {number}: {line.strip()!r} is not an entry header; write "
                                       f"exactly '<!-- cell <id> en:<12 hex digits> -->' (the cell's id and the "
                                       f"fingerprint that `skeleton` wrote).")
            if match.group("id") in seen:
                raise TranslationError(f"{where}, line {number}: a second entry for cell {match.group('id')} (the "
                                       f"first is on line {seen[match.group('id')]}); keep one.")
            close()
            current, body = (match, number), []
            seen[match.group("id")] = number
        elif current is None:
            if line.strip():
                raise TranslationError(f"{where}, line {number}: text before the first entry header; each text "
                                       f"belongs under the '<!-- cell <id> en:<fingerprint> -->' of its cell.")
        else:
            body.append(line)
    close()
    return Translation(Path(where), title.group("name"), tuple(entries))


def read_translation(path: Path, root: Path = course_files.ROOT) -> Translation:
    """Parse the translation file at ``path`` (UTF-8, with or without a BOM; any line endings), named from ``root``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise TranslationError(f"{_relative(path, root)}: not UTF-8 text ({error}); save it as UTF-8.") from None
    return parse(text, _relative(path, root))


def markdown_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "markdown"]


def skeleton_text(nb: nbformat.NotebookNode, name: str, existing: Translation | None) -> str:
    """The translation file of English notebook ``nb`` (named ``folder/NN_name.ipynb``), keeping ``existing``'s work.

    An entry whose fingerprint matches is kept as it is. A new or changed English cell gets the line
    :data:`UNTRANSLATED`, its English text and, below :data:`PREVIOUS`, the translation it had. Entries of
    cells the notebook no longer has are kept, unchanged, at the end (``check`` names them).
    """
    old = dict(existing.by_id()) if existing else {}
    lines = [TITLE.format(name=name), ""]
    for cell in markdown_cells(nb):
        if any(HEADER.match(line) for line in cell.source.split("\n")):
            raise TranslationError(f"{name}, cell {cell.id}: a line of its text looks like an entry header; reword it.")
        entry = old.pop(cell.id, None)
        if entry is not None and entry.fingerprint == fingerprint(cell.source):
            body = entry.text
        else:
            body = f"{UNTRANSLATED}\n{cell.source.strip(chr(10))}"
            previous = (entry.previous if entry.untranslated else entry.text) if entry is not None else None
            if previous:
                body += f"\n\n{PREVIOUS}\n{previous}"
        lines += [header(cell.id, cell.source), body, ""]
    for entry in old.values():
        lines += [f"<!-- cell {entry.cell_id} en:{entry.fingerprint} -->", entry.text, ""]
    return "\n".join(lines)


def skeleton(english: Path, root: Path = course_files.ROOT) -> str:
    """Write or update the translation file of one English notebook (under ``root``); return what was done."""
    english = Path(english).resolve()
    name = _relative(english, root)
    if english.parent.name not in TRANSLATED_FOLDERS or english.parent.parent != Path(root).resolve():
        raise TranslationError(f"{name}: only notebooks of {' and '.join(f'{f}/' for f in TRANSLATED_FOLDERS)} have "
                               f"translation files (the Chinese exercises are made from the Chinese solutions).")
    target = course_files.translation_file(english, Path(root) / "translations" / LANGUAGE)
    existing = read_translation(target, root) if target.exists() else None
    text = skeleton_text(nbformat.read(english, as_version=4), name, existing)
    shown = _relative(target, root)
    if existing is not None and target.read_text(encoding="utf-8") == text:
        return f"{shown}: up to date"
    entries = parse(text, shown).entries
    waiting = sum(entry.untranslated for entry in entries)
    target.parent.mkdir(parents=True, exist_ok=True)
    gen._write(target, text)
    return f"{shown}: {'updated' if existing else 'written'}; {waiting} of {len(entries)} entries untranslated"


# --- the Chinese notebooks ------------------------------------------------------------------------------

def add_language_line(source: str, where: str) -> str:
    """The set-up cell's source with :data:`~scripts.course_files.LANGUAGE_LINE` after its last environment default."""
    lines = source.split("\n")
    defaults = [i for i, line in enumerate(lines) if line.startswith("os.environ.setdefault(")]
    if not defaults or course_files.LANGUAGE_LINE in lines:
        raise TranslationError(f"{where}: the set-up cell (id {course_files.SETUP_CELL_ID}) must set an environment "
                               f"default (os.environ.setdefault(...)) and not the language already; the Chinese "
                               f"edition adds {course_files.LANGUAGE_LINE!r} after it.")
    return "\n".join(lines[:defaults[-1] + 1] + [course_files.LANGUAGE_LINE] + lines[defaults[-1] + 1:])


def rewrite_target(target: str, folder: str) -> str:
    """A relative link target of an English notebook in ``folder``, as the Chinese notebook in ``zh/<folder>`` needs it.

    Course notebooks -> their Chinese editions; ``README.md`` -> ``README.zh.md``; anything else -> the same file,
    from one folder deeper. URLs, anchors and absolute paths are unchanged.
    """
    bracketed = target.startswith("<") and target.endswith(">")
    inner = target[1:-1] if bracketed else target
    if not inner or _SCHEME.match(inner) or inner.startswith(("#", "/")):
        return target
    path, hash_sign, fragment = inner.partition("#")
    in_repo = posixpath.normpath(posixpath.join(folder, path))
    first, _, rest = in_repo.partition("/")
    if first in (f.name for f in course_files.FOLDERS) and course_files.NOTEBOOK_NAME.fullmatch(rest):
        in_repo = f"{LANGUAGE}/{in_repo}"
    elif in_repo == "README.md":
        in_repo = "README.zh.md"
    new = posixpath.relpath(in_repo, f"{LANGUAGE}/{folder}") + hash_sign + fragment
    return f"<{new}>" if bracketed else new


def rewrite_links(markdown: str, folder: str) -> str:
    """Every relative link and image of a markdown text (outside code) rewritten by :func:`rewrite_target`."""
    def outside_code(text: str) -> str:
        for pattern in _LINKS:
            text = pattern.sub(lambda m: m.group("pre") + rewrite_target(m.group("target"), folder), text)
        return text

    parts, last = [], 0
    for match in _CODE.finditer(markdown):
        parts += [outside_code(markdown[last:match.start()]), match.group(0)]
        last = match.end()
    return "".join(parts + [outside_code(markdown[last:])])


def chinese_notebook(nb: nbformat.NotebookNode, translation: Translation | None, name: str
                     ) -> tuple[nbformat.NotebookNode, int]:
    """The Chinese notebook of English notebook ``nb`` (``folder/NN_name.ipynb``) and how many cells stay English.

    A markdown cell without an up-to-date translated entry keeps its English text (``check`` names it).
    """
    folder = name.split("/")[0]
    entries = translation.by_id() if translation else {}
    zh = copy.deepcopy(nb)
    english_cells = 0
    for cell in zh.cells:
        if cell.cell_type == "markdown":
            entry = entries.get(cell.id)
            if entry is None or entry.untranslated or entry.fingerprint != fingerprint(cell.source):
                english_cells += 1
                text = cell.source
            else:
                text = entry.text
            cell.source = rewrite_links(text, folder)
        elif cell.cell_type == "code" and cell.get("id") == course_files.SETUP_CELL_ID:
            cell.source = add_language_line(cell.source, f"{name}, cell {cell.id}")
    nbformat.validate(zh)
    return zh, english_cells


def english_notebooks(root: Path = course_files.ROOT) -> list[Path]:
    """The English notebooks that have translation files: ``notebooks/``, then ``solutions/``."""
    return [path for folder in TRANSLATED_FOLDERS for path in course_files.numbered_notebooks(Path(root) / folder)]


@dataclass(frozen=True)
class Generated:
    """What ``generate`` writes: ``{path: notebook text}`` (paths under ``root/zh``), and the cells left English."""

    notebooks: dict[Path, str]
    english_cells: int


def generate(root: Path = course_files.ROOT) -> Generated:
    """Every Chinese notebook: ``zh/notebooks``, ``zh/solutions``, and ``zh/exercises`` from the Chinese solutions.

    Raises:
        TranslationError: a translation file is malformed, or an English set-up cell has no environment default.
        scripts.make_exercises.MarkerError: a Chinese solution's answer markers are broken.
    """
    root = Path(root)
    out, english_cells = {}, 0
    for english in english_notebooks(root):
        name = _relative(english, root)
        source = course_files.translation_file(english, root / "translations" / LANGUAGE)
        translation = read_translation(source, root) if source.exists() else None
        zh, left = chinese_notebook(nbformat.read(english, as_version=4), translation, name)
        english_cells += left
        folder = english.parent.name
        out[root / LANGUAGE / folder / english.name] = gen.notebook_text(zh)
        if folder == "solutions":
            exercise = gen.build_exercise(zh, f"{LANGUAGE}/{name}", answer_placeholder=ANSWER_PLACEHOLDER)
            out[root / LANGUAGE / EXERCISES / english.name] = gen.notebook_text(exercise)
    return Generated(dict(sorted(out.items())), english_cells)


def chinese_code(english_source: str, cell_id: str | None, where: str) -> str:
    """The code a Chinese cell must have: the English cell's, plus the language line in the set-up cell."""
    return add_language_line(english_source, where) if cell_id == course_files.SETUP_CELL_ID else english_source


def edition_differences(english: nbformat.NotebookNode, zh: nbformat.NotebookNode, name: str) -> list[str]:
    """How a Chinese notebook differs from its English one other than in markdown text and the one language line.

    Cell by cell: the same ids, types and metadata, the same code (the set-up cell plus
    :data:`~scripts.course_files.LANGUAGE_LINE`), the same notebook metadata. ``name`` names the Chinese notebook.
    """
    problems = []
    if [c.get("id") for c in english.cells] != [c.get("id") for c in zh.cells]:
        return [f"{name}: its cells (ids {[c.get('id') for c in zh.cells]}) are not its English notebook's "
                f"({[c.get('id') for c in english.cells]})"]
    if english.metadata != zh.metadata:
        problems.append(f"{name}: its notebook metadata differs from the English notebook's")
    for en_cell, zh_cell in zip(english.cells, zh.cells):
        where = f"{name}, cell {zh_cell.get('id')}"
        if en_cell.cell_type != zh_cell.cell_type or en_cell.metadata != zh_cell.metadata:
            problems.append(f"{where}: its type or metadata differs from the English cell's")
        elif zh_cell.cell_type == "code":
            if zh_cell.source != chinese_code(en_cell.source, en_cell.get("id"), where):
                problems.append(f"{where}: its code differs from the English cell's (only the set-up cell may "
                                f"differ, by the line {course_files.LANGUAGE_LINE!r})")
        elif zh_cell.cell_type != "markdown" and zh_cell != en_cell:
            problems.append(f"{where}: differs from the English cell")
    return problems


# --- checks ---------------------------------------------------------------------------------------------

def numbers(text: str) -> set[str]:
    """The numbers written in a text, as written (``60,000``, ``0.107``), without a sentence's final stop or comma."""
    return {match.rstrip(".,") for match in _NUMBER.findall(text)}


def code_spans(text: str) -> list[str]:
    """The fenced code blocks of a markdown text, then its inline code spans (with their backticks)."""
    fences = [match.group(0) for match in _FENCE.finditer(text)]
    rest = _FENCE.sub("", text)
    return fences + [match.group(0) for match in _SPAN.finditer(rest)]


def has_prose(text: str) -> bool:
    """Whether a markdown text has words to translate outside code, maths, markers and link targets."""
    for pattern in (_FENCE, _SPAN, _MATH, _MARKER, re.compile(r"\]\([^)]*\)"), re.compile(r"https?://\S+")):
        text = pattern.sub(" ", text)
    return re.search(r"[A-Za-z]{3,}", text) is not None


def entry_problems(english: str, entry: Entry) -> list[str]:
    """What a translated entry lost of its English cell's text ``english``: numbers, markers, code spans."""
    text = entry.text
    problems = []
    lost = sorted(numbers(english) - numbers(text))
    if lost:
        problems.append(f"numbers of the English text missing: {', '.join(lost)}")
    for kind, found in (("markers", _MARKER.findall), ("code spans", code_spans)):
        missing = [item for item in dict.fromkeys(found(english)) if item not in text]
        if missing:
            problems.append(f"{kind} of the English text missing: {', '.join(repr(m) for m in missing)}")
    if PREVIOUS in text.split("\n"):
        problems.append("the previous translation is still there; delete it and the line above it")
    return problems


def translation_problems(nb: nbformat.NotebookNode, name: str, translation: Translation) -> list[str]:
    """Everything wrong with an English notebook's (``name``) parsed translation file, one sentence each."""
    where = str(translation.path)
    run = f"run `{COMMAND}` (python -m scripts.translations skeleton {name})"
    problems = []
    if translation.notebook != name:
        problems.append(f"{where}, line 1: names {translation.notebook}, not {name}")
    cells = {cell.id: cell for cell in markdown_cells(nb)}
    entries = translation.by_id()
    missing = [cell_id for cell_id in cells if cell_id not in entries]
    extra = [entry for entry in translation.entries if entry.cell_id not in cells]
    if missing:
        problems.append(f"{where}: no entry for the markdown cells {', '.join(missing)} of {name}; {run}, then "
                        f"translate them")
    for entry in extra:
        problems.append(f"{where}, line {entry.line}: an entry for cell {entry.cell_id}, which {name} does not have "
                        f"(removed, or its id changed): move its text to the entry where it belongs, or delete it")
    if not missing and not extra and [e.cell_id for e in translation.entries] != list(cells):
        problems.append(f"{where}: its entries are not in the order of {name}'s markdown cells; {run}")
    for entry in translation.entries:
        cell = cells.get(entry.cell_id)
        if cell is None:
            continue
        at = f"{name}, cell {entry.cell_id} ({where}, line {entry.line})"
        if entry.fingerprint != fingerprint(cell.source):
            problems.append(f"{at}: the English text changed since it was translated (en:{entry.fingerprint}, now "
                            f"en:{fingerprint(cell.source)}); {run}: it marks the cell untranslated, with the new "
                            f"English beside the old translation; translate it and run `{COMMAND}` again")
        elif entry.untranslated:
            problems.append(f"{at}: untranslated (marked by `skeleton`); translate the English text, delete the "
                            f"marker line and any previous translation, then run `{COMMAND}`")
        elif entry.text == cell.source.strip("\n") and has_prose(cell.source):
            problems.append(f"{at}: still the English text; translate it, then run `{COMMAND}`")
        else:
            problems += [f"{at}: {problem}" for problem in entry_problems(cell.source, entry)]
    return problems


def problems(root: Path = course_files.ROOT) -> list[str]:
    """Everything out of date in the Chinese edition under ``root``, one sentence each (empty: all up to date)."""
    return list(dict.fromkeys(translation_file_problems(root) + generated_problems(root)))


def translation_file_problems(root: Path = course_files.ROOT) -> list[str]:
    """What is wrong with the translation files under ``root``: missing, extra, malformed, out of date, incomplete."""
    root = Path(root)
    found = []
    translations = root / "translations" / LANGUAGE
    englishes = english_notebooks(root)
    for english in englishes:
        name = _relative(english, root)
        source = course_files.translation_file(english, translations)
        if not source.exists():
            found.append(f"{_relative(source, root)}: missing, so {name} is not translated; run `{COMMAND}` "
                         f"(python -m scripts.translations skeleton {name}), then translate the file")
            continue
        try:
            translation = read_translation(source, root)
        except TranslationError as error:
            found.append(str(error))
            continue
        found += translation_problems(nbformat.read(english, as_version=4), name, translation)
    expected = {course_files.translation_file(path, translations) for path in englishes}
    found += [f"{_relative(path, root)}: a translation file of no English notebook (is the notebook renamed?); move "
              f"it to the notebook's name or delete it"
              for folder in TRANSLATED_FOLDERS for path in sorted((translations / folder).glob("*.md"))
              if path not in expected]
    return found


def generated_problems(root: Path = course_files.ROOT) -> list[str]:
    """How ``zh/`` under ``root`` differs from what ``generate`` writes now: missing, changed or extra notebooks.

    A Chinese notebook that differs is also compared with its English notebook, cell by cell
    (:func:`edition_differences`), so that a code cell changed by hand is named.
    """
    root = Path(root)
    found = []
    try:
        generated = generate(root).notebooks
    except (TranslationError, gen.MarkerError) as error:
        return [f"zh/ cannot be generated: {error}"]
    for path, text in generated.items():
        if not path.exists():
            found.append(f"{_relative(path, root)}: missing; run `{COMMAND}`")
            continue
        if gen._read(path) == text:
            continue
        found.append(f"{_relative(path, root)}: differs from what `{COMMAND}` writes now")
        english = root / path.parent.name / path.name
        if english.exists() and path.parent.name != EXERCISES:
            try:
                found += edition_differences(nbformat.read(english, as_version=4), nbformat.read(path, as_version=4),
                                             _relative(path, root))
            except nbformat.reader.NotJSONError:
                found.append(f"{_relative(path, root)}: not a notebook")
    differ = {line.split(": ", 1)[0] for line in found}
    for folder in sorted({path.parent for path in generated}):  # a manifest counts once its notebooks are right
        if any(_relative(path, root) in differ for path in generated if path.parent == folder):
            continue
        manifest = folder / gen.MANIFEST_NAME
        names = {path.name: text for path, text in generated.items() if path.parent == folder}
        if not manifest.exists() or gen._read(manifest) != gen.manifest_text(names, about=MANIFEST_ABOUT):
            found.append(f"{_relative(manifest, root)}: does not record the generated notebooks; run `{COMMAND}`")
    found += [f"{_relative(path, root)}: a Chinese notebook of no English notebook; delete it"
              for folder in (root / LANGUAGE / f.name for f in course_files.FOLDERS)
              for path in course_files.numbered_notebooks(folder) if path not in generated]
    return found


def check(root: Path = course_files.ROOT) -> int:
    """``check``: 0 when the Chinese edition is up to date, else 1 with the list."""
    found = problems(root)
    if found:
        print("the Chinese edition is out of date:\n  " + "\n  ".join(found))
        print(f"Each line says what to do; `{COMMAND}` regenerates zh/ (python -m scripts.translations --help).")
        return 1
    print(f"the Chinese edition is up to date: {len(english_notebooks(root))} notebooks translated, zh/ generated.")
    return 0


# --- writing --------------------------------------------------------------------------------------------

def write(root: Path = course_files.ROOT, *, force: bool, now: dt.datetime | None = None) -> int:
    """``generate``: write the Chinese notebooks that are missing or out of date; 1 (writing nothing) on hand edits.

    With ``force``, each hand-edited notebook is first copied to ``zh/<folder>/.backup/`` (UTC time ``now``).
    """
    root = Path(root)
    made = generate(root)
    if not made.notebooks:
        print(f"no English notebooks (named {course_files.NOTEBOOK_PATTERN}) under {root}; nothing to do.")
        return 1
    folders = sorted({path.parent for path in made.notebooks})
    recorded = {folder: gen.read_manifest(folder, command=COMMAND) for folder in folders}
    writes, edited = [], []
    for path, text in made.notebooks.items():
        state = gen.pending_write(path, text, recorded[path.parent].get(path.name))
        if state == "missing":
            writes.append((path, text, "written"))
        elif state == "generated":
            writes.append((path, text, "updated"))
        elif state == "edited":
            edited.append((path, text))
    if edited and not force:
        for path, _ in edited:
            print(f"{_relative(path, root)} differs from what was generated (edited by hand, or run and saved).")
        print(f"Nothing was written. `{COMMAND} FORCE=1` (python -m scripts.translations generate --force) first "
              f"copies each notebook named above to the .backup/ folder beside it, then replaces it. To change a "
              f"Chinese notebook for good, edit its translation file or its English notebook instead.")
        return 1
    now = now or dt.datetime.now(dt.timezone.utc)
    for path, text in edited:
        kept = gen.backup(path, now)
        writes.append((path, text, f"replaced (--force); the version it replaces is in {_relative(kept, root)}"))
    for path, text, what in writes:
        path.parent.mkdir(parents=True, exist_ok=True)
        gen._write(path, text)
        print(f"{_relative(path, root)}: {what}")
    for folder in folders:
        manifest = gen.manifest_text({p.name: t for p, t in made.notebooks.items() if p.parent == folder},
                                     about=MANIFEST_ABOUT)
        if not (folder / gen.MANIFEST_NAME).exists() or gen._read(folder / gen.MANIFEST_NAME) != manifest:
            gen._write(folder / gen.MANIFEST_NAME, manifest)
    print(f"{len(writes)} Chinese notebook(s) written, {len(made.notebooks) - len(writes)} already up to date.")
    if made.english_cells:
        print(f"{made.english_cells} markdown cell(s) are still in English, untranslated or changed since "
              f"translated: `python -m scripts.translations check` lists them.")
    return 0


def _relative(path: Path, root: Path = course_files.ROOT) -> str:
    """``path`` relative to ``root`` (posix), or as it is when outside it."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--root", type=Path, default=course_files.ROOT, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    make_skeleton = commands.add_parser("skeleton", help="write or update translation files (keeps every translation)")
    make_skeleton.add_argument("notebooks", nargs="*", type=Path, help="English notebooks, e.g. notebooks/04_x.ipynb")
    make_skeleton.add_argument("--all", action="store_true", help="every notebook of notebooks/ and solutions/")
    make = commands.add_parser("generate", help="write zh/ from the English notebooks and the translations")
    make.add_argument("--force", action="store_true", help="also replace hand-edited Chinese notebooks, backed up")
    commands.add_parser("check", help="write nothing; exit 1 listing what is out of date")
    args = parser.parse_args(argv)
    try:
        if args.command == "skeleton":
            if bool(args.notebooks) == args.all:
                parser.error("skeleton needs English notebooks or --all (not both)")
            missing = [str(path) for path in args.notebooks if not path.is_file()]
            if missing:
                parser.error(f"no such notebook: {', '.join(missing)}; give paths such as notebooks/04_x.ipynb")
            for path in args.notebooks or english_notebooks(args.root):
                print(skeleton(path, args.root))
            return 0
        if args.command == "generate":
            return write(args.root, force=args.force)
        return check(args.root)
    except (TranslationError, gen.MarkerError, gen.ManifestError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
