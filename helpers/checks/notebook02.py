"""Self-checks of exercises/02_everything_is_a_mapping.ipynb."""

from __future__ import annotations

import functools

import numpy as np

from helpers import linear
from helpers.checks.task import Task, course_data, guarded

NB02 = "02_everything_is_a_mapping"
TASK_02_1 = Task(NB02, 1, "What the mapping learned: the mean digit and the principal directions")
TASK_02_2 = Task(NB02, 2, "The simplest encoder and decoder: linear ones, found by PCA")
TASK_02_3 = Task(NB02, 3, 'What "general" means, and where it stops')

#: Task 1 asks for the variance kept by the first 1..VARIANCE_KEPT_SIZES directions.
VARIANCE_KEPT_SIZES = 100
#: Task 2 uses a code of this size.
CODE_SIZE_02 = 32


@guarded(TASK_02_1)
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
    ratio_hint = "entry k - 1 is a share of the whole: what k directions keep, over what all 784 pixels hold"
    more = ("the first k directions keep the variances along each of them, added up; the whole is the variance of "
            "each pixel over the training digits, added up over the 784 pixels")
    if np.any(np.diff(kept) < 0):
        task.fail("`variance_kept` decreases somewhere, but every extra direction keeps more variance", ratio_hint,
                  more)
    if kept[0] <= 0 or kept[-1] > 1 + 1e-9:
        task.fail("`variance_kept` holds values outside (0, 1], so they are not fractions of the variance", ratio_hint,
                  more)
    k = task.number_from(k_for_90_percent, "k_for_90_percent", integer=True)
    x_train, _, _, _ = course_data()
    eigenvalues = np.linalg.eigvalsh(np.cov(x_train.astype(np.float64), rowvar=False))[::-1]
    share = np.cumsum(eigenvalues) / eigenvalues.sum()
    wrong = np.flatnonzero(np.abs(kept - share[:VARIANCE_KEPT_SIZES]) > 1e-3)
    if wrong.size:
        k = int(wrong[0]) + 1
        task.fail(
            f"`variance_kept[{k - 1}]` = {kept[k - 1]:.4f} is not the share of the variance that the first {k} "
            f"direction{'s' if k > 1 else ''} of the training digits keep", ratio_hint, more,
        )
    tolerance = 5e-4  # variances with n or n - 1 in the denominator may differ by this much
    if not 1 <= k <= len(share) or share[k - 1] < 0.9 - tolerance:
        task.fail(f"the first {k} directions keep less than 90% of the variance", "look further along variance_kept")
    if k > 1 and share[k - 2] >= 0.9 + tolerance:
        task.fail(
            f"{k - 1} directions already keep 90% of the variance, so {k} is not the smallest",
            "entry k - 1 of variance_kept belongs to k directions: a position is not a count",
        )
    task.passed(
        f"variance_kept agrees with an independent eigendecomposition to 0.001 for every k from 1 to "
        f"{VARIANCE_KEPT_SIZES}, and {k} is the smallest code that keeps 90% of the variance"
    )


@guarded(TASK_02_2)
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
    task.answered(encode, "encode")
    task.answered(decode, "decode")
    library = {name: "write it with NumPy, from W and mu only"
               for name in ("encode", "decode", "reconstruct", "fit_pca")}
    task.refuse_names(encode, "encode", library)
    task.refuse_names(decode, "decode", library)
    h = task.array_from(task.call(encode, "encode", x), "encode(x)", (len(x), CODE_SIZE_02))
    pca = linear.fit_pca(x_train, CODE_SIZE_02)
    if not np.allclose(h, pca.encode(x), atol=1e-4):
        if np.allclose(h, x @ pca.components.T, atol=1e-4):
            task.fail("`encode(x)` projects x without first subtracting the mean digit μ", "h = W (x − μ)")
        if np.allclose(h, (x - x.mean(axis=0)) @ pca.components.T, atol=1e-4):
            task.fail("`encode(x)` subtracts the mean of the images it is given, not the mean digit μ of the "
                      "training digits", "μ is `mu`, fixed when PCA was fitted")
        task.fail("`encode(x)` differs from PCA's code h = W (x − μ)", "W has one direction per row; with one "
                  "image per row, think about which side of the product each goes")
    h = pca.encode(x)
    x_hat = task.array_from(task.call(decode, "decode", h), "decode(h)", x.shape)
    if not np.allclose(x_hat, pca.decode(h), atol=1e-4):
        if np.allclose(x_hat, h @ pca.components, atol=1e-4):
            task.fail("`decode(h)` forgets to add the mean digit μ back", "x̂ = Wᵀ h + μ")
        task.fail("`decode(h)` differs from PCA's reconstruction x̂ = Wᵀ h + μ", "h has shape (n, 32), W (32, 784)")
    error = float(np.mean((x_hat - x) ** 2))
    task.passed(
        f"encode and decode agree with PCA's mapping to 1e-4 on 200 test digits; "
        f"decoding their codes reconstructs them with a mean squared error of {error:.4f}"
    )


@guarded(TASK_02_3)
def check_02_task3(error_ones: object, error_others: object) -> None:
    """Task 3: a PCA mapping (code size 32) fitted to the training 1s only, measured on test digits.

    Args:
        error_ones: its mean squared reconstruction error per pixel on the test 1s.
        error_others: the same on every other test digit.

    Recomputed from an eigendecomposition of the covariance of the training 1s (another method than
    ``linear.fit_pca``), to a relative 1e-3; common slips (the mapping of all digits, errors measured on
    training digits, the two swapped) are recognised to say which it is.
    """
    task = TASK_02_3
    given = (task.number_from(error_ones, "error_ones"), task.number_from(error_others, "error_others"))
    x_train, y_train, x_test, y_test = course_data()
    ones = x_train[y_train == 1]

    def close(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return bool(np.allclose(a, b, rtol=1e-3, atol=0))

    test_sets = (x_test[y_test == 1], x_test[y_test != 1])
    expected = tuple(_reconstruction_error(ones, images) for images in test_sets)
    if close(given, expected):
        ratio = given[1] / given[0]
        task.passed(f"both errors agree with an independent eigendecomposition; the other digits' error is {ratio:.0f} "
                    f"times the 1s'")
        return
    if close(given[::-1], expected):
        task.fail("`error_ones` and `error_others` are swapped", "which of the two test sets holds only 1s?")
    slips = {("all the training digits", "test"): (x_train, test_sets),
             ("the training 1s", "training"): (ones, (ones, x_train[y_train != 1])),
             ("all the training digits", "training"): (x_train, (ones, x_train[y_train != 1]))}
    for (fit, where), (rows, images) in slips.items():
        if close(given, tuple(_reconstruction_error(rows, part) for part in images)):
            task.fail(f"these are the errors of a mapping fitted to {fit}, measured on {where} digits; the task asks "
                      f"for one fitted to the training 1s only, measured on test digits it never saw",
                      "fit on the training 1s, measure on the test 1s and on the other test digits")
    wrong = [name for name, value, right in zip(("error_ones", "error_others"), given, expected)
             if not np.isclose(value, right, rtol=1e-3, atol=0)]
    task.fail(f"`{wrong[0]}` = {given[0 if wrong[0] == 'error_ones' else 1]:.5f} is not the test error of a "
              f"32-number PCA fitted to the training 1s only", "fit once, on the 1s of the training set; then "
              "measure the mean squared error per pixel on each test set", "a select with a boolean mask on the "
              "labels gives the 1s; the error is averaged over pixels and images, not summed")


def _reconstruction_error(train_rows: np.ndarray, images: np.ndarray) -> float:
    """Mean squared error per pixel of the 32-direction PCA of ``train_rows`` (n, 784) on ``images`` (m, 784).

    The directions are the leading eigenvectors of the covariance matrix (``np.linalg.eigh``).
    """
    centre, basis = _principal_basis(train_rows.tobytes(), train_rows.shape, str(train_rows.dtype))
    centred = images.astype(np.float64) - centre
    return float(np.mean((centred - centred @ basis @ basis.T) ** 2))


@functools.lru_cache(maxsize=4)
def _principal_basis(rows: bytes, shape: tuple[int, ...], dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """The mean (784,) and the 32 leading principal directions (784, 32) of the rows, cached per set of rows."""
    array = np.frombuffer(rows, dtype=dtype).reshape(shape).astype(np.float64)
    _, vectors = np.linalg.eigh(np.cov(array, rowvar=False))
    return array.mean(axis=0), vectors[:, ::-1][:, :CODE_SIZE_02]
