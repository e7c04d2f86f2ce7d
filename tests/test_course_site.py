"""The course's website (scripts/course_site.py): the cleaning of stored outputs, and a real Sphinx build of a
tiny course executed for the test (two notebooks on real kernels, one exercise as handed out), with its Chinese
edition (the same notebooks with Chinese markdown, shown with the English run's outputs) and a glossary."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from scripts import build_course, course_site

# --- cleaning stored outputs ---------------------------------------------------------------------------


def test_carriage_returns_and_backspaces_leave_what_a_terminal_shows():
    assert course_site.terminal_text("1/3\r2/3\r3/3 done\nnext") == "3/3 done\nnext"
    assert course_site.terminal_text("abc\b\bX") == "aX"  # each backspace erases one character
    assert course_site.terminal_text("\b\bab\b\b\b\rcd") == "cd"  # more backspaces than characters: nothing left
    assert course_site.terminal_text("kept\r\nline\r") == "kept\nline"  # a line ending in \r keeps its text
    assert course_site.terminal_text("plain\n\ntext\n") == "plain\n\ntext\n"


def test_a_keras_progress_bar_collapses_to_its_last_state():
    # As Keras writes it in a notebook: each redraw erases the last one with backspaces, then a carriage return.
    bars = [f"{step}/5 [{'=' * step}{'.' * (5 - step)}] - loss: 0.{9 - step}" for step in range(1, 6)]
    text = "Epoch 1/1\n" + bars[0] + "".join("\b" * len(before) + "\r" + bar for before, bar in zip(bars, bars[1:]))
    assert course_site.terminal_text(text + "\n") == "Epoch 1/1\n5/5 [=====] - loss: 0.4\n"


def test_a_long_stream_keeps_its_first_and_last_lines():
    text = "".join(f"line {i}\n" for i in range(10))
    assert course_site.shortened(text, 10) == text
    assert course_site.shortened(text, 4) == "line 0\nline 1\n[... 6 lines left out of this page; the notebook shows " \
                                             "them all ...]\nline 8\nline 9\n"
    assert course_site.shortened("a\nb\nc", 2) == "a\n[... 1 lines left out of this page; the notebook shows them " \
                                                  "all ...]\nc"
    with pytest.raises(ValueError, match="max_lines must be at least 2"):
        course_site.shortened(text, 1)


def test_cleaning_merges_streams_and_leaves_the_notebook_and_other_outputs_alone():
    outputs = [new_output("stream", name="stdout", text="Epoch 1\n1/2"), new_output("stream", name="stdout",
                                                                                        text="\b\b\b\r2/2\n"),
               new_output("stream", name="stderr", text="a warning\n"),
               new_output("display_data", data={"text/plain": "1\r2"})]
    nb = new_notebook(cells=[new_code_cell("train()", outputs=outputs)])
    before = nbformat.writes(nb)
    cleaned = course_site.clean_notebook(nb, max_lines=4)
    assert nbformat.writes(nb) == before
    assert [(o.output_type, o.get("name"), o.get("text")) for o in cleaned.cells[0].outputs[:2]] == [
        ("stream", "stdout", "Epoch 1\n2/2\n"), ("stream", "stderr", "a warning\n")]
    assert cleaned.cells[0].outputs[2] == outputs[3]


def test_titles_come_from_the_first_heading_and_solutions_say_so():
    nb = new_notebook(cells=[new_code_cell("# not a heading"),
                             new_markdown_cell("Intro.\n\n## 05 · *Fine-tuning*, `fit`"), new_markdown_cell("# Later")])
    assert course_site.first_heading(nb) == "05 · Fine-tuning, fit"
    course_site.mark_as_solutions(nb)
    assert nb.cells[1].source == "Intro.\n\n## 05 · *Fine-tuning*, `fit` (solutions)"
    assert nb.cells[2].source == "# Later"
    assert course_site.first_heading(new_notebook(cells=[new_markdown_cell("no heading")])) is None


# --- a real build ------------------------------------------------------------------------------------------

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg=="  # 1 pixel
# A progress display as Keras draws it: each state erased with backspaces, then a carriage return, then the next.
PROGRESS = ("import sys\nfor step in range(1, 4):\n"
            "    sys.stdout.write(('\\b' * 9 if step > 1 else '') + f'\\r{step}/3 done')\n")


def notebook(heading: str, *sources: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_markdown_cell(f"# {heading}\n\nSome text."), *map(new_code_cell, sources),
                             new_markdown_cell("## A section\n\nMore text.")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def executed(nb: nbformat.NotebookNode, path: Path, jobs: list) -> None:
    """Execute ``nb`` as the course build does (a fresh kernel) and save it at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    source = path.parent / ("source_" + path.name)
    nbformat.write(nb, source)
    nb, row = build_course.execute_notebook(source)
    source.unlink()
    assert row["status"] == "ok", row
    nbformat.write(nb, path)
    jobs.append({"name": f"{path.parent.name}/{path.name}", **row})


def chinese(nb: nbformat.NotebookNode, heading: str) -> nbformat.NotebookNode:
    """The Chinese edition of a notebook of :func:`notebook`: the same cells, its first markdown cell translated."""
    zh = copy.deepcopy(nb)
    zh.cells[0].source = f"# {heading}\n\n一些文字。"
    return zh


def links(page: str, kind: str) -> list[str]:
    return re.findall(rf'<a class="{kind}[^"]*"\s+href="([^"]+)"', page)


def test_the_site_has_a_page_per_notebook_in_course_order_with_titles_navigation_search_and_outputs(tmp_path):
    course = tmp_path / "course"
    jobs: list = []
    alpha = notebook("00 · Alpha", PROGRESS, "for i in range(500):\n    print('line', i)",
                     f"from IPython.display import display\ndisplay({{'image/png': '{PNG}'}}, raw=True)")
    executed(alpha, course / "notebooks" / "00_alpha.ipynb", jobs)
    exercise = notebook("Exercises 02 · Beta", "answer = None  # write your answer here")
    solution = notebook("Exercises 02 · Beta", "import ipywidgets\nipywidgets.IntSlider(value=7, description='seven')")
    executed(solution, course / "solutions" / "02_beta.ipynb", jobs)
    nbformat.write(exercise, tmp_path / "02_beta.ipynb")
    zh = tmp_path / "zh"
    for folder, nb, name, heading in (("notebooks", alpha, "00_alpha", "00 · 甲"), ("exercises", exercise, "02_beta",
                                      "练习 02 · 乙"), ("solutions", solution, "02_beta", "练习 02 · 乙")):
        (zh / folder).mkdir(parents=True)
        nbformat.write(chinese(nb, heading), zh / folder / f"{name}.ipynb")
    glossary = tmp_path / "GLOSSARY.md"
    glossary.write_text("# Glossary · 术语表\n\n| English | 中文 |\n| --- | --- |\n| encoder | 编码器 |\n")
    committed = {path: path.read_bytes() for path in zh.rglob("*.ipynb")}
    (course / "summary.json").write_text(json.dumps({"mode": "fast", "started": "today", "parallel": 1,
                                                     "wall_seconds": 1.0, "jobs": jobs}))
    stored = {path: path.read_bytes() for path in course.rglob("*.ipynb")}

    index = course_site.build_site(course, exercises=[tmp_path / "02_beta.ipynb"], zh=zh, glossary=glossary,
                                   progress=lambda _: None)

    site = course / "site" / "html"
    assert index == site / "index.html"
    page = {name: (site / f"{name}.html").read_text() for name in
            ("index", "notebooks/00_alpha", "exercises/02_beta", "solutions/02_beta", "zh/notebooks/00_alpha",
             "zh/exercises/02_beta", "zh/solutions/02_beta", "GLOSSARY", "build_report")}
    titles = {name: re.search(r"<title>(.*?) &#8212; Everything Is a Mapping</title>", text).group(1)
              for name, text in page.items()}
    assert titles == {"index": "Everything Is a Mapping", "notebooks/00_alpha": "00 · Alpha",
                      "exercises/02_beta": "Exercises 02 · Beta",
                      "solutions/02_beta": "Exercises 02 · Beta (solutions)", "zh/notebooks/00_alpha": "00 · 甲",
                      "zh/exercises/02_beta": "练习 02 · 乙", "zh/solutions/02_beta": "练习 02 · 乙（参考答案）",
                      "GLOSSARY": "Glossary · 术语表", "build_report": "Build report"}
    # Previous / next: the start page, the course, the exercises, the solutions, the same three of the Chinese
    # edition, the glossary, the build report, in that order.
    assert links(page["index"], "right-next") == ["notebooks/00_alpha.html"]
    assert links(page["notebooks/00_alpha"], "left-prev") == ["../index.html"]
    assert links(page["notebooks/00_alpha"], "right-next") == ["../exercises/02_beta.html"]
    assert links(page["exercises/02_beta"], "right-next") == ["../solutions/02_beta.html"]
    assert links(page["solutions/02_beta"], "right-next") == ["../zh/notebooks/00_alpha.html"]
    assert links(page["zh/notebooks/00_alpha"], "right-next") == ["../exercises/02_beta.html"]  # zh/exercises
    assert links(page["zh/solutions/02_beta"], "right-next") == ["../../GLOSSARY.html"]
    assert links(page["GLOSSARY"], "right-next") == ["build_report.html"]
    # The table of contents, in the sidebar of every page: each section's caption and pages.
    sidebar = re.search(r'<nav class="bd-links bd-docs-nav".*?</nav>', page["solutions/02_beta"], re.S).group(0)
    assert [re.sub("<[^>]+>", "", c).strip() for c in re.findall(r'<p aria-level="2" class="caption".*?</p>', sidebar,
                                                                re.S)] == [
        "The course", "Exercises (as handed out)", "Solutions (executed)", "中文版 · 课程 (Chinese edition)",
        "中文版 · 练习（发给学生的样子）", "中文版 · 参考答案（已运行）", "Glossary · 术语表", "About this build"]
    assert re.findall(r'<a class="[^"]*reference internal" href="([^"]+)">([^<]+)</a>', sidebar) == [
        ("../notebooks/00_alpha.html", "00 · Alpha"), ("../exercises/02_beta.html", "Exercises 02 · Beta"),
        ("#", "Exercises 02 · Beta (solutions)"), ("../zh/notebooks/00_alpha.html", "00 · 甲"),
        ("../zh/exercises/02_beta.html", "练习 02 · 乙"), ("../zh/solutions/02_beta.html", "练习 02 · 乙（参考答案）"),
        ("../GLOSSARY.html", "Glossary · 术语表"), ("../build_report.html", "Build report")]
    search = json.loads((site / "searchindex.js").read_text().removeprefix("Search.setIndex(").removesuffix(")"))
    assert sorted(search["titles"]) == sorted(titles.values()) and "alpha" in search["terms"]
    assert (site / "search.html").is_file()
    # Outputs: the progress display's last state only, the long stream cut, the figure saved, the widget's state.
    alpha = page["notebooks/00_alpha"]
    assert "3/3 done" in alpha and "1/3 done" not in alpha and "2/3 done" not in alpha
    assert "line 0" in alpha and "line 499" in alpha and "line 250" not in alpha
    assert f"{500 - course_site.MAX_STREAM_LINES} lines left out of this page" in alpha
    images = re.findall(r'<img[^>]+src="(\.\./_images/[^"]+\.png)"', alpha)
    assert len(images) == 1 and (site / "notebooks" / images[0]).is_file()
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>',
                      page["solutions/02_beta"], re.S)
    models = json.loads(state.group(1))["state"].values()
    assert any(m["model_name"] == "IntSliderModel" and m["state"]["value"] == 7 for m in models)
    assert "application/vnd.jupyter.widget-view+json" in page["solutions/02_beta"]
    # The Chinese pages: their own markdown, the English run's outputs (and widget state), and a note saying so.
    zh_alpha = page["zh/notebooks/00_alpha"]
    assert "一些文字。" in zh_alpha and "Some text." not in zh_alpha and course_site.ZH_OUTPUTS_NOTE[2:20] in zh_alpha
    assert "3/3 done" in zh_alpha and "line 499" in zh_alpha and "line 250" not in zh_alpha
    assert len(re.findall(r'<img[^>]+src="\.\./\.\./_images/[^"]+\.png"', zh_alpha)) == 1
    assert "IntSliderModel" in page["zh/solutions/02_beta"] and "本页的输出" in page["zh/solutions/02_beta"]
    assert "本页的输出" not in page["zh/exercises/02_beta"] and "write your answer here" in page["zh/exercises/02_beta"]
    assert "<td><p>编码器</p></td>" in page["GLOSSARY"]
    assert "Its 2 executed pages were not run again" in re.sub(r"<[^>]+>", "", page["build_report"])
    # The build report links each notebook's page; the executed notebooks are only read.
    assert 'href="notebooks/00_alpha.html"' in page["build_report"]
    assert {path: path.read_bytes() for path in course.rglob("*.ipynb") if "site" not in path.parts} == stored
    assert sorted(path.name for path in course.iterdir()) == ["notebooks", "site", "solutions", "summary.json"]
    assert {path: path.read_bytes() for path in zh.rglob("*.ipynb")} == committed


def test_a_chinese_notebook_whose_code_is_not_the_executed_english_code_is_refused():
    english = notebook("00 · Alpha", "print(1)")
    zh = chinese(english, "00 · 甲")
    assert course_site.with_outputs_of(zh, english, "zh/notebooks/00_alpha.ipynb").cells[1].source == "print(1)"
    zh.cells[1].source = "print(2)"
    with pytest.raises(ValueError, match=r"zh/notebooks/00_alpha.ipynb, cell .*: its code is not the executed"):
        course_site.with_outputs_of(zh, english, "zh/notebooks/00_alpha.ipynb")


def test_nothing_to_show_and_a_missing_title_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no executed notebooks.*make course"):
        course_site.build_site(tmp_path, exercises=[])
    (tmp_path / "notebooks").mkdir()
    nbformat.write(new_notebook(cells=[new_markdown_cell("No heading here.")]), tmp_path / "notebooks" / "00_x.ipynb")
    with pytest.raises(ValueError, match=r"00_x.ipynb has no Markdown heading"):
        course_site.build_site(tmp_path, exercises=[])


def test_a_chinese_page_whose_code_is_not_the_builds_is_left_out_and_said_so(tmp_path):
    course, zh = tmp_path / "course", tmp_path / "zh"
    english = notebook("00 · Alpha", "print(1)")
    english.cells[1].outputs = [new_output("stream", name="stdout", text="1\n")]
    (course / "notebooks").mkdir(parents=True)
    nbformat.write(english, course / "notebooks" / "00_alpha.ipynb")
    (zh / "notebooks").mkdir(parents=True)
    stale = chinese(english, "00 · 甲")
    stale.cells[1].source = "print(2)"  # the English notebook changed after the build
    nbformat.write(stale, zh / "notebooks" / "00_alpha.ipynb")
    sections, left_out = course_site.write_sources(course, tmp_path / "source", [], zh, tmp_path / "no-glossary.md")
    assert list(sections) == ["notebooks"] and not (tmp_path / "source" / "zh").exists()
    assert len(left_out) == 1 and "zh/notebooks/00_alpha.ipynb, cell" in left_out[0] and "make course" in left_out[0]
    assert "中文版" not in (tmp_path / "source" / "index.md").read_text()
