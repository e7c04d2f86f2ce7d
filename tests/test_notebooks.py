"""Static checks of every committed notebook: clean, valid, and set up for Colab the same way."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from scripts.course_files import (
    FOLDERS,
    NOTEBOOK_PATTERN,
    RAISES_EXCEPTION,
    ROOT,
    all_notebooks,
    has_tag,
    parse_cell,
    repository_slug,
    solution_notebooks,
    teaching_notebooks,
)

NOTEBOOKS = all_notebooks()
#: The longest markdown cell a student reads at once, in whitespace-separated words of its source: a longer one
#: is a wall of text (split it into one cell per topic, each with its heading).
MAX_MARKDOWN_WORDS = 350

SETUP_CELL = (
    "# Set-up: hide TensorFlow's C++ log (Python's warnings and errors still show); "
    "in Colab, install the course's helpers.\n"
    "import os\n"
    "import sys\n"
    "\n"
    'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # read once, when TensorFlow loads: hence the first cell\n'
    'if "google.colab" in sys.modules:\n'
    '    %pip install --quiet "everything-is-a-mapping @ git+https://github.com/{slug}"'
)


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def code_cells(path: Path) -> list[dict]:
    return [cell for cell in load(path)["cells"] if cell["cell_type"] == "code"]


def test_the_course_has_notebooks():
    assert (ROOT / "notebooks" / "00_start_here.ipynb") in NOTEBOOKS


def test_every_notebook_is_named_like_a_course_notebook():
    # The tools list notebooks by NOTEBOOK_PATTERN only; a notebook named otherwise would be left out of them.
    strays = [str(path.relative_to(ROOT)) for folder in FOLDERS for path in sorted(folder.glob("*.ipynb"))
              if path not in NOTEBOOKS]
    assert not strays, f"rename {strays} to {NOTEBOOK_PATTERN}, like the other course notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_committed_without_outputs(path):
    dirty = [i for i, cell in enumerate(code_cells(path)) if cell.get("outputs") or cell.get("execution_count")]
    assert not dirty, (
        f"{path.relative_to(ROOT)} holds outputs or execution counts in code cells {dirty}: "
        f"clear them (JupyterLab: Edit > Clear Outputs of All Cells) and save before committing."
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_valid_notebook_with_cell_ids(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat_minor >= 5, "cell ids (nbformat 4.5) are needed to key the expected outputs"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_first_code_cell_installs_the_course_in_colab(path):
    source = "".join(code_cells(path)[0]["source"])
    assert source == SETUP_CELL.format(slug=repository_slug()), (
        f"the first code cell of {path.relative_to(ROOT)} must be the Colab set-up cell of tests/test_notebooks.py"
    )


def markdown_words(source: str) -> int:
    """Whitespace-separated words a reader sees in a markdown cell (formulas, tables and links count as written;
    HTML comments, such as the reference markers ``<!-- ref 04.x -->``, are not shown and do not count)."""
    return len(re.sub(r"<!--.*?-->", " ", source, flags=re.DOTALL).split())


def test_markdown_words_are_counted_on_whitespace():
    assert markdown_words("## A heading\n\nTwo  words,\tthen $x = 1$.") == 9
    assert markdown_words("about 0.11<!-- ref 04.adadelta_val_bce --> nats <!-- a\ncomment -->") == 3
    assert markdown_words("") == 0


@pytest.mark.parametrize("path", teaching_notebooks() + solution_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_markdown_cell_is_a_wall_of_text(path):
    long = [(index, words) for index, cell in enumerate(load(path)["cells"]) if cell["cell_type"] == "markdown"
            and (words := markdown_words("".join(cell["source"]))) > MAX_MARKDOWN_WORDS]
    assert not long, (
        f"{path.relative_to(ROOT)}: markdown cells over {MAX_MARKDOWN_WORDS} words (cell index, words): {long}; "
        f"split each into one cell per topic, with a heading"
    )


def test_readme_links_point_at_the_one_repository():
    readme = (ROOT / "README.md").read_text()
    slug = repository_slug()
    assert f"mybinder.org/v2/gh/{slug}/" in readme
    assert f"colab.research.google.com/github/{slug}/blob/main/notebooks/00_start_here.ipynb" in readme
    others = set(re.findall(r"github(?:\.com)?/([\w-]+/everything-is-a-mapping)", readme)) - {slug}
    assert not others, f"README names other repositories: {others}"


def top_level_raises(tree) -> list[int]:
    """Line numbers of the ``raise`` statements of a cell's code outside any function or class body."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Raise):
            found.append(node.lineno)
        todo.extend(ast.iter_child_nodes(node))
    return sorted(found)


TEACHING_AND_SOLUTIONS = teaching_notebooks() + solution_notebooks()


@pytest.mark.parametrize("path", TEACHING_AND_SOLUTIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_run_all_goes_through_every_cell(path):
    # Colab ignores cell tags: a cell that raises stops Run All there. Only the generated exercises' stubs and
    # checks may raise (and carry the tag); a notebook that shows an error catches it and prints it.
    tagged = [cell["id"] for cell in code_cells(path) if has_tag(cell, RAISES_EXCEPTION)]
    assert not tagged, (f"{path.relative_to(ROOT)}: cells {tagged} are tagged {RAISES_EXCEPTION!r}; show the error "
                        f"with try/except and print(f'{{type(e).__name__}}: {{e}}') instead, so that Run All goes on")
    raising = {}
    for cell in code_cells(path):
        tree = parse_cell("".join(cell["source"]))
        assert tree is not None, f"{path.relative_to(ROOT)}: cell {cell['id']} is not Python"
        if top_level_raises(tree):
            raising[cell["id"]] = top_level_raises(tree)
    assert not raising, (f"{path.relative_to(ROOT)}: cells (id: lines) {raising} raise outside a function, which "
                         f"stops Run All; catch the error and print it")


def test_top_level_raises_finds_raise_outside_functions_only():
    source = ("def stub():\n    raise NotImplementedError\n"
              "class A:\n    def f(self):\n        raise ValueError\n"
              "try:\n    x = 1\nexcept NameError as e:\n    print(e)\n"
              "if x:\n    raise RuntimeError('stop')\n"
              "raise SystemExit\n")
    assert top_level_raises(ast.parse(source)) == [11, 12]
