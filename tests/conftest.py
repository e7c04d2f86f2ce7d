"""The test session's sandbox, the warning filters for the project's own code, and shared fixtures.

The session (in the controller process, before pytest-xdist starts its workers, which inherit its
environment, as do the notebook kernels that nbval starts in them):

- One temporary folder for the whole run holds Keras's cache (``KERAS_HOME``) and the course's
  saved models and results (``EIAM_ARTIFACTS``): every test and every notebook kernel of the run
  shares it, nothing is reused from an earlier run, and it is removed at the end.
- The checkout is listed (every file's size and modification time) at the start and again at the end:
  a run that created, changed or removed anything in it fails, naming the paths.

In every process, a warning whose module is the project's own (``helpers``, ``scripts``, ``benchmarks``,
``tests``) is an error (see :func:`project_modules_pattern`); third-party warnings are shown, and those
the project cannot fix are ignored by name in pyproject.toml.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COURSE_VARIABLES = ("EIAM_FAST", "EIAM_MNIST", "EIAM_FASHION_MNIST", "EIAM_ARTIFACTS", "EIAM_LANG", "EIAM_DATA_MIRROR")

#: Not listed: git's data; the virtual environment (pip, and bytecode of installed packages); bytecode that
#: Python and pytest's assertion rewriting write beside the modules they import; ruff's and pytest's caches,
#: which the tools write around the run (``make lint`` runs ruff just before pytest); JupyterLab's autosaves
#: of a notebook a developer has open. None of these is the course, and tests never write them.
UNLISTED = frozenset({".git", ".venv", "__pycache__", ".ruff_cache", ".pytest_cache", ".ipynb_checkpoints"})

Listing = dict[str, tuple[int, int] | None]  # relative path -> (size, mtime in ns) for a file, None for a folder

SESSION_FOLDER = pytest.StashKey[Path]()
CHECKOUT_BEFORE = pytest.StashKey[Listing]()
CHECKOUT_CHANGES = pytest.StashKey[list[str]]()


def list_checkout(root: Path) -> Listing:
    """Every file and folder under ``root`` except the :data:`UNLISTED` names, without following links."""
    listing: Listing = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in UNLISTED]
        for name in subfolders:
            listing[os.path.relpath(os.path.join(folder, name), root)] = None
        for name in files:
            if name in UNLISTED:  # a worktree's .git is a file
                continue
            path = os.path.join(folder, name)
            stat = os.lstat(path)
            listing[os.path.relpath(path, root)] = (stat.st_size, stat.st_mtime_ns)
    return listing


def compare_listings(before: Listing, after: Listing) -> list[str]:
    """What differs between two listings: ``created: path``, ``changed: path`` or ``removed: path`` lines, by path."""
    lines = [f"created: {path}" for path in after.keys() - before.keys()]
    lines += [f"removed: {path}" for path in before.keys() - after.keys()]
    lines += [f"changed: {path}" for path in before.keys() & after.keys() if before[path] != after[path]]
    return sorted(lines, key=lambda line: line.split(": ", 1)[1])


def project_modules_pattern(root: Path) -> str:
    """A regular expression matching the names of the project's modules, as warnings report them.

    The folders ``helpers``, ``scripts``, ``benchmarks`` and ``tests`` as packages, with their modules
    (``helpers.data``, ``scripts.build_course``), and the modules of the last three imported by their bare file
    names (``build_course``, ``bench``, ``test_config``, ``conftest``).
    """
    folders = ("helpers", "scripts", "benchmarks", "tests")
    names = sorted({path.stem for folder in folders[1:] for path in (root / folder).glob("*.py")} - {"__init__"})
    return rf"(({'|'.join(folders)})(\.|$)|({'|'.join(map(re.escape, names))})$)"


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")  # pytest-xdist gives each worker's config a workerinput


def pytest_configure(config: pytest.Config) -> None:
    """Every process: the warning filter. The controller: list the checkout, create and export the session folder."""
    # Appended last, so it wins over the ignores of pyproject.toml, for the project's modules only.
    config.addinivalue_line("filterwarnings", f"error:::{project_modules_pattern(ROOT)}")
    if not _is_controller(config):
        return
    config.stash[CHECKOUT_BEFORE] = list_checkout(ROOT)
    session_folder = Path(tempfile.mkdtemp(prefix="eiam-tests-"))
    config.stash[SESSION_FOLDER] = session_folder
    # Keras reads KERAS_HOME once, when it is first imported, and nothing has imported it yet: its cache
    # starts empty and the real ~/.keras is never read or written.
    os.environ["KERAS_HOME"] = str(session_folder / "keras-home")
    os.environ["EIAM_ARTIFACTS"] = str(session_folder / "artifacts")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The controller, once every worker is done: list the checkout again; any change fails the run."""
    config = session.config
    if not _is_controller(config) or CHECKOUT_BEFORE not in config.stash:
        return
    changes = compare_listings(config.stash[CHECKOUT_BEFORE], list_checkout(ROOT))
    config.stash[CHECKOUT_CHANGES] = changes
    if changes and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    """Name what the run changed in the checkout, under the failures."""
    changes = config.stash.get(CHECKOUT_CHANGES, [])
    if changes:
        terminalreporter.section("the test run changed the checkout", sep="=", red=True, bold=True)
        terminalreporter.line(f"Tests must write only to temporary folders; in {ROOT}:")
        for line in changes:
            terminalreporter.line(f"  {line}")


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller: remove the session folder (artifacts, Keras home) with everything in it."""
    if _is_controller(config) and SESSION_FOLDER in config.stash:
        shutil.rmtree(config.stash[SESSION_FOLDER], ignore_errors=True)


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
