"""Notebook 08's record and its bar: the committed measurements are complete, and the bar is judged as stated."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from helpers import checkpoints, joint, measurements, splits, tables


def rows_for(recipe: str, regime: str, accuracies: list[float], validation_offset: float = 0.0) -> list[dict]:
    return [{"recipe": recipe, "regime": regime, "pretraining_seed": None, "labels_per_class": 10, "labels": 100,
             "seed": seed, "val_accuracy": a + validation_offset, "accuracy": a, "seconds": 1.0}
            for seed, a in enumerate(accuracies)]


def test_the_bar_is_met_only_when_all_three_parts_are():
    baseline = rows_for("CNN + augmentation", "scratch", [0.88, 0.90, 0.87, 0.89, 0.91])
    weak = rows_for("MLP", "scratch", [0.75, 0.76, 0.74, 0.77, 0.75])
    strong = rows_for("joint", "joint", [0.975, 0.978, 0.972, 0.980, 0.976])
    bar = measurements.against_the_bar(baseline + weak + strong)
    assert bar["best_scratch"]["arm"] == ("CNN + augmentation", "scratch")  # chosen on validation, not the MLP
    assert bar["meets_bar"] and bar["error_ratio"] == pytest.approx((100 - 97.62) / (100 - 89.0))
    close = rows_for("joint", "joint", [0.960, 0.965, 0.958, 0.962, 0.966])  # halves the error, below 97 %
    bar = measurements.against_the_bar(baseline + close)
    assert bar["halves_error"] and bar["gain_excludes_zero"] and not bar["reaches_accuracy"] and not bar["meets_bar"]
    noisy = rows_for("joint", "joint", [0.99, 0.80, 0.99, 0.80, 0.99])  # interval too wide to exclude 0
    assert not measurements.against_the_bar(baseline + noisy)["gain_excludes_zero"]


def test_the_committed_record_holds_every_part_with_validation_and_test_accuracies():
    record = measurements.load_record()
    assert {"baselines", "checkpoints", "joint"} <= set(record["parts"])
    assert all(name.split(" (")[0] in ("baselines", "checkpoints", "joint") for name in record["parts"])
    for info in record["parts"].values():
        assert info["mode"] == "full" and info["command"].startswith("python -m scripts.measure_pretraining")
    rows = record["rows"]
    assert all(0 <= r["val_accuracy"] <= 1 and 0 <= r["accuracy"] <= 1 for r in rows)
    full_seeds = list(range(5))
    for arm in tables.arms(rows):
        for budget in tables.budgets_of([r for r in rows if (r["recipe"], r["regime"]) == arm]):
            _, seeds = tables.arm_grid(rows, *arm, budget)
            assert seeds == (full_seeds if budget != splits.ALL else [0]), (arm, budget, seeds)
    recipes = {r["recipe"] for r in rows}
    assert {f"{name} checkpoint" for name in checkpoints.NAMES} <= recipes and "CNN + augmentation" in recipes
    measurements.against_the_bar(rows)  # the verdict can be computed from the record alone


def test_the_longer_baseline_check_agrees_with_its_rows_and_the_recorded_joint_runs(course_env):
    """scripts.check_baseline_steps' entry: steps chosen on validation past the grid, the gain recomputable
    (full mode's subsets: course_env unsets EIAM_FAST)."""
    from helpers import baselines, statistics

    record = measurements.load_record()
    longer = record["selection"]["baseline_steps"]
    assert longer["command"].startswith("python -m scripts.check_baseline_steps")
    assert longer["course_steps"] == dict(baselines.SCHEDULES["CNN + augmentation"].steps)[10]
    assert longer["chosen_steps"] == longer["searched"]["setting"]["steps"] > longer["course_steps"]
    assert {r["seed"] for r in longer["validation_rows"]}.isdisjoint(splits.subset_seeds())  # chosen on others
    rows = longer["rows"]
    assert [r["seed"] for r in rows] == list(splits.subset_seeds()) and {r["recipe"] for r in rows} == {
        "CNN + augmentation"}
    assert longer["test_accuracy"] == pytest.approx(100 * np.mean([r["accuracy"] for r in rows]))
    joint_rows = {r["seed"]: r["accuracy"] for r in record["rows"]
                  if r["part"] == "joint" and r["recipe"] == "joint" and r["labels_per_class"] == 10}
    gain = statistics.paired_interval(100 * np.array([joint_rows[r["seed"]] for r in rows]),
                                      100 * np.array([r["accuracy"] for r in rows]))
    assert (gain.mean, gain.low, gain.high) == pytest.approx(tuple(longer["joint_gain"][k] for k in ("mean", "low",
                                                                                                   "high")))


def test_a_joint_classifier_can_start_from_a_shipped_checkpoint():
    encoder = checkpoints.load("contrastive")
    model = joint.classifier(3, start_from=encoder)
    mine = [layer.get_weights() for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    theirs = [layer.get_weights() for layer in encoder.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(mine) == len(theirs) == 3
    for a, b in zip(mine, theirs):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="three convolutions"):
        joint.classifier(3, start_from=keras.Sequential([keras.Input((784,)), keras.layers.Dense(128)]))
