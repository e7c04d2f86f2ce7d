"""The bilingual glossary (``GLOSSARY.md``): complete, without duplicates, and true to the notebooks.

Each row names the teaching notebook that teaches its term. The English term must appear in that notebook's
markdown; the Chinese term in the markdown of its Chinese edition, ``zh/notebooks/<name>.ipynb``, or, where that
notebook has not been generated, in its translation file ``translations/zh/notebooks/<name>.md`` (the source the
Chinese notebook is generated from). With neither, the row fails: the Chinese half is never skipped.

Matching ignores case (English), emphasis marks (``*``) and line breaks, since a term may be set in italics or
wrapped across lines; Chinese matching ignores all whitespace.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scripts import course_files
from scripts import translations as translations_format
from scripts.course_files import NOTEBOOKS, ROOT

GLOSSARY = ROOT / "GLOSSARY.md"
ZH_NOTEBOOKS = course_files.ZH / "notebooks"
ZH_TRANSLATIONS = course_files.TRANSLATIONS / "notebooks"
MIN_TERMS = 60
COLUMNS = ("English", "中文", "其他说法 / alternatives", "定义", "definition", "讲解位置 / taught in")
#: A translation file's entry header (the format fixed for the Chinese edition); it is no part of the text.
_NOTEBOOK_CELL = re.compile(r"`([0-9]{2}[a-z]?_[A-Za-z0-9_]+)`")


def table_rows(text: str) -> list[dict[str, str]]:
    """The glossary table's rows, as dicts keyed by :data:`COLUMNS`; raises ValueError on a malformed table."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    if not lines:
        raise ValueError("the glossary has no table")
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    if tuple(header) != COLUMNS:
        raise ValueError(f"the glossary's columns are {header}, expected {list(COLUMNS)}")
    rows = []
    for number, line in enumerate(lines[2:], start=3):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != len(COLUMNS):
            raise ValueError(f"table line {number} has {len(cells)} cells, expected {len(COLUMNS)}: {line}")
        rows.append(dict(zip(COLUMNS, cells)))
    return rows


def notebook_of(row: dict[str, str]) -> str:
    """The notebook a row names, ``NN_name`` (its "taught in" cell is that name as code)."""
    match = _NOTEBOOK_CELL.fullmatch(row[COLUMNS[5]])
    if not match:
        raise ValueError(f"{row['English']!r}: 'taught in' must be one notebook name as code, e.g. `05_fine_tuning`; "
                         f"got {row[COLUMNS[5]]!r}")
    return match.group(1)


def normalised_english(text: str) -> str:
    return " ".join(text.replace("*", "").lower().split())


def normalised_chinese(text: str) -> str:
    return "".join(text.replace("*", "").split())


def notebook_markdown(path: Path) -> str:
    """All markdown cells of a notebook, joined."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def chinese_text(name: str, zh_notebooks: Path = ZH_NOTEBOOKS, translations: Path = ZH_TRANSLATIONS) -> str | None:
    """The Chinese markdown of notebook ``name``: its Chinese notebook, else its translation file, else None."""
    notebook = zh_notebooks / f"{name}.ipynb"
    if notebook.exists():
        return notebook_markdown(notebook)
    translation = translations / f"{name}.md"
    if translation.exists():
        parsed = translations_format.parse(translation.read_text(encoding="utf-8"), str(translation))
        return "\n".join(entry.text for entry in parsed.entries)
    return None


def missing_english(rows: list[dict[str, str]], notebooks: Path = NOTEBOOKS) -> list[str]:
    """One line per row whose English term is not in the markdown of the English notebook it names."""
    texts: dict[str, str] = {}
    problems = []
    for row in rows:
        name = notebook_of(row)
        path = notebooks / f"{name}.ipynb"
        if not path.exists():
            problems.append(f"{row['English']!r}: names {name}, but there is no {path.name} in {notebooks.name}/")
            continue
        text = texts.setdefault(name, normalised_english(notebook_markdown(path)))
        if normalised_english(row["English"]) not in text:
            problems.append(f"{row['English']!r} does not appear in the markdown of notebooks/{name}.ipynb")
    return problems


def missing_chinese(rows: list[dict[str, str]], zh_notebooks: Path = ZH_NOTEBOOKS,
                    translations: Path = ZH_TRANSLATIONS) -> list[str]:
    """One line per row whose Chinese term is not in the Chinese edition of the notebook it names, or that has none."""
    texts: dict[str, str | None] = {}
    problems = []
    for row in rows:
        name = notebook_of(row)
        if name not in texts:
            text = chinese_text(name, zh_notebooks, translations)
            texts[name] = None if text is None else normalised_chinese(text)
        if texts[name] is None:
            problems.append(f"{row['中文']!r} ({row['English']}): {name} has neither a Chinese notebook "
                            f"zh/notebooks/{name}.ipynb nor a translation translations/zh/notebooks/{name}.md")
        elif normalised_chinese(row["中文"]) not in texts[name]:
            problems.append(f"{row['中文']!r} ({row['English']}) does not appear in the Chinese {name}")
    return problems


ROWS = table_rows(GLOSSARY.read_text(encoding="utf-8"))


def test_the_glossary_has_enough_terms():
    assert len(ROWS) >= MIN_TERMS, f"GLOSSARY.md lists {len(ROWS)} terms; the course promises at least {MIN_TERMS}"


@pytest.mark.parametrize("column", ["English", "中文"])
def test_no_term_is_listed_twice(column):
    seen: dict[str, int] = {}
    for row in ROWS:
        key = normalised_english(row[column])
        seen[key] = seen.get(key, 0) + 1
    twice = [term for term, count in seen.items() if count > 1]
    assert not twice, f"listed more than once in GLOSSARY.md's {column} column: {twice}"


def test_every_row_is_filled_in():
    empty = [(row["English"], column) for row in ROWS for column in COLUMNS if not row[column]]
    assert not empty, f"empty cells in GLOSSARY.md: {empty}"
    cjk = re.compile(r"[\u4e00-\u9fff]")
    not_chinese = [row["English"] for row in ROWS if not cjk.search(row["定义"])]
    assert not not_chinese, f"the Chinese definition is not in Chinese: {not_chinese}"


def test_each_english_term_is_taught_where_the_glossary_says():
    problems = missing_english(ROWS)
    assert not problems, "GLOSSARY.md:\n" + "\n".join(problems)


def test_each_chinese_term_is_in_the_chinese_edition_of_that_notebook():
    problems = missing_chinese(ROWS)
    assert not problems, ("GLOSSARY.md (fix the glossary's term or the translation; regenerate the Chinese notebooks "
                          "with `python -m scripts.translations generate`):\n" + "\n".join(problems))


def test_notebook_00_links_the_glossary_in_both_editions():
    assert "](../GLOSSARY.md)" in notebook_markdown(NOTEBOOKS / "00_start_here.ipynb")
    # The Chinese notebook is one folder deeper (zh/notebooks/): the generator rewrites its links from there; its
    # translation file, the source, links as the English notebook does.
    link = "](../../GLOSSARY.md)" if (ZH_NOTEBOOKS / "00_start_here.ipynb").exists() else "](../GLOSSARY.md)"
    chinese = chinese_text("00_start_here")
    assert chinese is not None and link in chinese, f"the Chinese notebook 00 does not link the glossary ({link})"


# --- the checks themselves fail where they must ------------------------------------------------------------------

def _glossary(*rows: str) -> str:
    return ("| " + " | ".join(COLUMNS) + " |\n" + "| --- " * len(COLUMNS) + "|\n"
            + "".join(f"| {row} |\n" for row in rows))


def _notebook(path: Path, markdown: str) -> None:
    cells = [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": markdown}]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")


def test_the_checks_catch_a_wrong_glossary(tmp_path):
    english, zh, translations = tmp_path / "notebooks", tmp_path / "zh", tmp_path / "translations"
    for folder in (english, zh, translations):
        folder.mkdir()
    _notebook(english / "01_a.ipynb", "A *pretrained\nmodel* learns a mapping.")
    _notebook(english / "02_b.ipynb", "An encoder.")
    _notebook(english / "03_c.ipynb", "A decoder.")
    _notebook(zh / "01_a.ipynb", "一个**预训练\n模型**学习映射。")
    (translations / "02_b.md").write_text("<!-- translation of notebooks/02_b.ipynb (zh) -->\n\n"
                                          "<!-- cell a en:0123456789ab -->\n编码器。\n", encoding="utf-8")
    rows = table_rows(_glossary(
        "pretrained model | 预训练模型 | — | 定义 | d | `01_a`",  # found in both (emphasis and a line break between)
        "mapping | 映射关系 | — | 定义 | d | `01_a`",  # Chinese term missing from the Chinese notebook
        "encoder | 编码器 | — | 定义 | d | `02_b`",  # found: English notebook, Chinese translation file
        "latent space | 解码器 | — | 定义 | d | `02_b`",  # English term missing; Chinese missing from the translation
        "decoder | 解码器 | — | 定义 | d | `03_c`",  # no Chinese notebook and no translation
        "head | 头 | — | 定义 | d | `04_d`",  # no such English notebook
    ))
    assert missing_english(rows, english) == [
        "'latent space' does not appear in the markdown of notebooks/02_b.ipynb",
        "'head': names 04_d, but there is no 04_d.ipynb in notebooks/",
    ]
    problems = missing_chinese(rows, zh, translations)
    assert [line.split(" ")[0] for line in problems] == ["'映射关系'", "'解码器'", "'解码器'", "'头'"]
    assert "neither a Chinese notebook zh/notebooks/03_c.ipynb nor a translation" in problems[2]


def test_a_malformed_table_is_an_error():
    with pytest.raises(ValueError, match="columns"):
        table_rows("| English | Chinese |\n| --- | --- |\n")
    with pytest.raises(ValueError, match="line 3 has 2 cells"):
        table_rows(_glossary("only | two"))
    with pytest.raises(ValueError, match="one notebook name as code"):
        notebook_of(table_rows(_glossary("a | 甲 | — | 定义 | d | 01_a, 02_b"))[0])
