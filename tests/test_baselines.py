"""The from-scratch baselines: seeded, augmentation active only in training, trained on the labels alone."""

import dataclasses
import json

import numpy as np
import pytest

from helpers import baselines, splits, validation


@pytest.mark.parametrize("name", baselines.NAMES)
def test_each_baseline_is_a_seeded_digit_classifier(name):
    model = baselines.build(name, seed=3)
    assert model.input_shape == (None, 784) and model.output_shape == (None, 10)
    again = baselines.build(name, seed=3)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(baselines.build(name, seed=4).get_weights()[0], model.get_weights()[0])


def test_augmentation_moves_pixels_in_training_only():
    model = baselines.build("CNN + augmentation", seed=0)
    augment = [layer for layer in model.layers if "random" in layer.name]
    assert len(augment) == 2
    x = np.zeros((1, 28, 28, 1), "float32")
    x[0, 10:18, 12:16] = 1.0
    moved = [np.asarray(augment[0](x, training=True)) for _ in range(5)]
    assert any(not np.array_equal(m, x) for m in moved)
    np.testing.assert_array_equal(np.asarray(augment[0](x, training=False)), x)


def test_a_baseline_learns_from_its_labels_and_the_run_rows_are_paired(course_env):
    course_env.setenv("EIAM_FAST", "1")
    data = splits.course_splits(verbose=False)
    short = baselines.BaselineSchedule(steps=((5, 60),))
    rows = baselines.run(data, names=["MLP"], budgets=[5], seeds=[0, 1], schedules={"MLP": short}, progress=None)
    assert [(r["recipe"], r["regime"], r["seed"], r["labels"]) for r in rows] == [("MLP", "scratch", 0, 50),
                                                                                 ("MLP", "scratch", 1, 50)]
    assert all(r["accuracy"] > 0.4 and r["val_accuracy"] > 0.4 for r in rows)  # far above chance (0.1)


def test_steps_per_budget():
    schedule = baselines.BaselineSchedule(batch_size=64, steps=((1, 10), (10, 20)), epochs_with_all_labels=2)
    assert schedule.steps_for(10, 100) == 20 and schedule.steps_for(3, 30) == 10  # the nearest budget tried
    assert schedule.steps_for("all", 640) == 20  # two passes of 10 batches
    capped = dataclasses.replace(schedule, max_steps_with_all_labels=15)
    assert capped.steps_for("all", 640) == 15 and capped.steps_for(10, 100) == 20  # the cap is for "all" only


def test_bad_names():
    with pytest.raises(validation.ArgumentValueError, match="name must be one of"):
        baselines.build("ResNet", 0)


def test_the_recorded_baselines_were_made_with_the_courses_settings(course_env):
    """Notebooks 05 and 08 read the baselines from the committed record only while this holds: change a
    schedule, the budgets or the subsets, and they are trained again until the record is re-measured."""
    from helpers import artifacts, measurements

    record = artifacts.load_json(measurements.RECORD)  # full mode: course_env unsets EIAM_FAST
    made_with = baselines.settings(splits.label_budgets(), splits.subset_seeds())
    assert record["parts"]["baselines"]["settings"] == json.loads(artifacts.json_text(made_with))
    rows = [row for row in record["rows"] if row["part"] == "baselines"]
    assert {(r["recipe"], r["labels_per_class"], r["seed"]) for r in rows} == {
        (name, budget, seed) for name in baselines.NAMES for budget in splits.label_budgets()
        for seed in (splits.subset_seeds()[:1] if budget == splits.ALL else splits.subset_seeds())}


def test_load_or_run_reads_the_record_in_full_mode_and_trains_nothing(course_env, monkeypatch):
    from helpers import artifacts, measurements, tables

    course_env.setenv("EIAM_FAST", "1")
    data = splits.course_splits(verbose=False)  # the sample's splits; dataset "mnist"
    course_env.delenv("EIAM_FAST")  # full mode from here: the record's settings apply
    monkeypatch.setattr(baselines, "run", lambda *a, **k: pytest.fail("load_or_run trained a baseline"))
    rows, where = baselines.load_or_run(data, progress=None)
    recorded = [row for row in artifacts.load_json(measurements.RECORD)["rows"] if row["part"] == "baselines"]
    assert rows == [{k: v for k, v in row.items() if k != "part"} for row in recorded]
    assert where.startswith("read from the course's record, helpers/records/better_pretraining.json")

    # use_record=False and other settings skip the record: rows saved here are used, else they are run.
    made_with = baselines.settings(splits.label_budgets(), splits.subset_seeds())
    tables.save_results(rows[:2], {**made_with, "seconds": 1.0}, baselines.RESULTS_NAME)
    here, where = baselines.load_or_run(data, progress=None, use_record=False)
    assert here == rows[:2] and where.startswith("loaded from baseline_runs.json")
    with pytest.raises(pytest.fail.Exception, match="trained a baseline"):
        baselines.load_or_run(data, seeds=[0, 1], progress=None)
