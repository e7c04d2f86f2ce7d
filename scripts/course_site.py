"""The course as a website, built with Sphinx, MyST-NB and the Sphinx Book Theme from notebooks already executed.

Usage: ``python -m scripts.course_site [--course build/course]`` (``make site``; ``make course`` runs it after
executing the notebooks). It reads the executed notebooks that :mod:`scripts.build_course` wrote under
``build/course/notebooks/`` and ``build/course/solutions/``, and the exercise notebooks of ``exercises/``
(shown as handed out, unexecuted), and writes the site to ``build/course/site/html/`` (open ``index.html``):
one page per notebook in course order (:func:`scripts.course_files.numbered_notebooks`), each titled by
its first heading, with the table of contents in the sidebar, previous/next links, full-text search,
a download button for the notebook and a Colab button for the repository's copy; a last page reports
the build (mode, each notebook's status and wall time, from ``summary.json``). Nothing is executed.

The Chinese edition (中文版, ``zh/``, :mod:`scripts.translations`) has sections of its own: each Chinese notebook
of ``zh/notebooks`` and ``zh/solutions`` whose English notebook was executed, shown with that English
notebook's outputs copied into it cell by cell (:func:`with_outputs_of`; their code is the same, which is
checked here and by ``tests/test_translations.py``, but for the line that sets the language, so the helpers'
messages in those outputs are in English: a note at the top of each such page says so, as does the build
report), and the Chinese exercises as handed out. ``GLOSSARY.md`` (bilingual), when there is one, is a page of
both editions.

The pages show a cleaned copy of each notebook (:func:`clean_notebook`): consecutive stream outputs merged,
carriage-return and backspace progress displays reduced to what a terminal ends up showing, and any
stream still longer than :data:`MAX_STREAM_LINES` lines cut in the middle. The notebooks themselves,
in the repository and under ``build/course/``, are only read. Widgets show the state the headless run
saved in the notebook (nbclient stores it; MyST-NB embeds it with the ipywidgets HTML manager, which
the reader's browser loads from a CDN).

Why Sphinx and not Jupyter Book 2 (MyST's ``mystmd``): its site themes are downloaded from MyST's
servers at build time, which machines that reach only package registries (this project's and its CI's)
cannot do; Sphinx with MyST-NB and the Sphinx Book Theme (the theme of Jupyter Book 1) installs from
PyPI and builds offline.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from scripts import course_files
from scripts.course_files import ROOT

COURSE = ROOT / "build" / "course"
TITLE = "Everything Is a Mapping"
#: A stream output longer than this, once cleaned, shows its first and last lines and says how many it hides.
MAX_STREAM_LINES = 120
#: The site's sections: (folder under the course build or exercises/, caption in the table of contents).
SECTIONS = (("notebooks", "The course"), ("exercises", "Exercises (as handed out)"),
            ("solutions", "Solutions (executed)"), ("zh/notebooks", "中文版 · 课程 (Chinese edition)"),
            ("zh/exercises", "中文版 · 练习（发给学生的样子）"), ("zh/solutions", "中文版 · 参考答案（已运行）"))
SOLUTIONS_MARK = " (solutions)"  # after a solution notebook's title, which is its exercise's
ZH_SOLUTIONS_MARK = "（参考答案）"
#: The note at the top of each Chinese page whose outputs were copied from the English notebook's run.
ZH_OUTPUTS_NOTE = ("> 本页的输出来自英文版笔记本在同一次构建中的运行：两者的代码相同"
                   "（只多了设置语言的一行），所以输出里 helpers 的提示是英文。\n>\n"
                   "> *(The outputs on this page are those of the English notebook's run, copied cell by cell: the "
                   "code is the same but for the line that sets the language.)*")
GLOSSARY = ROOT / "GLOSSARY.md"
ZH = ROOT / "zh"
# Under the course build: the site's folder, with its sources, its pages (the website: copy this folder to publish
# it) and what Sphinx and MyST-NB keep beside them (.doctrees, and jupyter_execute, MyST-NB's fixed place).
SITE, SOURCE, HTML = "site", "source", "html"

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_BACKSPACE = re.compile(r"[^\n\x08]\x08")  # a character, then a backspace


# --- clean outputs ------------------------------------------------------------------------------------

def terminal_text(text: str) -> str:
    """What a terminal ends up showing for ``text`` written with carriage returns and backspaces.

    On each line, a carriage return starts the line again: what follows its last one is what stays (a
    progress bar redrawn a thousand times leaves its last state; a line that ends in ``\\r`` keeps what was
    before it). A backspace erases the character before it (Keras's progress bar erases its last state with
    backspaces before redrawing). This is how JupyterLab shows such output.
    """
    lines = []
    for line in text.split("\n"):
        parts = [part for part in line.split("\r") if part]
        line = parts[-1] if parts else ""
        while "\b" in line:
            erased = _BACKSPACE.sub("", line)
            if erased == line:  # backspaces at the line's start: nothing left to erase
                erased = line.replace("\b", "")
            line = erased
        lines.append(line)
    return "\n".join(lines)


def shortened(text: str, max_lines: int = MAX_STREAM_LINES) -> str:
    """``text`` with at most ``max_lines`` lines: the first and last halves, and a line saying how many are left out."""
    if max_lines < 2:
        raise ValueError(f"max_lines must be at least 2 (a first and a last line), got {max_lines}.")
    lines = text.split("\n")
    ending = lines[-1] == ""  # the text's final newline, kept
    if ending:
        lines = lines[:-1]
    if len(lines) <= max_lines:
        return text
    head, tail = (max_lines + 1) // 2, max_lines // 2
    hidden = len(lines) - head - tail
    kept = [*lines[:head], f"[... {hidden} lines left out of this page; the notebook shows them all ...]",
            *lines[-tail:]]
    return "\n".join(kept) + ("\n" if ending else "")


def clean_notebook(nb, max_lines: int = MAX_STREAM_LINES):
    """A copy of an executed notebook (nbformat node) with readable stream outputs; ``nb`` itself is unchanged.

    Consecutive stream outputs of a cell to the same stream are merged (nbconvert's coalescing, as a notebook
    front end shows them), then each stream's text is what a terminal would show (:func:`terminal_text`),
    then :func:`shortened` to ``max_lines`` lines. Other outputs (figures, tables, widgets, errors) are kept.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    nb = copy.deepcopy(nb)
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = shortened(terminal_text(output["text"]), max_lines)
    return nb


# --- titles ---------------------------------------------------------------------------------------------

def first_heading(nb) -> str | None:
    """The text of a notebook's first Markdown heading, without its inline markup (``*``, ``_``, backticks)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = _HEADING.search(cell.source)
            if match:
                return re.sub(r"[*`]|(?<!\w)_|_(?!\w)", "", match.group(1)).strip()
    return None


def mark_as_solutions(nb, mark: str = SOLUTIONS_MARK) -> None:
    """Append ``mark`` (" (solutions)") to a solution notebook's first heading, in place: it has its exercise's title.

    So the page, its table-of-contents entry, the previous/next links and the search results say which is which.
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown" and _HEADING.search(cell.source):
            match = _HEADING.search(cell.source)
            cell.source = cell.source[:match.end(1)] + mark + cell.source[match.end(1):]
            return


def title_of(path: Path) -> str:
    """A notebook's title: its first heading. Raises ValueError, naming the notebook, when it has none."""
    import nbformat

    title = first_heading(nbformat.read(path, as_version=4))
    if not title:
        raise ValueError(f"{path} has no Markdown heading; start its first Markdown cell with a title line, "
                         f"e.g. '# 05 · Fine-tuning, measured'.")
    return title


# --- the site's sources -----------------------------------------------------------------------------------

def pages(course: Path, exercises: Sequence[Path], zh: Path = ZH) -> dict[str, list[Path]]:
    """The notebooks of each section (see :data:`SECTIONS`), in course order; empty sections are left out.

    A Chinese notebook (of the folder ``zh``) is shown when its English one is: executed, or one of ``exercises``.
    """
    found = {"notebooks": course_files.numbered_notebooks(course / "notebooks"),
             "exercises": [Path(path) for path in exercises],
             "solutions": course_files.numbered_notebooks(course / "solutions")}
    for folder in ("notebooks", "exercises", "solutions"):
        found[f"zh/{folder}"] = [Path(zh) / folder / path.name for path in found[folder]
                                 if (Path(zh) / folder / path.name).is_file()]
    return {folder: found[folder] for folder, _ in SECTIONS if found[folder]}


def with_outputs_of(zh, english, name: str):
    """A copy of Chinese notebook ``zh`` with the outputs of executed English notebook ``english``, cell by cell.

    Raises ValueError, naming the cell, when a code cell is not the English one (plus the language line in the
    set-up cell): the Chinese notebook is out of date (``make translations``) or the build is older than it.
    """
    from scripts import translations

    executed = {cell.get("id"): cell for cell in english.cells if cell.cell_type == "code"}
    zh = copy.deepcopy(zh)
    for cell in zh.cells:
        if cell.cell_type != "code":
            continue
        english_cell = executed.get(cell.get("id"))
        if english_cell is None or translations.chinese_code(english_cell.source, cell.id,
                                                               f"{name}, cell {cell.id}") != cell.source:
            raise ValueError(f"{name}, cell {cell.get('id')}: its code is not the executed English notebook's; run "
                             f"`make translations`, or `make course` if the build is older than the notebook.")
        cell.outputs = copy.deepcopy(executed[cell.id].outputs)
        cell.execution_count = executed[cell.id].execution_count
    if "widgets" in english.metadata:  # the widgets' saved state, which the outputs refer to
        zh.metadata["widgets"] = copy.deepcopy(english.metadata["widgets"])
    return zh


def add_note(nb, note: str) -> None:
    """Insert a markdown cell with ``note`` after the notebook's first heading's cell, in place."""
    from nbformat.v4 import new_markdown_cell

    index = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown" and
                  _HEADING.search(cell.source)), -1)
    nb.cells.insert(index + 1, new_markdown_cell(note, id="site-outputs-note"))


def conf_py(repository: str) -> str:
    """Sphinx's configuration for the course site (``repository`` is ``owner/name`` on GitHub)."""
    settings = {
        "project": TITLE, "html_title": TITLE, "extensions": ["myst_nb"],
        "nb_execution_mode": "off",  # the notebooks were executed by the course build; never run them here
        "myst_enable_extensions": ["dollarmath", "amsmath"],  # $...$ and $$...$$ as JupyterLab renders them
        "exclude_patterns": ["**/.ipynb_checkpoints"],
        "html_theme": "sphinx_book_theme",
        "html_theme_options": {
            "repository_url": f"https://github.com/{repository}", "repository_branch": "main", "path_to_docs": "",
            "use_repository_button": True, "use_download_button": True,
            "launch_buttons": {"colab_url": "https://colab.research.google.com"},
            "show_toc_level": 2,
        },
    }
    return ("# Written by scripts/course_site.py for each build of the site; edit that module, not this file.\n"
            + "".join(f"{key} = {value!r}\n" for key, value in settings.items()))


def index_md(sections: dict[str, list[Path]], summary: dict | None, glossary: bool = False) -> str:
    """The start page: what the site is, then each section's table of contents (also the sidebar's)."""
    description = _project_description()
    notebooks_run = sum(row["name"].endswith(".ipynb") for row in summary["jobs"]) if summary else 0  # not pretraining
    built = (f"The last run of `make course` executed {notebooks_run} notebooks in {summary['mode']} mode (started "
             f"{summary['started']}): see [the build report](build_report)." if summary else
             "The notebooks were executed by `make course`.")
    parts = [f"# {TITLE}\n\n{description}\n\n{built} The exercises are shown as handed out, before anyone "
             "answers them; their solutions follow, executed. Each page has buttons to download its notebook "
             "or open the repository's copy in Colab.\n"]
    if any(folder.startswith("zh/") for folder in sections):
        parts.append("**中文版 (Chinese edition):** 同一门课程的中文版，见目录中的「中文版」各节。"
                     "它由英文笔记本和翻译文件生成，代码相同；本站上它的输出取自英文笔记本的运行。\n")
    captions = dict(SECTIONS)
    for folder, notebooks in sections.items():
        entries = [f"{folder}/{path.stem}" for path in notebooks]
        parts.append(f"```{{toctree}}\n:caption: {captions[folder]}\n:maxdepth: 1\n\n" + "\n".join(entries)
                     + "\n```\n")
    if glossary:
        parts.append("```{toctree}\n:caption: Glossary · 术语表\n:maxdepth: 1\n\nGLOSSARY\n```\n")
    if summary:
        parts.append("```{toctree}\n:caption: About this build\n:hidden:\n\nbuild_report\n```\n")
    return "\n".join(parts)


def build_report_md(summary: dict, titles: dict[str, str], zh_pages: int = 0, left_out: Sequence[str] = ()) -> str:
    """A page with the build's settings and each job's status and wall time (``summary.json`` of the build).

    ``titles`` maps the site's notebooks (``folder/NN_name.ipynb``) to their titles: those jobs link to their pages.
    """
    def job(name: str) -> str:
        return f"[{titles[name]}]({name})" if name in titles else f"`{name}`"

    def status(row: dict) -> str:  # a failure's message may carry the traceback's terminal colours
        return _ANSI.sub("", str(row["status"])).replace("|", "/")

    rows = "\n".join(f"| {job(row['name'])} | {status(row)} | {row.get('seconds', 0):.0f} s |"
                     for row in summary["jobs"])
    chinese = (f"\n**中文版 (Chinese edition).** Its {zh_pages} executed pages were not run again: each shows the "
               f"outputs of its English notebook's run above, copied cell by cell into the Chinese notebook. Their "
               f"code is the same, cell for cell, but for the one line of the set-up cell that sets the language "
               f"(`tests/test_translations.py` checks it, and so does this build), so the outputs, the helpers' "
               f"messages among them, are the English run's.\n" if zh_pages else "")
    chinese += "".join(f"\n- {line}" for line in left_out) + ("\n" if left_out else "")
    return (f"# Build report\n\nExecuted in {summary['mode']} mode, {summary['parallel']} jobs at a time, started "
            f"{summary['started']}; the whole run took {summary['wall_seconds'] / 60:.1f} min of wall time. "
            f"Each job's time was measured while it shared the machine with the others.\n\n"
            f"| job | status | wall time |\n| --- | --- | --- |\n{rows}\n{chinese}")


def _project_description() -> str:
    match = re.search(r'^description = "([^"]+)"$', course_files.PYPROJECT.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else ""


def write_sources(course: Path, source: Path, exercises: Sequence[Path], zh: Path = ZH,
                  glossary: Path = GLOSSARY) -> tuple[dict[str, list[Path]], list[str]]:
    """Write the site's sources under ``source`` (emptied first): cleaned notebooks, start page, conf.py.

    The Chinese notebooks of ``zh`` get their English notebooks' outputs (:func:`with_outputs_of`); one whose code
    is not its executed English notebook's is left out, and said so. ``glossary`` is copied as a page when the
    file exists. Returns the pages of each section and a sentence for each Chinese page left out.
    """
    import nbformat

    sections = pages(course, exercises, zh)
    if not sections:
        raise FileNotFoundError(f"no executed notebooks under {course}/notebooks or {course}/solutions, and no "
                                f"exercises: run `make course` (or python -m scripts.build_course) first.")
    summary_file = course / "summary.json"
    summary = json.loads(summary_file.read_text()) if summary_file.is_file() else None
    marks = {"solutions": SOLUTIONS_MARK, "zh/solutions": ZH_SOLUTIONS_MARK}
    titles = {f"{folder}/{path.name}": title_of(path) + marks.get(folder, "")
              for folder, notebooks in sections.items() for path in notebooks}
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    left_out = []
    for folder, notebooks in sections.items():
        for path in list(notebooks):
            nb = nbformat.read(path, as_version=4)
            english = folder.removeprefix("zh/")
            if folder.startswith("zh/") and english != "exercises":
                executed = nbformat.read(course / english / path.name, as_version=4)
                try:
                    nb = with_outputs_of(nb, executed, f"zh/{english}/{path.name}")
                except ValueError as error:
                    left_out.append(f"left out of the site: {error}")
                    notebooks.remove(path)
                    continue
                add_note(nb, ZH_OUTPUTS_NOTE)
            nb = clean_notebook(nb)
            if folder in marks:
                mark_as_solutions(nb, marks[folder])
            (source / folder).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, source / folder / path.name)
    sections = {folder: notebooks for folder, notebooks in sections.items() if notebooks}
    has_glossary = Path(glossary).is_file()
    if has_glossary:
        shutil.copyfile(glossary, source / "GLOSSARY.md")  # the name the notebooks link to
    zh_pages = sum(len(sections.get(folder, [])) for folder in ("zh/notebooks", "zh/solutions"))
    (source / "conf.py").write_text(conf_py(course_files.repository_slug()))
    (source / "index.md").write_text(index_md(sections, summary, has_glossary))
    if summary:
        (source / "build_report.md").write_text(build_report_md(summary, titles, zh_pages, left_out))
    return sections, left_out


def build_site(course: Path = COURSE, *, exercises: Sequence[Path] | None = None, zh: Path = ZH,
               glossary: Path = GLOSSARY, progress=print) -> Path:
    """Build the site from the executed notebooks under ``course``; return its ``index.html``.

    ``exercises`` defaults to every notebook of ``exercises/``; ``zh`` is the Chinese edition's folder and
    ``glossary`` the glossary's file (each left out when missing). The site goes to ``course/site/html``, its
    sources to ``course/site/source``; ``course/site`` is replaced whole, so no page of a removed notebook stays.
    Raises FileNotFoundError when there is nothing to show, RuntimeError when Sphinx fails (its output says why).
    """
    missing = [name for name in ("sphinx", "myst_nb", "sphinx_book_theme") if importlib.util.find_spec(name) is None]
    if missing:
        raise RuntimeError(f"building the site needs {', '.join(missing)} (the course's `site` extra): run `make "
                           f"install`, or `pip install -e '.[site]'` in the course's environment.")
    course = Path(course)
    folder = course / SITE
    source, site = folder / SOURCE, folder / HTML
    start = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    sections, left_out = write_sources(course, source, course_files.exercise_notebooks() if exercises is None
                                       else exercises, zh, glossary)
    for line in left_out:
        progress(line)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(folder / ".doctrees"), str(source),
               str(site)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.stderr.strip():
        progress(done.stderr.strip())  # Sphinx's warnings
    if done.returncode != 0:
        raise RuntimeError(f"Sphinx could not build the site (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    count = sum(len(notebooks) for notebooks in sections.values())
    progress(f"site: {count} notebook pages in {time.perf_counter() - start:.0f} s; open {site / 'index.html'}")
    return site / "index.html"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", type=Path, default=COURSE,
                        help="the course build's folder, with the executed notebooks (default: build/course)")
    args = parser.parse_args(argv)
    try:
        build_site(args.course)
    except (FileNotFoundError, RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
