"""Saved models and results in the artifacts folder of the current mode, written all-or-nothing.

- A single file is written to a temporary file beside its target and renamed over it (``os.replace``),
  so a reader sees the old file or the new one, never half a file.
- Several files that belong together (a result's ``.json`` and ``.csv``) are all written to temporary
  files first and renamed only when every one of them was written: an error while writing any of them
  leaves all the old ones as they were.
- A model saved as several files (encoder, decoder, history) is a folder, written as a temporary folder
  and renamed into place (:func:`replaced_folder`).

Keras is imported only by the functions that save or load models.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from helpers import config, validation

if TYPE_CHECKING:
    import keras


def _temporary_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(handle)
    return Path(name)


@contextmanager
def _replaced_atomically(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, rename it over ``path``.

    On failure the temporary file is removed and ``path`` keeps its previous content.
    """
    temporary = _temporary_beside(path)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_text(payload: object) -> str:
    """``payload`` as pretty-printed JSON text; NumPy numbers and arrays become plain numbers and lists.

    Raises the course's error (before anything is written) when something in it cannot be written as
    JSON, or is NaN or infinite.
    """
    try:
        return json.dumps(payload, indent=1, sort_keys=True, default=_json_default, allow_nan=False) + "\n"
    except (TypeError, ValueError) as error:
        raise validation.value_error("the results", f"cannot be saved as JSON ({error})",
                                     "Save numbers, strings, lists and dicts only, all finite.") from None


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of the file at ``path``, as 64 hexadecimal digits (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_text(text: str, path: str | os.PathLike) -> Path:
    """Write ``text`` to ``path`` (anywhere, e.g. a report under ``build/``) atomically; return the path."""
    path = Path(path)
    if not isinstance(text, str):
        raise validation.type_error("text", "a str", text)
    with _replaced_atomically(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path


def save_json(payload: object, path: str | os.PathLike) -> Path:
    """Write ``payload`` as JSON (see :func:`json_text`) to a ``.json`` path atomically; return the path."""
    path = Path(path)
    if path.suffix != ".json":
        raise validation.value_error("path", f"must end in .json, got {path}")
    return save_text(json_text(payload), path)


def save_model(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save ``model`` in Keras's native ``.keras`` format, atomically; return the path written."""
    import keras

    validation.keras_model(model)
    path = Path(path)
    if path.suffix != ".keras":
        raise validation.value_error("path", f"must end in .keras (Keras's native format), got {path}")
    with _replaced_atomically(path) as temporary:
        keras.saving.save_model(model, temporary)
    return path


def load_model(path: str | os.PathLike) -> keras.Model:
    """Load a model saved by :func:`save_model` (in Keras's safe mode); a clear error when missing or corrupt."""
    import keras

    path = Path(path)
    if not path.is_file():
        raise validation.value_error("path", f"names no saved model ({path})",
                                     "Train it first: the notebook that saves it says which.")
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises several types for a damaged archive
        raise validation.value_error("path", f"names a file that could not be loaded ({path}: {error})",
                                     "Delete it and let the notebook train it again.") from None


def save_files(name: str, texts: Mapping[str, str]) -> dict[str, Path]:
    """Write ``<name><suffix>`` for each suffix -> text, all or nothing; return suffix -> path.

    Every text is written to a temporary file first; only when all of them are written are they
    renamed into place, one after the other.
    """
    targets = {suffix: artifact_path(name, suffix) for suffix in texts}
    temporaries: dict[str, Path] = {}
    try:
        for suffix, text in texts.items():
            if not isinstance(text, str):
                raise validation.type_error(f"the text for {suffix}", "a str", text)
            temporaries[suffix] = _temporary_beside(targets[suffix])
            temporaries[suffix].write_text(text, encoding="utf-8")
        for suffix, temporary in temporaries.items():
            os.replace(temporary, targets[suffix])
    finally:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
    return targets


def load_json(path: str | os.PathLike) -> object:
    """Read a JSON file written here."""
    path = Path(path)
    if not path.is_file():
        raise validation.value_error("path", f"names no saved results ({path})",
                                     "Run the notebook that writes them first.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise validation.value_error("path", f"names a file that is not valid JSON ({path}: {error})",
                                     "Delete it and run the notebook that writes it again.") from None


def artifact_path(name: str, suffix: str = "") -> Path:
    """``<artifacts folder of this mode>/<name><suffix>``; both parts are checked to stay inside the folder."""
    validation.name_part(name, "name")
    if suffix:
        validation.name_part(suffix.removeprefix("."), "suffix")
        if not suffix.startswith("."):
            raise validation.value_error("suffix", f"must start with '.', got {suffix!r}", "For example '.json'.")
    return config.artifacts_dir() / f"{name}{suffix}"


@contextmanager
def replaced_folder(path: Path) -> Iterator[Path]:
    """Yield a new temporary folder beside ``path``; when the block succeeds, it becomes ``path``.

    The previous ``path`` (if any) is renamed to ``.<name>.old-<id>`` first, then the new folder takes
    its place, then the old one is deleted. A crash between the two renames leaves the old folder
    under its ``.old-`` name, from which :func:`restore_interrupted` brings it back. On failure inside
    the block the temporary folder is deleted and ``path`` is untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    olds = []
    try:
        yield temporary
        for _ in range(10):  # another process may be saving the same folder at the same moment
            if path.exists():
                olds.append(path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}"))
                try:
                    os.replace(path, olds[-1])
                except FileNotFoundError:  # the other process moved it first
                    olds.pop()
            try:
                os.replace(temporary, path)
                break
            except OSError:  # the other process put its folder there in between: move that one aside too
                continue
        else:
            raise OSError(f"could not put {path} in place: other processes kept replacing it")
        for old in olds:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def restore_interrupted(path: Path) -> Path | None:
    """When ``path`` is missing but an interrupted :func:`replaced_folder` left its old copy, put it back.

    Returns the folder it restored from, or None when there was nothing to restore.
    """
    if path.exists():
        return None
    leftovers = sorted(path.parent.glob(f".{path.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if not leftovers:
        return None
    os.replace(leftovers[-1], path)
    return leftovers[-1]
