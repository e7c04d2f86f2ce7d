"""The benchmark's command line, data sources and report (its measurements run in `make bench`, not here)."""

from __future__ import annotations

import json

import pytest

from benchmarks import bench, bench_notebooks, bench_report
from helpers import checkpoints


def test_default_run_measures_everything_but_the_test_suite():
    args = bench.parse_args([])
    assert args.sections_to_run == ("loops", "tiny", "target", "objectives", "notebooks", "figures")
    assert args.modes_list == ["fast", "full"] and args.rounds == 7 and args.recipe_epochs == 50


def test_quick_run_is_small_and_skips_notebooks_unless_asked():
    args = bench.parse_args(["--quick"])
    assert "notebooks" not in args.sections_to_run and args.rounds == 3 and args.recipe_epochs == 5
    args = bench.parse_args(["--quick", "--modes", "fast", "--test-suite"])
    assert "notebooks" in args.sections_to_run and "tests" in args.sections_to_run and args.modes_list == ["fast"]
    assert "notebooks" not in bench.parse_args(["--skip-notebooks"]).sections_to_run


@pytest.mark.parametrize("argv", [["--sections", "loops,nonsense"], ["--modes", "fast,slow"], ["--rounds", "1"],
                                  ["--jobs", "0"]])
def test_bad_arguments_stop_with_a_message(argv, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert "error" in capsys.readouterr().err


def test_full_mode_notebooks_say_when_they_run_on_the_sample(monkeypatch):
    monkeypatch.delenv("EIAM_MNIST", raising=False)
    monkeypatch.delenv("EIAM_FASHION_MNIST", raising=False)
    variables, sources = bench_notebooks.data_environment("full")
    assert variables["EIAM_MNIST"].endswith("mnist_sample.npz") and "SAMPLE" in sources["MNIST"]
    assert variables["EIAM_FASHION_MNIST"].endswith("fashion_mnist_sample.npz") and "SAMPLE" in sources["Fashion-MNIST"]
    variables, sources = bench_notebooks.data_environment("fast")
    assert variables["EIAM_MNIST"] == "" and "sample" in sources["MNIST"]
    monkeypatch.setenv("EIAM_MNIST", "/data/mnist.npz")
    variables, sources = bench_notebooks.data_environment("full")
    assert variables["EIAM_MNIST"] == "/data/mnist.npz" and "$EIAM_MNIST" in sources["MNIST"]
    # Fast mode measures what CI runs: the bundled samples, even when a complete set is named.
    variables, sources = bench_notebooks.data_environment("fast")
    assert variables == {"EIAM_MNIST": "", "EIAM_FASHION_MNIST": ""} and "as in CI" in sources["MNIST"]


def fake_results(complete: bool) -> dict:
    """A results dict shaped like bench.main's, with made-up figures."""
    seconds = {"plain_fit": [2.4, 2.5], "epoch_compiled": [1.4, 1.3], "epoch_compiled_xla": [0.45, 0.5],
               "floor": [0.25, 0.24]}
    variant = {"name": "epoch-compiled loop + XLA, Adam(1e-3)", "how": "…", "same_maths": False,
               "taught_in_appendix_90": "the faster recipe", "reached": True, "epochs": 12, "seconds": 12.0,
               "ratio_to_recipe": 0.1, "seconds_per_epoch": 1.0, "first_epoch_seconds": 6.0,
               "final_val_loss": 0.1015, "best_val_loss": 0.1015}
    return {
        "started": "2025-01-01T00:00:00+00:00", "finished": "2025-01-01T00:10:00+00:00", "command": "bench.py",
        "quick": False, "load_average_at_start": [1.0, 1.0, 1.0],
        "machine": {"processor": "cpu", "usable_cpus": 2, "cpu_count": 2, "memory_gib": 8, "platform": "linux",
                    "accelerators": "none"},
        "versions": {"python": "3.11"},
        "data": {"source": "s", "complete": complete, "training_images": 60000 if complete else 4000,
                 "test_images": 10000 if complete else 1000,
                 "note": "the complete MNIST" if complete else "ran on the bundled sample (4,000 training images), "
                                                               "not the complete MNIST"},
        "sections": {
            "loops": {"settings": {"rounds": 3}, "seconds": seconds,
                      "median_seconds": {k: sum(v) / 2 for k, v in seconds.items()},
                      "ratio_to_fit": {"epoch_compiled": 0.55, "epoch_compiled_xla": 1.2, "floor": 0.1},
                      "ratio_to_floor": {"plain_fit": 10.0, "epoch_compiled": 5.5, "epoch_compiled_xla": 1.9},
                      "floor_parts_seconds": {"train_products": 0.22, "validation_products": 0.02}},
            "target": {"settings": {}, "recipe": {"epochs": 50, "seconds": 120.0, "final_val_loss": 0.1021,
                                                  "elapsed": [3.0]},
                       "target_val_loss": 0.1021, "variants": [variant]},
            "objectives": {"settings": {"steps_per_call": 20}, "ratio_to_floor": {"contrastive": 1.4, "joint": 2.5},
                           "seconds_per_step": {name: {"step": [0.2, 0.3], "floor": [0.1, 0.2]}
                                                for name in ("contrastive", "joint")},
                           "seconds_per_epoch": {name: {"step": 50.0, "floor": 35.0}
                                                 for name in ("contrastive", "joint")},
                           "time_to_target": {"joint": {
                               "metric": "validation accuracy", "final": 0.95, "tolerance": 0.003,
                               "epochs_to_target": 12, "epochs_total": 13,
                               "seconds_to_target": 630.0, "seconds_total": 680.0}}},
            "figures": {"settings": {"claim": "0.102"}, "recipe_val_bce": 0.1021, "recipe_epochs": 50,
                        "recipe_comparable_to_claim": complete, "recipe_matches_claim": True if complete else None,
                        "fine_tuning": None},
        },
    }


def test_summary_table_compares_each_figure_with_its_target():
    summary = bench_report.summary_rows(fake_results(True))
    rows = {figure: (value, target, met) for figure, value, target, met in summary}
    assert rows["epoch-compiled loop ÷ plain `fit`, per epoch"] == ("0.55×", "< 1× (faster)", "yes")
    assert rows["epoch-compiled loop + XLA ÷ plain `fit`, per epoch"][2] == "**no**"  # 1.2 is not faster
    stretch = [r for f, *r in summary if "XLA ÷ floor" in f]
    assert stretch == [["1.9×", "≤ 3× (stretch; complete MNIST)", "yes"]]
    recipe = [r for f, *r in summary if "faster recipe" in f]
    assert recipe == [["0.10×", "≤ 0.25×", "yes"]]
    assert rows["notebook 05's label-efficiency table"] == ("absent", "present (section 4)", "**no**")
    assert rows["contrastive objective: step ÷ its network's floor"] == ("1.4×", "≤ 2× (issue 12's aim)", "yes")
    assert rows["joint objective: step ÷ its network's floor"][2] == "**no**"  # 2.5 misses the aim


def test_report_shows_each_objective_against_its_floor_and_its_recorded_time_to_target():
    report = bench_report.render(fake_results(True))
    assert "## Pretraining objectives (notebook 08)" in report
    assert "| contrastive | 250 | 150 | 1.4× | 50 / 35 |" in report
    assert "| joint | validation accuracy | 95.0 % | 0.3 points | 12 of 13 | 630 s | 680 s |" in report


def test_recorded_time_to_target_reads_the_cards_and_the_joint_curves():
    from benchmarks import bench_objectives

    curve = [{"epoch": e, "val_accuracy": a, "seconds": 10.0 * e} for e, a in ((1, 0.5), (2, 0.949), (3, 0.95))]
    times = bench_objectives.recorded_time_to_target(
        {"rows": [{"part": "joint", "recipe": "joint", "labels_per_class": 10, "curve": curve}]})
    assert times["joint"]["epochs_to_target"] == 2 and times["joint"]["seconds_to_target"] == 20.0
    card = checkpoints.card("contrastive")
    final = card["validation_probe"][-1]["val_probe_accuracy"]
    first = next(p["epoch"] for p in card["validation_probe"] if p["val_probe_accuracy"] >= final - 0.01)
    assert times["contrastive"]["epochs_to_target"] == first
    alone = card["retrained_alone"]["training_seconds"]  # the rerun with nothing else running, not the shared run
    assert times["contrastive"]["seconds_to_target"] == pytest.approx(first * alone / card["epochs"])
    assert times["contrastive"]["alone"] and times["contrastive"]["seconds_total"] == alone


def test_report_says_plainly_when_it_ran_on_the_sample():
    report = bench_report.render(fake_results(False))
    assert report.startswith("# Benchmark")
    assert "Ran on the bundled sample (4,000 training images), not the complete MNIST" in report
    assert "n/a (not 50 epochs on the complete MNIST)" in report
    assert "## Summary" in report and "## 2. Reaching the article recipe's loss sooner" in report
    assert "Ran on the bundled sample" not in bench_report.render(fake_results(True))


def test_course_figures_read_notebook_05s_saved_table(tmp_path):
    grid = tmp_path / "artifacts" / "full" / "full" / "fine_tuning_grid.json"
    grid.parent.mkdir(parents=True)
    rows = [{"recipe": "article", "regime": regime, "pretraining_seed": None, "labels_per_class": budget,
             "labels": labels, "seed": seed, "val_accuracy": accuracy, "accuracy": accuracy, "seconds": 0.5}
            for regime, accuracy in (("scratch", 0.5), ("frozen", 0.7))
            for budget, labels in ((1, 10), ("all", 60000)) for seed in (0, 1)]
    grid.write_text(json.dumps({"settings": {"mode": "full", "budgets": [1, "all"], "seeds": [0, 1]}, "rows": rows}))
    results = fake_results(True)
    without_notebooks = bench_report.course_figures(results, tmp_path)["fine_tuning"]
    assert without_notebooks is None or "this run" not in without_notebooks["source"]  # no notebooks ran this time
    results["sections"]["notebooks"] = {"full": {}}
    figures = bench_report.course_figures(results, tmp_path)
    table = figures["fine_tuning"]
    assert table["source"] == "this run's full-mode notebooks" and table["complete_mnist"] is True
    assert "| article | frozen | 70.0 [70.0, 70.0] (2) | 70.0 [70.0, 70.0] (2) |" in table["table_markdown"]
    assert figures["recipe_matches_claim"] is True


def test_a_short_bench_run_writes_its_json_and_report(tmp_path, monkeypatch):
    from benchmarks import bench

    monkeypatch.delenv("EIAM_MNIST", raising=False)
    assert bench.main(["--sections", "tiny", "--out", str(tmp_path)]) == 0
    saved = json.loads((tmp_path / "bench.json").read_text())
    assert set(saved["sections"]) == {"tiny"} and saved["sections"]["tiny"]["graph_trainer_seconds_per_step"] > 0
    assert "## Summary" in (tmp_path / "report.md").read_text()
