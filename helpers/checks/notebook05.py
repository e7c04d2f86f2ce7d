"""Self-checks of exercises/05_fine_tuning.ipynb."""

from __future__ import annotations

import numpy as np

from helpers import data
from helpers.checks.task import NO_ANSWER_HINT, Task, course_data

NB05 = "05_fine_tuning"
TASK_05_1 = Task(NB05, 1, "One labelled subset, three regimes")
TASK_05_2 = Task(NB05, 2, "The claim, tested")
TASK_05_3 = Task(NB05, 3, "Three ways to adapt a pretrained encoder")
TASK_05_4 = Task(NB05, 4, "Two ways to get it wrong")

#: Tasks 3 and 4 train on this many labelled digits per class (the subset of seed 0).
LABELS_PER_CLASS_05 = 10
#: Task 3: the frozen probe's test accuracy must reach this, in full and in fast mode. A converged probe on
#: standardised codes reaches 74-78 % on the complete MNIST and 53-54 % in fast mode (whose encoder is
#: pretrained for 10 epochs on 4,000 images); a brief probe on the raw codes reaches 37 % and 20-29 %.
PROBE_ACCURACY_05 = {"full": 0.65, "fast": 0.45}
#: Task 4: a fine-tuned classifier must fit its own labelled digits at least this well.
FIT_ACCURACY_05 = 0.9


def _labelled_subset_test_data() -> tuple[np.ndarray, np.ndarray]:
    """Test data for Task 1: four classes of unequal sizes; row i of x is (i, label i, i), so a row names its index."""
    rng = np.random.default_rng(5)
    y = rng.permutation(np.repeat(np.arange(4), [30, 45, 60, 25])).astype(np.uint8)
    index = np.arange(len(y), dtype=np.float32)
    return np.stack([index, y.astype(np.float32), index], axis=1), y


def _subset_from(task: Task, function: object, x: np.ndarray, y: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Call ``draw_labelled(x, y, n, seed)``, check its result, and return the indices of the rows it drew."""
    result = task.call(function, "draw_labelled", x, y, n, seed)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        task.fail("`draw_labelled` should return two arrays, (x_subset, y_subset)",
                  "end with `return x[index], y[index]`")
    x_subset, y_subset = np.asarray(result[0]), np.asarray(result[1])
    classes, counts = np.unique(y, return_counts=True)
    if x_subset.ndim != 2 or x_subset.shape[1:] != x.shape[1:] or y_subset.shape != (len(x_subset),):
        task.fail(f"`draw_labelled` returned arrays of shapes {x_subset.shape} and {y_subset.shape}; for x of shape "
                  f"{x.shape} they should be (m, {x.shape[1]}) and (m,)", "index x and y with the same index array")
    for label, count in zip(classes, counts):
        drawn = int(np.sum(y_subset == label))
        if drawn != n:
            task.fail(f"with n_per_class={n} the subset holds {drawn} examples of class {label} (which has {count})",
                      "draw n examples from each class separately: np.flatnonzero(y == c) lists the examples of "
                      "class c")
    index = x_subset[:, 0].astype(np.int64)
    if (np.any(x_subset[:, 0] != index) or index.min() < 0 or index.max() >= len(x)
            or not np.array_equal(x_subset, x[index])):
        task.fail("`x_subset` holds rows that are not rows of x", "return x[index] itself, unchanged")
    if not np.array_equal(y_subset, y[index]):
        task.fail("some x_subset[i] is not the example whose label is y_subset[i]: x and y were drawn or shuffled "
                  "separately", "draw one index array and use it for both: x[index], y[index]")
    if len(np.unique(index)) != len(index):
        task.fail("the same example appears more than once in the subset", "draw without replacement: "
                  "rng.choice(..., size=n, replace=False)")
    return index


def check_05_task1(draw_labelled: object) -> None:
    """Task 1: a stratified labelled subset, drawn reproducibly from a seed, written with NumPy.

    Args:
        draw_labelled: function (x (n, ...), y (n,) integer labels, n_per_class, seed) -> (x_subset, y_subset),
            n_per_class examples of every class present in y, without repeats, x and y aligned, at random but
            the same for the same seed.

    Tried on test data of its own (four classes of unequal sizes, rows that name their index) with several
    sizes and seeds, then on the training labels of the course with 10 per class.
    """
    task = TASK_05_1
    x, y = _labelled_subset_test_data()
    first = {n: np.sort(np.concatenate([np.flatnonzero(y == c)[:n] for c in np.unique(y)])) for n in (1, 3, 10)}
    drawn = {(n, seed): _subset_from(task, draw_labelled, x, y, n, seed) for n in (1, 3, 10) for seed in (0, 1, 2)}
    again = _subset_from(task, draw_labelled, x, y, 3, 1)
    if not np.array_equal(np.sort(again), np.sort(drawn[3, 1])):
        task.fail("two calls with the same seed gave different subsets", "make the generator from the seed: "
                  "rng = np.random.default_rng(seed), and draw everything from rng")
    if all(np.array_equal(np.sort(drawn[n, seed]), first[n]) for n, seed in drawn):
        task.fail("the subset is always the first n examples of each class", "draw them at random, with "
                  "rng.choice(np.flatnonzero(y == c), size=n, replace=False)")
    if len({tuple(np.sort(drawn[3, seed])) for seed in (0, 1, 2)}) == 1:
        task.fail("seeds 0, 1 and 2 give the same subset", "make the generator from the seed argument")
    _, y_train, _, _ = course_data()
    x_rows = np.arange(len(y_train), dtype=np.float32)[:, None].repeat(3, axis=1)
    x_rows[:, 1] = y_train
    _subset_from(task, draw_labelled, x_rows, y_train, LABELS_PER_CLASS_05, 0)
    task.passed(f"draw_labelled gives exactly n examples of every class, without repeats, x and y aligned, the same "
                f"subset for the same seed and another for another seed; on the course's {len(y_train):,} training "
                f"labels it draws {LABELS_PER_CLASS_05} of each of the 10 digits")


def _paired_result(task: Task, function: object, baseline: np.ndarray, candidate: np.ndarray) -> tuple:
    result = task.call(function, "paired_gain", baseline, candidate)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        task.fail("`paired_gain` should return three values, (gain, spread, helps)", "end with "
                  "`return gain, spread, helps`")
    gain = task.number_from(result[0], "gain")
    spread = task.number_from(result[1], "spread")
    if not isinstance(result[2], (bool, np.bool_)):
        task.fail(f"`helps` should be True or False, got {type(result[2]).__name__}", "a comparison, `gain > spread`, "
                  "is one")
    return gain, spread, bool(result[2])


def check_05_task2(paired_gain: object) -> None:
    """Task 2: the paired comparison of two recipes' per-seed accuracies, as notebook 05 makes it.

    Args:
        paired_gain: function (baseline (s,), candidate (s,)) -> (gain, spread, helps): the mean of the paired
            differences candidate − baseline, the larger of the two arrays' standard deviations (``np.std``,
            ddof = 0) and whether gain > spread; it raises ValueError when the arrays differ in length.

    Tried on generated accuracies: a clear gain, a gain within the noise, a clear loss, and 8 seeds.
    """
    task = TASK_05_2
    base = np.array([75.3, 76.1, 74.2, 75.8, 74.9])  # spread 0.67
    rng = np.random.default_rng(6)
    cases = {
        "a clear gain": (base, base + [3.1, 2.8, 3.3, 2.9, 3.0]),
        "a gain within the noise": (base, np.array([76.4, 75.2, 75.9, 74.8, 76.0])),  # +0.40, spread 0.67
        "a clear loss": (base, base - [4.1, 3.9, 4.0, 4.2, 3.8]),
        "8 seeds": (80 + rng.normal(0, 2, 8), 81 + rng.normal(0, 2, 8)),
    }
    for case, (baseline, candidate) in cases.items():
        gain, spread, helps = _paired_result(task, paired_gain, baseline, candidate)
        expected_gain = float(np.mean(candidate) - np.mean(baseline))
        if np.isclose(gain, -expected_gain, atol=1e-9) and not np.isclose(gain, expected_gain, atol=1e-9):
            task.fail(f"for {case}, `gain` has the wrong sign", "the gain of the candidate over the baseline is "
                      "candidate − baseline")
        if not np.isclose(gain, expected_gain, atol=1e-9):
            task.fail(f"for {case}, `gain` = {gain:.4f} is not the mean of the paired differences",
                      "np.mean(candidate - baseline)")
        stds = [np.std(baseline), np.std(candidate)]
        if np.isclose(spread, max(np.std(baseline, ddof=1), np.std(candidate, ddof=1)), atol=1e-9):
            task.fail(f"for {case}, `spread` uses the sample standard deviation (ddof=1)", "the notebook's criterion "
                      "uses np.std's default, ddof=0")
        if np.isclose(spread, np.std(candidate - baseline), atol=1e-9):
            task.fail(f"for {case}, `spread` is the standard deviation of the differences", "the notebook compares "
                      "the gain with the spread between seeds of each recipe: the larger of the two np.std")
        if not np.isclose(spread, max(stds), atol=1e-9):
            task.fail(f"for {case}, `spread` = {spread:.4f} is not the larger of the two arrays' standard deviations",
                      "max(np.std(baseline), np.std(candidate))")
        if helps != (expected_gain > max(stds)):
            if helps == (abs(expected_gain) > max(stds)):
                task.fail(f"for {case}, `helps` is {helps}: a loss larger than the spread is counted as a gain",
                          "compare the gain itself, not its size, with the spread")
            task.fail(f"for {case}, `helps` is {helps}, but gain {gain:+.2f} and spread {spread:.2f} say otherwise",
                      "helps = gain > spread")
    length_hint = "compare the lengths first and `raise ValueError(...)` with a message that says why"
    for baseline, candidate in [(base, np.append(base, 76.0)), (base, base[:1])]:
        sizes = f"arrays of {len(baseline)} and {len(candidate)} seeds"
        try:
            paired_gain(baseline, candidate)
        except ValueError:
            continue
        except NotImplementedError as error:
            raise task.failure("`paired_gain()` still raises NotImplementedError", NO_ANSWER_HINT) from error
        except Exception as error:
            raise task.failure(f"on {sizes} `paired_gain` raised {type(error).__name__}, not ValueError",
                               length_hint) from error
        task.fail(f"`paired_gain` accepted {sizes}, which cannot be paired", length_hint)
    task.passed("paired_gain gives the mean paired gain, the larger spread between seeds and the notebook's verdict "
                "on a clear gain, a gain within the noise, a clear loss and 8 seeds, and refuses unpaired arrays")


def _classifier_of_digits(task: Task, model: object, name: str) -> None:
    import keras

    task.answered(model, name)
    if not isinstance(model, keras.Model):
        task.fail(f"`{name}` should be a keras.Model, got {type(model).__name__}", "keras.Sequential([...]) is one")
    shapes = (tuple(model.input_shape), tuple(model.output_shape))
    if shapes != ((None, 784), (None, 10)):
        task.fail(f"`{name}` maps {shapes[0]} to {shapes[1]}; a digit classifier maps (None, 784) images to "
                  f"(None, 10) class probabilities", "the encoder first, then a Dense(10, activation='softmax') head")


def _pretrained_kernels(task: Task, model: object, name: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """The pretrained encoder's kernel (784, 32), from its saved file, and the model's (784, 32) kernels."""
    from helpers import pretrained

    reference = pretrained.load_or_train("article", verbose=0)[0].get_weights()[0]
    kernels = [w for w in model.get_weights() if w.shape == reference.shape]
    if not kernels:
        task.fail(f"`{name}` holds no 784 × 32 weight matrix, so it is not built on the article's encoder",
                  "put the pretrained `encoder` first in the model")
    return reference, kernels


def check_05_task3(probe_classifier: object) -> None:
    """Task 3: a linear probe on the article's pretrained encoder, trained on 10 labels per class.

    Args:
        probe_classifier: a Keras model (n, 784) -> (n, 10) holding the article's pretrained encoder with its
            weights unchanged (frozen); its test accuracy must reach 65 % (full mode) or 45 % (fast mode).
    """
    from helpers import config, models

    task = TASK_05_3
    _classifier_of_digits(task, probe_classifier, "probe_classifier")
    reference, kernels = _pretrained_kernels(task, probe_classifier, "probe_classifier")
    if not any(np.allclose(kernel, reference, atol=1e-5) for kernel in kernels):
        task.fail("the encoder's weights in `probe_classifier` are not the pretrained ones: the encoder was trained "
                  "(or never loaded)", "a frozen probe trains only the head: pass variables=head.trainable_variables "
                  "to training.Trainer")
    _, _, x_test, y_test = course_data()
    accuracy = models.accuracy(probe_classifier, x_test, y_test)
    threshold = PROBE_ACCURACY_05[config.mode_name()]
    if accuracy < threshold:
        task.fail(f"the probe classifies {100 * accuracy:.1f} % of the test digits correctly; a probe trained to "
                  f"convergence on standardised codes reaches {100 * threshold:.0f} % in {config.mode_name()} mode",
                  "standardise the codes with finetuning.code_statistics(encoder, x_train) and a "
                  "finetuning.Standardize layer, and train the head for a few hundred steps at learning rate 1e-2 "
                  "with a small L2 penalty (l2=1e-2)")
    task.passed(f"the encoder is frozen (its weights are the pretrained ones) and the probe classifies "
                f"{100 * accuracy:.1f} % of the {len(y_test):,} test digits correctly, at least "
                f"{100 * threshold:.0f} % in {config.mode_name()} mode")


def check_05_task4(naive_classifier: object) -> None:
    """Task 4: naive fine-tuning, every weight trained at once from the pretrained encoder and a random head.

    Args:
        naive_classifier: a Keras model (n, 784) -> (n, 10) built on the article's encoder and trained, encoder
            included, on the 10-per-class subset of seed 0.

    Checked loosely: the encoder's weights moved and the model fits its 100 labelled digits; the message
    gives its test accuracy next to that of a frozen probe the check trains on the same labels.
    """
    from helpers import finetuning, models, pretrained

    task = TASK_05_4
    _classifier_of_digits(task, naive_classifier, "naive_classifier")
    reference, kernels = _pretrained_kernels(task, naive_classifier, "naive_classifier")
    if any(np.allclose(kernel, reference, atol=1e-5) for kernel in kernels):
        task.fail("the encoder's weights in `naive_classifier` are still the pretrained ones: only the head was "
                  "trained, which is the frozen probe", "train every weight: leave out the `variables` argument")
    x_train, y_train, x_test, y_test = course_data()
    x_few, y_few = data.stratified_sample(x_train, y_train, LABELS_PER_CLASS_05, seed=0)
    fit = models.accuracy(naive_classifier, x_few, y_few)
    if fit < FIT_ACCURACY_05:
        task.fail(f"`naive_classifier` classifies only {100 * fit:.0f} % of its own 100 labelled digits correctly",
                  "train it on x_few, y_few: 300 steps at learning rate 1e-3 fit them")
    naive = models.accuracy(naive_classifier, x_test, y_test)
    encoder = pretrained.load_or_train("article", verbose=0)[0]
    probe = finetuning.adapt(encoder, "frozen", x_few, y_few, statistics=finetuning.code_statistics(encoder, x_train),
                             seed=0, schedule=finetuning.course_schedule())
    frozen = models.accuracy(probe, x_test, y_test)
    task.passed(f"every weight was trained and the model fits its 100 digits ({100 * fit:.0f} %). Naive fine-tuning: "
                f"{100 * naive:.1f} % of the test digits; a frozen probe on the same labels (trained by the check): "
                f"{100 * frozen:.1f} %")
