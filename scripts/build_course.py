"""Execute every course notebook headless, several at a time, and build the course's website from them.

Usage: ``python -m scripts.build_course [--fast] [--jobs N] [NOTEBOOK ...]`` (``make course`` runs it
in full mode). For each notebook of notebooks/ and solutions/ it writes the executed ``.ipynb`` under
``build/course/``, and ``summary.json`` with the whole run's settings and timings; then it builds the
site, ``build/course/site/index.html``, from the executed notebooks found there (:mod:`scripts.course_site`;
``make site`` rebuilds it alone, executing nothing). The source notebooks are only read. In full mode the figures
the notebooks quote with ``helpers.reference.quote`` are merged into the committed reference record,
``helpers/records/reference.json``, which the prose's quoted numbers are tested against (``tests/test_reference.py``).
Exits non-zero when any notebook fails, after building the rest and the site.

Notebooks run ``--jobs`` at a time (default: one per usable CPU, at most 4), each on a fresh kernel in
its own process. Most of a small model's training time is per-step overhead on one core, so two
notebooks side by side on a 2-core machine finish much sooner than one after the other.

What waits for what comes from what each notebook declares in its metadata (:mod:`scripts.course_metadata`:
the saved models it loads and saves, the results it reads and writes, its full-mode minutes), so that no
model is ever trained twice at the same time and adding a notebook needs no change here (:func:`plan`):

- a notebook that loads a model waits for the notebook that saves it (notebook 04 saves the article's
  autoencoder); when no notebook to build saves it, a job of its own pretrains it first, with the same
  ``pretrained.load_or_train`` call as the notebooks (so a model already saved in the artifacts folder
  is loaded, not trained again); the deep denoising autoencoders are pretrained that way;
- a notebook that reads results waits for the notebook that writes them, when that one is built too
  (notebook 07 reads what notebook 05 writes);
- loading a model that no notebook saves and ``helpers.pretrained`` cannot train, or reading results
  that no notebook writes, stops the build before it starts, with the notebook named.

Among the jobs that are ready, the longest start first, where a job's length counts what waits for it:
its own minutes plus the longest chain of jobs waiting for it (so a 4-minute pretraining job that a
10-minute notebook waits for starts before a 6-minute notebook). TensorFlow's thread pools are sized so
that the jobs share the CPUs instead of fighting over them (:func:`thread_settings`). Each job's wall
time is measured while it shares the machine with the others, so it is longer than the same notebook
run alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from helpers import reference
from scripts import course_metadata, course_site
from scripts.course_files import ROOT, notebook_name, solution_notebooks, teaching_notebooks

OUT = ROOT / "build" / "course"
MAX_DEFAULT_JOBS = 4

# Full-mode minutes of each helpers.pretrained recipe's pretraining job (2-core CPU, sharing it with another
# job), as notebooks declare theirs in metadata["course"]["minutes_full"]: part of the start order.
# A pretraining job trains every pretraining seed of the mode (helpers.pretrained.seeds()).
PRETRAIN_MINUTES = {"article": 1.5, "deep_denoising": 6.0, "deep_plain": 6.0, "shallow_denoising": 1.5,
                    "shallow_plain": 1.5}
PRETRAIN = "pretrain "  # a pretraining job's name: "pretrain <recipe>/<dataset>"
# Results that helpers can compute in a job of its own ("compute <name>"), for notebooks that read them:
# their full-mode minutes when computed (the baselines' job reads the course's record instead, in a second,
# while the record was made with the course's settings: helpers.baselines.load_or_run).
COMPUTE_MINUTES = {"baseline_runs": 16.0}
COMPUTE = "compute "


class PlanError(ValueError):
    """The notebooks to build need something nothing provides; the message names the notebook and the fix."""


@dataclass
class Job:
    """One unit of work: execute a notebook, or pretrain a saved model that notebooks load."""

    name: str  # "notebooks/05_fine_tuning.ipynb" or "pretrain deep_denoising/mnist"
    needs: list[str] = field(default_factory=list)  # names of jobs that must finish first
    path: Path | None = None  # a notebook job's file (it may lie outside the checkout)

    @property
    def is_notebook(self) -> bool:
        return not self.name.startswith((PRETRAIN, COMPUTE))


def course_notebooks() -> list[Path]:
    """The notebooks the course build executes: notebooks/ then solutions/, in course order."""
    return teaching_notebooks() + solution_notebooks()


def trainable_models() -> list[str]:
    """The models a pretraining job can train: every ``helpers.pretrained`` recipe on every data set, in that order."""
    from helpers import pretrained  # imports Keras, so only when a plan is made

    return [course_metadata.model_name(recipe, dataset) for recipe in pretrained.RECIPES
            for dataset in pretrained.DATASETS]


def unprovided(declarations: Mapping[str, course_metadata.Declaration]) -> list[str]:
    """What these notebooks (``{name: declaration}``) load or read that nothing provides, one sentence each.

    A model is provided when one of the notebooks saves it or ``helpers.pretrained`` can train it, results
    when one of the notebooks writes them or a compute job makes them (:data:`COMPUTE_MINUTES`).
    """
    trainable = trainable_models()
    saved = {model for declared in declarations.values() for model in declared.saves}
    written = {result for declared in declarations.values() for result in declared.writes}
    problems = []
    for name, declared in declarations.items():
        problems += [f"{name} loads the model {model!r}, which no notebook saves and helpers.pretrained cannot "
                     f"train (it trains {', '.join(trainable)})" for model in declared.loads
                     if model not in saved and model not in trainable]
        problems += [f"{name} reads the results {result!r}, which no notebook writes and no job computes"
                     for result in declared.reads if result not in written and result not in COMPUTE_MINUTES]
    return problems


def plan(notebooks: list[Path]) -> list[Job]:
    """The jobs that build these notebooks, with what each must wait for, in start order (see the module's doc).

    Raises:
        course_metadata.DeclarationError: a notebook's declaration is missing or malformed.
        PlanError: a notebook needs what nothing provides, or notebooks wait for each other.
    """
    declared = {notebook_name(path): course_metadata.read(path) for path in notebooks}
    paths = {notebook_name(path): Path(path).resolve() for path in notebooks}
    course = {notebook_name(path): course_metadata.read(path) for path in course_notebooks()}
    problems = unprovided({**course, **declared})
    if problems:
        raise PlanError("; ".join(problems) + ". Declare what provides it (metadata['course'], schema in "
                        "scripts/course_metadata.py), or fix the notebook's own declaration.")
    trainable = trainable_models()
    needs: dict[str, list[str]] = {}
    for name, declaration in declared.items():
        needs[name] = []
        for model in declaration.loads:
            savers = [other for other in declared if model in declared[other].saves]
            if savers:
                needs[name] += [saver for saver in savers if saver != name]
            elif model in trainable:
                needs[name].append(PRETRAIN + model)
            else:
                only = [other for other in course if model in course[other].saves]
                raise PlanError(f"{name} loads the model {model!r}, which helpers.pretrained cannot train; build "
                                f"it with {' or '.join(only)}, which saves it.")
        writers = [writer for writer in declared
                   if writer != name and set(declaration.reads) & set(declared[writer].writes)]
        computed = [COMPUTE + result for result in declaration.reads if result in COMPUTE_MINUTES
                    and not any(result in declared[writer].writes for writer in declared)]
        needs[name] += writers + computed
        needs[name] = list(dict.fromkeys(needs[name]))  # each once, in the order found
    wanted = {need for need_list in needs.values() for need in need_list if need.startswith(PRETRAIN)}
    jobs = {PRETRAIN + model: Job(PRETRAIN + model) for model in trainable if PRETRAIN + model in wanted}
    jobs.update((need, Job(need)) for need_list in needs.values() for need in need_list if need.startswith(COMPUTE))
    jobs.update((name, Job(name, need_list, paths[name])) for name, need_list in needs.items())
    minutes = {name: declaration.minutes_full for name, declaration in declared.items()}
    for name in jobs:
        if name.startswith(PRETRAIN):
            recipe = name.removeprefix(PRETRAIN).split("/")[0]
            if recipe not in PRETRAIN_MINUTES:
                raise PlanError(f"no pretraining time for the recipe {recipe!r}: add its full-mode minutes to "
                                f"PRETRAIN_MINUTES in scripts/build_course.py.")
            minutes[name] = PRETRAIN_MINUTES[recipe]
        elif name.startswith(COMPUTE):
            minutes[name] = COMPUTE_MINUTES[name.removeprefix(COMPUTE)]
    return start_order(list(jobs.values()), minutes)


def start_order(jobs: list[Job], minutes: Mapping[str, float]) -> list[Job]:
    """The jobs sorted longest first: a job's own minutes plus the longest chain of jobs that wait for it.

    Ties keep the order of ``jobs``. Raises PlanError when jobs wait for each other.
    """
    waiters: dict[str, list[str]] = {job.name: [] for job in jobs}
    for job in jobs:
        for need in job.needs:
            waiters[need].append(job.name)
    length: dict[str, float] = {}

    def chain(name: str, path: tuple[str, ...]) -> float:
        if name in path:
            raise PlanError(f"these jobs wait for each other: {' -> '.join(path[path.index(name):] + (name,))}; "
                            f"fix their declarations (metadata['course']).")
        if name not in length:
            length[name] = minutes[name] + max((chain(w, (*path, name)) for w in waiters[name]), default=0.0)
        return length[name]

    position = {job.name: i for i, job in enumerate(jobs)}
    return sorted(jobs, key=lambda job: (-round(chain(job.name, ()), 6), position[job.name]))


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def default_jobs() -> int:
    """One job per usable CPU, at most :data:`MAX_DEFAULT_JOBS`."""
    return max(1, min(usable_cpus(), MAX_DEFAULT_JOBS))


def thread_settings(parallel: int) -> dict[str, str]:
    """TensorFlow's thread pools for each job: the usable CPUs shared out between the parallel jobs.

    Left to itself, each TensorFlow process starts thread pools as large as the machine; two such
    processes on 2 cores get in each other's way (measured here: one epoch of the 512-code autoencoder
    took 11.4 s in each of two processes with the default pools, 5.5-6.4 s with one thread each).
    """
    threads = str(max(1, usable_cpus() // parallel))
    return {"TF_NUM_INTRAOP_THREADS": threads, "TF_NUM_INTEROP_THREADS": threads}


def run_plan(jobs: list[Job], *, parallel: int, env: dict[str, str], out_dir: Path,
             progress=print) -> dict:
    """Run the jobs, ``parallel`` at a time, each as a child process; return timings and statuses.

    A job whose prerequisite failed still runs (its notebook then trains what it needs itself).
    """
    if parallel < 1:
        raise ValueError(f"the number of parallel jobs must be at least 1, got {parallel}.")
    (out_dir / "logs").mkdir(parents=True, exist_ok=True)
    waiting, running, done = list(jobs), {}, {}
    start = time.perf_counter()
    while waiting or running:
        for job in list(waiting):
            if len(running) >= parallel:
                break
            if all(need in done for need in job.needs):
                waiting.remove(job)
                log = out_dir / "logs" / (job.name.replace("/", "__").replace(" ", "_") + ".log")
                command = [sys.executable, "-m", "scripts.build_course", "--run-one", job.name, "--out", str(out_dir)]
                if job.path is not None:
                    command += ["--notebook-path", str(job.path)]
                handle = log.open("w")  # the child's output and TensorFlow's log; its result is the last JSON line
                process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
                running[job.name] = (process, handle, time.perf_counter() - start, log)
                progress(f"  start  {job.name}" + (f" (after {', '.join(job.needs)})" if job.needs else ""))
        time.sleep(0.2)
        for name, (process, handle, started, log) in list(running.items()):
            if process.poll() is None:
                continue
            handle.close()
            del running[name]
            lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("{")]
            row = json.loads(lines[-1]) if lines else {
                "status": f"runner failed (exit {process.returncode}); see {log.relative_to(ROOT)}"}
            row.update(name=name, started_at_s=round(started, 1), finished_at_s=round(time.perf_counter() - start, 1))
            done[name] = row
            progress(f"  done   {name}: {row['status']}, {row.get('seconds', float('nan')):.0f} s, "
                     f"peak {row.get('peak_rss_mib', float('nan')):.0f} MiB")
    wall = time.perf_counter() - start
    rows = [done[job.name] for job in jobs]
    return {"jobs": rows, "parallel": parallel, "wall_seconds": wall,
            "busy_seconds": sum(r.get("seconds", 0.0) for r in rows),
            "all_ok": all(r["status"] == "ok" for r in rows)}


def execute_notebook(notebook: Path) -> tuple[object, dict]:
    """Execute one notebook on a fresh kernel, in memory; return it and status, seconds, peak memory, models.

    Cells that fail on purpose (tagged ``raises-exception``, e.g. the article's own ``NameError``) may
    fail here too: nbclient honours that tag. Peak memory is the kernel's peak resident set
    (``getrusage(RUSAGE_CHILDREN)``: the kernel is this process's child), in MiB.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
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
    return nb, {"status": status, "seconds": seconds, "peak_rss_mib": peak_kib / 1024, "model_lines": models[:6]}


def _run_one(name: str, out_dir: Path, path: Path | None = None) -> dict:
    """The child process's work: one job; writes the executed notebook under out_dir.

    A notebook job runs ``path`` (default: the checkout's ``name``), so that notebooks outside the checkout
    can be built too.
    """
    if name.startswith(PRETRAIN):
        from helpers import pretrained

        recipe, dataset = name.removeprefix(PRETRAIN).split("/")
        start = time.perf_counter()
        lines = []
        for seed in pretrained.seeds():
            _, _, where = pretrained.load_or_train(recipe, dataset=dataset, seed=seed, verbose=2)
            lines.append(f"{recipe} on {dataset}, seed {seed}: {where}")
        return {"status": "ok", "seconds": time.perf_counter() - start,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "model_lines": lines}
    if name.startswith(COMPUTE):
        from helpers import baselines, splits

        start = time.perf_counter()
        _, where = baselines.load_or_run(splits.course_splits(), progress=print)
        return {"status": "ok", "seconds": time.perf_counter() - start,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "model_lines": [f"{name.removeprefix(COMPUTE)}: {where}"]}
    import nbformat

    notebook = path or ROOT / name
    nb, row = execute_notebook(notebook)
    row["figures"] = reference.collect(nb, name)
    target = out_dir / notebook.parent.name
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target / notebook.name)
    return row


def build(notebooks: list[Path], *, fast: bool, parallel: int, out_dir: Path = OUT,
          extra_env: dict[str, str] | None = None, progress=print, record: Path = reference.RECORD) -> dict:
    """Plan and run the build; write the executed notebooks and summary.json under out_dir; return the summary.

    The plan is made first, so a notebook's bad declaration stops the build before any work (see :func:`plan`).
    In full mode the figures the notebooks quoted (:func:`helpers.reference.quote`) are merged into the
    reference record, ``record``, from every notebook that ran to the end; fast mode never writes it.
    """
    jobs = plan(notebooks)
    env = {**thread_settings(parallel), **os.environ, **(extra_env or {}), "EIAM_FAST": "1" if fast else "0"}
    ask = "from helpers import config; print(config.artifacts_dir())"  # where the jobs will save, in their environment
    artifacts_dir = Path(subprocess.run([sys.executable, "-c", ask], env=env, cwd=ROOT, capture_output=True, text=True,
                                        check=True).stdout.strip())
    saved_before = sorted(p.name for p in artifacts_dir.glob("*")) if artifacts_dir.is_dir() else []
    progress(f"building {sum(j.is_notebook for j in jobs)} notebooks ({len(jobs)} jobs), {parallel} at a time, "
             f"{'fast' if fast else 'full'} mode; models in {artifacts_dir} ({len(saved_before)} files there)")
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    result = run_plan(jobs, parallel=parallel, env=env, out_dir=out_dir, progress=progress)
    summary = {"started": started, "mode": "fast" if fast else "full",
               "data": {v: env.get(v, "") for v in ("EIAM_MNIST", "EIAM_FASHION_MNIST")},
               "threads_per_job": {v: env[v] for v in thread_settings(parallel)},
               "artifacts_dir": str(artifacts_dir), "artifacts_before": saved_before,
               "plan": [{"name": j.name, "needs": j.needs} for j in jobs], **result}
    if not fast:
        figures = {key: row for job in summary["jobs"] if job["status"] == "ok"
                   for key, row in job.get("figures", {}).items()}
        whole = sorted(notebooks) == sorted(course_notebooks())
        command = "make course" if whole else "python -m scripts.build_course " + " ".join(
            str(path.relative_to(ROOT)) for path in notebooks)
        reference.write_record(figures, {"mode": "full", "data": summary["data"], "started": started,
                                         "command": command}, record)
        progress(f"reference record: {len(figures)} figures written to {record}")
    temporary = out_dir / "summary.json.partial"
    temporary.write_text(json.dumps(summary, indent=1))
    temporary.replace(out_dir / "summary.json")
    return summary


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="fast mode (bundled samples, few epochs)")
    parser.add_argument("--jobs", type=int, default=None,
                        help=f"notebooks run at once (default: usable CPUs, at most {MAX_DEFAULT_JOBS})")
    parser.add_argument("--run-one", help=argparse.SUPPRESS)  # internal: the child process of one job
    parser.add_argument("--out", type=Path, default=OUT, help=argparse.SUPPRESS)
    parser.add_argument("--notebook-path", type=Path, default=None, help=argparse.SUPPRESS)  # with --run-one
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.run_one:
        print(json.dumps(_run_one(args.run_one, args.out, args.notebook_path)))
        return 0
    missing = [str(p) for p in args.notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}; give paths such as notebooks/05_fine_tuning.ipynb")
    parallel = args.jobs if args.jobs is not None else default_jobs()
    if parallel < 1:
        parser.error(f"--jobs must be at least 1, got {parallel}")
    notebooks = [p.resolve() for p in args.notebooks] or course_notebooks()
    start = time.perf_counter()
    try:
        summary = build(notebooks, fast=args.fast, parallel=parallel)
    except (PlanError, course_metadata.DeclarationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{summary['mode']} mode: {'all ok' if summary['all_ok'] else 'FAILURES'}; "
          f"{time.perf_counter() - start:.0f} s wall ({summary['busy_seconds']:.0f} s of jobs, {parallel} at a time)")
    try:
        course_site.build_site(OUT)
    except (FileNotFoundError, RuntimeError, ValueError) as error:
        print(f"error: the notebooks are executed, but the site could not be built: {error}", file=sys.stderr)
        return 1
    return 0 if summary["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
