"""The environment check that notebook 00 prints: versions, Keras backend, mode, data sources."""

from __future__ import annotations

import platform
from importlib import metadata

from helpers import config, data

PACKAGES = ("tensorflow", "keras", "numpy", "matplotlib", "ipywidgets")


def package_version(name: str) -> str:
    """Installed version of a distribution, or ``"not installed"``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def report() -> dict[str, str]:
    """Everything a student or instructor needs to say what this course is running on.

    Returns:
        An ordered mapping of label -> value (all strings).
    """
    import keras  # imported here: it starts TensorFlow, which takes a few seconds

    rows = {"python": platform.python_version()}
    rows.update({name: package_version(name) for name in PACKAGES})
    rows["keras backend"] = keras.backend.backend()
    rows["mode"] = f"{config.mode_name()} ({config.FAST_MODE_VARIABLE}=1 selects fast mode)"
    rows["MNIST source"] = data.locate_mnist().describe()
    rows["Fashion-MNIST source"] = data.locate_fashion_mnist().describe()
    origin = config.artifacts_location()[1]
    rows["artifacts folder"] = f"{config.artifacts_dir()} ({origin})"
    return rows


def print_report() -> None:
    """Print :func:`report` as an aligned table."""
    rows = report()
    width = max(map(len, rows))
    for label, value in rows.items():
        print(f"{label:<{width}}  {value}")
