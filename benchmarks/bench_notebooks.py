"""Wall time and peak memory of every notebook, each on a fresh kernel, in fast and in full mode.

:func:`time_notebooks` builds the course the way ``make course`` does (:mod:`scripts.build_course`:
several jobs at a time, the ones that save a model before the ones that load it), from an empty
artifacts folder, and reports each job's wall time, the peak resident memory of its kernel, and the
wall time of the whole build, the figure ``make course`` is held to.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from scripts import build_course  # the course's own build
from scripts.course_files import ROOT

SAMPLES = ROOT / "helpers" / "samples"
FASHION_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def data_environment(mode: str) -> tuple[dict[str, str], dict[str, str]]:
    """The data variables for a mode, and a description of each data set's source for the report.

    Fast mode always uses the bundled samples, as CI does (the variables are set empty, which the
    course reads as unset), so its times are the ones ``make test`` pays for. Full mode uses
    ``EIAM_MNIST`` / ``EIAM_FASHION_MNIST`` when set. Without ``EIAM_MNIST`` both data sets are the
    bundled samples, so that the full schedules run offline, on the sample data. With it and without
    ``EIAM_FASHION_MNIST``, Fashion-MNIST comes from Debian's folder when installed, else the sample.
    """
    variables, sources = {}, {}
    complete_run = bool(os.environ.get("EIAM_MNIST", "").strip())
    for name, variable, sample in (("MNIST", "EIAM_MNIST", SAMPLES / "mnist_sample.npz"),
                                   ("Fashion-MNIST", "EIAM_FASHION_MNIST", SAMPLES / "fashion_mnist_sample.npz")):
        given = os.environ.get(variable, "").strip()
        if mode == "fast":
            variables[variable] = ""
            sources[name] = "bundled sample (fast mode, as in CI)"
        elif given:
            variables[variable] = given
            sources[name] = f"from ${variable} ({given})"
        elif complete_run and name == "Fashion-MNIST" and all((DEBIAN_FASHION / f).is_file() for f in FASHION_FILES):
            variables[variable] = str(DEBIAN_FASHION)
            sources[name] = f"complete set from {DEBIAN_FASHION}"
        else:
            variables[variable] = str(sample)
            sources[name] = "bundled SAMPLE (full schedules on the sample data: no complete set was given)"
    return variables, sources


def time_notebooks(modes: list[str], *, out_dir: Path, parallel: int = 2,
                   progress: Callable[[str], None] = print) -> dict:
    """Build the course in each mode exactly as ``make course`` does; return timings and sources.

    Each mode gets a fresh, empty artifacts folder (``out_dir/artifacts/<mode>``, emptied first), so
    no notebook finds a model that an earlier run saved: every model is trained once, by the job or
    notebook that saves it, and loaded by the others (each row says which, from the "trained now" /
    "loaded from" lines). Jobs run ``parallel`` at a time (``make course``'s ``JOBS``, 2 by default).
    """
    results = {}
    for mode in modes:
        if mode not in ("fast", "full"):
            raise ValueError(f"modes must be 'fast' and/or 'full', got {mode!r}.")
        variables, sources = data_environment(mode)
        artifacts = out_dir / "artifacts" / mode
        shutil.rmtree(artifacts, ignore_errors=True)
        artifacts.mkdir(parents=True)
        summary = build_course.build(build_course.course_notebooks(), fast=mode == "fast", parallel=parallel,
                                     out_dir=out_dir / "course" / mode,
                                     extra_env={**variables, "EIAM_ARTIFACTS": str(artifacts)}, progress=progress)
        rows = [{**row, "notebook": row["name"]} for row in summary["jobs"]]
        results[mode] = {
            "settings": {"mode": mode, "data": sources, "artifacts": "a fresh empty folder for this mode",
                         "order": f"as `make course`: {parallel} jobs at a time, each on a fresh kernel, longest "
                                  "first, a notebook waiting for the job that saves a model it loads"},
            "notebooks": rows,
            "total_seconds": summary["wall_seconds"],
            "busy_seconds": summary["busy_seconds"],
            "parallel": parallel,
            "max_peak_rss_mib": max((r.get("peak_rss_mib", 0.0) for r in rows), default=0.0),
            "all_ok": summary["all_ok"],
            "artifacts_dir": str(artifacts),
            "artifacts_written": sorted(p.name for p in (artifacts / mode).glob("*") if p.is_file()),
        }
    return results
