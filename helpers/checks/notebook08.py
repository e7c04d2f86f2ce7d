"""Self-checks of exercises/08_better_pretraining.ipynb."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.checks.task import Task, guarded

NB08 = "08_better_pretraining"
TASK_08_1 = Task(NB08, 1, "Four objectives, one shape")
TASK_08_2 = Task(NB08, 2, "Four objectives, one shape")
TASK_08_3 = Task(NB08, 3, "Every objective on the complete MNIST (the recorded run)")
TASK_08_4 = Task(NB08, 4, "Fine-tuning the checkpoints with 10 labels per class")

#: Task 1: the student's loss must equal the course's to this relative tolerance (the course's runs in float32).
NT_XENT_RTOL_08 = 1e-4
#: Task 2: (images, patch side, ratio) of each mask tried; no ratio × patches ends in .5, so rounding is unambiguous,
#: and 0.02 of 16 patches rounds to 0, where "at least one" decides.
MASK_CASES_08 = ((64, 7, 0.5), (64, 4, 0.75), (32, 14, 0.3), (16, 7, 0.02), (64, 4, 0.2))
#: Task 2: over this many images every patch must be hidden in a share of them within this distance of the ratio
#: (0.5 here; the standard deviation of a fair share over 2,000 images is 0.011).
PLACEMENT_IMAGES_08, PLACEMENT_TOLERANCE_08 = 2000, 0.1
#: Task 3: the label budget (per class) at which the two checkpoints' frozen probes are compared.
PROBE_BUDGET_08 = 10
#: Task 4: the validation accuracy the fine-tuned checkpoint must reach, in both modes. The solution reaches 92 % in
#: fast mode (500 validation images of the sample) and 91.5 % on the complete MNIST; on the same labels a frozen probe
#: reaches 89-90 % in fast mode and 88.1 % in full mode (the record), the same network from scratch 83 % and 79.6 %.
FINE_TUNED_VAL_08 = 0.88
#: Task 4: 100 labels cannot give more than this on the validation split (a probe trained on the validation images
#: classifies all of them), and the model must fit its own 100 labelled digits at least this well.
FINE_TUNED_CEILING_08, FINE_TUNED_FIT_08 = 0.96, 0.97
#: Task 4: the encoder's convolution kernels must move at least this much per weight on average (30 steps at 3e-4:
#: about 0.003; a frozen encoder: 0), and correlate with the contrastive checkpoint's at least this much (fine-tuned:
#: above 0.99; the masked checkpoint: 0.13; the random weights both started from: 0.37).
MIN_CHANGE_08, MIN_TRACE_08 = 1e-4, 0.7


# --- Task 1: NT-Xent ------------------------------------------------------------------------------

def _projection_cases() -> list[tuple[str, np.ndarray, np.ndarray, float]]:
    """Tiny (first, second, temperature) cases: rows of unequal lengths, partners alike but not equal."""
    rng = np.random.default_rng(8)
    cases = []
    for n, d, temperature in ((4, 3, 0.5), (6, 5, 0.1), (3, 2, 2.0)):
        first = rng.normal(size=(n, d)) * rng.uniform(0.2, 3.0, size=(n, 1))
        second = (first + 0.6 * rng.normal(size=(n, d))) * rng.uniform(0.2, 3.0, size=(n, 1))
        cases.append((f"{n} pairs of {d}-number projections, temperature {temperature}", first, second, temperature))
    return cases


def _nt_xent_course(first: np.ndarray, second: np.ndarray, temperature: float) -> float:
    """The course's loss (helpers.objectives.nt_xent: TensorFlow, a masked cross-entropy of partners)."""
    import tensorflow as tf

    from helpers import objectives

    return float(objectives.nt_xent(tf.constant(first, tf.float32), tf.constant(second, tf.float32), temperature))


def _nt_xent_mistakes(first: np.ndarray, second: np.ndarray, temperature: float) -> list[tuple[float, str, str]]:
    """What common mistakes give on one case, computed with SciPy's logsumexp: (value, problem, hint) each."""
    from scipy.special import logsumexp

    def loss(z: np.ndarray, t: float, *, keep_self: bool = False, drop_partner: bool = False,
             reduce: str = "mean") -> float:
        n = len(z) // 2
        similarity = z @ z.T / t
        rows, partner = np.arange(2 * n), np.concatenate([np.arange(n, 2 * n), np.arange(n)])
        allowed = np.ones_like(similarity, dtype=bool)
        allowed[rows, rows] = keep_self
        if drop_partner:
            allowed[rows, partner] = False
        per_view = logsumexp(np.where(allowed, similarity, -np.inf), axis=1) - similarity[rows, partner]
        return {"mean": per_view.mean(), "first view": per_view[:n].mean(), "sum": per_view.sum()}[reduce]

    raw = np.concatenate([first, second]).astype(np.float64)
    unit = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    return [
        (loss(unit, 1.0), "the temperature is left out", "the similarities are cosines divided by the temperature"),
        (loss(unit, 1.0 / temperature), "the cosines are multiplied by the temperature",
         "divide by it: a small temperature must make the similarities larger, and the softmax sharper"),
        (loss(raw, temperature), "the projections are not normalised: these are dot products, not cosines",
         "divide each of the 2n rows by its length before the similarities"),
        (loss(unit, temperature, keep_self=True), "each view counts itself among the candidates",
         "a view's similarity to itself (the diagonal) must be left out of its softmax, e.g. set to -inf",
         "only the other 2n - 1 views compete: its partner and the 2n - 2 negatives"),
        (loss(unit, temperature, drop_partner=True), "the partner is left out of the softmax's denominator",
         "the loss is a cross-entropy: the denominator sums over every other view, the partner included"),
        (loss(unit, temperature, reduce="first view"), "only the n views of `first` pick their partner",
         "each of the 2n views picks its partner, those of `second` too: average over all 2n"),
        (loss(unit, temperature, reduce="sum"), "this is the sum over the 2n views, not their mean",
         "average the 2n cross-entropies"),
    ]


@guarded(TASK_08_1)
def check_08_task1(nt_xent_by_hand: object) -> None:
    """Task 1: SimCLR's NT-Xent written with NumPy.

    Args:
        nt_xent_by_hand: function (first (n, d), second (n, d), temperature) -> the mean over the 2n views of
            -log softmax of the view's cosine similarity to its partner divided by the temperature, among the other
            2n - 1 views.

    Compared with the course's TensorFlow function (``helpers.objectives.nt_xent``) on three tiny cases (rows of
    unequal lengths, temperatures 0.5, 0.1 and 2); a mismatch is compared with common mistakes (the temperature,
    no normalisation, the diagonal kept, the partner left out of the denominator, one direction, a sum).
    """
    task = TASK_08_1
    task.answered(nt_xent_by_hand, "nt_xent_by_hand")
    task.refuse_names(nt_xent_by_hand, "nt_xent_by_hand", {
        name: "write the softmax and the cross-entropy yourself, with NumPy"
        for name in ("nt_xent", "sparse_categorical_crossentropy", "categorical_crossentropy")})
    for case, first, second, temperature in _projection_cases():
        expected = _nt_xent_course(first, second, temperature)
        value = task.number_from(task.call(nt_xent_by_hand, "nt_xent_by_hand", first.copy(), second.copy(),
                                           temperature), f"nt_xent_by_hand(...) on {case}")
        if np.isclose(value, expected, rtol=NT_XENT_RTOL_08, atol=1e-6):
            continue
        for mistaken, problem, hint, *more in _nt_xent_mistakes(first, second, temperature):
            if (np.isclose(value, mistaken, rtol=NT_XENT_RTOL_08, atol=1e-6)
                    and not np.isclose(mistaken, expected, rtol=NT_XENT_RTOL_08, atol=1e-6)):
                task.fail(f"on {case}, {problem}", hint, *more)
        task.fail(f"on {case}, `nt_xent_by_hand` gives {value:.5f}, which differs from the course's NT-Xent",
                  "normalise the 2n rows, divide the cosines by the temperature, leave each view's own similarity "
                  "out, and take the cross-entropy of its partner (row i of first pairs with row i of second)",
                  "the partner of row i is row i + n, and that of row i + n is row i, in the stacked (2n, d) array")
    task.passed("nt_xent_by_hand equals the course's NT-Xent (helpers.objectives.nt_xent) on 3 cases, rows of "
                "unequal lengths, temperatures 0.5, 0.1 and 2")


# --- Task 2: the patch mask -----------------------------------------------------------------------

def _hidden_patches(patch: int, ratio: float) -> int:
    """Patches hidden per image, read off the course's mask (helpers.objectives.patch_mask) of one image."""
    from helpers import objectives

    return int(round(float(np.sum(objectives.patch_mask(1, patch=patch, ratio=ratio, generator=0))) / patch ** 2))


def _mask_from(task: Task, function: object, n: int, patch: int, ratio: float, seed: int) -> np.ndarray:
    """Call the student's function, check the mask's form and patches; return its (n, k, k) grid of patches."""
    call = f"patch_mask_by_hand({n}, {patch}, {ratio}, {seed})"
    mask = task.array_from(task.call(function, "patch_mask_by_hand", n, patch, ratio, seed), call, (n, 784))
    if not np.all((mask == 0) | (mask == 1)):
        task.fail(f"{call} holds values other than 0 and 1", "the mask is 1 where a pixel is hidden, 0 elsewhere")
    side = 28 // patch
    blocks = mask.reshape(n, side, patch, side, patch)
    if np.any(blocks.min(axis=(2, 4)) != blocks.max(axis=(2, 4))):
        task.fail(f"{call} is not made of whole {patch} × {patch} squares on the image's grid",
                  "draw the mask on the grid of patches, (n, 28 // patch, 28 // patch), then give every pixel of a "
                  "patch its patch's value", "np.repeat along the grid's rows, then along its columns; reshaping an "
                  "(n, patches) grid straight to 784 pixels makes strips of rows, not squares")
    return blocks[:, :, 0, :, 0]


@guarded(TASK_08_2)
def check_08_task2(patch_mask_by_hand: object) -> None:
    """Task 2: the masked objective's mask, written with NumPy.

    Args:
        patch_mask_by_hand: function (n, patch, ratio, seed) -> (n, 784) array of 0s and 1s, 1 where a pixel is
            hidden: in each image, ``max(1, round(ratio × patches))`` of its (28 / patch)² square patches, chosen at
            random and independently per image, the same masks for the same seed.

    Tried with patches of 4, 7 and 14 pixels and five ratios; the number of patches hidden is read off the course's
    mask (``helpers.objectives.patch_mask``) for the same settings. Over 2,000 images every patch must be hidden
    about equally often.
    """
    task = TASK_08_2
    task.answered(patch_mask_by_hand, "patch_mask_by_hand")
    task.refuse_names(patch_mask_by_hand, "patch_mask_by_hand",
                      {"patch_mask": "write the mask yourself with NumPy's generator"})
    for n, patch, ratio in MASK_CASES_08:
        grid = _mask_from(task, patch_mask_by_hand, n, patch, ratio, 0).reshape(n, -1)
        patches, hidden, expected = grid.shape[1], grid.sum(axis=1), _hidden_patches(patch, ratio)
        call = f"patch_mask_by_hand({n}, {patch}, {ratio}, 0)"
        rule = "max(1, round(ratio × patches))"
        if np.all(hidden == patches - expected) and patches != 2 * expected:
            task.fail(f"{call} marks the visible patches with 1", "1 marks what is hidden, what the network must "
                      "reconstruct")
        if len(set(hidden)) > 1:
            task.fail(f"the images of {call} hide from {hidden.min():.0f} to {hidden.max():.0f} of their {patches} "
                      f"patches; each must hide exactly {rule}", "hiding each patch with probability `ratio` gives a "
                      "random number of them", "draw a random score per patch and hide the patches of the k lowest "
                      "scores (argsort), k the same for every image")
        if hidden[0] != expected:
            task.fail(f"each image of {call} hides {hidden[0]:.0f} of its {patches} patches, not {rule}",
                      "round to the nearest whole number of patches, and hide at least one")
        if len(np.unique(grid, axis=0)) == 1:
            task.fail(f"every image of {call} gets the same mask", "draw each image's patches separately")
    again = [_mask_from(task, patch_mask_by_hand, 16, 7, 0.5, seed) for seed in (3, 3, 4)]
    if not np.array_equal(again[0], again[1]):
        task.fail("two calls with seed 3 gave different masks", "make one generator from the seed, "
                  "np.random.default_rng(seed), and draw everything from it")
    if np.array_equal(again[0], again[2]):
        task.fail("seeds 3 and 4 give the same masks", "make the generator from the seed argument")
    n = PLACEMENT_IMAGES_08
    share = _mask_from(task, patch_mask_by_hand, n, 7, 0.5, 1).reshape(n, -1).mean(axis=0)
    worst = int(np.argmax(np.abs(share - 0.5)))
    if abs(share[worst] - 0.5) > PLACEMENT_TOLERANCE_08:
        task.fail(f"with ratio 0.5, patch {worst} (row {worst // 4}, column {worst % 4} of the 4 × 4 grid) is hidden "
                  f"in {100 * share[worst]:.0f} % of {n:,} images: some patches are hidden far more often than "
                  f"others", "every patch must be as likely to be hidden as any other")
    task.passed("patch_mask_by_hand hides exactly max(1, round(ratio × patches)) whole square patches per image "
                "(patches of 4, 7 and 14 pixels, ratios 0.02 to 0.75), a different draw in every image, every patch "
                "as often as the others, and the same masks for the same seed")


# --- Task 3: the record ---------------------------------------------------------------------------

def _record_means(rows: list[dict], name: str, regime: str, key: str, budget: object) -> float | None:
    """Mean of ``key`` (in %) over one checkpoint's rows of one regime (at ``budget``, or every budget if None)."""
    values = [100 * row[key] for row in rows if row["recipe"] == f"{name} checkpoint" and row["regime"] == regime
              and (budget is None or row["labels_per_class"] == budget)]
    return float(np.mean(values)) if values else None


@guarded(TASK_08_3)
def check_08_task3(frozen_probe_val: object, best_for_probe: object) -> None:
    """Task 3: the recorded frozen probes of the two checkpoints at 10 labels per class, and the better one.

    Args:
        frozen_probe_val: dict checkpoint name ("contrastive", "masked") -> the mean validation accuracy (in %) of
            its frozen linear probe at 10 labels per class, over the runs of ``helpers/records/better_pretraining
            .json``.
        best_for_probe: the name with the higher of the two.

    Recomputed with ``helpers.tables.summarise`` (its ``val_mean``) from the record as committed; a mismatch is
    compared with the test accuracy, the fine-tuned regime, every budget pooled, and fractions instead of %.
    """
    from helpers import checkpoints, measurements, tables

    task = TASK_08_3
    task.answered(frozen_probe_val, "frozen_probe_val")
    rows = measurements.load_record()["rows"]
    summary = {(s["recipe"], s["regime"], s["labels_per_class"]): s for s in tables.summarise(rows)}
    expected = {name: summary[f"{name} checkpoint", "frozen", PROBE_BUDGET_08]["val_mean"]
                for name in checkpoints.NAMES}
    if not isinstance(frozen_probe_val, dict) or set(frozen_probe_val) != set(expected):
        keys = sorted(map(str, frozen_probe_val)) if isinstance(frozen_probe_val, dict) else None
        task.fail(f"`frozen_probe_val` should be a dict with the keys {sorted(expected)}, got "
                  + (f"the keys {keys}" if keys is not None else type(frozen_probe_val).__name__),
                  "one entry per checkpoint, keyed by its name in checkpoints.NAMES (the record's recipes are "
                  "'<name> checkpoint')")
    for name, reference in expected.items():
        value = task.number_from(frozen_probe_val[name], f"frozen_probe_val[{name!r}]")
        if np.isclose(value, reference, atol=1e-6):
            continue
        mistakes = [
            (reference / 100, "a fraction, not a percentage", "multiply the record's accuracies by 100"),
            (_record_means(rows, name, "frozen", "accuracy", PROBE_BUDGET_08), "the mean *test* accuracy",
             "choices are made on the validation split: average the rows' val_accuracy"),
            (_record_means(rows, name, "fine-tuned", "val_accuracy", PROBE_BUDGET_08), "the fine-tuned regime's mean",
             "the frozen probe's rows have regime 'frozen'"),
            (_record_means(rows, name, "frozen", "val_accuracy", None), "the mean over every label budget",
             f"keep the rows with labels_per_class == {PROBE_BUDGET_08}"),
        ]
        for mistaken, problem, hint in mistakes:
            if mistaken is not None and np.isclose(value, mistaken, atol=1e-6):
                task.fail(f"`frozen_probe_val[{name!r}]` is {value:.2f}: {problem}", hint)
        task.fail(f"`frozen_probe_val[{name!r}]` is {value:.2f}, not the mean validation accuracy of the recorded "
                  f"frozen probes at {PROBE_BUDGET_08} labels per class", "keep the rows of recipe "
                  f"'{name} checkpoint', regime 'frozen' and labels_per_class {PROBE_BUDGET_08}, and average "
                  "100 × val_accuracy")
    best = max(expected, key=expected.get)
    task.answered(best_for_probe, "best_for_probe")
    if best_for_probe not in expected:
        task.fail(f"`best_for_probe` should be one of {sorted(expected)}, got {best_for_probe!r}",
                  "the name of the checkpoint whose probe scored higher")
    if best_for_probe != best:
        task.fail(f"`best_for_probe` is {best_for_probe!r}, whose recorded probe is the lower of the two",
                  "take the name with the larger value of frozen_probe_val")
    other = next(name for name in expected if name != best)
    task.passed(f"at {PROBE_BUDGET_08} labels per class the recorded frozen probe of the {best} checkpoint reaches "
                f"{expected[best]:.1f} % on the validation split, against {expected[other]:.1f} % for the {other} "
                f"one (means over {summary[f'{best} checkpoint', 'frozen', PROBE_BUDGET_08]['n']} runs each)")


# --- Task 4: fine-tuning the contrastive checkpoint -----------------------------------------------

def _kernels(model: Any) -> np.ndarray:
    """Every convolution kernel of a model (nested models included), flattened and joined."""
    import keras

    kernels = [keras.ops.convert_to_numpy(w).ravel() for w in model.weights if len(w.shape) == 4]
    return np.concatenate(kernels) if kernels else np.zeros(0)


@guarded(TASK_08_4)
def check_08_task4(fine_tuned_classifier: object) -> None:
    """Task 4: the contrastive checkpoint fine-tuned on the 100 labelled digits of subset 0.

    Args:
        fine_tuned_classifier: a Keras model (n, 784) -> (n, 10) whose convolutions started from the shipped
            contrastive checkpoint and were trained (every weight, after a probe), on ``data.labelled(10, 0)`` only.

    Its convolution kernels must bear the checkpoint's trace (correlation at least 0.7 with its kernels; the masked
    checkpoint's and a fresh encoder's do not) and have moved from them; it must fit its 100 digits (97 %) and
    classify at least 88 % of the validation split, and at most 96 % (more than 100 labels can give). The check
    reads the validation split and the 100 labelled digits, never the test set.
    """
    from helpers import checkpoints, config, models, splits

    task = TASK_08_4
    name = "fine_tuned_classifier"
    task.classifier_from(fine_tuned_classifier, name)
    reference = {checkpoint: _kernels(checkpoints.load(checkpoint)) for checkpoint in checkpoints.NAMES}
    kernels = _kernels(fine_tuned_classifier)
    if kernels.shape != reference["contrastive"].shape:
        task.fail(f"`{name}` does not hold the checkpoint's three convolutions", "put the loaded encoder, "
                  "checkpoints.load('contrastive'), first in the model")
    trace = {checkpoint: float(np.corrcoef(kernels, kernel)[0, 1]) for checkpoint, kernel in reference.items()}
    if trace["contrastive"] < MIN_TRACE_08:
        if trace["masked"] >= MIN_TRACE_08:
            task.fail(f"`{name}` was built on the masked checkpoint", "the task fine-tunes the contrastive one")
        task.fail(f"`{name}`'s convolutions bear no trace of the contrastive checkpoint: they started from other "
                  f"weights", "start from checkpoints.load('contrastive') itself, not from its architecture "
                  "(keras.models.clone_model copies no weights)")
    change = float(np.mean(np.abs(kernels - reference["contrastive"])))
    if change < MIN_CHANGE_08:
        task.fail(f"`{name}`'s convolutions are still the checkpoint's (they moved by {change:.1e} per weight on "
                  f"average): only the head was trained, which is the frozen probe", "after the probe, train every "
                  "weight at the schedule's small fine-tuning learning rate")
    data = splits.course_splits(verbose=False)
    x_few, y_few = data.labelled(10, 0)
    fit = models.accuracy(fine_tuned_classifier, x_few, y_few)
    val = models.accuracy(fine_tuned_classifier, data.x_val, data.y_val)
    mode = config.mode_name()
    if val > FINE_TUNED_CEILING_08:
        task.fail(f"`{name}` classifies {100 * val:.1f} % of the validation images correctly, more than 100 labels "
                  f"can give (at most about {100 * FINE_TUNED_CEILING_08:.0f} %): it was trained on more labels, or "
                  f"on the validation images", "train on x_few, y_few only; the validation split is for choosing")
    if fit < FINE_TUNED_FIT_08:
        task.fail(f"`{name}` classifies only {100 * fit:.0f} % of the 100 labelled digits it should have been trained "
                  f"on", "train it on x_few, y_few (data.labelled(10, 0)), with the schedule's steps")
    if val < FINE_TUNED_VAL_08:
        task.fail(f"`{name}` classifies {100 * val:.1f} % of the validation images correctly; fine-tuned as the task "
                  f"asks it reaches {100 * FINE_TUNED_VAL_08:.0f} % in {mode} mode", "train the head on the frozen, "
                  "standardised codes first, then every weight at the small learning rate",
                  "a random head trained together with the encoder sends large, meaningless gradients into it")
    task.passed(f"the model started from the contrastive checkpoint (its convolutions correlate at "
                f"{trace['contrastive']:.3f} with the checkpoint's) and moved from it ({change:.4f} per weight on "
                f"average); it fits its 100 digits ({100 * fit:.0f} %) and classifies {100 * val:.1f} % of the "
                f"{len(data.y_val):,} validation images correctly (at least {100 * FINE_TUNED_VAL_08:.0f} %)")
