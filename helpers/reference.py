"""The reference run: the full-mode figures the course's prose quotes, recorded by ``make course``.

The prose of a notebook never types a measured figure on its own authority. The cell that measures it
calls :func:`quote`, which prints this run's value beside the reference run's::

    reference.quote("04.adadelta_val_bce", history["val_loss"][-1], "validation BCE after the last epoch")
    # validation BCE after the last epoch: 0.1104 (reference full-mode run: 0.1071)

and attaches ``{"eiam_reference": {"key": ..., "value": ...}}`` to the output's metadata. ``make course``
(full mode) collects every quoted figure of the notebooks it executed into ``helpers/records/reference.json``
(:func:`collect`, :func:`write_record`), with the run's settings; that file is committed.

The prose then quotes the figure followed by a marker that readers do not see, at the precision it wants::

    a validation loss of **0.107**<!-- ref 04.adadelta_val_bce --> ...   about 74 %<!-- ref 02.pca_variance_32 -->

``tests/test_reference.py`` reads every marker in the notebooks, solutions, translations and READMEs and
fails when the quoted number is not the reference value rounded to the quoted digits (:func:`disagreement`).
A figure quoted as a percentage is recorded as a percentage (``74.2``, not ``0.742``).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from helpers import artifacts, config, validation

#: The committed record of the reference run.
RECORD = Path(__file__).resolve().parent / "records" / "reference.json"
#: The output-metadata key under which :func:`quote` attaches a figure.
METADATA_KEY = "eiam_reference"
#: A figure's name: the notebook's number, a dot, and a snake_case name, e.g. ``04.adadelta_val_bce``.
KEY_PATTERN = re.compile(r"^\d\d[a-z]?\.[a-z0-9_]+$")
#: A quoted number followed by its marker; the number may carry a sign, bold or italic marks and a unit.
MARKER_PATTERN = re.compile(
    r"(?P<number>[+\-−]?\d[\d,]*(?:\.\d+)?)\s?(?:%|×|s\b|ms\b|min\b)?(?:\*{1,2}|_)?"
    r"<!-- ref (?P<key>[^ ]+) -->")


def load_record(path: Path = RECORD) -> dict:
    """The reference record: ``{"settings": {...}, "figures": {key: {"value": float, "notebook": str}}}``.

    An absent file gives an empty record (no figure quoted yet).
    """
    return artifacts.load_json(path) if path.is_file() else {"settings": {}, "figures": {}}


def _checked_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise validation.value_error(
            "key", f"{key!r} is not a reference key", "Write it as the notebook's number, a dot and a snake_case "
            "name, e.g. '04.adadelta_val_bce'")
    return key


def quote(key: str, value: float, label: str, *, digits: int = 4, record: Path = RECORD) -> float:
    """Print ``label: value`` beside the reference run's value of ``key``, and tag the output for ``make course``.

    Args:
        key: the figure's name (:data:`KEY_PATTERN`); the prose quotes it with ``<!-- ref key -->``.
        value: this run's figure (a float or an int, in the unit the prose uses: percentages as 74.2).
        label: what the figure is, printed before it.
        digits: decimals printed (the record keeps the full value).
        record: the reference record to compare with.

    Returns:
        ``value`` as a float, so that a cell can go on using it.
    """
    _checked_key(key)
    value = validation.number(value, "value")
    digits = validation.integer(digits, "digits", minimum=0, maximum=8)
    reference = load_record(record)["figures"].get(key)
    if reference is None:
        beside = "no reference run recorded yet: `make course` in full mode records it"
    else:
        beside = f"reference full-mode run: {reference['value']:.{digits}f}"
    line = f"{label}: {value:.{digits}f} ({config.mode_name()} mode; {beside})"
    _show({"text/plain": line}, {"key": key, "value": value})
    return value


def quote_table(key: str, table: str, label: str, *, record: Path = RECORD) -> str:
    """Show the reference run's version of a Markdown table that the cell has just shown for this run.

    For results too many to quote one by one (a grid of accuracies): the prose then describes them, quoting
    only a few figures with :func:`quote`. In the reference run itself the two tables are the same, and only a
    line saying so is shown.

    Args:
        key: the table's name (:data:`KEY_PATTERN`).
        table: this run's table, in Markdown.
        label: what the table holds, for the heading of the reference one.
        record: the reference record to compare with.

    Returns:
        ``table``.
    """
    _checked_key(key)
    if not isinstance(table, str) or not table.strip():
        raise validation.type_error("table", "a Markdown table (a non-empty str)", table)
    reference = load_record(record)["figures"].get(key)
    if reference is None:
        shown = f"*{label}: no reference run recorded yet (`make course` in full mode records it).*"
    elif reference["value"] == table:
        shown = f"*{label}: the course's reference full-mode run gave this same table.*"
    else:
        shown = f"**{label}, in the course's reference full-mode run** (this run's is above):\n\n{reference['value']}"
    _show({"text/markdown": shown, "text/plain": shown}, {"key": key, "value": table})
    return table


def _show(data: dict[str, str], tagged: dict) -> None:
    """Display ``data`` with ``tagged`` in the output's metadata (in IPython); print its text otherwise."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # not in IPython: print only
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(data, raw=True, metadata={METADATA_KEY: tagged})
    else:
        print(data["text/plain"])


def collect(notebook: Mapping, name: str) -> dict[str, dict]:
    """The figures an executed notebook quoted: ``{key: {"value": float or table, "notebook": name}}``.

    Args:
        notebook: the executed notebook (an nbformat node or its JSON dictionary).
        name: its path relative to the repository, recorded with each figure.
    """
    found: dict[str, dict] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            tagged = output.get("metadata", {}).get(METADATA_KEY)
            if tagged:
                value = tagged["value"]
                found[_checked_key(tagged["key"])] = {
                    "value": value if isinstance(value, str) else float(value), "notebook": name}
    return found


def write_record(figures: Mapping[str, dict], settings: Mapping[str, object], path: Path = RECORD) -> Path:
    """Merge ``figures`` into the record at ``path`` (a figure measured again replaces the old one) and save it.

    ``settings`` describes the run (mode, data, command); the machine and the date are added. Each figure keeps
    the date and command of the run that measured it, since a later run may measure only some notebooks.
    """
    record = load_record(path)
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    settings = {**dict(settings), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "recorded": stamp}
    record["settings"] = settings
    record["figures"] = dict(sorted({**record.get("figures", {}),
                                     **{key: {**row, "recorded": stamp, "command": settings.get("command", "")}
                                        for key, row in figures.items()}}.items()))
    return artifacts.save_json(record, path)


def markers(text: str) -> list[tuple[str, str]]:
    """Every ``(quoted number, key)`` pair marked in ``text``."""
    return [(match["number"], match["key"]) for match in MARKER_PATTERN.finditer(text)]


def disagreement(quoted: str, key: str, figures: Mapping[str, Mapping]) -> str | None:
    """Why the quoted number does not match the reference value of ``key``, or None when it does.

    The quote matches when it equals the reference value rounded to the quote's decimals
    (``"0.107"`` matches 0.10712; ``"74"`` matches 74.2; ``"+4.6"`` matches 4.58).
    """
    if key not in figures:
        return f"{key} is not in the reference record (helpers/records/reference.json): run `make course`"
    if isinstance(figures[key]["value"], str):
        return f"{key} is a table, not a number: quote one of its figures with reference.quote"
    number = quoted.replace(",", "").replace("−", "-")
    decimals = len(number.partition(".")[2])
    reference = float(figures[key]["value"])
    if not math.isclose(round(reference, decimals), float(number), abs_tol=10 ** -(decimals + 3)):
        return f"quoted {quoted}, but the reference run recorded {reference:.{decimals + 2}f} for {key}"
    return None


def check_texts(texts: Iterable[tuple[str, str]], figures: Mapping[str, Mapping]) -> list[str]:
    """Every disagreement in ``(where, text)`` pairs, as ``where: reason`` lines."""
    return [f"{where}: {reason}" for where, text in texts for quoted, key in markers(text)
            if (reason := disagreement(quoted, key, figures))]
