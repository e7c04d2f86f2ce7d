"""What each notebook declares about itself for the course build, in its notebook-level metadata.

``make course`` (:mod:`scripts.build_course`) runs several notebooks at a time; what must wait for
what, and what starts first, comes from these declarations, so a new notebook needs no change to the
build. Every notebook of ``notebooks/`` and ``solutions/`` declares, under the key ``"course"`` of its
notebook metadata (JupyterLab: Property Inspector > Advanced Tools > Notebook metadata)::

    "course": {
        "minutes_full": 2.5,
        "loads": ["article/mnist", "deep_denoising/mnist"],
        "saves": [],
        "reads": [],
        "writes": ["fine_tuning_grid"]
    }

``minutes_full`` (required)
    its wall time in full mode on the project's 2-core CPU, in minutes, roughly (half-minute steps are
    plenty): it decides which jobs start first.
``loads`` / ``saves`` (optional, default empty)
    the saved models it loads / saves, named ``"<recipe>/<dataset>"`` as in :mod:`helpers.pretrained`
    (``pretrained.load_or_train("deep_denoising", dataset="fashion_mnist")`` loads
    ``"deep_denoising/fashion_mnist"``; ``pretrained.save(..., "article")`` saves ``"article/mnist"``).
    A test compares them with those calls in the notebook's code cells.
``reads`` / ``writes`` (optional, default empty)
    the result files it reads from another notebook / writes for others, by their name in the artifacts
    folder (``finetuning.save_results(rows, settings, "fine_tuning_grid")`` writes ``"fine_tuning_grid"``).

Exercise notebooks inherit their solution's declaration (they copy its metadata); the build does not run them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scripts.course_files import notebook_name

KEY = "course"
LISTS = ("loads", "saves", "reads", "writes")
MODEL_NAME = re.compile(r"[a-z0-9_]+/[a-z0-9_]+")
RESULT_NAME = re.compile(r"[A-Za-z0-9_.-]+")
EXAMPLE = '"course": {"minutes_full": 1, "loads": ["article/mnist"]}'


class DeclarationError(ValueError):
    """A notebook's ``metadata["course"]`` is missing or malformed; the message names the notebook and the fix."""


@dataclass(frozen=True)
class Declaration:
    """One notebook's declaration: full-mode minutes, models loaded and saved, results read and written."""

    minutes_full: float
    loads: tuple[str, ...] = ()
    saves: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()


def model_name(recipe: str, dataset: str) -> str:
    """How a saved model is named in declarations: ``"<recipe>/<dataset>"``."""
    return f"{recipe}/{dataset}"


def parse(metadata: Mapping, where: str) -> Declaration:
    """The declaration in a notebook's metadata; ``where`` names the notebook in error messages."""
    fix = f"(the schema is in scripts/course_metadata.py; for example {EXAMPLE})"
    if KEY not in metadata:
        raise DeclarationError(f"{where}: its notebook metadata has no {KEY!r} declaration; add one {fix}.")
    declared = metadata[KEY]
    if not isinstance(declared, Mapping):
        raise DeclarationError(f"{where}: metadata[{KEY!r}] must be an object {fix}.")
    unknown = sorted(set(declared) - {"minutes_full", *LISTS})
    if unknown:
        raise DeclarationError(f"{where}: metadata[{KEY!r}] has unknown keys {unknown}; use only minutes_full, "
                               f"{', '.join(LISTS)} {fix}.")
    minutes = declared.get("minutes_full")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not minutes > 0:
        raise DeclarationError(f"{where}: metadata[{KEY!r}]['minutes_full'] must be a positive number of minutes, "
                               f"got {minutes!r} {fix}.")
    lists = {}
    for key in LISTS:
        names = declared.get(key, [])
        pattern, form = (MODEL_NAME, '"<recipe>/<dataset>"') if key in ("loads", "saves") else (RESULT_NAME, "names")
        if not isinstance(names, list) or not all(isinstance(n, str) and pattern.fullmatch(n) for n in names):
            raise DeclarationError(f"{where}: metadata[{KEY!r}][{key!r}] must be a list of {form}, "
                                   f"got {names!r} {fix}.")
        lists[key] = tuple(names)
    return Declaration(float(minutes), **lists)


def read(notebook: Path) -> Declaration:
    """The declaration of a notebook file."""
    metadata = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    return parse(metadata, notebook_name(notebook))
