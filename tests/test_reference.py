"""The reference run: quoted figures in the prose must agree with helpers/records/reference.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from helpers import reference
from scripts import course_files

ROOT = course_files.ROOT
QUOTE_CALL = re.compile(r"""reference\.quote(?:_table)?\(\s*(?P<f>f?)["'](?P<key>[^"']+)["']""")


def _prose() -> list[tuple[str, str]]:
    """``(where, text)`` of every markdown cell of the course's notebooks, the translations and the READMEs."""
    texts = []
    for folder in course_files.FOLDERS + course_files.ZH_FOLDERS:
        for path in sorted(folder.glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type == "markdown":
                    texts.append((f"{path.relative_to(ROOT)} cell {cell.id}", cell.source))
    for path in sorted(course_files.TRANSLATIONS.rglob("*.md")) + sorted(ROOT.glob("README*.md")):
        texts.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return texts


def _quoting_code() -> dict[str, str]:
    """Every key a notebook's code quotes, as a regular expression, with the first notebook that quotes it.

    A key written as an f-string (``f"06.{short}_gap"``) matches any snake_case text in place of each field.
    """
    keys: dict[str, str] = {}
    for folder in (course_files.NOTEBOOKS, course_files.SOLUTIONS):
        for path in sorted(folder.glob("*.ipynb")):
            for cell in nbformat.read(path, as_version=4).cells:
                if cell.cell_type == "code":
                    for match in QUOTE_CALL.finditer(cell.source):
                        parts = re.split(r"\{[^}]*\}", match["key"]) if match["f"] else [match["key"]]
                        keys.setdefault("[a-z0-9_]+".join(map(re.escape, parts)), str(path.relative_to(ROOT)))
    return keys


def _measured(key: str, patterns: dict[str, str]) -> bool:
    return any(re.fullmatch(pattern, key) for pattern in patterns)


# --- the mechanism -----------------------------------------------------------------------------------


def test_markers_find_the_number_before_each_marker() -> None:
    text = ("a loss of **0.107**<!-- ref 04.val_bce --> and 74%<!-- ref 02.variance --> kept, "
            "a gain of +4.6 points<!-- ref 05.gain --> (not a marker), −1.25<!-- ref 05.drop -->")
    assert reference.markers(text) == [("0.107", "04.val_bce"), ("74", "02.variance"), ("−1.25", "05.drop")]


@pytest.mark.parametrize(("quoted", "value", "agrees"), [
    ("0.107", 0.10712, True), ("0.107", 0.1076, False), ("74", 74.4, True), ("74", 74.6, False),
    ("+4.6", 4.58, True), ("4.6", 4.64, True), ("60,000", 60000, True), ("−1.3", -1.26, True), ("0.11", 0.107, True),
])
def test_a_quote_agrees_when_it_is_the_reference_rounded_to_its_digits(quoted: str, value: float,
                                                                        agrees: bool) -> None:
    reason = reference.disagreement(quoted, "04.x", {"04.x": {"value": value}})
    assert (reason is None) is agrees, reason


def test_a_quote_of_an_unrecorded_figure_is_an_error_that_names_the_fix() -> None:
    reason = reference.disagreement("0.1", "04.missing", {})
    assert "04.missing" in reason and "make course" in reason


def test_collect_reads_the_tagged_outputs_and_write_record_merges(tmp_path: Path) -> None:
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "x"},
        {"cell_type": "code", "outputs": [
            {"output_type": "stream", "text": "no figure here"},
            {"output_type": "display_data", "data": {"text/plain": "loss: 0.1"},
             "metadata": {reference.METADATA_KEY: {"key": "04.loss", "value": 0.1}}}]}]}
    figures = reference.collect(notebook, "notebooks/04_x.ipynb")
    assert figures == {"04.loss": {"value": 0.1, "notebook": "notebooks/04_x.ipynb"}}
    path = tmp_path / "reference.json"
    reference.write_record({"02.a": {"value": 1.0, "notebook": "n"}}, {"mode": "full"}, path)
    reference.write_record(figures, {"mode": "full"}, path)
    record = json.loads(path.read_text())
    assert set(record["figures"]) == {"02.a", "04.loss"}
    assert record["settings"]["mode"] == "full" and "recorded" in record["figures"]["04.loss"]


def test_quote_prints_this_run_beside_the_reference(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "reference.json"
    reference.write_record({"04.loss": {"value": 0.1071, "notebook": "n"}}, {"mode": "full"}, path)
    assert reference.quote("04.loss", 0.25, "validation loss", record=path) == 0.25
    assert reference.quote("04.other", 1, "something", digits=1, record=path) == 1.0
    printed = capsys.readouterr().out
    assert "validation loss: 0.2500" in printed and "reference full-mode run: 0.1071" in printed
    assert "something: 1.0" in printed and "no reference run recorded yet" in printed


@pytest.mark.parametrize("key", ["loss", "4.loss", "04.Loss", "04.val-loss", ""])
def test_quote_rejects_a_malformed_key_before_any_work(key: str) -> None:
    with pytest.raises(ValueError, match="reference key"):
        reference.quote(key, 1.0, "x")


# --- the course's own prose ------------------------------------------------------------------------


def test_every_quoted_figure_agrees_with_the_reference_run() -> None:
    figures = reference.load_record()["figures"]
    problems = reference.check_texts(_prose(), figures)
    assert not problems, "prose disagrees with helpers/records/reference.json:\n" + "\n".join(problems)


def test_the_prose_quotes_only_figures_that_a_notebook_measures() -> None:
    quoted_by_code = _quoting_code()
    unmeasured = sorted({f"{where}: {key}" for where, text in _prose() for _, key in reference.markers(text)
                         if not _measured(key, quoted_by_code)})
    assert not unmeasured, "markers naming a figure no notebook's code quotes:\n" + "\n".join(unmeasured)


def test_the_reference_record_holds_every_figure_the_notebooks_quote_and_no_stale_one() -> None:
    record = reference.load_record()
    quoted_by_code = _quoting_code()
    missing = sorted(f"{pattern} ({where})" for pattern, where in quoted_by_code.items()
                     if not any(re.fullmatch(pattern, key) for key in record["figures"]))
    stale = sorted(key for key in record["figures"] if not _measured(key, quoted_by_code))
    assert not missing, f"not in the reference record; run `make course` (full mode): {missing}"
    assert not stale, f"in the reference record but quoted by no notebook any more: {stale}"
    assert record["settings"]["mode"] == "full"
