"""The Colab set-up cell, run first in a real, fresh kernel, hides TensorFlow's C++ log and no Python warning or error.

TensorFlow 2.21 reads ``TF_CPP_MIN_LOG_LEVEL`` in a static initialiser of its framework library
(``logging_initializer.cc``), which runs after two others of the same library have already logged, through
Abseil, the oneDNN notice (``port.cc``) and, without a CUDA runtime, the missing-driver notice
(``cudart_stub.cc``); ``_pywrap_profiler_plugin.so``, with its own copy of both, logs them again. No log
setting hides those lines or the "All log messages before absl::InitializeLog()" banner above them
(``TF_ENABLE_ONEDNN_OPTS=0`` drops the oneDNN notice only by turning oneDNN's operations off, which the course
does not do): they are the only C++ log lines a kernel may still show.

Under pytest, ipykernel leaves what C++ code writes on the kernel's own stderr (it sees ``PYTEST_CURRENT_TEST``),
so nbval's kernels never show those lines as outputs; these kernels start without that variable, as a student's.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent

#: A line of TensorFlow's C++ log: severity, date, time, thread, then ``file:line]``.
C_LOG_LINE = re.compile(r"^[IWEF]\d{4} [\d:.]+ +\d+ (?P<file>[\w.]+):\d+\] ", re.MULTILINE)
#: The files that log before TensorFlow reads its log level (see the module's docstring).
LOGGED_BEFORE_THE_LEVEL_IS_READ = {"port.cc", "cudart_stub.cc"}

FAILING_OP = "import tensorflow as tf\n\ntf.reshape(tf.zeros(4), (3,))"  # TensorFlow logs a C++ warning, then raises
PYTHON_WARNING = 'import warnings\n\nwarnings.warn("a Python warning the set-up cell must not hide")'


def setup_cell() -> str:
    """The committed set-up cell of notebook 00, the one tests/test_notebooks.py checks in every notebook."""
    notebook = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())
    return "".join(next(cell for cell in notebook["cells"] if cell.get("id") == "colab-setup")["source"])


def run_in_fresh_kernel(sources: list[str], cwd: Path, **variables: str) -> list[list[dict]]:
    """Run code cells in a new kernel, as a student's; each cell's outputs (errors are outputs, not exceptions).

    The kernel's environment is this one plus ``variables``, without TF_CPP_MIN_LOG_LEVEL (only the set-up cell
    may set it) and without PYTEST_CURRENT_TEST, which stops ipykernel from turning what C++ code writes to the
    process's stderr into cell outputs.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "PYTEST_CURRENT_TEST")}
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(cwd)}}).execute(env={**env, **variables})
    return [cell.outputs for cell in notebook.cells]


def stderr(outputs: list[dict]) -> str:
    return "".join(o["text"] for o in outputs if o["output_type"] == "stream" and o["name"] == "stderr")


def logging_files(text: str) -> set[str]:
    return {match["file"] for match in C_LOG_LINE.finditer(text)}


def test_a_users_own_log_level_wins_and_tensorflow_then_logs(tmp_path):
    # Also the control: the log-line pattern matches what this TensorFlow writes, and the failing op logs.
    _, imports, failing = run_in_fresh_kernel([setup_cell(), "import keras", FAILING_OP], tmp_path,
                                              TF_CPP_MIN_LOG_LEVEL="0")
    assert "port.cc" in logging_files(stderr(imports)), stderr(imports)
    assert "local_rendezvous.cc" in logging_files(stderr(failing)), stderr(failing)


def test_the_setup_cell_leaves_only_the_lines_logged_before_the_level_is_read(tmp_path):
    assert 'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL"' in setup_cell()
    setup, imports, failing, warning = run_in_fresh_kernel([setup_cell(), "import keras", FAILING_OP, PYTHON_WARNING],
                                                           tmp_path)
    assert setup == []
    everything = stderr(imports) + stderr(failing) + stderr(warning)
    assert logging_files(everything) <= LOGGED_BEFORE_THE_LEVEL_IS_READ, everything
    assert not re.search(r"cpu_feature_guard|rebuild TensorFlow|cuInit|factory|local_rendezvous", everything)
    # Python's errors and warnings still show.
    errors = [o for o in failing if o["output_type"] == "error"]
    assert [e["ename"] for e in errors] == ["InvalidArgumentError"] and "reshape" in errors[0]["evalue"]
    assert "UserWarning: a Python warning the set-up cell must not hide" in stderr(warning)

