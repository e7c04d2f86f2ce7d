"""The course's settings, read from environment variables in this one place.

Fast mode (small bundled data, few epochs) is for CI and quick checks; the full
course is the default. Every function reads the environment when called, so
there is no hidden module-level state: set a variable, and the next call sees it.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Set to 1 (or true/yes/on) for fast mode; 0, false, no, off or unset for the full course.
FAST_MODE_VARIABLE = "EIAM_FAST"
#: Path of a complete MNIST ``.npz`` file (the layout of Keras's ``mnist.npz``).
MNIST_PATH_VARIABLE = "EIAM_MNIST"
#: Path of a Fashion-MNIST ``.npz`` file, or of a folder holding the four original ``*.gz`` files.
FASHION_MNIST_PATH_VARIABLE = "EIAM_FASHION_MNIST"
#: Folder where notebooks save trained models and results (default: ``artifacts/`` in the repository).
ARTIFACTS_VARIABLE = "EIAM_ARTIFACTS"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def fast_mode() -> bool:
    """Return True when fast mode is on (``EIAM_FAST=1``), False for the full course.

    Raises:
        ValueError: the variable holds something other than a yes/no word.
    """
    raw = os.environ.get(FAST_MODE_VARIABLE, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{FAST_MODE_VARIABLE}={os.environ[FAST_MODE_VARIABLE]!r} is not understood: "
        f"set it to 1 for fast mode or 0 (or leave it unset) for the full course."
    )


def mode_name() -> str:
    """``"fast"`` or ``"full"``, for printing."""
    return "fast" if fast_mode() else "full"


def pick(full: int, fast: int) -> int:
    """Return ``full`` in full mode and ``fast`` in fast mode (epochs, sample sizes, seeds...).

    Both must be positive integers.
    """
    for name, value in (("full", full), ("fast", fast)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"pick(): {name} must be a positive integer, got {value!r}.")
    return fast if fast_mode() else full


def env_path(variable: str) -> Path | None:
    """The path named by an environment variable, or None when it is unset or empty."""
    raw = os.environ.get(variable, "").strip()
    return Path(raw).expanduser() if raw else None


def repository_root() -> Path:
    """The folder holding ``pyproject.toml`` when ``helpers`` runs from a checkout, else the working folder."""
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def artifacts_dir() -> Path:
    """Folder for saved models and results, one sub-folder per mode so fast runs never pass for full ones.

    ``$EIAM_ARTIFACTS/<mode>`` when the variable is set, else ``<repository>/artifacts/<mode>``.
    The folder is created when missing.
    """
    base = env_path(ARTIFACTS_VARIABLE) or repository_root() / "artifacts"
    folder = base / mode_name()
    folder.mkdir(parents=True, exist_ok=True)
    return folder
