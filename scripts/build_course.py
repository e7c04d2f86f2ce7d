"""Execute every course notebook headless and write a readable copy of the course under build/course/.

Usage: ``python scripts/build_course.py [--fast] [NOTEBOOK ...]`` (``make course`` runs it in full mode).
For each notebook of notebooks/ and solutions/ it writes the executed ``.ipynb`` and an HTML page,
then ``build/course/index.html`` linking them with each one's status and wall time. The source
notebooks are only read. Exits non-zero when any notebook fails, after building the rest.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "course"
FOLDERS = ("notebooks", "solutions")


def build(notebook: Path) -> tuple[str, float]:
    """Execute one notebook, write its executed copy and HTML page; return (status, seconds)."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:  # cells that fail on purpose (nbval's marker) may fail here too (in memory only)
        if cell.cell_type == "code" and "# NBVAL_RAISES_EXCEPTION" in cell.source:
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
    target = OUT / notebook.parent.name
    target.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    status = "ok"
    try:
        NotebookClient(nb, timeout=3600, resources={"metadata": {"path": str(notebook.parent)}}).execute()
    except CellExecutionError as error:
        status = f"failed: {str(error).strip().splitlines()[-1][:200]}"
    seconds = time.perf_counter() - start
    nbformat.write(nb, target / notebook.name)
    body, _ = HTMLExporter().from_notebook_node(nb)
    (target / notebook.with_suffix(".html").name).write_text(body)
    return status, seconds


def write_index(results: list[tuple[Path, str, float]], mode: str) -> Path:
    rows = "\n".join(
        f'<tr><td><a href="{p.parent.name}/{p.with_suffix(".html").name}">{p.parent.name}/{p.name}</a></td>'
        f"<td>{html.escape(status)}</td><td>{seconds:.0f} s</td></tr>"
        for p, status, seconds in results
    )
    index = OUT / "index.html"
    index.write_text(
        "<!doctype html><meta charset='utf-8'><title>Everything Is a Mapping</title>"
        f"<h1>Everything Is a Mapping: the course, executed in {mode} mode</h1>"
        f"<table><tr><th>notebook</th><th>status</th><th>wall time</th></tr>\n{rows}\n</table>\n"
    )
    return index


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fast", action="store_true", help="fast mode (bundled samples, few epochs)")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    os.environ["EIAM_FAST"] = "1" if args.fast else "0"
    notebooks = [p.resolve() for p in args.notebooks] or sorted(
        p for folder in FOLDERS for p in (ROOT / folder).glob("[0-9]*.ipynb")
    )
    results = []
    for notebook in notebooks:
        status, seconds = build(notebook)
        print(f"{notebook.relative_to(ROOT)}: {status} ({seconds:.0f} s)", flush=True)
        results.append((notebook, status, seconds))
    print(f"index: {write_index(results, 'fast' if args.fast else 'full').relative_to(ROOT)}")
    return 0 if all(status == "ok" for _, status, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
