"""Self-checks of exercises/02_everything_is_a_mapping.ipynb."""

from __future__ import annotations

import numpy as np

from helpers import linear
from helpers.checks.task import Task, course_data

NB02 = "02_everything_is_a_mapping"
TASK_02_1 = Task(NB02, 1, "What the mapping learned: the mean digit and the principal directions")
TASK_02_2 = Task(NB02, 2, "The simplest encoder and decoder: linear ones, found by PCA")
TASK_02_3 = Task(NB02, 3, 'What "general" means, and where it stops')

#: Task 1 asks for the variance kept by the first 1..VARIANCE_KEPT_SIZES directions.
VARIANCE_KEPT_SIZES = 100
#: Task 2 uses a code of this size.
CODE_SIZE_02 = 32


def check_02_task1(variance_kept: object, k_for_90_percent: object) -> None:
    """Task 1: the share of the pixel variance kept by the first k principal directions.

    Args:
        variance_kept: shape (100,); entry k-1 is the fraction (0..1) of the total variance of the
            784 pixels of the training digits that the first k principal directions keep.
        k_for_90_percent: the smallest k whose directions keep at least 90% of it.

    Recomputed from the eigenvalues of the pixels' covariance matrix (``np.linalg.eigvalsh``).
    """
    task = TASK_02_1
    kept = task.array_from(variance_kept, "variance_kept", (VARIANCE_KEPT_SIZES,))
    ratio_hint = (
        "for each k, divide the sum of the first k variances along the principal directions "
        "(np.cumsum of pca.explained_variance) by the total variance of all 784 pixels"
    )
    if np.any(np.diff(kept) < 0):
        task.fail("`variance_kept` decreases somewhere, but every extra direction keeps more variance", ratio_hint)
    if kept[0] <= 0 or kept[-1] > 1 + 1e-9:
        task.fail("`variance_kept` holds values outside (0, 1], so they are not fractions of the variance", ratio_hint)
    k = task.number_from(k_for_90_percent, "k_for_90_percent", integer=True)
    x_train, _, _, _ = course_data()
    eigenvalues = np.linalg.eigvalsh(np.cov(x_train.astype(np.float64), rowvar=False))[::-1]
    share = np.cumsum(eigenvalues) / eigenvalues.sum()
    wrong = np.flatnonzero(np.abs(kept - share[:VARIANCE_KEPT_SIZES]) > 1e-3)
    if wrong.size:
        k = int(wrong[0]) + 1
        task.fail(
            f"`variance_kept[{k - 1}]` = {kept[k - 1]:.4f} is not the share of the variance that the first {k} "
            f"direction{'s' if k > 1 else ''} keep", ratio_hint,
        )
    tolerance = 5e-4  # variances with n or n - 1 in the denominator may differ by this much
    if not 1 <= k <= len(share) or share[k - 1] < 0.9 - tolerance:
        task.fail(f"the first {k} directions keep less than 90% of the variance", "look further along variance_kept")
    if k > 1 and share[k - 2] >= 0.9 + tolerance:
        task.fail(
            f"{k - 1} directions already keep 90% of the variance, so {k} is not the smallest",
            "variance_kept[k - 1] belongs to k directions: add 1 to a position found with np.argmax",
        )
    task.passed(
        f"variance_kept agrees with an independent eigendecomposition to 0.001 for every k from 1 to "
        f"{VARIANCE_KEPT_SIZES}, and {k} is the smallest code that keeps 90% of the variance"
    )


def check_02_task2(encode: object, decode: object) -> None:
    """Task 2: PCA's encoder h = W (x − μ) and decoder x̂ = Wᵀ h + μ written with NumPy.

    Args:
        encode: function (n, 784) -> (n, 32), with the PCA of the training digits at code size 32.
        decode: function (n, 32) -> (n, 784), its decoder.

    Compared with :class:`helpers.linear.PCA` on 200 test digits, to 1e-4.
    """
    task = TASK_02_2
    x_train, _, x_test, _ = course_data()
    x = x_test[:200]
    task.answered(decode, "decode")
    h = task.array_from(task.call(encode, "encode", x), "encode(x)", (len(x), CODE_SIZE_02))
    pca = linear.fit_pca(x_train, CODE_SIZE_02)
    if not np.allclose(h, pca.encode(x), atol=1e-4):
        if np.allclose(h, x @ pca.components.T, atol=1e-4):
            task.fail("`encode(x)` projects x without first subtracting the mean digit μ", "h = W (x − μ)")
        task.fail("`encode(x)` differs from PCA's code h = W (x − μ)", "W is pca32.components, shape (32, 784)")
    h = pca.encode(x)
    x_hat = task.array_from(task.call(decode, "decode", h), "decode(h)", x.shape)
    if not np.allclose(x_hat, pca.decode(h), atol=1e-4):
        if np.allclose(x_hat, h @ pca.components, atol=1e-4):
            task.fail("`decode(h)` forgets to add the mean digit μ back", "x̂ = Wᵀ h + μ")
        task.fail("`decode(h)` differs from PCA's reconstruction x̂ = Wᵀ h + μ", "h has shape (n, 32), W (32, 784)")
    error = float(np.mean((decode(encode(x)) - x) ** 2))
    task.passed(
        f"encode and decode agree with PCA's mapping to 1e-4 on 200 test digits; "
        f"decode(encode(x)) reconstructs them with a mean squared error of {error:.4f}"
    )


def check_02_task3(error_ones: object, error_others: object) -> None:
    """Task 3: a PCA mapping (code size 32) fitted to the training 1s only, measured on test digits.

    Args:
        error_ones: its mean squared reconstruction error per pixel on the test 1s.
        error_others: the same on every other test digit.

    Recomputed with a singular value decomposition of the centred 1s, to a relative 1e-3.
    """
    task = TASK_02_3
    given = {"error_ones": task.number_from(error_ones, "error_ones"),
             "error_others": task.number_from(error_others, "error_others")}
    x_train, y_train, x_test, y_test = course_data()
    ones = x_train[y_train == 1].astype(np.float64)
    mean = ones.mean(axis=0)
    directions = np.linalg.svd(ones - mean, full_matrices=False)[2][:CODE_SIZE_02]

    def error(x: np.ndarray) -> float:
        centred = x.astype(np.float64) - mean
        return float(np.mean((centred - centred @ directions.T @ directions) ** 2))

    expected = {"error_ones": error(x_test[y_test == 1]), "error_others": error(x_test[y_test != 1])}
    hint = ("fit with linear.fit_pca(x_train[y_train == 1], 32), then measure with losses.mean_squared_error "
            "on x_test[y_test == 1] and on x_test[y_test != 1]")
    if (np.isclose(given["error_ones"], expected["error_others"], rtol=1e-3)
            and np.isclose(given["error_others"], expected["error_ones"], rtol=1e-3)):
        task.fail("`error_ones` and `error_others` are swapped", "which of the two test sets holds only 1s?")
    for name in expected:
        if not np.isclose(given[name], expected[name], rtol=1e-3):
            task.fail(f"`{name}` = {given[name]:.5f} is not the test error of a 32-number PCA fitted to the "
                      f"training 1s only", hint)
    ratio = given["error_others"] / given["error_ones"]
    task.passed(f"both errors agree with an independent SVD; the other digits' error is {ratio:.0f} times the 1s'")
