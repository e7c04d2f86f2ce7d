import json
from pathlib import Path

import numpy as np
import pytest

from helpers import data, finetuning, models, splits, tables, training, validation


@pytest.fixture(scope="module")
def digits():
    """The bundled sample, preprocessed: 4000 training and 1000 test digits."""
    with np.load(data.MNIST_SAMPLE) as f:
        return (data.preprocess(f["x_train"]), f["y_train"].astype("int32"),
                data.preprocess(f["x_test"][:300]), f["y_test"][:300].astype("int32"))


@pytest.fixture(scope="module")
def sample_splits():
    """The bundled sample split three ways (fast mode): 3,500 pool, 500 validation, 1,000 test images."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EIAM_FAST", "1")
        patch.delenv("EIAM_MNIST", raising=False)
        return splits.course_splits(verbose=False)


@pytest.fixture(scope="module")
def encoder(digits):
    """A small autoencoder's encoder, pretrained for a few epochs on the sample's images (no labels)."""
    x_train = digits[0]
    autoencoder, encoder, _ = models.build_autoencoder(16, seed=0)
    training.train(autoencoder, x_train, x_train, loss="binary_crossentropy", optimizer="adam", epochs=3,
                   batch_size=128, verbose=0)
    return encoder


FAST = finetuning.Schedule(scratch_steps=60, probe_steps=150, finetune_steps=40)


def test_grid_shape_columns_and_pairing(sample_splits, encoder):
    rows = finetuning.run_grid({"ae": {0: encoder, 1: encoder}}, sample_splits, budgets=[2, "all"], seeds=[0, 1],
                               schedule=FAST, progress=None)
    # budget 2: 2 subsets x (1 scratch + 2 pretraining seeds x 2 regimes); "all": 1 subset x 5
    assert len(rows) == 2 * 5 + 5
    assert set(rows[0]) == set(tables.ROW_FIELDS)
    assert {r["labels"] for r in rows if r["labels_per_class"] == 2} == {20}
    assert {r["labels"] for r in rows if r["labels_per_class"] == "all"} == {3500}  # the pool, not the validation
    assert {r["pretraining_seed"] for r in rows if r["regime"] == "scratch"} == {None}
    assert {r["pretraining_seed"] for r in rows if r["regime"] == "frozen"} == {0, 1}
    assert all(0.0 <= r["accuracy"] <= 1.0 and 0.0 <= r["val_accuracy"] <= 1.0 for r in rows)
    all_labels = [r["accuracy"] for r in rows if r["labels_per_class"] == "all"]
    assert min(all_labels) > 0.5  # 3,500 labels teach every regime something


def test_the_labelled_subsets_never_touch_the_validation_split(sample_splits):
    x_val = {row.tobytes() for row in sample_splits.x_val}
    for budget, seed in ((10, 0), (50, 3)):
        x, _ = sample_splits.labelled(budget, seed)
        assert not x_val & {row.tobytes() for row in x}


def test_same_seed_same_result(sample_splits, encoder):
    runs = [finetuning.run_grid({"ae": encoder}, sample_splits, budgets=[3], seeds=[4],
                                regimes=["frozen", "fine-tuned"], schedule=FAST, progress=None)
            for _ in range(2)]
    assert [r["accuracy"] for r in runs[0]] == pytest.approx([r["accuracy"] for r in runs[1]], abs=1e-9)


def test_frozen_encoder_weights_do_not_change_and_fine_tuning_leaves_the_original_alone(digits, encoder):
    x_train, y_train, _, _ = digits
    x, y = data.stratified_sample(x_train, y_train, 5, seed=0)
    before = [w.copy() for w in encoder.get_weights()]
    statistics = finetuning.code_statistics(encoder, x_train)
    frozen = finetuning.adapt(encoder, "frozen", x, y, statistics=statistics, seed=0, schedule=FAST)
    for trained, original in zip(frozen.layers[0].get_weights(), before):
        np.testing.assert_array_equal(trained, original)  # the probe did not touch the encoder's copy
    tuned = finetuning.adapt(encoder, "fine-tuned", x, y, statistics=statistics, seed=0, schedule=FAST)
    assert any(not np.array_equal(t, o) for t, o in zip(tuned.layers[0].get_weights(), before))
    for now, original in zip(encoder.get_weights(), before):
        np.testing.assert_array_equal(now, original)  # the pretrained encoder itself is never modified


def test_scratch_starts_from_fresh_weights(digits, encoder):
    x_train, y_train, _, _ = digits
    x, y = data.stratified_sample(x_train, y_train, 1, seed=0)
    schedule = finetuning.Schedule(scratch_steps=1)
    scratch = finetuning.adapt(encoder, "scratch", x, y, statistics=finetuning.code_statistics(encoder, x_train),
                               seed=0, schedule=schedule)
    kernel, original = scratch.layers[0].get_weights()[0], encoder.get_weights()[0]
    assert kernel.shape == original.shape and not np.allclose(kernel, original, atol=1e-2)


def row(recipe, regime, seed, accuracy, pretraining_seed=None, budget=10, val=None):
    return {"recipe": recipe, "regime": regime, "pretraining_seed": pretraining_seed, "labels_per_class": budget,
            "labels": 10 * budget, "seed": seed, "val_accuracy": accuracy if val is None else val,
            "accuracy": accuracy, "seconds": 1.0}


def test_summary_table_and_saved_results(course_env):
    rows = [row("r", "frozen", s, a) for s, a in enumerate([0.70, 0.80, 0.75])]
    (summary,) = tables.summarise(rows)
    assert summary["mean"] == pytest.approx(75.0) and summary["n"] == 3 and summary["low"] < 75.0 < summary["high"]
    # the t-interval of 70, 80, 75: 75 ± t(0.975, 2) · 5 / √3
    assert summary["high"] - 75.0 == pytest.approx(4.303 * 5 / np.sqrt(3), rel=1e-3)
    table = tables.markdown_table([summary], budgets=[10, "all"])
    assert f"| r | frozen | 75.0 [{summary['low']:.1f}, {summary['high']:.1f}] (3) | — |" in table
    paths = tables.save_results(rows, {"schedule": finetuning.Schedule(), "mode": "fast"}, "grid_test")
    saved = json.loads(Path(paths["json"]).read_text())
    assert saved["settings"]["schedule"]["probe_steps"] == finetuning.Schedule().probe_steps
    assert len(saved["rows"]) == 3
    assert Path(paths["csv"]).read_text().splitlines()[0] == ",".join(tables.ROW_FIELDS)


def test_the_verdict_chooses_on_validation_and_compares_on_the_test_set():
    rows = []
    for seed, (scratch, other, pretrained) in enumerate([(70, 75, 80), (72, 74, 83), (71, 76, 81)]):
        rows.append(row("mlp", "scratch", seed, scratch / 100, val=0.9))  # best on validation, worse on test
        rows.append(row("cnn", "scratch", seed, other / 100, val=0.5))
        for pseed in (0, 1):
            rows.append(row("ae", "fine-tuned", seed, (pretrained + pseed) / 100, pretraining_seed=pseed))
    verdict = tables.verdict(rows, 10)
    assert verdict["best_scratch"]["arm"] == ("mlp", "scratch")  # chosen by validation, not by test
    assert verdict["best_pretrained"]["arm"] == ("ae", "fine-tuned")
    assert verdict["gain"].mean == pytest.approx(np.mean([80.5 - 70, 83.5 - 72, 81.5 - 71]))
    assert verdict["gain"].n_pretraining == 2 and verdict["helps"]
    with pytest.raises(validation.ArgumentValueError, match="same subsets"):
        tables.compare(rows + [row("late", "scratch", 9, 0.5)], ("ae", "fine-tuned"), ("late", "scratch"), 10)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(budgets=[]), "budgets is empty"),
        (dict(budgets=[0]), r"budgets\[0\] must be at least 1"),
        (dict(budgets=["some"]), r"budgets\[0\] must be a whole number"),
        (dict(seeds=[]), "seeds is empty"),
        (dict(seeds=[-1]), r"seeds\[0\] must be at least 0"),
        (dict(regimes=["probe"]), "regimes must be one of"),
        (dict(encoders={}), "encoders must be a non-empty dict"),
        (dict(seeds_for_all=0), "seeds_for_all must be at least 1"),
        (dict(encoders={"ae": {}}), "empty dict of pretraining seeds"),
    ],
)
def test_grid_rejects(sample_splits, encoder, kwargs, message):
    arguments = dict(encoders={"ae": encoder}, budgets=[1], seeds=[0])
    arguments.update(kwargs)
    encoders = arguments.pop("encoders")
    with pytest.raises(validation.CourseError, match=message):
        finetuning.run_grid(encoders, sample_splits, progress=None, **arguments)


def test_a_run_does_not_depend_on_the_runs_before_it(digits):
    """Same regime, subset and seed give the same result whatever ran earlier (noise layers included)."""
    from helpers import models as model_builders

    x_train, y_train, x_test, y_test = digits
    _, _, features = model_builders.build_deep_autoencoder((32,), 8, noise=0.3, seed=0)  # has an input Dropout
    statistics = finetuning.code_statistics(features, x_train)
    x, y = data.stratified_sample(x_train, y_train, 3, seed=1)
    schedule = finetuning.Schedule(scratch_steps=30, probe_steps=30, finetune_steps=30)

    adapter = finetuning.Adapter(features, statistics, schedule)
    first = {r: models.accuracy(adapter.run(r, x, y, seed=5), x_test, y_test) for r in ("scratch", "fine-tuned")}
    for seed in (6, 7):  # other runs in between
        adapter.run("scratch", x, y, seed=seed)
        adapter.run("fine-tuned", x, y, seed=seed)
    again = {r: models.accuracy(adapter.run(r, x, y, seed=5), x_test, y_test) for r in ("scratch", "fine-tuned")}
    fresh = finetuning.Adapter(features, statistics, schedule)
    alone = {r: models.accuracy(fresh.run(r, x, y, seed=5), x_test, y_test) for r in ("fine-tuned", "scratch")}
    assert first == again == alone
