"""The Chinese edition (scripts/translations.py): the committed zh/ is what the translations generate, its code is
the English code, and each check of the drift test fails when it should, shown on tiny courses in temporary folders.

Nothing here executes a notebook: nbval runs zh/notebooks/00_start_here.ipynb (pyproject.toml's testpaths).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
import tomllib
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from scripts import course_files
from scripts import make_exercises as gen
from scripts import translations as tr
from scripts.course_files import LANGUAGE_LINE, ROOT, SETUP_CELL_ID

# --- the committed edition ---------------------------------------------------------------------------


def test_every_translation_file_is_complete_and_current():
    # Fails until translations/zh/ (written by the translators) is merged, then whenever an English cell changes.
    found = tr.translation_file_problems()
    assert not found, "\n".join(found)


def test_zh_is_exactly_what_the_translations_generate():
    found = tr.generated_problems()
    assert not found, "\n".join(found) + "\nRun `make translations` and commit zh/."


def test_the_chinese_code_is_the_english_code_plus_the_language_line():
    pairs = [(path, ROOT / path.parent.name / path.name) for path in course_files.zh_notebooks()]
    assert len(pairs) == len(course_files.all_notebooks()), "every English notebook has its Chinese edition"
    for zh, english in pairs:
        found = tr.edition_differences(nbformat.read(english, as_version=4), nbformat.read(zh, as_version=4),
                                       str(zh.relative_to(ROOT)))
        assert not found, "\n".join(found)
        setup = next(cell for cell in nbformat.read(zh, as_version=4).cells if cell.get("id") == SETUP_CELL_ID)
        assert LANGUAGE_LINE in setup.source.split("\n"), zh


def test_the_suite_executes_the_chinese_notebooks_course_files_names():
    testpaths = tomllib.loads(course_files.PYPROJECT.read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    executed = [path for path in testpaths if path.startswith("zh/")]
    assert executed == [str(path.relative_to(ROOT)) for path in course_files.ZH_EXECUTED]
    assert all(path.is_file() for path in course_files.ZH_EXECUTED)


def test_make_translations_updates_the_skeletons_then_generates_and_passes_force():
    def commands(*args: str) -> list[str]:
        result = subprocess.run(["make", "-n", "translations", *args], cwd=ROOT, capture_output=True, text=True)
        return [line for line in result.stdout.splitlines() if "scripts.translations" in line]

    assert [line.split("-m ")[1].strip() for line in commands()] == ["scripts.translations skeleton --all",
                                                                     "scripts.translations generate"]
    assert commands("FORCE=1")[1].endswith("generate --force")
    lint = subprocess.run(["make", "-n", "lint"], cwd=ROOT, capture_output=True, text=True).stdout
    assert re.search(r"ruff check .* zh\b", lint)


# --- a tiny course -----------------------------------------------------------------------------------------

SETUP = 'import os\n\nos.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")\nprint("set up")'
INTRO = ("# 00 · Demo\n\nTrain for 50 epochs on 60,000 digits. See [the next notebook](01_next.ipynb#top), "
         "[its solution](../solutions/02_task.ipynb), the [README](../README.md), the [glossary](../GLOSSARY.md), "
         "![a figure](figures/a.png) and [the article](https://example.org/a.md).")
COMMANDS = "## Commands\n\nRun `make test` <!-- keep me -->.\n\n```bash\nmake lab\n```"
TASK = "## Task 1 · Answer\n\nWrite it.\n\n<!-- BEGIN SOLUTION -->\nThe answer is 42.\n<!-- END SOLUTION -->"
ZH = {"intro": ("# 00 · 演示\n\n在 60,000 个数字上训练 50 轮。见[下一个笔记本](01_next.ipynb#top)、[参考答案]"
                "(../solutions/02_task.ipynb)、[README](../README.md)、[术语表](../GLOSSARY.md)、![一张图](figures/a.png)"
                "和[文章](https://example.org/a.md)。"),
      "commands": "## 命令\n\n运行 `make test` <!-- keep me -->。\n\n```bash\nmake lab\n```",
      "next": "# 01 · 下一个",
      "task": "## 任务 1 · 回答\n\n写出来。\n\n<!-- BEGIN SOLUTION -->\n答案是 42。\n<!-- END SOLUTION -->"}


def notebook(*cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=list(cells), metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                  "language": "python"}, "course": {"minutes_full": 1}})
    return nb


def setup_cell():
    return new_code_cell(SETUP, id=SETUP_CELL_ID)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """English notebooks (two teaching, one solution), each markdown cell translated."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "solutions").mkdir()
    nbformat.write(notebook(setup_cell(), new_markdown_cell(INTRO, id="intro"), new_code_cell("x = 1", id="code"),
                            new_markdown_cell(COMMANDS, id="commands")), tmp_path / "notebooks" / "00_demo.ipynb")
    nbformat.write(notebook(setup_cell(), new_markdown_cell("# 01 · Next", id="next")),
                   tmp_path / "notebooks" / "01_next.ipynb")
    nbformat.write(notebook(setup_cell(), new_markdown_cell(TASK, id="task"),
                            new_code_cell("# BEGIN SOLUTION\nanswer = 42\n# END SOLUTION", id="answer"),
                            new_code_cell("# CHECK\nassert answer == 42", id="check")),
                   tmp_path / "solutions" / "02_task.ipynb")
    for path in tr.english_notebooks(tmp_path):
        translate(tmp_path, path)
    return tmp_path


def translate(root: Path, english: Path, **texts: str) -> Path:
    """Write ``english``'s translation file: each entry the text of :data:`ZH` (or ``texts``) for its cell id."""
    nb = nbformat.read(english, as_version=4)
    name = f"{english.parent.name}/{english.name}"
    lines = [tr.TITLE.format(name=name), ""]
    for cell in tr.markdown_cells(nb):
        lines += [tr.header(cell.id, cell.source), texts.get(cell.id, ZH.get(cell.id, "")), ""]
    path = course_files.translation_file(english, root / "translations" / "zh")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def edit_english(root: Path, name: str, cell_id: str, source: str) -> None:
    path = root / name
    nb = nbformat.read(path, as_version=4)
    next(cell for cell in nb.cells if cell.id == cell_id).source = source
    nbformat.write(nb, path)


def zh_cell(root: Path, name: str, cell_id: str) -> nbformat.NotebookNode:
    nb = nbformat.read(root / "zh" / name, as_version=4)
    return next(cell for cell in nb.cells if cell.id == cell_id)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_problem(root: Path, pattern: str, problems=tr.problems) -> str:
    """The one problem that ``problems`` (default: all of ``check``'s) finds, which must match ``pattern``."""
    found = problems(root)
    assert len(found) == 1 and re.search(pattern, found[0]), found
    return found[0]


def test_the_fingerprint_is_the_start_of_the_texts_sha256():
    assert tr.fingerprint("abc") == "ba7816bf8f01"  # SHA-256("abc") = ba7816bf 8f01cfea ...
    assert tr.HEADER.fullmatch(tr.header("a-b_1", "abc")).group("fingerprint") == "ba7816bf8f01"


def test_a_translated_course_generates_an_up_to_date_chinese_edition(course, capsys):
    assert tr.problems(course) != []  # nothing generated yet
    assert tr.write(course, force=False) == 0
    assert "4 Chinese notebook(s) written" in capsys.readouterr().out
    assert tr.problems(course) == [] and tr.check(course) == 0
    assert sorted(str(p.relative_to(course)) for p in (course / "zh").rglob("*.ipynb")) == [
        "zh/exercises/02_task.ipynb", "zh/notebooks/00_demo.ipynb", "zh/notebooks/01_next.ipynb",
        "zh/solutions/02_task.ipynb"]
    # Markdown from the translation, links pointed at the Chinese notebooks or at the same files from one level down.
    assert zh_cell(course, "notebooks/00_demo.ipynb", "intro").source == (
        "# 00 · 演示\n\n在 60,000 个数字上训练 50 轮。见[下一个笔记本](01_next.ipynb#top)、[参考答案]"
        "(../solutions/02_task.ipynb)、[README](../../README.zh.md)、[术语表](../../GLOSSARY.md)、"
        "![一张图](../../notebooks/figures/a.png)和[文章](https://example.org/a.md)。")
    # Code: the set-up cell gains the language line after its last default; every other code cell is the same.
    assert zh_cell(course, "notebooks/00_demo.ipynb", SETUP_CELL_ID).source == (
        f'import os\n\nos.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")\n{LANGUAGE_LINE}\nprint("set up")')
    assert zh_cell(course, "notebooks/00_demo.ipynb", "code").source == "x = 1"
    # The exercise: made from the Chinese solution by make_exercises, with the Chinese placeholder; its code is the
    # English exercise's.
    exercise = nbformat.read(course / "zh" / "exercises" / "02_task.ipynb", as_version=4)
    english_exercise = nbformat.reads(gen.generate(course / "solutions")["02_task.ipynb"], as_version=4)
    assert exercise.cells[1].source == f"## 任务 1 · 回答\n\n写出来。\n\n{tr.ANSWER_PLACEHOLDER}"
    assert tr.edition_differences(english_exercise, exercise, "zh/exercises/02_task.ipynb") == []
    assert "answer = 42" not in json.dumps(exercise.cells[2].source)


def test_generating_is_byte_identical_and_a_second_run_writes_nothing(course, capsys):
    assert tr.generate(course) == tr.generate(course)
    assert tr.write(course, force=False) == 0
    before = {path: path.stat().st_mtime_ns for path in (course / "zh").rglob("*")}
    assert tr.write(course, force=False) == 0
    assert {path: path.stat().st_mtime_ns for path in (course / "zh").rglob("*")} == before
    assert "0 Chinese notebook(s) written, 4 already up to date" in capsys.readouterr().out.split("\n")[-2]


def test_a_changed_english_cell_fails_naming_it_and_skeleton_marks_it_keeping_the_translation(course, capsys):
    assert tr.write(course, force=False) == 0
    edit_english(course, "notebooks/00_demo.ipynb", "commands", COMMANDS + "\n\nAnd `make lint`.")
    found = tr.translation_file_problems(course)
    assert len(found) == 1, found
    assert found[0].startswith("notebooks/00_demo.ipynb, cell commands (translations/zh/notebooks/00_demo.md, line ")
    assert "English text changed since it was translated" in found[0]
    assert "`make translations` (python -m scripts.translations skeleton notebooks/00_demo.ipynb)" in found[0]
    assert "zh/notebooks/00_demo.ipynb: differs" in " ".join(tr.generated_problems(course))

    assert tr.main(["--root", str(course), "skeleton", str(course / "notebooks" / "00_demo.ipynb")]) == 0
    assert "1 of 2 entries untranslated" in capsys.readouterr().out
    entry = tr.read_translation(course / "translations/zh/notebooks/00_demo.md", course).by_id()["commands"]
    assert entry.untranslated and entry.previous == ZH["commands"]  # the old translation, kept for reference
    assert entry.text.split("\n", 1)[1].startswith(COMMANDS + "\n\nAnd `make lint`.")
    assert "untranslated (marked by `skeleton`)" in one_problem(course, "cell commands", tr.translation_file_problems)
    assert tr.write(course, force=False) == 0
    assert "1 markdown cell(s) are still in English" in capsys.readouterr().out
    assert zh_cell(course, "notebooks/00_demo.ipynb", "commands").source == COMMANDS + "\n\nAnd `make lint`."
    # Translated again: all up to date.
    translate(course, course / "notebooks" / "00_demo.ipynb", commands=ZH["commands"] + "\n\n还有 `make lint`。")
    assert tr.write(course, force=False) == 0 and tr.problems(course) == []


def test_skeleton_keeps_translations_and_an_entry_whose_cell_is_gone(course):
    english = course / "notebooks" / "00_demo.ipynb"
    nb = nbformat.read(english, as_version=4)
    nb.cells = [cell for cell in nb.cells if cell.id != "intro"] + [new_markdown_cell("A new cell.", id="new")]
    nbformat.write(nb, english)
    path = course / "translations" / "zh" / "notebooks" / "00_demo.md"
    assert "no entry for the markdown cells new" in " ".join(tr.translation_file_problems(course))
    tr.skeleton(english, course)
    entries = tr.read_translation(path, course).entries
    assert [(e.cell_id, e.untranslated) for e in entries] == [("commands", False), ("new", True), ("intro", False)]
    assert entries[0].text == ZH["commands"] and entries[2].text == ZH["intro"]
    found = tr.translation_file_problems(course)
    assert any("an entry for cell intro, which notebooks/00_demo.ipynb does not have" in line for line in found)
    before = path.read_bytes()
    tr.skeleton(english, course)
    assert path.read_bytes() == before  # a second run changes nothing


def test_a_missing_or_extra_translation_file_or_entry_or_a_wrong_order_fails(course):
    files = tr.translation_file_problems
    (course / "translations" / "zh" / "notebooks" / "01_next.md").unlink()
    one_problem(course, r"^translations/zh/notebooks/01_next.md: missing.*skeleton notebooks/01_next.ipynb", files)
    translate(course, course / "notebooks" / "01_next.ipynb")
    extra = course / "translations" / "zh" / "notebooks" / "09_gone.md"
    extra.write_text(tr.TITLE.format(name="notebooks/09_gone.ipynb") + "\n")
    one_problem(course, r"^translations/zh/notebooks/09_gone.md: a translation file of no English notebook", files)
    extra.unlink()
    path = course / "translations" / "zh" / "notebooks" / "00_demo.md"
    text = path.read_text()
    first, second = text.split("<!-- cell commands")
    path.write_text(first)
    one_problem(course, r"no entry for the markdown cells commands of notebooks/00_demo.ipynb", files)
    intro = first.split("\n", 2)[2]
    path.write_text(first.split("\n", 2)[0] + "\n\n<!-- cell commands" + second + "\n" + intro)
    one_problem(course, r"entries are not in the order", files)
    path.write_text(text + "\n<!-- cell stray en:0123456789ab -->\n多余。\n")
    one_problem(course, r"line \d+: an entry for cell stray, which notebooks/00_demo.ipynb does not have", files)


def test_an_entry_still_in_english_fails_unless_the_cell_has_nothing_to_translate(course):
    tr.write(course, force=False)
    translate(course, course / "notebooks" / "01_next.ipynb", next="# 01 · Next")
    one_problem(course, r"cell next .*still the English text", tr.translation_file_problems)
    edit_english(course, "notebooks/01_next.ipynb", "next", "$$x = f(x)$$ <!-- a formula alone -->")
    translate(course, course / "notebooks" / "01_next.ipynb", next="$$x = f(x)$$ <!-- a formula alone -->")
    tr.write(course, force=False)
    assert tr.problems(course) == []


@pytest.mark.parametrize("cell_id, broken, what", [
    ("intro", ZH["intro"].replace("60,000", "6 万"), r"numbers of the English text missing: 60,000$"),
    ("commands", ZH["commands"].replace(" <!-- keep me -->", ""),
     r"markers of the English text missing: '<!-- keep me -->'"),
    ("commands", ZH["commands"].replace("`make test`", "make test"),
     r"code spans of the English text missing: '`make test`'"),
    ("commands", ZH["commands"].replace("make lab\n", "make lab-zh\n"),
     r"code spans of the English text missing: '```bash"),
    ("commands", ZH["commands"] + f"\n\n{tr.PREVIOUS}\n旧的。", r"the previous translation is still there"),
], ids=["number", "marker", "code span", "code block", "previous translation left"])
def test_a_translated_cell_that_lost_a_number_a_marker_or_code_fails(course, cell_id, broken, what):
    translate(course, course / "notebooks" / "00_demo.ipynb", **{cell_id: broken})
    found = tr.translation_file_problems(course)
    assert len(found) == 1 and found[0].startswith(f"notebooks/00_demo.ipynb, cell {cell_id} ") and re.search(
        what, found[0]), found


def test_numbers_are_read_as_written_without_a_sentences_stop():
    assert tr.numbers("60,000 digits, 95.3 % and 0.107. Then 7, 8.") == {"60,000", "95.3", "0.107", "7", "8"}
    assert tr.numbers("共 60,000 个，95.3 %，0.107。") == {"60,000", "95.3", "0.107"}


@pytest.mark.parametrize("text, message", [
    ("no title\n", r"x.md, line 1: the first line must be"),
    (tr.TITLE.format(name="notebooks/00_demo.ipynb") + "\nstray text\n", r"x.md, line 2: text before the first entry"),
    (tr.TITLE.format(name="notebooks/00_demo.ipynb") + "\n\n<!-- cell intro en:123 -->\n文字\n",
     r"x.md, line 3: '<!-- cell intro en:123 -->' is not an entry header"),
    (tr.TITLE.format(name="notebooks/00_demo.ipynb") + "\n<!-- cell a en:0123456789ab -->\n甲\n"
     "<!-- cell a en:0123456789ab -->\n乙\n", r"x.md, line 4: a second entry for cell a \(the first is on line 2\)"),
    (tr.TITLE.format(name="notebooks/00_demo.ipynb") + "\n<!-- cell a en:0123456789ab -->\n\n\n",
     r"x.md, line 2: the entry of cell a is empty"),
], ids=["title", "text before", "header", "duplicate", "empty"])
def test_a_malformed_translation_file_is_refused_naming_file_and_line(text, message):
    with pytest.raises(tr.TranslationError, match=message):
        tr.parse(text, "translations/zh/notebooks/x.md")


def test_entries_are_read_without_the_blank_lines_around_them():
    text = tr.TITLE.format(name="n/00_a.ipynb") + "\n\n<!-- cell a en:0123456789ab -->\n\n甲\n\n乙\n\n\n" \
                                                  "<!-- cell b en:ba9876543210 -->\n丙"
    translation = tr.parse(text, "f.md")
    assert translation.notebook == "n/00_a.ipynb"
    assert [(e.cell_id, e.fingerprint, e.text, e.line) for e in translation.entries] == [
        ("a", "0123456789ab", "甲\n\n乙", 3), ("b", "ba9876543210", "丙", 10)]


def test_a_malformed_file_stops_generate_with_status_2_and_check_names_it(course, capsys):
    path = course / "translations" / "zh" / "notebooks" / "01_next.md"
    path.write_text(path.read_text().replace(" en:", " en:x"))
    assert tr.main(["--root", str(course), "generate"]) == 2
    assert "translations/zh/notebooks/01_next.md, line 3" in capsys.readouterr().err
    assert not (course / "zh").exists()
    assert tr.main(["--root", str(course), "check"]) == 1
    assert "01_next.md, line 3: '<!-- cell next en:x" in capsys.readouterr().out


def test_an_out_of_date_or_hand_edited_chinese_notebook_fails_and_is_kept(course, capsys):
    assert tr.write(course, force=False) == 0
    edit_english(course, "notebooks/01_next.ipynb", SETUP_CELL_ID, SETUP + "\nprint('more')")
    assert tr.generated_problems(course) == [
        "zh/notebooks/01_next.ipynb: differs from what `make translations` writes now",
        "zh/notebooks/01_next.ipynb, cell colab-setup: its code differs from the English cell's (only the set-up cell "
        f"may differ, by the line {LANGUAGE_LINE!r})"]
    assert tr.write(course, force=False) == 0 and tr.problems(course) == []  # an untouched one follows the English
    # A hand edit of the code: check names the cell; generate keeps it, writing nothing, unless --force.
    path = course / "zh" / "notebooks" / "00_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = "x = 2  # my edit"
    nbformat.write(nb, path)
    found = tr.problems(course)
    assert "zh/notebooks/00_demo.ipynb, cell code: its code differs from the English cell's" in " ".join(found)
    edit_english(course, "notebooks/01_next.ipynb", "next", "# 01 · Next, renamed")  # an update now due
    translate(course, course / "notebooks" / "01_next.ipynb", next="# 01 · 下一个（新名）")
    before = snapshot(course / "zh")
    capsys.readouterr()
    assert tr.write(course, force=False) == 1
    out = capsys.readouterr().out
    assert "zh/notebooks/00_demo.ipynb differs from what was generated" in out and "Nothing was written" in out
    assert "FORCE=1" in out and snapshot(course / "zh") == before
    edited = path.read_bytes()
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert tr.write(course, force=True, now=now) == 0
    backup = course / "zh" / "notebooks" / ".backup" / "00_demo.20260102T030405Z.ipynb"
    assert backup.read_bytes() == edited and "replaced (--force)" in capsys.readouterr().out
    assert tr.problems(course) == []


def test_an_extra_chinese_notebook_and_a_cell_structure_change_are_named(course):
    assert tr.write(course, force=False) == 0
    (course / "zh" / "notebooks" / "05_orphan.ipynb").write_bytes((course / "zh/notebooks/01_next.ipynb").read_bytes())
    one_problem(course, r"^zh/notebooks/05_orphan.ipynb: a Chinese notebook of no English notebook")
    (course / "zh" / "notebooks" / "05_orphan.ipynb").unlink()
    english = nbformat.read(course / "notebooks" / "00_demo.ipynb", as_version=4)
    zh = nbformat.read(course / "zh" / "notebooks" / "00_demo.ipynb", as_version=4)
    zh.cells.pop(2)
    assert tr.edition_differences(english, zh, "zh/x.ipynb")[0].startswith("zh/x.ipynb: its cells (ids")
    zh = nbformat.read(course / "zh" / "notebooks" / "00_demo.ipynb", as_version=4)
    zh.cells[2].metadata["tags"] = ["raises-exception"]
    assert tr.edition_differences(english, zh, "zh/x.ipynb") == ["zh/x.ipynb, cell code: its type or metadata "
                                                                 "differs from the English cell's"]


def test_check_writes_nothing(course, capsys):
    before = snapshot(course)
    assert tr.main(["--root", str(course), "check"]) == 1
    assert "zh/notebooks/00_demo.ipynb: missing" in capsys.readouterr().out
    assert snapshot(course) == before


@pytest.mark.parametrize("folder, target, expected", [
    ("notebooks", "05_fine_tuning.ipynb", "05_fine_tuning.ipynb"),
    ("notebooks", "../solutions/05_fine_tuning.ipynb#task-1", "../solutions/05_fine_tuning.ipynb#task-1"),
    ("solutions", "../notebooks/05_fine_tuning.ipynb", "../notebooks/05_fine_tuning.ipynb"),
    ("notebooks", "../README.md#modes", "../../README.zh.md#modes"),
    ("notebooks", "../GLOSSARY.md", "../../GLOSSARY.md"),
    ("notebooks", "figures/x.png", "../../notebooks/figures/x.png"),
    ("notebooks", "<../helpers/samples/README.md>", "<../../helpers/samples/README.md>"),
    ("notebooks", "https://example.org/x.ipynb", "https://example.org/x.ipynb"),
    ("notebooks", "#a-section", "#a-section"),
    ("notebooks", "mailto:a@b.c", "mailto:a@b.c"),
])
def test_links_point_at_the_chinese_notebooks_and_resolve_from_the_deeper_folder(folder, target, expected):
    assert tr.rewrite_target(target, folder) == expected


def test_links_are_rewritten_outside_code_only():
    text = "[a](../README.md) `[b](../README.md)` <img src=\"x.png\">\n\n```\n[c](../README.md)\n```\n[d]: ../README.md"
    assert tr.rewrite_links(text, "notebooks") == (
        "[a](../../README.zh.md) `[b](../README.md)` <img src=\"../../notebooks/x.png\">\n\n```\n[c](../README.md)\n"
        "```\n[d]: ../../README.zh.md")


def test_the_language_line_goes_after_the_last_default_and_only_once():
    assert tr.add_language_line('import os\nos.environ.setdefault("A", "1")\nx = 1', "c").split("\n") == [
        "import os", 'os.environ.setdefault("A", "1")', LANGUAGE_LINE, "x = 1"]
    with pytest.raises(tr.TranslationError, match="must set an environment default"):
        tr.add_language_line("import os", "notebooks/00_x.ipynb, cell colab-setup")
    with pytest.raises(tr.TranslationError, match="must set an environment default"):
        tr.add_language_line(tr.add_language_line('os.environ.setdefault("A", "1")', "c"), "c")
