"""Self-checks of exercises/08_better_pretraining.ipynb."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.checks.task import Task, guarded, mode_in_words
from helpers.messages import Catalog

NB08 = "08_better_pretraining"
TASK_08_1 = Task(NB08, 1, "Four objectives, one shape", "四个目标，同一种形式")
TASK_08_2 = Task(NB08, 2, "Four objectives, one shape", "四个目标，同一种形式")
TASK_08_3 = Task(NB08, 3, "Every objective on the complete MNIST (the recorded run)",
                 "完整 MNIST 上的所有目标（记录的运行）")
TASK_08_4 = Task(NB08, 4, "Fine-tuning the checkpoints with 10 labels per class", "用每类 10 个标签微调检查点")

msg = Catalog(__name__, {
    # Task 1
    "case_projections": ("{n} pairs of {d}-number projections, temperature {temperature}",
                         "{n} 对 {d} 维投影，温度 {temperature}"),
    "no_temperature": ("the temperature is left out", "漏掉了温度"),
    "no_temperature_hint": ("the similarities are cosines divided by the temperature", "相似度是余弦除以温度"),
    "times_temperature": ("the cosines are multiplied by the temperature", "余弦乘以了温度"),
    "times_temperature_hint": ("divide by it: a small temperature must make the similarities larger, and the softmax "
                               "sharper", "应当除以温度：温度小，相似度就应当更大，softmax 也更尖锐"),
    "not_normalised": ("the projections are not normalised: these are dot products, not cosines",
                       "投影没有归一化：这些是点积，不是余弦"),
    "not_normalised_hint": ("divide each of the 2n rows by its length before the similarities",
                            "计算相似度之前，把 2n 行中的每一行除以它的长度"),
    "keeps_self": ("each view counts itself among the candidates", "每个视图把自己也算进了候选"),
    "keeps_self_hint": ("a view's similarity to itself (the diagonal) must be left out of its softmax, e.g. set to "
                        "-inf", "视图与自身的相似度（对角线）必须排除在它的 softmax 之外，例如设为 -inf"),
    "keeps_self_more": ("only the other 2n - 1 views compete: its partner and the 2n - 2 negatives",
                        "只有另外 2n - 1 个视图参与竞争：它的配对视图和 2n - 2 个负样本"),
    "drops_partner": ("the partner is left out of the softmax's denominator", "配对视图被排除在了 softmax 的分母之外"),
    "drops_partner_hint": ("the loss is a cross-entropy: the denominator sums over every other view, the partner "
                           "included", "这个损失是交叉熵：分母对其他所有视图求和，配对视图也包括在内"),
    "first_view_only": ("only the n views of `first` pick their partner", "只有 `first` 的 n 个视图在挑选配对视图"),
    "first_view_only_hint": ("each of the 2n views picks its partner, those of `second` too: average over all 2n",
                             "2n 个视图中的每一个都要挑选它的配对视图，`second` 的也一样：对全部 2n 个取平均"),
    "sum_not_mean": ("this is the sum over the 2n views, not their mean", "这是对 2n 个视图求和，而不是取平均"),
    "sum_not_mean_hint": ("average the 2n cross-entropies", "对 2n 个交叉熵取平均"),
    "numpy_softmax": ("write the softmax and the cross-entropy yourself, with NumPy",
                      "用 NumPy 自己写 softmax 和交叉熵"),
    "on_case_call": ("nt_xent_by_hand(...) on {case}", "nt_xent_by_hand(...) 在「{case}」上的结果"),
    "on_case": ("on {case}, {problem}", "情形「{case}」：{problem}"),
    "differs": ("on {case}, `nt_xent_by_hand` gives {value:.5f}, which differs from the course's NT-Xent",
                "情形「{case}」：`nt_xent_by_hand` 给出 {value:.5f}，与课程的 NT-Xent 不同"),
    "recipe": ("normalise the 2n rows, divide the cosines by the temperature, leave each view's own similarity out, "
               "and take the cross-entropy of its partner (row i of first pairs with row i of second)",
               "把 2n 行归一化，余弦除以温度，排除每个视图与自身的相似度，再取其配对视图的交叉熵（first 的第 i 行与 "
               "second 的第 i 行配对）"),
    "partner_rows": ("the partner of row i is row i + n, and that of row i + n is row i, in the stacked (2n, d) array",
                     "在堆叠起来的 (2n, d) 数组中，第 i 行的配对是第 i + n 行，第 i + n 行的配对是第 i 行"),
    "passed_1": ("nt_xent_by_hand equals the course's NT-Xent (helpers.objectives.nt_xent) on 3 cases, rows of "
                 "unequal lengths, temperatures 0.5, 0.1 and 2",
                 "nt_xent_by_hand 在 3 个情形（行的长度不等，温度 0.5、0.1 和 2）上都等于课程的 "
                 "NT-Xent（helpers.objectives.nt_xent）"),
    # Task 2
    "not_binary": ("{call} holds values other than 0 and 1", "{call} 含有 0 和 1 以外的值"),
    "one_is_hidden": ("the mask is 1 where a pixel is hidden, 0 elsewhere", "掩码在被遮住的像素处为 1，其他地方为 0"),
    "not_squares": ("{call} is not made of whole {patch} × {patch} squares on the image's grid",
                    "{call} 不是由图像网格上完整的 {patch} × {patch} 方块组成的"),
    "grid_first": ("draw the mask on the grid of patches, (n, 28 // patch, 28 // patch), then give every pixel of a "
                   "patch its patch's value",
                   "先在小块的网格 (n, 28 // patch, 28 // patch) 上画出掩码，再让每个小块中的所有像素取该小块的值"),
    "grid_more": ("np.repeat along the grid's rows, then along its columns; reshaping an (n, patches) grid straight "
                  "to 784 pixels makes strips of rows, not squares",
                  "先沿网格的行、再沿网格的列使用 np.repeat；把 (n, patches) 的网格直接变形成 784 个像素，得到的是横"
                  "条，而不是方块"),
    "numpy_mask": ("write the mask yourself with NumPy's generator", "用 NumPy 的生成器自己写掩码"),
    "marks_visible": ("{call} marks the visible patches with 1", "{call} 用 1 标记了可见的小块"),
    "one_marks_hidden": ("1 marks what is hidden, what the network must reconstruct",
                         "1 标记的是被遮住的部分，也就是网络必须重构的部分"),
    "random_count": ("the images of {call} hide from {low:.0f} to {high:.0f} of their {patches} patches; each must "
                     "hide exactly max(1, round(ratio × patches))",
                     "{call} 的各张图像在 {patches} 个小块中遮住了 {low:.0f} 到 {high:.0f} 个不等；每张都必须恰好遮"
                     "住 max(1, round(ratio × patches)) 个"),
    "probability_ratio": ("hiding each patch with probability `ratio` gives a random number of them",
                          "以概率 `ratio` 遮住每个小块，遮住的个数就是随机的"),
    "lowest_scores": ("draw a random score per patch and hide the patches of the k lowest scores (argsort), k the "
                      "same for every image",
                      "给每个小块抽一个随机分数，遮住分数最低的 k 个（argsort），每张图像的 k 都相同"),
    "wrong_count": ("each image of {call} hides {hidden:.0f} of its {patches} patches, not max(1, round(ratio × "
                    "patches))",
                    "{call} 的每张图像在 {patches} 个小块中遮住了 {hidden:.0f} 个，而不是 max(1, round(ratio × "
                    "patches)) 个"),
    "round_at_least_one": ("round to the nearest whole number of patches, and hide at least one",
                           "四舍五入到最接近的整数个小块，并且至少遮住一个"),
    "same_mask": ("every image of {call} gets the same mask", "{call} 的每张图像得到的掩码都一样"),
    "each_image": ("draw each image's patches separately", "为每张图像分别抽取小块"),
    "seed_3_differs": ("two calls with seed 3 gave different masks", "用种子 3 调用两次，得到了不同的掩码"),
    "one_generator": ("make one generator from the seed, np.random.default_rng(seed), and draw everything from it",
                      "用种子创建一个生成器 np.random.default_rng(seed)，所有随机抽取都来自它"),
    "seeds_same": ("seeds 3 and 4 give the same masks", "种子 3 和 4 给出的掩码相同"),
    "seed_argument": ("make the generator from the seed argument", "用参数 seed 创建生成器"),
    "uneven": ("with ratio 0.5, patch {patch} (row {row}, column {column} of the 4 × 4 grid) is hidden in {share:.0f} "
               "% of {images:,} images: some patches are hidden far more often than others",
               "ratio 为 0.5 时，小块 {patch}（4 × 4 网格的第 {row} 行、第 {column} 列）在 {images:,} 张图像中"
               "有 {share:.0f} % 被遮住：有些小块被遮住的次数远多于其他小块"),
    "equally_likely": ("every patch must be as likely to be hidden as any other", "每个小块被遮住的可能性都必须相同"),
    "passed_2": ("patch_mask_by_hand hides exactly max(1, round(ratio × patches)) whole square patches per image "
                 "(patches of 4, 7 and 14 pixels, ratios 0.02 to 0.75), a different draw in every image, every patch "
                 "as often as the others, and the same masks for the same seed",
                 "patch_mask_by_hand 在每张图像中恰好遮住 max(1, round(ratio × patches)) 个完整的方形小块（小块边长 "
                 "4、7 和 14 像素，ratio 从 0.02 到 0.75），每张图像各自抽取，每个小块被遮住的频率相同，同一种子给出"
                 "同样的掩码"),
    # Task 3
    "not_dict_keys": ("`frozen_probe_val` should be a dict with the keys {expected}, got the keys {keys}",
                      "`frozen_probe_val` 应当是以 {expected} 为键的字典，却得到了键 {keys}"),
    "not_dict": ("`frozen_probe_val` should be a dict with the keys {expected}, got {got}",
                 "`frozen_probe_val` 应当是以 {expected} 为键的字典，却得到了 {got}"),
    "one_per_checkpoint": ("one entry per checkpoint, keyed by its name in checkpoints.NAMES (the record's recipes "
                           "are '<name> checkpoint')",
                           "每个检查点一项，键是它在 checkpoints.NAMES 中的名字（记录中的 recipe 是 '<name> "
                           "checkpoint'）"),
    "fraction": ("a fraction, not a percentage", "这是比例，而不是百分数"),
    "times_100": ("multiply the record's accuracies by 100", "把记录中的准确率乘以 100"),
    "test_accuracy": ("the mean *test* accuracy", "这是*测试*准确率的均值"),
    "validation_split": ("choices are made on the validation split: average the rows' val_accuracy",
                         "选择要在验证集上做：对这些行的 val_accuracy 取平均"),
    "fine_tuned_mean": ("the fine-tuned regime's mean", "这是微调方式的均值"),
    "regime_frozen": ("the frozen probe's rows have regime 'frozen'", "冻结探针的行，其 regime 是 'frozen'"),
    "every_budget": ("the mean over every label budget", "这是所有标签预算上的均值"),
    "keep_budget": ("keep the rows with labels_per_class == {budget}", "只保留 labels_per_class == {budget} 的行"),
    "mistaken": ("`frozen_probe_val[{name!r}]` is {value:.2f}: {problem}",
                 "`frozen_probe_val[{name!r}]` 是 {value:.2f}：{problem}"),
    "not_recorded_mean": ("`frozen_probe_val[{name!r}]` is {value:.2f}, not the mean validation accuracy of the "
                          "recorded frozen probes at {budget} labels per class",
                          "`frozen_probe_val[{name!r}]` 是 {value:.2f}，不是每类 {budget} 个标签时所记录的冻结探针的"
                          "平均验证准确率"),
    "which_rows": ("keep the rows of recipe '{name} checkpoint', regime 'frozen' and labels_per_class {budget}, and "
                   "average 100 × val_accuracy",
                   "保留 recipe 为 '{name} checkpoint'、regime 为 'frozen'、labels_per_class 为 {budget} 的行，再对 "
                   "100 × val_accuracy 取平均"),
    "not_a_name": ("`best_for_probe` should be one of {names}, got {got!r}",
                   "`best_for_probe` 应当是 {names} 之一，却得到了 {got!r}"),
    "higher_probe": ("the name of the checkpoint whose probe scored higher", "探针得分更高的那个检查点的名字"),
    "lower_one": ("`best_for_probe` is {got!r}, whose recorded probe is the lower of the two",
                  "`best_for_probe` 是 {got!r}，而它记录的探针得分是两者中较低的"),
    "larger_value": ("take the name with the larger value of frozen_probe_val",
                     "取 frozen_probe_val 中值较大的那个名字"),
    "passed_3": ("at {budget} labels per class the recorded frozen probe of the {best} checkpoint "
                 "reaches {best_value:.1f} % on the validation split, against {other_value:.1f} % for the {other} one "
                 "(means over {runs} runs each)",
                 "每类 {budget} 个标签时，{best} 检查点记录的冻结探针在验证集上达到 {best_value:.1f} %，而 {other} 检"
                 "查点为 {other_value:.1f} %（各为 {runs} 次运行的均值）"),
    # Task 4
    "no_convolutions": ("`{name}` does not hold the checkpoint's three convolutions",
                        "`{name}` 中没有检查点的三个卷积层"),
    "load_first": ("put the loaded encoder, checkpoints.load('contrastive'), first in the model",
                   "把加载的编码器 checkpoints.load('contrastive') 放在模型的最前面"),
    "masked_checkpoint": ("`{name}` was built on the masked checkpoint", "`{name}` 是在掩码检查点上搭建的"),
    "contrastive_one": ("the task fine-tunes the contrastive one", "任务要微调的是对比检查点"),
    "no_trace": ("`{name}`'s convolutions bear no trace of the contrastive checkpoint: they started from other weights",
                 "`{name}` 的卷积没有对比检查点的痕迹：它们是从别的权重开始训练的"),
    "start_from_checkpoint": ("start from checkpoints.load('contrastive') itself, not from its architecture "
                              "(keras.models.clone_model copies no weights)",
                              "从 checkpoints.load('contrastive') 本身出发，而不是只用它的结构"
                              "（keras.models.clone_model 不复制权重）"),
    "still_checkpoint": ("`{name}`'s convolutions are still the checkpoint's (they moved by {change:.1e} per weight "
                         "on average): only the head was trained, which is the frozen probe",
                         "`{name}` 的卷积仍是检查点的（平均每个权重只移动了 {change:.1e}）：只训练了输出头，那就是冻"
                         "结探针"),
    "train_every_weight": ("after the probe, train every weight at the schedule's small fine-tuning learning rate",
                           "训练完探针之后，用训练计划中较小的微调学习率训练所有权重"),
    "too_high": ("`{name}` classifies {val:.1f} % of the validation images correctly, more than 100 labels can give "
                 "(at most about {ceiling:.0f} %): it was trained on more labels, or on the validation images",
                 "`{name}` 正确分类了 {val:.1f} % 的验证图像，超过了 100 个标签所能达到的水平（最多约 {ceiling:.0f} "
                 "%）：它用了更多的标签训练，或者在验证图像上训练过"),
    "validation_for_choosing": ("train on x_few, y_few only; the validation split is for choosing",
                                "只在 x_few, y_few 上训练；验证集是用来做选择的"),
    "not_fitted": ("`{name}` classifies only {fit:.0f} % of the 100 labelled digits it should have been trained on",
                   "`{name}` 在它本应用来训练的 100 个有标签数字上只正确分类了 {fit:.0f} %"),
    "train_on_few": ("train it on x_few, y_few (data.labelled(10, 0)), with the schedule's steps",
                     "在 x_few, y_few（data.labelled(10, 0)）上按训练计划的步数训练它"),
    "too_low": ("`{name}` classifies {val:.1f} % of the validation images correctly; fine-tuned as the task asks it "
                "reaches {target:.0f} % in {mode} mode",
                "`{name}` 正确分类了 {val:.1f} % 的验证图像；按任务要求微调，它在{mode}模式下能达到 {target:.0f} %"),
    "probe_first": ("train the head on the frozen, standardised codes first, then every weight at the small learning "
                    "rate", "先在冻结、标准化的编码上训练输出头，再用小学习率训练所有权重"),
    "random_head": ("a random head trained together with the encoder sends large, meaningless gradients into it",
                    "随机初始化的输出头与编码器一起训练时，会把又大又无意义的梯度传进编码器"),
    "passed_4": ("the model started from the contrastive checkpoint (its convolutions correlate at {trace:.3f} with "
                 "the checkpoint's) and moved from it ({change:.4f} per weight on average); it fits its 100 digits "
                 "({fit:.0f} %) and classifies {val:.1f} % of the {count:,} validation images correctly (at "
                 "least {target:.0f} %)",
                 "模型从对比检查点出发（其卷积与检查点的相关系数为 {trace:.3f}），并且发生了移动（平均每个权"
                 "重 {change:.4f}）；它拟合了它的 100 个数字（{fit:.0f} %），并正确分类了 {count:,} 张验证图像中"
                 "的 {val:.1f} %（至少 {target:.0f} %）"),
})

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
        cases.append((msg("case_projections", n=n, d=d, temperature=temperature), first, second, temperature))
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
        (loss(unit, 1.0), msg("no_temperature"), msg("no_temperature_hint")),
        (loss(unit, 1.0 / temperature), msg("times_temperature"), msg("times_temperature_hint")),
        (loss(raw, temperature), msg("not_normalised"), msg("not_normalised_hint")),
        (loss(unit, temperature, keep_self=True), msg("keeps_self"), msg("keeps_self_hint"), msg("keeps_self_more")),
        (loss(unit, temperature, drop_partner=True), msg("drops_partner"), msg("drops_partner_hint")),
        (loss(unit, temperature, reduce="first view"), msg("first_view_only"), msg("first_view_only_hint")),
        (loss(unit, temperature, reduce="sum"), msg("sum_not_mean"), msg("sum_not_mean_hint")),
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
        name: msg("numpy_softmax")
        for name in ("nt_xent", "sparse_categorical_crossentropy", "categorical_crossentropy")})
    for case, first, second, temperature in _projection_cases():
        expected = _nt_xent_course(first, second, temperature)
        value = task.number_from(task.call(nt_xent_by_hand, "nt_xent_by_hand", first.copy(), second.copy(),
                                           temperature), msg("on_case_call", case=case))
        if np.isclose(value, expected, rtol=NT_XENT_RTOL_08, atol=1e-6):
            continue
        for mistaken, problem, hint, *more in _nt_xent_mistakes(first, second, temperature):
            if (np.isclose(value, mistaken, rtol=NT_XENT_RTOL_08, atol=1e-6)
                    and not np.isclose(mistaken, expected, rtol=NT_XENT_RTOL_08, atol=1e-6)):
                task.fail(msg("on_case", case=case, problem=problem), hint, *more)
        task.fail(msg("differs", case=case, value=value), msg("recipe"), msg("partner_rows"))
    task.passed(msg("passed_1"))


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
        task.fail(msg("not_binary", call=call), msg("one_is_hidden"))
    side = 28 // patch
    blocks = mask.reshape(n, side, patch, side, patch)
    if np.any(blocks.min(axis=(2, 4)) != blocks.max(axis=(2, 4))):
        task.fail(msg("not_squares", call=call, patch=patch), msg("grid_first"), msg("grid_more"))
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
                      {"patch_mask": msg("numpy_mask")})
    for n, patch, ratio in MASK_CASES_08:
        grid = _mask_from(task, patch_mask_by_hand, n, patch, ratio, 0).reshape(n, -1)
        patches, hidden, expected = grid.shape[1], grid.sum(axis=1), _hidden_patches(patch, ratio)
        call = f"patch_mask_by_hand({n}, {patch}, {ratio}, 0)"
        if np.all(hidden == patches - expected) and patches != 2 * expected:
            task.fail(msg("marks_visible", call=call), msg("one_marks_hidden"))
        if len(set(hidden)) > 1:
            task.fail(msg("random_count", call=call, low=hidden.min(), high=hidden.max(), patches=patches),
                      msg("probability_ratio"), msg("lowest_scores"))
        if hidden[0] != expected:
            task.fail(msg("wrong_count", call=call, hidden=hidden[0], patches=patches), msg("round_at_least_one"))
        if len(np.unique(grid, axis=0)) == 1:
            task.fail(msg("same_mask", call=call), msg("each_image"))
    again = [_mask_from(task, patch_mask_by_hand, 16, 7, 0.5, seed) for seed in (3, 3, 4)]
    if not np.array_equal(again[0], again[1]):
        task.fail(msg("seed_3_differs"), msg("one_generator"))
    if np.array_equal(again[0], again[2]):
        task.fail(msg("seeds_same"), msg("seed_argument"))
    n = PLACEMENT_IMAGES_08
    share = _mask_from(task, patch_mask_by_hand, n, 7, 0.5, 1).reshape(n, -1).mean(axis=0)
    worst = int(np.argmax(np.abs(share - 0.5)))
    if abs(share[worst] - 0.5) > PLACEMENT_TOLERANCE_08:
        task.fail(msg("uneven", patch=worst, row=worst // 4, column=worst % 4, share=100 * share[worst], images=n),
                  msg("equally_likely"))
    task.passed(msg("passed_2"))


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
        problem = (msg("not_dict_keys", expected=sorted(expected), keys=keys) if keys is not None
                   else msg("not_dict", expected=sorted(expected), got=type(frozen_probe_val).__name__))
        task.fail(problem, msg("one_per_checkpoint"))
    for name, reference in expected.items():
        value = task.number_from(frozen_probe_val[name], f"frozen_probe_val[{name!r}]")
        if np.isclose(value, reference, atol=1e-6):
            continue
        mistakes = [
            (reference / 100, msg("fraction"), msg("times_100")),
            (_record_means(rows, name, "frozen", "accuracy", PROBE_BUDGET_08), msg("test_accuracy"),
             msg("validation_split")),
            (_record_means(rows, name, "fine-tuned", "val_accuracy", PROBE_BUDGET_08), msg("fine_tuned_mean"),
             msg("regime_frozen")),
            (_record_means(rows, name, "frozen", "val_accuracy", None), msg("every_budget"),
             msg("keep_budget", budget=PROBE_BUDGET_08)),
        ]
        for mistaken, problem, hint in mistakes:
            if mistaken is not None and np.isclose(value, mistaken, atol=1e-6):
                task.fail(msg("mistaken", name=name, value=value, problem=problem), hint)
        task.fail(msg("not_recorded_mean", name=name, value=value, budget=PROBE_BUDGET_08),
                  msg("which_rows", name=name, budget=PROBE_BUDGET_08))
    best = max(expected, key=expected.get)
    task.answered(best_for_probe, "best_for_probe")
    if best_for_probe not in expected:
        task.fail(msg("not_a_name", names=sorted(expected), got=best_for_probe), msg("higher_probe"))
    if best_for_probe != best:
        task.fail(msg("lower_one", got=best_for_probe), msg("larger_value"))
    other = next(name for name in expected if name != best)
    task.passed(msg("passed_3", budget=PROBE_BUDGET_08, best=best, best_value=expected[best],
                    other_value=expected[other], other=other,
                    runs=summary[f"{best} checkpoint", "frozen", PROBE_BUDGET_08]["n"]))


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
    from helpers import checkpoints, models, splits

    task = TASK_08_4
    name = "fine_tuned_classifier"
    task.classifier_from(fine_tuned_classifier, name)
    reference = {checkpoint: _kernels(checkpoints.load(checkpoint)) for checkpoint in checkpoints.NAMES}
    kernels = _kernels(fine_tuned_classifier)
    if kernels.shape != reference["contrastive"].shape:
        task.fail(msg("no_convolutions", name=name), msg("load_first"))
    trace = {checkpoint: float(np.corrcoef(kernels, kernel)[0, 1]) for checkpoint, kernel in reference.items()}
    if trace["contrastive"] < MIN_TRACE_08:
        if trace["masked"] >= MIN_TRACE_08:
            task.fail(msg("masked_checkpoint", name=name), msg("contrastive_one"))
        task.fail(msg("no_trace", name=name), msg("start_from_checkpoint"))
    change = float(np.mean(np.abs(kernels - reference["contrastive"])))
    if change < MIN_CHANGE_08:
        task.fail(msg("still_checkpoint", name=name, change=change), msg("train_every_weight"))
    data = splits.course_splits(verbose=False)
    x_few, y_few = data.labelled(10, 0)
    fit = models.accuracy(fine_tuned_classifier, x_few, y_few)
    val = models.accuracy(fine_tuned_classifier, data.x_val, data.y_val)
    if val > FINE_TUNED_CEILING_08:
        task.fail(msg("too_high", name=name, val=100 * val, ceiling=100 * FINE_TUNED_CEILING_08),
                  msg("validation_for_choosing"))
    if fit < FINE_TUNED_FIT_08:
        task.fail(msg("not_fitted", name=name, fit=100 * fit), msg("train_on_few"))
    if val < FINE_TUNED_VAL_08:
        task.fail(msg("too_low", name=name, val=100 * val, target=100 * FINE_TUNED_VAL_08, mode=mode_in_words()),
                  msg("probe_first"), msg("random_head"))
    task.passed(msg("passed_4", trace=trace["contrastive"], change=change, fit=100 * fit, val=100 * val,
                    count=len(data.y_val), target=100 * FINE_TUNED_VAL_08))
