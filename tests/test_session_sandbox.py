"""tests/conftest.py's session sandbox, run for real: a small project with the real conftest, run by pytest.

A run shares one temporary artifacts folder between its xdist workers and removes it at the end; a run
that leaves the checkout changed fails, naming every path created, changed or removed; and a warning from
the project's own modules fails its test, while a third-party one is only shown.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, os
from pathlib import Path


def test_{name}():
    folder = Path(os.environ["EIAM_ARTIFACTS"]) / "fast"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "{name}.json").write_text("{{}}")  # a test may write there, as load_or_train does
    seen = {{"artifacts": os.environ["EIAM_ARTIFACTS"], "keras_home": os.environ["KERAS_HOME"],
            "worker": os.environ.get("PYTEST_XDIST_WORKER")}}
    Path(os.environ["PROBE_OUT"], "{name}.json").write_text(json.dumps(seen))
"""

TOUCHES_THE_CHECKOUT = """
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_writes_into_the_checkout():
    (ROOT / "build" / "course").mkdir(parents=True)
    (ROOT / "build" / "course" / "page.html").write_text("<p>")
    (ROOT / "data.txt").write_text("longer than before")
    os.utime(ROOT / "same_size.txt", ns=(0, 0))  # same size, another modification time
    (ROOT / "old.txt").unlink()
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A checkout at tmp_path/repo: a pyproject.toml, a few files, and the real tests/conftest.py."""
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    # Without nbval, which takes seconds to load in each process.
    (repo / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "-p no:cacheprovider -p no:nbval"\n')
    shutil.copy(ROOT / "tests" / "conftest.py", repo / "tests" / "conftest.py")
    for name, text in (("data.txt", "short"), ("same_size.txt", "x"), ("old.txt", "old")):
        (repo / name).write_text(text)
    return repo


def run_pytest(project: Path, probe_out: Path, *args: str) -> subprocess.CompletedProcess:
    """pytest in the project, in a fresh process, outside any xdist worker's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "EIAM_ARTIFACTS", "KERAS_HOME"))}
    env["PROBE_OUT"] = str(probe_out)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_workers_share_one_temporary_artifacts_folder_removed_at_the_end(project, tmp_path):
    for name in ("first", "second"):
        (project / "tests" / f"test_{name}.py").write_text(PROBE.format(name=name))
    probe_out = tmp_path / "probes"
    probe_out.mkdir()
    result = run_pytest(project, probe_out, "-n", "2", "--dist", "loadfile")
    assert result.returncode == 0, result.stdout + result.stderr
    seen = [json.loads((probe_out / f"{name}.json").read_text()) for name in ("first", "second")]
    assert {s["worker"] for s in seen} == {"gw0", "gw1"}, "each test file ran on its own worker"
    assert seen[0]["artifacts"] == seen[1]["artifacts"] and seen[0]["keras_home"] == seen[1]["keras_home"]
    artifacts = Path(seen[0]["artifacts"])
    assert project not in artifacts.parents, "the artifacts folder is outside the checkout"
    assert not artifacts.parent.exists(), "the session's temporary folder is removed at the end"
    assert "changed the checkout" not in result.stdout, "writing to the artifacts folder leaves the checkout alone"


def test_a_run_that_changes_the_checkout_fails_and_names_every_path(project, tmp_path):
    (project / "tests" / "test_touch.py").write_text(TOUCHES_THE_CHECKOUT)
    result = run_pytest(project, tmp_path, "-p", "no:xdist")
    assert "1 passed" in result.stdout, result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    report = result.stdout[result.stdout.index("the test run changed the checkout"):]
    listed = [line.strip() for line in report.splitlines() if line.startswith("  ")]
    assert listed == ["created: build", "created: build/course", "created: build/course/page.html",
                      "changed: data.txt", "removed: old.txt", "changed: same_size.txt"]



WARNS = """
import warnings

import pytest

MODULES = ["helpers", "helpers.data", "scripts.build_course", "benchmarks", "build_course", "bench_loops",
           "test_warnings", "conftest", "keras.src.models", "helpers_extra", "numpy", "bench_loops_plugin"]


@pytest.mark.parametrize("module", MODULES)
def test_warning_from(module):
    warnings.warn_explicit("an API that goes away", DeprecationWarning, "somewhere.py", 1, module=module)
"""


def test_a_warning_from_the_projects_own_modules_is_an_error_and_others_are_shown(project, tmp_path):
    for folder, name in (("scripts", "build_course"), ("benchmarks", "bench_loops")):
        (project / folder).mkdir()
        (project / folder / f"{name}.py").write_text("")
    (project / "tests" / "test_warnings.py").write_text(WARNS)
    result = run_pytest(project, tmp_path, "-p", "no:xdist", "-rf")
    failed = sorted(line.split("[", 1)[1].split("]", 1)[0] for line in result.stdout.splitlines()
                    if line.startswith("FAILED"))
    assert failed == ["bench_loops", "benchmarks", "build_course", "conftest", "helpers", "helpers.data",
                      "scripts.build_course", "test_warnings"], result.stdout
    assert "8 failed, 4 passed, 4 warnings" in result.stdout
