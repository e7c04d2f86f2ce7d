"""Shared fixtures: no network, an empty Keras cache, and a clean course environment."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

# Keras reads KERAS_HOME once, when it is first imported, so point it at an empty folder before
# any test imports Keras: the unit tests never see (or write to) the real ~/.keras cache.
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="eiam-keras-home-")

COURSE_VARIABLES = ("EIAM_FAST", "EIAM_MNIST", "EIAM_FASHION_MNIST", "EIAM_ARTIFACTS")


@pytest.fixture
def keras_cache() -> Path:
    """Keras's (empty, temporary) dataset cache folder, emptied again after the test."""
    folder = Path(os.environ["KERAS_HOME"]) / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every network connection, as on a machine with no network."""

    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def course_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No course variable set (full mode, no data path), artifacts in a temporary folder."""
    for name in COURSE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EIAM_ARTIFACTS", str(tmp_path / "artifacts"))
    return monkeypatch
