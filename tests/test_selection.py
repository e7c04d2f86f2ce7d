"""Choosing on validation: the searches work, and the code's settings are the ones the recorded search chose."""

import json

import pytest

from helpers import baselines, finetuning, models, pretrained, selection, splits
from scripts.course_files import ROOT

RECORD = ROOT / "helpers" / "records" / "selection.json"


@pytest.fixture(scope="module")
def record() -> dict:
    assert RECORD.is_file(), "helpers/records/selection.json is missing: run `make select` (full mode) and commit it"
    saved = json.loads(RECORD.read_text())
    assert saved["mode"] == "full", "the committed record must come from a full-mode `make select`"
    return saved


def test_the_recorded_choices_follow_from_the_recorded_runs(record):
    assert json.loads(json.dumps(selection.choose(record))) == record["chosen"]


def test_the_schedule_is_the_one_chosen_on_validation(record):
    chosen = {}
    for part in ("probe", "fine-tuned", "scratch"):
        chosen.update(record["chosen"]["schedules"][part]["setting"])
    default = finetuning.Schedule()
    assert {field: getattr(default, field) for field in chosen} == chosen, (
        "finetuning.Schedule's defaults differ from helpers/records/selection.json: update them, or run make select")


def test_each_baselines_steps_are_the_ones_chosen_on_validation(record):
    for name in baselines.NAMES:
        searched = record["chosen"]["baselines"][name]
        steps = {int(budget): result["setting"]["steps"] for budget, result in searched["steps"].items()}
        assert dict(baselines.SCHEDULES[name].steps) == steps, name
        assert baselines.SCHEDULES[name].epochs_with_all_labels == searched["all"]["setting"]["epochs"], name


def test_the_deep_recipe_is_the_one_chosen_on_validation(record):
    chosen = record["chosen"]["recipe"]["setting"]
    for name in ("deep_denoising", "shallow_denoising"):
        assert pretrained.RECIPE_TABLE[name].noise == chosen["noise"], name
    for name in ("deep_denoising", "deep_plain", "shallow_denoising", "shallow_plain"):
        assert pretrained.RECIPE_TABLE[name].epochs_full == chosen["epochs"], name


def test_best_picks_the_highest_mean_validation_accuracy():
    rows = [{"a": 1, "val_accuracy": 0.8}, {"a": 1, "val_accuracy": 0.6}, {"a": 2, "val_accuracy": 0.75}]
    result = selection.best(rows, ("a",))
    assert result["setting"] == {"a": 2} and result["all"][1] == {"setting": {"a": 1}, "mean": 0.7, "runs": 2}


def test_the_searches_run_on_their_own_subsets(course_env):
    course_env.setenv("EIAM_FAST", "1")
    data = splits.course_splits(verbose=False)
    encoder = models.build_autoencoder(8, seed=0)[1]
    schedules = selection.search_schedules(data, {"ae": encoder}, budgets=(2,), seeds=(100,), probe_l2=(1e-2,),
                                           probe_steps=(20, 40), finetune_learning_rates=(1e-4,), finetune_steps=(10,),
                                           scratch_steps=(10,), progress=None)
    assert schedules["probe"]["setting"]["probe_steps"] in (20, 40) and len(schedules["rows"]) == 4
    assert {r["seed"] for r in schedules["rows"]} == {100}  # never a seed the course reports (0..4)
    found = selection.search_baselines(data, names=("MLP",), budgets=(2,), seeds=(100,), checkpoints=(5, 10),
                                       all_epochs=(1,), progress=None)
    assert found["MLP"]["steps"][2]["setting"]["steps"] in (5, 10) and found["MLP"]["all"]["setting"] == {"epochs": 1}
    budget_only = selection.search_baselines(data, names=("MLP",), budgets=(2,), seeds=(100,), checkpoints=(5,),
                                             all_epochs=(), progress=None)  # no pass with all labels asked for
    assert "all" not in budget_only["MLP"] and {r["labels_per_class"] for r in budget_only["rows"]} == {2}
