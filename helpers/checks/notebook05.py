"""Self-checks of exercises/05_fine_tuning.ipynb."""

from __future__ import annotations

import numpy as np

from helpers import data
from helpers.checks.task import NO_ANSWER_HINT, Task, course_data, guarded

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
#: Task 3: a probe trained on 100 labels stays below this test accuracy (one trained on every training label or on
#: the test digits is above: 61-68 % in fast mode), and fits its own 100 digits at least this well (85 % in fast
#: mode; one trained on other data fits them like any other digits, about 60 %).
PROBE_CEILING_05, PROBE_FIT_05 = {"full": 0.84, "fast": 0.58}, 0.7
#: Task 4: a fine-tuned classifier must fit its own labelled digits at least this well...
FIT_ACCURACY_05 = 0.9
#: ...stay below this test accuracy (72-74 % in fast mode from 100 labels; 90 % from all 4,000 training labels)...
NAIVE_CEILING_05 = {"full": 0.9, "fast": 0.82}
#: ...and its encoder's kernel must move at least this much per weight on average (300 steps at 1e-3: about 0.03).
MIN_CHANGE_05 = 0.005


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
                      "draw n examples from each class separately, whatever the classes are",
                      "np.unique(y) lists the classes, np.flatnonzero(y == c) the examples of class c")
    index = x_subset[:, 0].astype(np.int64)
    if (np.any(x_subset[:, 0] != index) or index.min() < 0 or index.max() >= len(x)
            or not np.array_equal(x_subset, x[index])):
        task.fail("`x_subset` holds rows that are not rows of x", "return x[index] itself, unchanged")
    if not np.array_equal(y_subset, y[index]):
        task.fail("some x_subset[i] is not the example whose label is y_subset[i]: x and y were drawn or shuffled "
                  "separately", "draw one index array and use it for both: x[index], y[index]")
    if len(np.unique(index)) != len(index):
        task.fail("the same example appears more than once in the subset", "draw without replacement",
                  "the generator's choice draws with replacement unless told otherwise")
    return index


def _mostly_evenly_spaced(y: np.ndarray, subsets: list[np.ndarray]) -> bool:
    """Whether, in most (class, subset) pairs, the examples drawn are evenly spaced in their class's order.

    A random draw of 10 among 25 to 60 examples is (almost) never evenly spaced; a block of consecutive examples,
    or every k-th one, always is.
    """
    spaced = []
    for index in subsets:
        for label in np.unique(y):
            ranks = np.sort(np.searchsorted(np.flatnonzero(y == label), index[y[index] == label]))
            spaced.append(len(np.unique(np.diff(ranks))) == 1)
    return float(np.mean(spaced)) >= 0.75


@guarded(TASK_05_1)
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
    task.answered(draw_labelled, "draw_labelled")
    task.refuse_names(draw_labelled, "draw_labelled", {
        name: "write the draw yourself with NumPy's generator" for name in ("stratified_sample", "stratified_indices")})
    x, y = _labelled_subset_test_data()
    first = {n: np.sort(np.concatenate([np.flatnonzero(y == c)[:n] for c in np.unique(y)])) for n in (1, 3, 10)}
    drawn = {(n, seed): _subset_from(task, draw_labelled, x, y, n, seed) for n in (1, 3, 10) for seed in (0, 1, 2)}
    again = _subset_from(task, draw_labelled, x, y, 3, 1)
    if not np.array_equal(np.sort(again), np.sort(drawn[3, 1])):
        task.fail("two calls with the same seed gave different subsets", "make one generator from the seed and draw "
                  "everything from it")
    if all(np.array_equal(np.sort(drawn[n, seed]), first[n]) for n, seed in drawn):
        task.fail("the subset is always the first n examples of each class", "draw them at random, from the "
                  "generator made from the seed")
    if _mostly_evenly_spaced(y, [drawn[10, seed] for seed in (0, 1, 2)]):
        task.fail("within each class the subset is a block of consecutive examples (or evenly spaced ones), not a "
                  "random draw", "draw the examples of each class at random, not from a starting point on")
    if len({tuple(np.sort(drawn[3, seed])) for seed in (0, 1, 2)}) == 1:
        task.fail("seeds 0, 1 and 2 give the same subset", "make the generator from the seed argument")
    _, y_train, _, _ = course_data()
    x_rows = np.arange(len(y_train), dtype=np.float32)[:, None].repeat(3, axis=1)
    x_rows[:, 1] = y_train
    _subset_from(task, draw_labelled, x_rows, y_train, LABELS_PER_CLASS_05, 0)
    task.passed(f"draw_labelled gives exactly n examples of every class, without repeats, x and y aligned, the same "
                f"subset for the same seed and another for another seed; on the course's {len(y_train):,} training "
                f"labels it draws {LABELS_PER_CLASS_05} of each of the 10 digits")


#: Task 2: the name the messages give the student's function.
INTERVAL_NAME_05 = "paired_interval_by_hand"
#: Task 2: the relative tolerance on the interval's half-width; a t read from a printed table (3 decimals) passes.
HALF_WIDTH_RTOL_05 = 1e-3


def _interval_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Task 2's (baseline, candidate) accuracies in %, one per labelled subset; each subset moves both arms."""
    base = np.array([75.3, 76.1, 74.2, 75.8, 74.9])
    rng = np.random.default_rng(6)
    subset = rng.normal(0, 2, 8)  # what each of 8 labelled subsets does to both arms alike
    return {
        "a clear gain on 5 subsets": (base, base + [3.1, 2.8, 3.3, 2.9, 3.0]),
        "a positive mean gain within the noise on 5 subsets": (base, base + [1.9, 0.3, -0.6, 1.1, -0.6]),
        "a clear loss on 5 subsets": (base, base - [4.1, 3.9, 4.0, 4.2, 3.8]),
        "8 subsets": (80 + subset + rng.normal(0, 0.6, 8), 81 + subset + rng.normal(0, 0.6, 8)),
        "2 subsets": (np.array([70.0, 72.0]), np.array([71.6, 73.9])),
    }


def _reference_interval(baseline: np.ndarray, candidate: np.ndarray) -> tuple[float, float, float]:
    """(gain, low, high) recomputed another way: the difference of the means, and SciPy's paired t-test's interval."""
    from scipy import stats

    interval = stats.ttest_rel(candidate, baseline).confidence_interval(confidence_level=0.95)
    return float(np.mean(candidate) - np.mean(baseline)), float(interval.low), float(interval.high)


def _mistaken_half_widths(baseline: np.ndarray, candidate: np.ndarray) -> list[tuple[list[float], str, str]]:
    """The half-widths that common mistakes give on these accuracies: (half-widths, problem, hint) each."""
    from scipy import stats

    n, d = len(baseline), candidate - baseline
    se, se_ddof0 = np.std(d, ddof=1) / np.sqrt(n), np.std(d) / np.sqrt(n)
    t = stats.t.ppf(0.975, n - 1)
    unpaired_se = np.sqrt((np.var(baseline, ddof=1) + np.var(candidate, ddof=1)) / n)
    unpaired_se_ddof0 = np.sqrt((np.var(baseline) + np.var(candidate)) / n)
    welch = stats.ttest_ind(candidate, baseline, equal_var=False).confidence_interval(confidence_level=0.95)
    mistakes = [
        ([max(np.std(baseline), np.std(candidate)), max(np.std(baseline, ddof=1), np.std(candidate, ddof=1))],
         "the interval is gain ± the larger of the two arms' standard deviations, a rule of thumb, not a confidence "
         "interval", "a 95 % interval for the mean gain is gain ± t · s / √n, with s the standard deviation of the "
         "paired differences: it narrows as subsets are added, while the spread of the accuracies does not"),
        ([1.96 * se, stats.norm.ppf(0.975) * se],
         "the interval uses the normal 1.96 instead of Student's t",
         "s is estimated from the same few differences, so the multiplier is the 97.5 % point of t with n − 1 degrees "
         "of freedom (2.776 for 5 subsets), wider than the normal 1.96"),
        ([t * se_ddof0],
         "the standard deviation of the differences divides by n (ddof=0)",
         "the sample standard deviation divides by n − 1 (ddof=1): measured around their own mean, n differences "
         "look less spread than they are"),
        ([t * unpaired_se, stats.t.ppf(0.975, 2 * n - 2) * unpaired_se, 1.96 * unpaired_se, t * unpaired_se_ddof0,
          (welch.high - welch.low) / 2],
         "the interval treats the two arms as independent samples (their variances added), not as pairs",
         "both arms were trained on the same labelled subsets: take the differences subset by subset first and build "
         "the interval from their standard deviation, so that what a subset does to both arms cancels"),
        ([stats.t.ppf(0.95, n - 1) * se],
         "this is a 90 % interval: the 95 % point of t leaves 5 % in each tail",
         "a two-sided 95 % interval leaves 2.5 % in each tail, so it takes the 97.5 % point of t"),
        ([stats.t.ppf(0.975, n) * se],
         "t has n degrees of freedom; the interval of the mean of n differences uses n − 1",
         "one degree of freedom goes to the mean that the standard deviation is measured from"),
        ([t * np.std(d, ddof=1)],
         "the interval is gain ± t · s, the range of single differences, not of their mean",
         "the mean of n differences varies √n times less than one difference: divide by √n"),
    ]
    if n != 5:
        mistakes.append(([stats.t.ppf(0.975, 4) * se],
                         f"t is the value for 5 subsets (4 degrees of freedom), used on {n} subsets",
                         "t depends on the number of subsets: compute the 97.5 % point of t with n − 1 degrees of "
                         "freedom for the n of each call"))
    return mistakes


def _interval_number(task: Task, value: object, name: str, case: str) -> float:
    """One of gain, low, high as a float, or a failure that names it and the case."""
    if value is None:
        task.fail(f"for {case}, `{name}` is None", "return four values: (gain, low, high, helps)")
    try:
        number = float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        task.fail(f"for {case}, `{name}` should be a single number, got {type(value).__name__}",
                  "return four values: (gain, low, high, helps), the first three numbers")
    if not np.isfinite(number):
        task.fail(f"for {case}, `{name}` is {number}, not a finite number",
                  "the interval needs the mean and the sample standard deviation of at least 2 differences, and t's "
                  "97.5 % point, a probability given as 0.975 (not 97.5)")
    return number


def _interval_form(task: Task, result: object, case: str) -> tuple[float, float, float, bool]:
    """What the student's function returned, checked for its form: (gain, low, high, helps)."""
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        try:
            got = f"{type(result).__name__} of {len(result)} values"
        except TypeError:  # not a sequence (a number, None, a 0-d array)
            got = type(result).__name__
        task.fail(f"`{INTERVAL_NAME_05}` should return four values, (gain, low, high, helps), got {got}",
                  "end with `return gain, low, high, helps`")
    gain, low, high = (_interval_number(task, result[i], name, case) for i, name in enumerate(("gain", "low", "high")))
    if not isinstance(result[3], (bool, np.bool_)):
        task.fail(f"for {case}, `helps` should be True or False, got {type(result[3]).__name__}",
                  "a comparison of the interval's lower end with 0 is one")
    return gain, low, high, bool(result[3])


def _check_interval(task: Task, case: str, baseline: np.ndarray, candidate: np.ndarray,
                    answer: tuple[float, float, float, bool]) -> None:
    """Compare the student's (gain, low, high, helps) with the reference on one case; fail on the first difference."""
    gain, low, high, helps = answer
    expected_gain, expected_low, expected_high = _reference_interval(baseline, candidate)
    expected_half = (expected_high - expected_low) / 2
    if np.isclose(gain, -expected_gain, rtol=1e-9, atol=1e-9) and not np.isclose(gain, expected_gain, atol=1e-9):
        task.fail(f"for {case}, `gain` is {gain:+.2f}: the differences are taken the wrong way round, baseline − "
                  f"candidate (or the arguments are swapped: the baseline comes first)",
                  "the gain of the candidate over the baseline is candidate − baseline, subset by subset: a positive "
                  "gain means the candidate (pretraining) did better")
    if not np.isclose(gain, expected_gain, rtol=1e-9, atol=1e-9):
        task.fail(f"for {case}, `gain` = {gain:.4f} is not the mean of the paired differences",
                  "the gain is the mean over the subsets of candidate − baseline")
    if low > high:
        task.fail(f"for {case}, `low` = {low:.4f} is above `high` = {high:.4f}",
                  "low is the gain minus the half-width, high the gain plus it")
    scale = max(1.0, abs(expected_gain))
    if not np.isclose((low + high) / 2, gain, rtol=0, atol=1e-6 * scale):
        if np.isclose(low, -expected_high, atol=1e-6 * scale) and np.isclose(high, -expected_low, atol=1e-6 * scale):
            task.fail(f"for {case}, the interval [{low:+.2f}, {high:+.2f}] is that of baseline − candidate, while the "
                      f"gain is candidate − baseline", "build the gain and its interval from the same differences, "
                      "candidate − baseline")
        task.fail(f"for {case}, the interval [{low:+.2f}, {high:+.2f}] is not centred on the gain {gain:+.2f}",
                  "the paired t-interval is the gain ± one half-width, the same on both sides")
    half = (high - low) / 2
    if not np.isclose(half, expected_half, rtol=HALF_WIDTH_RTOL_05, atol=0):
        for halves, problem, hint in _mistaken_half_widths(baseline, candidate):
            if any(np.isclose(half, h, rtol=HALF_WIDTH_RTOL_05, atol=0) for h in halves):
                task.fail(f"for {case}, {problem}", "compare each part of your half-width with the task's formula",
                          hint)
        wider = "wider" if half > expected_half else "narrower"
        task.fail(f"for {case}, the interval [{low:+.3f}, {high:+.3f}] is not the 95 % paired t-interval: it is "
                  f"{wider} than it should be", "build the half-width from the paired differences, part by part, "
                  "as the task's formula writes it", "three parts: the spread of the differences, the number of "
                  "subsets, and the t multiplier for a two-sided 95 % interval")
    real_gain = expected_low > 0
    if helps and not real_gain:
        if expected_high < 0:
            task.fail(f"for {case}, `helps` is True for the interval [{low:+.2f}, {high:+.2f}], a real loss",
                      "helps asks whether the candidate did better: the whole interval above 0, not merely away from 0")
        task.fail(f"for {case}, `helps` is True, but the interval [{low:+.2f}, {high:+.2f}] includes 0: a positive "
                  f"mean gain is not enough", "a gain is shown only when the whole interval lies above 0; one that "
                  "includes 0 is compatible with no gain at all")
    if not helps and real_gain:
        task.fail(f"for {case}, `helps` is False, but the whole interval [{low:+.2f}, {high:+.2f}] lies above 0",
                  "helps is True exactly when the interval's lower end is above 0")


def _expect_value_error(task: Task, function: object, baseline: np.ndarray, candidate: np.ndarray,
                        problem: str, hint: str) -> None:
    """Fail unless ``function(baseline, candidate)`` raises ValueError (its RuntimeWarnings are not shown)."""
    import warnings

    sizes = f"arrays of {len(baseline)} and {len(candidate)} subsets"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a std of 1 value, t with 0 degrees of freedom
            function(baseline, candidate)
    except ValueError:
        return
    except NotImplementedError as error:
        raise task.failure(f"`{INTERVAL_NAME_05}()` still raises NotImplementedError", NO_ANSWER_HINT) from error
    except Exception as error:
        raise task.failure(f"on {sizes} `{INTERVAL_NAME_05}` raised {type(error).__name__}, not ValueError",
                           hint) from error
    task.fail(f"`{INTERVAL_NAME_05}` accepted {sizes}: {problem}", hint)


@guarded(TASK_05_2)
def check_05_task2(paired_interval_by_hand: object) -> None:
    """Task 2: the paired 95 % t-interval of a gain, from two recipes' accuracies on the same labelled subsets.

    Args:
        paired_interval_by_hand: function (baseline (n,), candidate (n,)) -> (gain, low, high, helps): the mean of
            the paired differences d = candidate − baseline, the ends of its 95 % t-interval, gain ± t(0.975, n − 1)
            · sd(d, ddof=1) / √n, and whether the whole interval is above 0; it raises ValueError when the arrays
            differ in length or have fewer than 2 entries, and accepts lists as well as arrays.

    Tried on generated accuracies (a clear gain, a positive mean gain whose interval includes 0, a clear loss,
    8 subsets, 2 subsets) against SciPy's paired t-test (``scipy.stats.ttest_rel``) and its confidence interval.
    A wrong interval is matched against the half-widths of common mistakes (the larger standard deviation of
    the arms, the normal 1.96, ddof=0, an unpaired interval, ...) to say which one it is; the half-width is
    compared within a relative 1e-3, so a t from a printed table passes.
    """
    task = TASK_05_2
    cases = _interval_cases()
    for case, (baseline, candidate) in cases.items():
        result = task.call(paired_interval_by_hand, INTERVAL_NAME_05, baseline.copy(), candidate.copy())
        _check_interval(task, case, baseline, candidate, _interval_form(task, result, case))
    base = cases["a clear gain on 5 subsets"][0]
    unpaired = "pairs need one accuracy per labelled subset in both arrays"
    pair_hint = "compare the lengths first and raise ValueError with a message that says why"
    _expect_value_error(task, paired_interval_by_hand, base, base[:1] + 1, f"they cannot be paired ({unpaired})",
                        pair_hint)
    _expect_value_error(task, paired_interval_by_hand, base[:1], base + 1, f"they cannot be paired ({unpaired})",
                        pair_hint)
    _expect_value_error(task, paired_interval_by_hand, base[:1], base[:1] + 1,
                        "one difference has no standard deviation, and t would have 0 degrees of freedom",
                        "an interval needs at least 2 paired subsets: raise ValueError for fewer")
    baseline, candidate = cases["8 subsets"]
    try:
        result = paired_interval_by_hand(baseline.tolist(), candidate.tolist())
    except Exception as error:
        raise task.failure(f"on Python lists (the measured accuracies below are lists) `{INTERVAL_NAME_05}` raised "
                           f"{type(error).__name__}: {error}", "convert both arguments to float arrays first, with "
                           "np.asarray(..., dtype=float)") from error
    case = "8 subsets given as lists"
    _check_interval(task, case, baseline, candidate, _interval_form(task, result, case))
    task.passed(f"{INTERVAL_NAME_05} gives the mean paired gain and SciPy's paired 95 % t-interval (scipy.stats."
                f"ttest_rel) on a clear gain, a positive mean gain within the noise, a clear loss, 8 and 2 subsets, "
                f"says a gain is shown only when the whole interval is above 0, takes lists, and refuses arrays of "
                f"different lengths or of a single subset")


def _encoder_weights(task: Task, model: object, name: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The pretrained encoder's [kernel (784, 32), bias (32,)], and the model's own pair of those shapes."""
    from helpers import pretrained

    reference = pretrained.load_or_train("article", verbose=0)[0].get_weights()
    weights = model.get_weights()
    for i in range(len(weights) - 1):
        if weights[i].shape == reference[0].shape and weights[i + 1].shape == reference[1].shape:
            return reference, weights[i:i + 2]
    task.fail(f"`{name}` holds no 784 × 32 weight matrix with its 32 biases, so it is not built on the article's "
              f"encoder", "put the pretrained `encoder` first in the model")


def _labelled_subset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x_train, the 10-per-class subset of seed 0 (x_few, y_few), x_test and y_test."""
    x_train, y_train, x_test, y_test = course_data()
    x_few, y_few = data.stratified_sample(x_train, y_train, LABELS_PER_CLASS_05, seed=0)
    return x_train, x_few, y_few, x_test, y_test


def _accuracy_in_range(task: Task, name: str, accuracy: float, fit: float, low: float, high: float,
                       fit_needed: float, low_hint: str) -> None:
    """Fail unless the model is trained enough (test accuracy >= low) on the 100 labelled digits only."""
    from helpers import config

    mode = config.mode_name()
    if accuracy < low:
        task.fail(f"`{name}` classifies {100 * accuracy:.1f} % of the test digits correctly; trained as the task asks "
                  f"it reaches {100 * low:.0f} % in {mode} mode", low_hint)
    if fit < fit_needed:
        task.fail(f"`{name}` classifies only {100 * fit:.0f} % of the 100 labelled digits it should have been "
                  f"trained on: it was trained on other images or labels (the test set, or more training labels)",
                  "train it on x_few, y_few: the 10 labelled digits per class, and nothing else")
    if accuracy > high:
        task.fail(f"`{name}` classifies {100 * accuracy:.1f} % of the test digits correctly, more than 10 labels per "
                  f"class can give in {mode} mode (at most about {100 * high:.0f} %): it was trained on more labels, "
                  f"or on the test digits", "train it on x_few, y_few only; the test set is for measuring")


def _standardisation(model: object, encoder: object, x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The (mean, std) per code unit of the layers between the encoder's code and the softmax head, or None.

    Found by feeding images and reading the head's input: per unit, head input = (code − mean) / std.
    None when what reaches the head is not an affine function of the 32 code units.
    """
    import keras

    from helpers import models

    head = model.layers[-1]
    between = keras.Model(model.inputs[0], head.input)
    codes = models.predict_in_batches(encoder, x).astype(np.float64)
    inputs = models.predict_in_batches(between, x).astype(np.float64)
    if inputs.shape != codes.shape:
        return None
    means, stds = [], []
    for unit in range(codes.shape[1]):
        c, z = codes[:, unit], inputs[:, unit]
        if np.ptp(c) < 1e-6:  # a dead unit: no slope to read; its mean is its constant value
            means.append(float(c.mean()))
            stds.append(np.nan)
            continue
        slope, intercept = np.polyfit(c, z, 1)
        if np.max(np.abs(slope * c + intercept - z)) > 1e-3 * (1 + np.max(np.abs(z))) or slope <= 0:
            return None
        means.append(-intercept / slope)
        stds.append(1 / slope)
    return np.array(means), np.array(stds)


def _check_standardisation(task: Task, model: object, x_train: np.ndarray, x_few: np.ndarray,
                           x_test: np.ndarray) -> None:
    """Fail unless the probe standardises each code unit with the statistics of the unlabelled training images."""
    from helpers import models, pretrained

    encoder = pretrained.load_or_train("article", verbose=0)[0]
    head = model.layers[-1]
    kernel = getattr(head, "kernel", None)
    if getattr(head, "units", None) != 10 or kernel is None or tuple(kernel.shape) != (32, 10):
        task.fail("the head of `probe_classifier` should be one Dense layer of 10 units on the 32 code units: a "
                  "linear probe", "encoder, then the standardising layer, then Dense(10, activation='softmax')")
    found = _standardisation(model, encoder, x_test[:500])
    if found is None:
        task.fail("what reaches the head is not the 32 codes standardised unit by unit", "put only the standardising "
                  "layer between the encoder and the head")
    mean, std = found
    live = ~np.isnan(std)

    def statistics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        codes = models.predict_in_batches(encoder, x).astype(np.float64)
        return codes.mean(axis=0), codes.std(axis=0)

    def same(stats: tuple[np.ndarray, np.ndarray]) -> bool:
        return bool(np.allclose(mean[live], stats[0][live], rtol=1e-2, atol=1e-3)
                    and np.allclose(std[live], stats[1][live], rtol=2e-2, atol=2e-3))

    if same(statistics(x_train)):
        return
    if np.allclose(mean[live], 0, atol=1e-6) and np.allclose(std[live], 1, atol=1e-6):
        task.fail("the codes reach the head unstandardised", "standardise each of the 32 code units before the head")
    for images, which in ((x_few, "the 100 labelled digits"), (x_test, "the test digits")):
        if same(statistics(images)):
            task.fail(f"the codes are standardised with the mean and standard deviation of {which}",
                      "measure the statistics on the unlabelled training images, x_train")
    task.fail("the codes are not standardised with the mean and standard deviation of each unit over the unlabelled "
              "training images", "measure them on x_train's codes, unit by unit")


@guarded(TASK_05_3)
def check_05_task3(probe_classifier: object) -> None:
    """Task 3: a linear probe on the article's pretrained encoder, trained on 10 labels per class.

    Args:
        probe_classifier: a Keras model (n, 784) -> (n, 10): the article's pretrained encoder with its weights
            unchanged (frozen), a layer that standardises each code unit with the mean and standard deviation of
            the unlabelled training images' codes, and one Dense(10, softmax) head trained on the 10-per-class
            subset of seed 0.

    Its test accuracy must reach 65 % (full mode) or 45 % (fast mode), and stay below what 100 labels can give
    (a probe trained on the test digits or on every training label is above); it must fit its own 100 labelled
    digits (at least 70 %), which a probe trained on other data does not.
    """
    from helpers import config, models

    task = TASK_05_3
    task.classifier_from(probe_classifier, "probe_classifier")
    reference, weights = _encoder_weights(task, probe_classifier, "probe_classifier")
    if not all(np.allclose(w, r, atol=1e-5) for w, r in zip(weights, reference)):
        task.fail("the encoder's weights in `probe_classifier` are not the pretrained ones: the encoder was trained "
                  "(or never loaded)", "a frozen probe trains only the head", "give the trainer only the head's "
                  "trainable variables")
    x_train, x_few, y_few, x_test, y_test = _labelled_subset()
    _check_standardisation(task, probe_classifier, x_train, x_few, x_test)
    accuracy = models.accuracy(probe_classifier, x_test, y_test)
    mode = config.mode_name()
    _accuracy_in_range(task, "probe_classifier", accuracy, models.accuracy(probe_classifier, x_few, y_few),
                       PROBE_ACCURACY_05[mode], PROBE_CEILING_05[mode], PROBE_FIT_05,
                       "train the head until it converges, with the schedule's settings printed above")
    task.passed(f"the encoder is frozen (its weights are the pretrained ones), the codes are standardised with the "
                f"unlabelled training images' statistics, and the probe classifies {100 * accuracy:.1f} % of the "
                f"{len(y_test):,} test digits correctly (at least {100 * PROBE_ACCURACY_05[mode]:.0f} % in {mode} "
                f"mode)")


@guarded(TASK_05_4)
def check_05_task4(naive_classifier: object) -> None:
    """Task 4: naive fine-tuning, every weight trained at once from the pretrained encoder and a random head.

    Args:
        naive_classifier: a Keras model (n, 784) -> (n, 10) built on a copy of the article's pretrained encoder
            (its weights included) and trained, encoder included, on the 10-per-class subset of seed 0.

    The encoder's weights must have moved (by at least 0.005 per weight on average) from the pretrained ones
    and still bear their trace (their biases correlate with the pretrained biases: a copy made without the
    weights does not), and the model must fit its 100 labelled digits (90 %) with a test accuracy that 100
    labels can give. The message gives its test accuracy next to that of a frozen probe the check trains.
    """
    from helpers import config, finetuning, models, pretrained

    task = TASK_05_4
    task.classifier_from(naive_classifier, "naive_classifier")
    reference, weights = _encoder_weights(task, naive_classifier, "naive_classifier")
    change = float(np.mean(np.abs(weights[0] - reference[0])))
    if all(np.allclose(w, r, atol=1e-5) for w, r in zip(weights, reference)):
        task.fail("the encoder's weights in `naive_classifier` are still the pretrained ones: only the head was "
                  "trained, which is the frozen probe", "train every weight, the encoder's too")
    if change < MIN_CHANGE_05:
        task.fail(f"the encoder's weights moved by only {change:.1e} on average from the pretrained ones: they were "
                  f"barely trained", "train every weight with the task's optimizer, learning rate and steps")
    # The data first: a model trained on other images or labels also moves far from its start.
    x_train, x_few, y_few, x_test, y_test = _labelled_subset()
    fit = models.accuracy(naive_classifier, x_few, y_few)
    if fit < FIT_ACCURACY_05:
        task.fail(f"`naive_classifier` classifies only {100 * fit:.0f} % of its own 100 labelled digits correctly",
                  "train it on x_few, y_few, for the steps and learning rate the task gives")
    naive = models.accuracy(naive_classifier, x_test, y_test)
    mode = config.mode_name()
    _accuracy_in_range(task, "naive_classifier", naive, fit, 0.0, NAIVE_CEILING_05[mode], FIT_ACCURACY_05, "")
    kernel_trace = np.corrcoef(weights[0].ravel(), reference[0].ravel())[0, 1]
    bias_trace = np.corrcoef(weights[1], reference[1])[0, 1]
    if not (kernel_trace > 0.3 and bias_trace > 0.5):
        task.fail("the encoder's weights bear no trace of the pretrained ones: it was trained from other starting "
                  "weights", "a copy made with keras.models.clone_model has the architecture only; give it the "
                  "encoder's weights before training")
    encoder = pretrained.load_or_train("article", verbose=0)[0]
    probe = finetuning.adapt(encoder, "frozen", x_few, y_few, statistics=finetuning.code_statistics(encoder, x_train),
                             seed=0, schedule=finetuning.course_schedule())
    frozen = models.accuracy(probe, x_test, y_test)
    task.passed(f"the encoder started from the pretrained weights and moved ({change:.3f} per weight on average), and "
                f"the model fits its 100 digits ({100 * fit:.0f} %). Naive fine-tuning: {100 * naive:.1f} % of the "
                f"test digits; a frozen probe on the same labels (trained by the check): {100 * frozen:.1f} %")
