"""The course's speed and its results, measured: ``make bench`` (or ``python -m benchmarks.bench``).

Writes ``build/bench/bench.json`` (every figure with the machine, the versions, the data and the
settings that produced it) and ``build/bench/report.md`` (a summary table, then one section each).
Reads the complete MNIST from ``$EIAM_MNIST`` when it is set; otherwise runs on the bundled sample
(4,000 training and 1,000 test images) and says so in both files.

Sections:
  loops      per-epoch time of the course's training engine (helpers.training) against plain model.fit, and the floor
             (one epoch's matrix products alone), measured alternately in the same run
  tiny       what a 100-example epoch costs in fit, against a step and run of Trainer.train_steps
  target     wall time of several ways to reach the validation loss of the article's recipe
             (Adadelta(1.0), batch 256, 50 epochs), as a ratio to that recipe's time
  notebooks  wall time and peak memory of every notebook, fast mode and full mode
  objectives the pretraining objectives of notebook 08 (SimCLR, masked reconstruction, joint): each step's time
             against its network's floor (its forward and backward passes alone), seconds per epoch, and the
             recorded time to reach each recipe's validation metric
  figures    the figures the course claims: the recipe's 50-epoch validation BCE, notebook 05's table
  tests      (only with --test-suite) the wall time of make test's ruff and pytest commands

Usage:
  python -m benchmarks.bench                      # everything (long with the complete data: full-mode notebooks)
  python -m benchmarks.bench --quick              # smoke run: 3 rounds, a 5-epoch recipe, no notebooks
  python -m benchmarks.bench --modes fast         # notebooks in fast mode only
  python -m benchmarks.bench --sections loops,target
  python -m benchmarks.bench_report build/bench/bench.json   # re-render report.md from a saved run
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ start-up notices are not results

from benchmarks import bench_loops, bench_notebooks, bench_objectives, bench_report  # noqa: E402
from helpers import artifacts, data, environment  # noqa: E402
from scripts.course_files import ROOT  # noqa: E402

SECTIONS = ("loops", "tiny", "target", "objectives", "notebooks", "figures", "tests")
DEFAULT_SECTIONS = ("loops", "tiny", "target", "objectives", "notebooks", "figures")


def machine() -> dict:
    """The machine the figures were measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"platform": platform.platform(), "processor": model, "cpu_count": os.cpu_count(),
            "usable_cpus": usable, "memory_gib": memory, "accelerators": "none used (CPU only)"}


def versions() -> dict:
    """Python, the course's packages, and the repository's commit."""
    rows = {"python": platform.python_version()}
    rows.update({name: environment.package_version(name)
                 for name in ("tensorflow", "keras", "numpy", "nbclient", "everything-is-a-mapping")})
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        rows["commit"] = (commit + (" with uncommitted changes" if dirty else "")) if commit else "not a git checkout"
    except (OSError, subprocess.SubprocessError):
        rows["commit"] = "unknown"
    return rows


def load_data() -> tuple:
    """(x_train, y_train, x_test) (images preprocessed), and a description: MNIST from $EIAM_MNIST, else the sample."""
    named = os.environ.get("EIAM_MNIST", "").strip()
    if named:
        (x_train, y_train), (x_test, _) = data.load_mnist(verbose=False)
        source = f"MNIST from $EIAM_MNIST ({named})"
    else:
        (x_train, y_train), (x_test, _) = data.load_mnist(data.MNIST_SAMPLE, verbose=False)
        source = "the bundled MNIST sample (helpers/samples/mnist_sample.npz)"
    complete = len(x_train) == 60000 and len(x_test) == 10000
    description = {
        "source": source, "complete": complete, "training_images": len(x_train), "test_images": len(x_test),
        "note": ("the complete MNIST" if complete else
                 f"ran on the bundled sample ({len(x_train):,} training images), not the complete MNIST; set "
                 f"EIAM_MNIST=/path/to/mnist.npz for the figures the course claims" if not named else
                 f"ran on {len(x_train):,} training images from $EIAM_MNIST, not the complete MNIST"),
    }
    return data.preprocess(x_train), y_train, data.preprocess(x_test), description


def test_suite() -> dict:
    """Wall time of ``make test``'s two commands (install excluded): ruff, then pytest on two workers."""
    env = {k: v for k, v in os.environ.items() if k not in ("EIAM_MNIST", "EIAM_FASHION_MNIST", "EIAM_ARTIFACTS")}
    env.update(EIAM_FAST="1", OPENBLAS_NUM_THREADS="1")
    python = sys.executable
    ruff = Path(python).parent / "ruff"
    commands = {
        "ruff": [str(ruff), "check", "helpers", "tests", "scripts", "benchmarks", "conftest.py", "notebooks",
                 "exercises", "solutions"],
        "pytest": [python, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-q"],
    }
    result = {"settings": {"commands": {k: " ".join(v) for k, v in commands.items()},
                           "environment": "EIAM_FAST=1 OPENBLAS_NUM_THREADS=1, no data variables (as make test runs)"}}
    for name, command in commands.items():
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        result[f"{name}_seconds"] = time.perf_counter() - start
        result[f"{name}_passed"] = completed.returncode == 0
        result[f"{name}_last_line"] = (completed.stdout.strip().splitlines() or [""])[-1][-300:]
    result["total_seconds"] = result["ruff_seconds"] + result["pytest_seconds"]
    result["load_average_after"] = bench_loops.load_average()
    return result


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 3 rounds, a 5-epoch recipe, notebooks only if --modes is given")
    parser.add_argument("--sections", default=None,
                        help=f"comma-separated subset of {','.join(SECTIONS)} (default: all but tests)")
    parser.add_argument("--modes", default=None, help="notebook modes, 'fast', 'full' or 'fast,full' (default both)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="notebooks built at once in the notebooks section, as make course's JOBS (default 2)")
    parser.add_argument("--skip-notebooks", action="store_true", help="leave out the notebooks section")
    parser.add_argument("--test-suite", action="store_true", help="also time make test's ruff and pytest commands")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of the loops section (default 7; quick 3)")
    parser.add_argument("--recipe-epochs", type=int, default=None,
                        help="epochs of the article's recipe in the target section (default 50; quick 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench", help="output folder")
    args = parser.parse_args(argv)
    sections = DEFAULT_SECTIONS if args.sections is None else tuple(s.strip() for s in args.sections.split(",") if s)
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}: choose from {', '.join(SECTIONS)}")
    if args.test_suite and "tests" not in sections:
        sections = (*sections, "tests")
    if args.modes is None:
        modes = [] if args.quick else ["fast", "full"]
    else:
        modes = [m.strip() for m in args.modes.split(",") if m.strip()]
        if any(m not in ("fast", "full") for m in modes):
            parser.error(f"--modes takes 'fast', 'full' or 'fast,full', got {args.modes!r}")
    if args.skip_notebooks or not modes:
        sections = tuple(s for s in sections if s != "notebooks")
    args.sections_to_run = sections
    args.modes_list = modes
    args.rounds = args.rounds or (3 if args.quick else 7)
    args.recipe_epochs = args.recipe_epochs or (5 if args.quick else 50)
    if args.rounds < 2 or args.recipe_epochs < 1 or args.jobs < 1:
        parser.error("--rounds must be at least 2, --recipe-epochs and --jobs at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress lines appear as they happen, also in a log file
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    x_train, y_train, x_test, data_description = load_data()
    print(f"bench: {data_description['note']}")
    results: dict = {
        "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": "python benchmarks/bench.py " + " ".join(argv),
        "quick": args.quick,
        "machine": machine(),
        "versions": versions(),
        "data": data_description,
        "load_average_at_start": bench_loops.load_average(),
        "sections_run": list(args.sections_to_run),
        "sections": {},
    }

    def save() -> None:
        results["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        artifacts.save_json(results, out / "bench.json")
        artifacts.save_text(bench_report.render(results), out / "report.md")

    steps = {
        "loops": lambda: bench_loops.loop_epochs(x_train, x_test, rounds=args.rounds),
        "tiny": bench_loops.tiny_sets,
        "target": lambda: bench_loops.time_to_target(x_train, x_test, recipe_epochs=args.recipe_epochs),
        "objectives": lambda: bench_objectives.objective_steps(x_train, y_train, steps=5 if args.quick else 20,
                                                               rounds=2 if args.quick else 3),
        "notebooks": lambda: bench_notebooks.time_notebooks(args.modes_list, out_dir=out, parallel=args.jobs),
        "figures": lambda: bench_report.course_figures(results, out),
        "tests": test_suite,
    }
    for name in SECTIONS:
        if name not in args.sections_to_run:
            continue
        print(f"bench: {name} ...", flush=True)
        start = time.perf_counter()
        results["sections"][name] = steps[name]()
        results["sections"][name]["section_seconds"] = time.perf_counter() - start
        save()
    save()
    print(f"bench: wrote {(out / 'bench.json').relative_to(ROOT) if out.is_relative_to(ROOT) else out / 'bench.json'}"
          f" and report.md")
    print(bench_report.summary_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
