"""The course's settings, read from environment variables in this one place.

Fast mode (small bundled data, few epochs) is for CI and quick checks; the full
course is the default. Every function reads the environment when called, so
there is no hidden module-level state: set a variable, and the next call sees it.
The functions only answer questions: none of them creates a folder or a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from helpers import validation

#: Set to 1 (or true/yes/on) for fast mode; 0, false, no, off or unset for the full course.
FAST_MODE_VARIABLE = "EIAM_FAST"
#: Path of a complete MNIST ``.npz`` file (the layout of Keras's ``mnist.npz``).
MNIST_PATH_VARIABLE = "EIAM_MNIST"
#: Path of a Fashion-MNIST ``.npz`` file, or of a folder holding the four original ``*.gz`` files.
FASHION_MNIST_PATH_VARIABLE = "EIAM_FASHION_MNIST"
#: Folder where notebooks save trained models and results (default: see :func:`artifacts_location`).
ARTIFACTS_VARIABLE = "EIAM_ARTIFACTS"
#: The language of what helpers print to a student (check results, data messages): ``en`` (unset) or ``zh``.
LANGUAGE_VARIABLE = "EIAM_LANG"
#: A base URL (``https://...``, ``http://...``, ``file://...``) or a local folder holding Keras's data files under
#: Keras's own names and layout, used instead of Keras's download host (see :mod:`helpers.data`).
DATA_MIRROR_VARIABLE = "EIAM_DATA_MIRROR"
#: The languages :func:`language` answers, and the values of ``EIAM_LANG`` that select each (compared in lower case).
LANGUAGES = {
    "en": ("", "en", "en_us", "en-us", "en_gb", "en-gb", "en_us.utf-8", "en_gb.utf-8", "c", "posix"),
    "zh": ("zh", "zh_cn", "zh-cn", "zh_cn.utf-8", "zh-hans", "zh_hans"),
}
#: The distribution's name, which names the per-user data folder (:func:`artifacts_location`).
APP_NAME = "everything-is-a-mapping"
#: The folder holding the ``helpers`` package: the checkout's root, or ``site-packages`` when installed with pip.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent

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


def language() -> str:
    """The student's language, ``"en"`` or ``"zh"`` (简体中文), from ``EIAM_LANG``; unset or empty means ``"en"``.

    Accepts ``zh``, ``zh_CN``, ``zh-CN``, ``zh_CN.UTF-8`` (any case) for Chinese and ``en`` (or ``en_US``...) for
    English. The Chinese notebooks set it in their set-up cell with ``os.environ.setdefault("EIAM_LANG", "zh")``.

    Raises:
        ValueError: the variable holds another value; the message lists the values allowed.
    """
    raw = os.environ.get(LANGUAGE_VARIABLE, "").strip().lower()
    for code, values in LANGUAGES.items():
        if raw in values:
            return code
    raise ValueError(
        f"{LANGUAGE_VARIABLE}={os.environ[LANGUAGE_VARIABLE]!r} is not a language the course speaks: set it to zh "
        f"(or zh_CN, zh-CN, zh_CN.UTF-8) for Chinese, to en for English, or leave it unset for English."
    )


def data_mirror() -> str | None:
    """The mirror of Keras's data files named by ``EIAM_DATA_MIRROR``, or None when it is unset or empty.

    Returns the value as given (stripped): a base URL or a local folder; :mod:`helpers.data` checks and uses it.
    """
    raw = os.environ.get(DATA_MIRROR_VARIABLE, "").strip()
    return raw or None


def mode_name() -> str:
    """``"fast"`` or ``"full"``, for printing."""
    return "fast" if fast_mode() else "full"


def pick(full: int, fast: int) -> int:
    """Return ``full`` in full mode and ``fast`` in fast mode (epochs, sample sizes, seeds...).

    Both must be positive integers.
    """
    full = validation.positive_int(full, "full")
    fast = validation.positive_int(fast, "fast")
    return fast if fast_mode() else full


def env_path(variable: str) -> Path | None:
    """The path named by an environment variable, or None when it is unset or empty."""
    raw = os.environ.get(variable, "").strip()
    return Path(raw).expanduser() if raw else None


def checkout_root() -> Path | None:
    """The repository checkout that holds this ``helpers`` package, or None when it is installed without one.

    A checkout has the course's ``pyproject.toml`` beside the package (a clone, installed with
    ``pip install -e .`` or not); a package installed with pip, as in Colab, sits in ``site-packages``, which has none.
    """
    return PACKAGE_PARENT if (PACKAGE_PARENT / "pyproject.toml").is_file() else None


def artifacts_location() -> tuple[Path, str]:
    """Where saved models and results go, before the mode's sub-folder, and why there.

    Returns:
        ``(folder, origin)``: ``$EIAM_ARTIFACTS`` when set (origin ``"set by EIAM_ARTIFACTS"``), else
        ``<checkout>/artifacts`` when ``helpers`` runs from a checkout (``"in the checkout"``), else
        ``artifacts`` in the platform's per-user data folder (``"per-user folder: no checkout holds helpers"``;
        on Linux ``~/.local/share/everything-is-a-mapping/artifacts``).
        Nothing is created: writers create the folders they write to.
    """
    from_env = env_path(ARTIFACTS_VARIABLE)
    if from_env is not None:
        return from_env, f"set by {ARTIFACTS_VARIABLE}"
    checkout = checkout_root()
    if checkout is not None:
        return checkout / "artifacts", "in the checkout"
    return Path(platformdirs.user_data_dir(APP_NAME)) / "artifacts", "per-user folder: no checkout holds helpers"


def artifacts_dir() -> Path:
    """Folder for saved models and results, one sub-folder per mode so fast runs never pass for full ones.

    ``<folder of artifacts_location()>/<mode>``. A query only: the folder may not exist yet; whatever
    writes into it creates it (:mod:`helpers.artifacts` does).
    """
    return artifacts_location()[0] / mode_name()
