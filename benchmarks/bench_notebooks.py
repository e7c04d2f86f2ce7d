"""Wall time and peak memory of every notebook, each on a fresh kernel, in fast and in full mode.

Run as a script, ``python benchmarks/bench_notebooks.py NOTEBOOK``, it executes one notebook with
nbclient and prints one JSON line: status, wall seconds, and the peak resident memory of the kernel
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the kernel is this process's child, and nbclient waits
for it when it shuts it down). :func:`time_notebooks` runs that script once per notebook, one after
another, so each measurement has the machine to itself (as far as this benchmark is concerned).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "solutions")
SAMPLES = ROOT / "helpers" / "samples"
FASHION_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def course_notebooks() -> list[Path]:
    """Every notebook of notebooks/ then solutions/, in course order."""
    return [p for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.ipynb"))]


def data_environment(mode: str) -> tuple[dict[str, str], dict[str, str]]:
    """The data variables for a mode, and a description of each data set's source for the report.

    Fast mode uses what the course uses (the bundled samples, unless a variable names a file). Full
    mode uses ``EIAM_MNIST`` / ``EIAM_FASHION_MNIST`` when set. Without ``EIAM_MNIST`` both data sets
    are the bundled samples, so that the full schedules run offline, on the sample data. With it and
    without ``EIAM_FASHION_MNIST``, Fashion-MNIST comes from Debian's folder when installed, else the sample.
    """
    variables, sources = {}, {}
    complete_run = bool(os.environ.get("EIAM_MNIST", "").strip())
    for name, variable, sample in (("MNIST", "EIAM_MNIST", SAMPLES / "mnist_sample.npz"),
                                   ("Fashion-MNIST", "EIAM_FASHION_MNIST", SAMPLES / "fashion_mnist_sample.npz")):
        given = os.environ.get(variable, "").strip()
        if given:
            variables[variable] = given
            sources[name] = f"from ${variable} ({given})"
        elif mode == "fast":
            sources[name] = "bundled sample (fast mode)"
        elif complete_run and name == "Fashion-MNIST" and all((DEBIAN_FASHION / f).is_file() for f in FASHION_FILES):
            variables[variable] = str(DEBIAN_FASHION)
            sources[name] = f"complete set from {DEBIAN_FASHION}"
        else:
            variables[variable] = str(sample)
            sources[name] = "bundled SAMPLE (full schedules on the sample data: no complete set was given)"
    return variables, sources


def time_notebooks(modes: list[str], *, out_dir: Path, timeout: int = 7200,
                   progress: Callable[[str], None] = print) -> dict:
    """Execute every course notebook in each mode, one after another; return timings and sources.

    Each mode gets a fresh, empty artifacts folder (``out_dir/artifacts/<mode>``, emptied first), so
    no notebook finds a model that an earlier run saved: the notebook that saves a model trains it,
    later ones load it (each row says which, from the notebook's own "trained now" / "loaded from" lines).
    """
    results = {}
    for mode in modes:
        if mode not in ("fast", "full"):
            raise ValueError(f"modes must be 'fast' and/or 'full', got {mode!r}.")
        variables, sources = data_environment(mode)
        artifacts = out_dir / "artifacts" / mode
        shutil.rmtree(artifacts, ignore_errors=True)
        artifacts.mkdir(parents=True)
        env = {**os.environ, **variables, "EIAM_FAST": "1" if mode == "fast" else "0",
               "EIAM_ARTIFACTS": str(artifacts)}
        rows = []
        for notebook in course_notebooks():
            name = str(notebook.relative_to(ROOT))
            progress(f"  {mode} {name} ...")
            try:
                completed = subprocess.run([sys.executable, __file__, str(notebook)], env=env, capture_output=True,
                                           text=True, timeout=timeout, cwd=ROOT)
                lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
                row = json.loads(lines[-1]) if lines else {
                    "status": f"runner failed (exit {completed.returncode}): {completed.stderr.strip()[-300:]}"}
            except subprocess.TimeoutExpired:
                row = {"status": f"timed out after {timeout} s"}
            row["notebook"] = name
            rows.append(row)
            progress(f"    {row['status']}, {row.get('seconds', float('nan')):.0f} s, "
                     f"peak {row.get('peak_rss_mib', float('nan')):.0f} MiB")
        results[mode] = {
            "settings": {"mode": mode, "data": sources, "artifacts": "a fresh empty folder for this mode",
                         "order": "notebooks/ then solutions/, one at a time, each on a fresh kernel",
                         "timeout_seconds": timeout},
            "notebooks": rows,
            "total_seconds": sum(r.get("seconds", 0.0) for r in rows),
            "max_peak_rss_mib": max((r.get("peak_rss_mib", 0.0) for r in rows), default=0.0),
            "all_ok": all(r["status"] == "ok" for r in rows),
            "artifacts_dir": str(artifacts),
            "artifacts_written": sorted(p.name for p in (artifacts / mode).glob("*") if p.is_file()),
        }
    return results


def _run_one(notebook: Path) -> dict:
    """Execute one notebook on a fresh kernel; return status, seconds, peak kernel memory, trained/loaded lines."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:  # a cell that nbval expects to raise (the article's own error) may raise here too
        if cell.cell_type == "code" and "# NBVAL_RAISES_EXCEPTION" in cell.source:
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
    start = time.perf_counter()
    status = "ok"
    try:
        NotebookClient(nb, timeout=None, resources={"metadata": {"path": str(notebook.parent)}}).execute()
    except CellExecutionError as error:
        status = f"failed: {str(error).strip().splitlines()[-1][:200]}"
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    stdout = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stdout")
    models = [line.strip() for line in stdout.splitlines() if "trained now" in line or "loaded from" in line]
    return {"status": status, "seconds": seconds, "peak_rss_mib": peak_kib / 1024, "model_lines": models[:6]}


if __name__ == "__main__":
    print(json.dumps(_run_one(Path(sys.argv[1]).resolve())))
