"""make course's plan (what waits for what, from the notebooks' declarations) and a real parallel build of two
small notebooks."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers import pretrained
from scripts import build_course, course_files, course_metadata
from scripts.build_course import Job
from scripts.course_files import ROOT

COURSE = build_course.course_notebooks()

# make course's plan of the whole course, in start order: each job and the jobs it waits for.
COURSE_PLAN = [
    ("compute baseline_runs", []),
    ("pretrain deep_denoising/mnist", []),
    ("pretrain deep_plain/mnist", []),
    ("pretrain deep_denoising/fashion_mnist", []),
    ("notebooks/04_keras_mnist_autoencoder.ipynb", []),
    ("pretrain shallow_denoising/mnist", []),
    ("pretrain shallow_plain/mnist", []),
    ("notebooks/05_fine_tuning.ipynb", ["notebooks/04_keras_mnist_autoencoder.ipynb", "pretrain deep_denoising/mnist",
                                        "pretrain deep_plain/mnist", "pretrain shallow_plain/mnist",
                                        "pretrain shallow_denoising/mnist", "compute baseline_runs"]),
    ("notebooks/08_better_pretraining.ipynb", []),  # its checkpoints and record are committed
    ("notebooks/06_pitfalls.ipynb", ["pretrain deep_denoising/mnist", "pretrain deep_denoising/fashion_mnist"]),
    ("notebooks/06b_overfitting.ipynb", ["pretrain deep_denoising/mnist"]),
    ("notebooks/90_appendix_training_faster.ipynb", []),
    ("solutions/06_pitfalls.ipynb", []),
    ("notebooks/06c_denoising.ipynb", []),
    ("notebooks/04b_latent_space.ipynb", ["notebooks/04_keras_mnist_autoencoder.ipynb"]),  # 04 saves its model
    ("solutions/05_fine_tuning.ipynb", ["notebooks/04_keras_mnist_autoencoder.ipynb"]),
    ("solutions/08_better_pretraining.ipynb", []),  # like notebook 08, it reads the committed checkpoints and record
    ("notebooks/00_start_here.ipynb", []),
    ("notebooks/01_background.ipynb", []),
    ("notebooks/02_everything_is_a_mapping.ipynb", []),
    ("notebooks/03_objectives.ipynb", []),
    ("notebooks/07_summary_and_faq.ipynb", ["notebooks/04_keras_mnist_autoencoder.ipynb",
                                            "pretrain deep_denoising/mnist", "notebooks/05_fine_tuning.ipynb"]),
    ("solutions/02_everything_is_a_mapping.ipynb", []),
    ("solutions/03_objectives.ipynb", []),
    ("solutions/04_keras_mnist_autoencoder.ipynb", ["notebooks/04_keras_mnist_autoencoder.ipynb"]),
]


def plan_of(notebooks: list[Path]) -> list[tuple[str, list[str]]]:
    return [(job.name, job.needs) for job in build_course.plan(notebooks)]


def test_the_whole_course_trains_each_model_once_and_loads_it_after():
    # Notebook 04 saves the article's model: whatever loads it waits for 04, and no job pretrains it; the deep
    # denoising models are pretrained by jobs of their own, started first; notebook 07 waits for 05's results.
    assert plan_of(COURSE) == COURSE_PLAN


def test_a_notebook_alone_gets_its_models_pretrained_by_jobs_of_their_own():
    notebook_05 = ["pretrain article/mnist", "pretrain deep_denoising/mnist", "pretrain deep_plain/mnist",
                   "pretrain shallow_plain/mnist", "pretrain shallow_denoising/mnist", "compute baseline_runs"]
    assert plan_of([ROOT / "notebooks" / "05_fine_tuning.ipynb", ROOT / "notebooks" / "07_summary_and_faq.ipynb"]) == [
        ("compute baseline_runs", []),
        ("pretrain deep_denoising/mnist", []),
        ("pretrain deep_plain/mnist", []),
        ("pretrain article/mnist", []),
        ("pretrain shallow_denoising/mnist", []),
        ("pretrain shallow_plain/mnist", []),
        ("notebooks/05_fine_tuning.ipynb", notebook_05),
        ("notebooks/07_summary_and_faq.ipynb", ["pretrain article/mnist", "pretrain deep_denoising/mnist",
                                                "notebooks/05_fine_tuning.ipynb"]),
    ]
    assert plan_of([ROOT / "notebooks" / "07_summary_and_faq.ipynb"]) == [  # 05 not built: 07 does not wait for it
        ("pretrain deep_denoising/mnist", []), ("pretrain article/mnist", []),
        ("notebooks/07_summary_and_faq.ipynb", ["pretrain article/mnist", "pretrain deep_denoising/mnist"])]
    assert plan_of([ROOT / "notebooks" / "01_background.ipynb"]) == [("notebooks/01_background.ipynb", [])]


# --- the declarations: complete, and true to the notebooks' code ------------------------------------

def test_everything_the_course_loads_or_reads_is_provided():
    declarations = {course_files.notebook_name(path): course_metadata.read(path) for path in COURSE}
    assert build_course.unprovided(declarations) == []


def test_a_model_or_results_that_nothing_provides_are_named():
    declarations = {"notebooks/04_x.ipynb": course_metadata.Declaration(1, saves=("article/cifar",), writes=("grid",)),
                    "notebooks/05_y.ipynb": course_metadata.Declaration(1, loads=("article/cifar", "other/mnist",
                                                                                  "article/mnist"),
                                                                        reads=("grid", "nothing_writes_this"))}
    problems = build_course.unprovided(declarations)
    assert len(problems) == 2, problems
    assert "notebooks/05_y.ipynb loads the model 'other/mnist', which no notebook saves" in problems[0]
    assert "deep_denoising/fashion_mnist" in problems[0]  # says what helpers.pretrained can train
    assert problems[1] == ("notebooks/05_y.ipynb reads the results 'nothing_writes_this', which no notebook writes "
                           "and no job computes")


def write_notebook(path: Path, course: dict | None, *sources: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if course is not None:
        nb.metadata[course_metadata.KEY] = course
    nbformat.write(nb, path)
    return path


def test_an_undeclared_need_stops_the_build_before_any_work(tmp_path, capsys):
    notebook = write_notebook(tmp_path / "98_new.ipynb", {"minutes_full": 1, "loads": ["article/cifar"]})
    with pytest.raises(build_course.PlanError, match=r"98_new.ipynb loads the model 'article/cifar'.*Declare"):
        build_course.build([notebook], fast=True, parallel=1, out_dir=tmp_path / "course", progress=print)
    assert not (tmp_path / "course").exists() and capsys.readouterr().out == ""
    assert build_course.main([str(notebook)]) == 2
    assert "article/cifar" in capsys.readouterr().err


@pytest.mark.parametrize("course, message", [
    (None, "has no 'course' declaration"),
    ({"minutes_full": 1, "load": ["article/mnist"]}, r"unknown keys \['load'\]"),
    ({"loads": []}, "'minutes_full'] must be a positive number"),
    ({"minutes_full": True}, "must be a positive number"),
    ({"minutes_full": 1, "loads": "article/mnist"}, r"\['loads'\] must be a list"),
    ({"minutes_full": 1, "saves": ["article"]}, r"\['saves'\] must be a list of \"<recipe>/<dataset>\""),
    ({"minutes_full": 1, "reads": ["a grid"]}, r"\['reads'\] must be a list of names"),
])
def test_a_malformed_declaration_is_refused_with_the_fix(tmp_path, course, message):
    notebook = write_notebook(tmp_path / "98_new.ipynb", course)
    with pytest.raises(course_metadata.DeclarationError, match=f"98_new.ipynb.*{message}.*scripts/course_metadata.py"):
        course_metadata.read(notebook)


LOADERS = ("load_or_train", "load_or_train_seeds")


def pretrained_function(call: ast.Call) -> str | None:
    """The helpers.pretrained function ``call`` calls when it loads or saves a model (see LOADERS), else None."""
    function = call.func
    if isinstance(function, ast.Attribute) and getattr(function.value, "id", None) == "pretrained":
        return function.attr if function.attr in (*LOADERS, "save") else None
    return function.id if getattr(function, "id", None) in LOADERS else None


def argument(call: ast.Call, function: str, parameter: str, where: str) -> str:
    """The string passed for ``parameter`` of ``pretrained.<function>`` in ``call``, or the function's default."""
    signature = inspect.signature(getattr(pretrained, function))
    given = next((k.value for k in call.keywords if k.arg == parameter), None)
    position = list(signature.parameters).index(parameter)
    if signature.parameters[parameter].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and len(call.args) > position:
        given = call.args[position]
    if given is None:
        return signature.parameters[parameter].default
    assert isinstance(given, ast.Constant) and isinstance(given.value, str), (
        f"{where}: name the recipe and data set with string literals, so that the declaration can be checked")
    return given.value


def models_in_code(sources: list[str], where: str) -> dict[str, set[str]]:
    """The models that code cells load (``pretrained.load_or_train``) and save (``pretrained.save``), by name."""
    found = {"load_or_train": set(), "save": set()}
    for number, source in enumerate(sources):
        tree = course_files.parse_cell(source)
        assert tree is not None, f"{where}, code cell {number}: not Python"
        for node in ast.walk(tree):
            function = pretrained_function(node) if isinstance(node, ast.Call) else None
            if function:
                recipe, dataset = (argument(node, function, p, where) for p in ("name", "dataset"))
                found["save" if function == "save" else "load_or_train"].add(course_metadata.model_name(recipe,
                                                                                                           dataset))
    return {"loads": found["load_or_train"], "saves": found["save"]}


@pytest.mark.parametrize("path", COURSE, ids=course_files.notebook_name)
def test_declared_models_are_those_the_code_loads_and_saves(path):
    name = course_files.notebook_name(path)
    nb = nbformat.read(path, as_version=4)
    found = models_in_code([cell.source for cell in nb.cells if cell.cell_type == "code"], name)
    declared = course_metadata.read(path)
    for key in ("loads", "saves"):
        assert set(getattr(declared, key)) == found[key], (
            f"{name}: its code {key} {sorted(found[key])}; declare exactly those in metadata['course'][{key!r}]")


def test_the_code_reader_sees_each_way_of_naming_a_model():
    code = ["from helpers import pretrained\npretrained.load_or_train(verbose=0)",
            "enc, _, _ = pretrained.load_or_train('deep_denoising', dataset='fashion_mnist')",
            "def f():\n    return pretrained.load_or_train(name='deep_denoising')",
            "%time x = 1\npretrained.save(e, d, h, 'article', 'fashion_mnist')\nother.save(e, d, h, 'nope')",
            "pretrained.save(e, d, h, dataset='mnist', name='deep_denoising')",
            "encoders = pretrained.load_or_train_seeds('deep_plain', dataset='fashion_mnist')"]
    assert models_in_code(code, "demo") == {
        "loads": {"article/mnist", "deep_denoising/fashion_mnist", "deep_denoising/mnist", "deep_plain/fashion_mnist"},
        "saves": {"article/fashion_mnist", "deep_denoising/mnist"}}
    with pytest.raises(AssertionError, match="string literals"):
        models_in_code(["recipe = 'article'\npretrained.load_or_train(recipe)"], "demo")


# --- the start order ---------------------------------------------------------------------------------

def test_every_recipe_has_a_pretraining_time():
    assert set(build_course.PRETRAIN_MINUTES) == set(pretrained.RECIPES)


def test_the_longest_chain_starts_first_and_ties_keep_their_order():
    jobs = [Job("short"), Job("long"), Job("feeds-long"), Job("waits", ["feeds-long"]), Job("tie")]
    minutes = {"short": 1, "long": 5, "feeds-long": 2, "waits": 4, "tie": 1}
    assert [job.name for job in build_course.start_order(jobs, minutes)] == [
        "feeds-long", "long", "waits", "short", "tie"]  # feeds-long: 2 + 4 waiting for it
    with pytest.raises(build_course.PlanError, match="wait for each other: a -> b -> a"):
        build_course.start_order([Job("a", ["b"]), Job("b", ["a"])], {"a": 1, "b": 1})


# --- the command ---------------------------------------------------------------------------------------

def test_bad_arguments_stop_with_a_message(capsys):
    with pytest.raises(SystemExit):
        build_course.main(["--jobs", "0"])
    with pytest.raises(SystemExit):
        build_course.main(["notebooks/no_such_notebook.ipynb"])
    assert "no such notebook" in capsys.readouterr().err
    with pytest.raises(ValueError, match="at least 1"):
        build_course.run_plan([], parallel=0, env={}, out_dir=Path("."))


def test_two_notebooks_build_side_by_side_without_touching_the_sources(tmp_path, monkeypatch):
    # Two tiny real notebooks (each a real kernel and a second of work), outside the checkout: the build runs any.
    monkeypatch.setenv("EIAM_ARTIFACTS", str(tmp_path / "artifacts"))
    sources = []
    for name in ("00_alpha.ipynb", "01_beta.ipynb"):
        notebook = new_notebook(cells=[new_code_cell(
            f"import time\ntime.sleep(1)\nprint({name!r})")])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.metadata["course"] = {"minutes_full": 0.1}
        sources.append(tmp_path / "notebooks" / name)
        sources[-1].parent.mkdir(exist_ok=True)
        nbformat.write(notebook, sources[-1])
    before = [p.read_bytes() for p in sources]
    summary = build_course.build(sources, fast=True, parallel=2, out_dir=tmp_path / "course", progress=lambda _: None)
    assert summary["all_ok"] and summary["mode"] == "fast" and summary["parallel"] == 2
    assert summary["threads_per_job"]["TF_NUM_INTRAOP_THREADS"] == str(max(1, build_course.usable_cpus() // 2))
    rows = {row["name"]: row for row in summary["jobs"]}
    assert set(rows) == {"notebooks/00_alpha.ipynb", "notebooks/01_beta.ipynb"}
    # Side by side: each started before the other finished.
    first, second = rows.values()
    assert first["started_at_s"] < second["finished_at_s"] and second["started_at_s"] < first["finished_at_s"]
    assert all(row["seconds"] > 1 and row["peak_rss_mib"] > 20 for row in rows.values())
    executed = json.loads((tmp_path / "course" / "notebooks" / "01_beta.ipynb").read_text())
    assert "".join(executed["cells"][0]["outputs"][0]["text"]) == "01_beta.ipynb\n"
    assert json.loads((tmp_path / "course" / "summary.json").read_text())["wall_seconds"] > 0
    assert [p.read_bytes() for p in sources] == before


def test_results_that_a_job_computes_are_provided():
    declarations = {"notebooks/05_y.ipynb": course_metadata.Declaration(1, reads=("baseline_runs",))}
    assert build_course.unprovided(declarations) == []  # a compute job provides them
