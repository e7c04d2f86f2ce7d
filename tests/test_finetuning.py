import json
from pathlib import Path

import numpy as np
import pytest

from helpers import data, finetuning, models, tables, training, validation


@pytest.fixture(scope="module")
def digits():
    """The bundled sample, preprocessed: 4000 training and 1000 test digits."""
    with np.load(data.MNIST_SAMPLE) as f:
        return (data.preprocess(f["x_train"]), f["y_train"].astype("int32"),
                data.preprocess(f["x_test"][:300]), f["y_test"][:300].astype("int32"))


@pytest.fixture(scope="module")
def encoder(digits):
    """A small autoencoder's encoder, pretrained for a few epochs on the sample's images (no labels)."""
    x_train = digits[0]
    autoencoder, encoder, _ = models.build_autoencoder(16, seed=0)
    training.train(autoencoder, x_train, x_train, loss="binary_crossentropy", optimizer="adam", epochs=3,
                   batch_size=128, verbose=0)
    return encoder


FAST = finetuning.Schedule(scratch_steps=60, probe_steps=150, finetune_steps=40)


def test_grid_shape_columns_and_pairing(digits, encoder):
    x_train, y_train, x_test, y_test = digits
    rows = finetuning.run_grid({"ae": encoder}, x_train, y_train, x_test, y_test,
                               budgets=[2, "all"], seeds=[0, 1], schedule=FAST, progress=None)
    # 2 seeds x 3 regimes for the budget 2, 1 seed x 3 regimes for "all"
    assert len(rows) == 9
    assert set(rows[0]) == {"recipe", "regime", "labels_per_class", "labels", "seed", "accuracy", "seconds"}
    assert {r["labels"] for r in rows if r["labels_per_class"] == 2} == {20}
    assert {r["labels"] for r in rows if r["labels_per_class"] == "all"} == {4000}
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in rows)
    all_labels = [r["accuracy"] for r in rows if r["labels_per_class"] == "all"]
    assert min(all_labels) > 0.5  # 4000 labels teach every regime something


def test_same_seed_same_result(digits, encoder):
    x_train, y_train, x_test, y_test = digits
    runs = [finetuning.run_grid({"ae": encoder}, x_train, y_train, x_test, y_test, budgets=[3], seeds=[4],
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


def test_summary_table_and_saved_results(course_env, tmp_path):
    rows = [{"recipe": "r", "regime": "frozen", "labels_per_class": 10, "labels": 100, "seed": s,
             "accuracy": a, "seconds": 1.0} for s, a in enumerate([0.70, 0.80])]
    summary = tables.summarise(rows)
    assert summary == [{"recipe": "r", "regime": "frozen", "labels_per_class": 10, "n": 2,
                        "mean": pytest.approx(75.0), "std": pytest.approx(5.0), "min": pytest.approx(70.0),
                        "max": pytest.approx(80.0)}]
    table = tables.markdown_table(summary, budgets=[10, "all"])
    assert "| r | frozen | 75.0 ± 5.0 (2) | — |" in table and "all labels" in table
    paths = tables.save_results(rows, {"schedule": finetuning.Schedule(), "mode": "fast"}, "grid_test")
    saved = json.loads(Path(paths["json"]).read_text())
    assert saved["settings"]["schedule"]["probe_steps"] == 1000 and len(saved["rows"]) == 2
    header = Path(paths["csv"]).read_text().splitlines()[0]
    assert header == "recipe,regime,labels_per_class,labels,seed,accuracy,seconds"


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
    ],
)
def test_grid_rejects(digits, encoder, kwargs, message):
    x_train, y_train, x_test, y_test = digits
    arguments = dict(encoders={"ae": encoder}, budgets=[1], seeds=[0])
    arguments.update(kwargs)
    encoders = arguments.pop("encoders")
    with pytest.raises(validation.CourseError, match=message):
        finetuning.run_grid(encoders, x_train, y_train, x_test, y_test, progress=None, **arguments)


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
