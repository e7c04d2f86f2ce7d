"""A process that saves one folder again and again, for the concurrency test of tests/test_artifacts.py.

In a module of its own, importing no Keras, so that each spawned process starts in a fraction of a second.
"""

from pathlib import Path

from helpers import artifacts


def save_folder(target: Path, n: int) -> None:
    """Replace ``target`` 20 times with a folder of two files that both hold ``n``."""
    for _ in range(20):
        with artifacts.replaced_folder(target) as folder:
            (folder / "a.txt").write_text(str(n))
            (folder / "b.txt").write_text(str(n))
