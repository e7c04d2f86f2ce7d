"""make course's plan (what waits for what) and a real parallel build of two small notebooks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import build_course
from scripts.course_files import ROOT


def needs(jobs: list[build_course.Job]) -> dict[str, list[str]]:
    return {job.name: job.needs for job in jobs}


def test_the_whole_course_trains_each_model_once_and_loads_it_after():
    jobs = build_course.plan(build_course.course_notebooks())
    plan = needs(jobs)
    notebooks = [name for name in plan if not name.startswith("pretrain ")]
    assert len(notebooks) == len(build_course.course_notebooks())
    # Notebook 04 saves the article's model: the notebooks that load it wait for 04, and no job pretrains it.
    assert "pretrain article/mnist" not in plan
    assert plan["notebooks/04_keras_mnist_autoencoder.ipynb"] == []
    for name in ("notebooks/05_fine_tuning.ipynb", "solutions/05_fine_tuning.ipynb",
                 "solutions/04_keras_mnist_autoencoder.ipynb"):
        assert "notebooks/04_keras_mnist_autoencoder.ipynb" in plan[name]
    assert set(plan["notebooks/06_pitfalls.ipynb"]) == {"pretrain deep_denoising/mnist",
                                                         "pretrain deep_denoising/fashion_mnist"}
    assert "notebooks/05_fine_tuning.ipynb" in plan["notebooks/07_summary_and_faq.ipynb"]
    # Every need is a job of the plan, and the longest jobs come first.
    assert all(need in plan for need_list in plan.values() for need in need_list)
    assert [job.name for job in jobs[:2]] == ["pretrain deep_denoising/mnist", "pretrain deep_denoising/fashion_mnist"]


def test_a_notebook_alone_gets_its_models_pretrained_by_jobs_of_their_own():
    plan = needs(build_course.plan([ROOT / "notebooks" / "05_fine_tuning.ipynb"]))
    assert plan == {"pretrain article/mnist": [], "pretrain deep_denoising/mnist": [],
                    "notebooks/05_fine_tuning.ipynb": ["pretrain article/mnist", "pretrain deep_denoising/mnist"]}
    assert needs(build_course.plan([ROOT / "notebooks" / "01_background.ipynb"])) == {
        "notebooks/01_background.ipynb": []}


def test_bad_arguments_stop_with_a_message(capsys):
    with pytest.raises(SystemExit):
        build_course.main(["--jobs", "0"])
    with pytest.raises(SystemExit):
        build_course.main(["notebooks/no_such_notebook.ipynb"])
    assert "no such notebook" in capsys.readouterr().err
    with pytest.raises(ValueError, match="at least 1"):
        build_course.run_plan([], parallel=0, env={}, out_dir=Path("."))


def test_two_notebooks_build_side_by_side_without_touching_the_sources(tmp_path, monkeypatch):
    monkeypatch.setenv("EIAM_ARTIFACTS", str(tmp_path / "artifacts"))
    sources = [ROOT / "notebooks" / "00_start_here.ipynb", ROOT / "notebooks" / "01_background.ipynb"]
    before = [p.read_bytes() for p in sources]
    summary = build_course.build(sources, fast=True, parallel=2, out_dir=tmp_path / "course", progress=lambda _: None)
    assert summary["all_ok"] and summary["mode"] == "fast" and summary["parallel"] == 2
    assert summary["threads_per_job"]["TF_NUM_INTRAOP_THREADS"] == str(max(1, build_course.usable_cpus() // 2))
    rows = {row["name"]: row for row in summary["jobs"]}
    assert set(rows) == {"notebooks/00_start_here.ipynb", "notebooks/01_background.ipynb"}
    # Side by side: each started before the other finished.
    first, second = rows.values()
    assert first["started_at_s"] < second["finished_at_s"] and second["started_at_s"] < first["finished_at_s"]
    assert all(row["seconds"] > 0 and row["peak_rss_mib"] > 50 for row in rows.values())
    executed = json.loads((tmp_path / "course" / "notebooks" / "01_background.ipynb").read_text())
    assert any(cell.get("outputs") for cell in executed["cells"] if cell["cell_type"] == "code")
    assert (tmp_path / "course" / "notebooks" / "01_background.html").is_file()
    assert "01_background.html" in (tmp_path / "course" / "index.html").read_text()
    assert json.loads((tmp_path / "course" / "summary.json").read_text())["wall_seconds"] > 0
    assert [p.read_bytes() for p in sources] == before
