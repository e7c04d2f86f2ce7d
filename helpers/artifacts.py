"""Saved models and results, written atomically to the artifacts folder of the current mode.

Every write goes to a temporary file beside its target and is then renamed over it
(``os.replace``), so a notebook reading a file while another notebook writes it sees either
the old file or the new one, never half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keras

from helpers import config


@contextmanager
def _replaced_atomically(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, rename it over ``path``.

    On failure the temporary file is removed and ``path`` keeps its previous content.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def save_model(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save ``model`` in Keras's native ``.keras`` format, atomically; return the path written."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"save_model() writes Keras's native format: the path must end in .keras, got {path}.")
    with _replaced_atomically(path) as temporary:
        model.save(temporary)
    return path


def load_model(path: str | os.PathLike) -> keras.Model:
    """Load a model saved by :func:`save_model`; a clear error when the file is missing or corrupt."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no saved model at {path}: train it first (the notebook that saves it says which).")
    try:
        return keras.models.load_model(path)
    except Exception as error:  # Keras raises several types for a damaged archive
        raise ValueError(
            f"{path} could not be loaded ({error}); delete it and let the notebook train it again."
        ) from None


def save_text(text: str, path: str | os.PathLike) -> Path:
    """Write ``text`` to ``path`` atomically; return the path."""
    path = Path(path)
    if not isinstance(text, str):
        raise ValueError(f"save_text() writes a str, got {type(text).__name__}.")
    with _replaced_atomically(path) as temporary:
        temporary.write_text(text)
    return path


def save_json(payload: object, path: str | os.PathLike) -> Path:
    """Write ``payload`` (JSON-serialisable) to ``path`` atomically, pretty-printed; return the path."""
    path = Path(path)
    if path.suffix != ".json":
        raise ValueError(f"save_json() writes JSON: the path must end in .json, got {path}.")
    text = json.dumps(payload, indent=1, sort_keys=True)  # fails before anything is written
    return save_text(text + "\n", path)


def load_json(path: str | os.PathLike) -> object:
    """Read a file written by :func:`save_json`."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no saved results at {path}: run the notebook that writes them first.")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}); delete it and run the notebook again.") from None


def artifact_path(name: str, suffix: str) -> Path:
    """``<artifacts folder of this mode>/<name><suffix>``, with ``name`` checked to be a plain file name."""
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"name must be letters, digits, '-' or '_', got {name!r}.")
    return config.artifacts_dir() / f"{name}{suffix}"
