"""Self-checks of exercises/02_everything_is_a_mapping.ipynb."""

from __future__ import annotations

import functools

import numpy as np

from helpers import linear
from helpers.checks.task import Task, course_data, guarded
from helpers.messages import Catalog

NB02 = "02_everything_is_a_mapping"
TASK_02_1 = Task(NB02, 1, "What the mapping learned: the mean digit and the principal directions",
                 "映射学到了什么：平均数字与主方向")
TASK_02_2 = Task(NB02, 2, "The simplest encoder and decoder: linear ones, found by PCA",
                 "最简单的编码器和解码器：用 PCA 求出的线性映射")
TASK_02_3 = Task(NB02, 3, 'What "general" means, and where it stops', "“通用”是什么意思，又止于何处")

msg = Catalog(__name__, {
    # Task 1
    "ratio_hint": ("entry k - 1 is a share of the whole: what k directions keep, over what all 784 pixels hold",
                   "第 k - 1 项是占整体的比例：k 个方向保留的方差，除以全部 784 个像素的方差"),
    "ratio_more": ("the first k directions keep the variances along each of them, added up; the whole is the variance "
                   "of each pixel over the training digits, added up over the 784 pixels",
                   "前 k 个方向保留的，是沿其中每个方向的方差之和；整体是每个像素在训练数字上的方差，"
                   "对 784 个像素求和"),
    "decreases": ("`variance_kept` decreases somewhere, but every extra direction keeps more variance",
                  "`variance_kept` 在某处下降了，但每多一个方向都会多保留一些方差"),
    "not_fractions": ("`variance_kept` holds values outside (0, 1], so they are not fractions of the variance",
                      "`variance_kept` 含有 (0, 1] 之外的值，所以它们不是方差的比例"),
    "share_wrong_one": ("`variance_kept[{index}]` = {value:.4f} is not the share of the variance that the first {k} "
                        "direction of the training digits keep",
                        "`variance_kept[{index}]` = {value:.4f} 不是训练数字的前 {k} 个方向所保留的方差比例"),
    "share_wrong_many": ("`variance_kept[{index}]` = {value:.4f} is not the share of the variance that the first {k} "
                         "directions of the training digits keep",
                         "`variance_kept[{index}]` = {value:.4f} 不是训练数字的前 {k} 个方向所保留的方差比例"),
    "below_90": ("the first {k} directions keep less than 90% of the variance", "前 {k} 个方向保留的方差不到 90%"),
    "look_further": ("look further along variance_kept", "在 variance_kept 里再往后找"),
    "not_smallest": ("{fewer} directions already keep 90% of the variance, so {k} is not the smallest",
                     "{fewer} 个方向就已经保留了 90% 的方差，所以 {k} 不是最小的"),
    "position_not_count": ("entry k - 1 of variance_kept belongs to k directions: a position is not a count",
                           "variance_kept 的第 k - 1 项对应 k 个方向：位置不等于个数"),
    "passed_1": ("variance_kept agrees with an independent eigendecomposition to 0.001 for every k from 1 to {sizes}, "
                 "and {k} is the smallest code that keeps 90% of the variance",
                 "对从 1 到 {sizes} 的每个 k，variance_kept 与一次独立的特征分解相差都不超过 0.001；"
                 "{k} 是保留 90% 方差的最小编码"),
    # Task 2
    "numpy_only": ("write it with NumPy, from W and mu only", "用 NumPy 写，只用 W 和 mu"),
    "no_mean_subtracted": ("`encode(x)` projects x without first subtracting the mean digit μ",
                           "`encode(x)` 直接投影 x，没有先减去平均数字 μ"),
    "own_mean": ("`encode(x)` subtracts the mean of the images it is given, not the mean digit μ of the training "
                 "digits", "`encode(x)` 减去的是传给它的图像的均值，而不是训练数字的平均数字 μ"),
    "mu_is_fixed": ("μ is `mu`, fixed when PCA was fitted", "μ 就是 `mu`，拟合 PCA 时就已确定"),
    "encode_differs": ("`encode(x)` differs from PCA's code h = W (x − μ)",
                       "`encode(x)` 与 PCA 的编码 h = W (x − μ) 不同"),
    "which_side": ("W has one direction per row; with one image per row, think about which side of the product each "
                   "goes", "W 的每一行是一个方向；图像也是每行一张，想一想两者各自放在乘积的哪一边"),
    "no_mean_added": ("`decode(h)` forgets to add the mean digit μ back", "`decode(h)` 忘了把平均数字 μ 加回去"),
    "decode_differs": ("`decode(h)` differs from PCA's reconstruction x̂ = Wᵀ h + μ",
                       "`decode(h)` 与 PCA 的重构 x̂ = Wᵀ h + μ 不同"),
    "decode_shapes": ("h has shape (n, 32), W (32, 784)", "h 的形状是 (n, 32)，W 的是 (32, 784)"),
    "passed_2": ("encode and decode agree with PCA's mapping to 1e-4 on 200 test digits; decoding their codes "
                 "reconstructs them with a mean squared error of {error:.4f}",
                 "在 200 个测试数字上，encode 和 decode 与 PCA 的映射相差不超过 1e-4；解码它们的编码，"
                 "重构的均方误差为 {error:.4f}"),
    # Task 3
    "passed_3": ("both errors agree with an independent eigendecomposition; the other digits' error is {ratio:.0f} "
                 "times the 1s'", "两个误差都与一次独立的特征分解一致；其他数字的误差是 1 的 {ratio:.0f} 倍"),
    "swapped": ("`error_ones` and `error_others` are swapped", "`error_ones` 和 `error_others` 弄反了"),
    "which_set": ("which of the two test sets holds only 1s?", "两个测试集中，哪一个只有 1？"),
    "fit_all": ("all the training digits", "全部训练数字上"),
    "fit_ones": ("the training 1s", "训练集的 1 上"),
    "where_test": ("test", "测试"),
    "where_training": ("training", "训练"),
    "slip": ("these are the errors of a mapping fitted to {fit}, measured on {where} digits; the task asks for one "
             "fitted to the training 1s only, measured on test digits it never saw",
             "这是拟合在{fit}、在{where}数字上测得的误差；任务要的映射只拟合在训练集的 1 上，"
             "并在它从未见过的测试数字上测量"),
    "slip_hint": ("fit on the training 1s, measure on the test 1s and on the other test digits",
                  "在训练集的 1 上拟合，在测试集的 1 和其他测试数字上测量"),
    "not_error_of_ones": ("`{name}` = {value:.5f} is not the test error of a 32-number PCA fitted to the training 1s "
                          "only", "`{name}` = {value:.5f} 不是只在训练集的 1 上拟合的 32 维 PCA 的测试误差"),
    "fit_once": ("fit once, on the 1s of the training set; then measure the mean squared error per pixel on each test "
                 "set", "只拟合一次，在训练集的 1 上；然后在每个测试集上测量每像素的均方误差"),
    "fit_once_more": ("a select with a boolean mask on the labels gives the 1s; the error is averaged over pixels and "
                      "images, not summed", "用标签的布尔掩码就能选出 1；误差是对像素和图像取平均，而不是求和"),
})

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
    ratio_hint, more = msg("ratio_hint"), msg("ratio_more")
    if np.any(np.diff(kept) < 0):
        task.fail(msg("decreases"), ratio_hint, more)
    if kept[0] <= 0 or kept[-1] > 1 + 1e-9:
        task.fail(msg("not_fractions"), ratio_hint, more)
    k = task.number_from(k_for_90_percent, "k_for_90_percent", integer=True)
    x_train, _, _, _ = course_data()
    eigenvalues = np.linalg.eigvalsh(np.cov(x_train.astype(np.float64), rowvar=False))[::-1]
    share = np.cumsum(eigenvalues) / eigenvalues.sum()
    wrong = np.flatnonzero(np.abs(kept - share[:VARIANCE_KEPT_SIZES]) > 1e-3)
    if wrong.size:
        k = int(wrong[0]) + 1
        task.fail(msg("share_wrong_many" if k > 1 else "share_wrong_one", index=k - 1, value=kept[k - 1], k=k),
                  ratio_hint, more)
    tolerance = 5e-4  # variances with n or n - 1 in the denominator may differ by this much
    if not 1 <= k <= len(share) or share[k - 1] < 0.9 - tolerance:
        task.fail(msg("below_90", k=k), msg("look_further"))
    if k > 1 and share[k - 2] >= 0.9 + tolerance:
        task.fail(msg("not_smallest", fewer=k - 1, k=k), msg("position_not_count"))
    task.passed(msg("passed_1", sizes=VARIANCE_KEPT_SIZES, k=k))


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
    library = {name: msg("numpy_only") for name in ("encode", "decode", "reconstruct", "fit_pca")}
    task.refuse_names(encode, "encode", library)
    task.refuse_names(decode, "decode", library)
    h = task.array_from(task.call(encode, "encode", x), "encode(x)", (len(x), CODE_SIZE_02))
    pca = linear.fit_pca(x_train, CODE_SIZE_02)
    if not np.allclose(h, pca.encode(x), atol=1e-4):
        if np.allclose(h, x @ pca.components.T, atol=1e-4):
            task.fail(msg("no_mean_subtracted"), "h = W (x − μ)")
        if np.allclose(h, (x - x.mean(axis=0)) @ pca.components.T, atol=1e-4):
            task.fail(msg("own_mean"), msg("mu_is_fixed"))
        task.fail(msg("encode_differs"), msg("which_side"))
    h = pca.encode(x)
    x_hat = task.array_from(task.call(decode, "decode", h), "decode(h)", x.shape)
    if not np.allclose(x_hat, pca.decode(h), atol=1e-4):
        if np.allclose(x_hat, h @ pca.components, atol=1e-4):
            task.fail(msg("no_mean_added"), "x̂ = Wᵀ h + μ")
        task.fail(msg("decode_differs"), msg("decode_shapes"))
    error = float(np.mean((x_hat - x) ** 2))
    task.passed(msg("passed_2", error=error))


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
        task.passed(msg("passed_3", ratio=ratio))
        return
    if close(given[::-1], expected):
        task.fail(msg("swapped"), msg("which_set"))
    slips = {("fit_all", "where_test"): (x_train, test_sets),
             ("fit_ones", "where_training"): (ones, (ones, x_train[y_train != 1])),
             ("fit_all", "where_training"): (x_train, (ones, x_train[y_train != 1]))}
    for (fit, where), (rows, images) in slips.items():
        if close(given, tuple(_reconstruction_error(rows, part) for part in images)):
            task.fail(msg("slip", fit=msg(fit), where=msg(where)), msg("slip_hint"))
    wrong = [name for name, value, right in zip(("error_ones", "error_others"), given, expected)
             if not np.isclose(value, right, rtol=1e-3, atol=0)]
    task.fail(msg("not_error_of_ones", name=wrong[0], value=given[0 if wrong[0] == "error_ones" else 1]),
              msg("fit_once"), msg("fit_once_more"))


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
