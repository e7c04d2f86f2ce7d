"""Self-checks of exercises/05_fine_tuning.ipynb."""

from __future__ import annotations

import numpy as np

from helpers import data
from helpers.checks.task import Task, course_data, guarded, mode_in_words
from helpers.messages import Catalog

NB05 = "05_fine_tuning"
TASK_05_1 = Task(NB05, 1, "One labelled subset, three regimes", "一个有标签子集，三种方式")
TASK_05_2 = Task(NB05, 2, "The claim, tested", "检验这一论断")
TASK_05_3 = Task(NB05, 3, "Three ways to adapt a pretrained encoder", "适配预训练编码器的三种方式")
TASK_05_4 = Task(NB05, 4, "Two ways to get it wrong", "两种错误做法")

msg = Catalog(__name__, {
    # Task 1
    "not_two_arrays": ("`draw_labelled` should return two arrays, (x_subset, y_subset)",
                       "`draw_labelled` 应当返回两个数组 (x_subset, y_subset)"),
    "end_with_index": ("end with `return x[index], y[index]`", "最后写 `return x[index], y[index]`"),
    "subset_shapes": ("`draw_labelled` returned arrays of shapes {x_shape} and {y_shape}; for x of shape {shape} they "
                      "should be (m, {width}) and (m,)",
                      "`draw_labelled` 返回的数组形状是 {x_shape} 和 {y_shape}；对形状为 {shape} 的 x，它们应为 "
                      "(m, {width}) 和 (m,)"),
    "same_index": ("index x and y with the same index array", "用同一个索引数组去索引 x 和 y"),
    "class_count": ("with n_per_class={n} the subset holds {drawn} examples of class {label} (which has {count})",
                    "n_per_class={n} 时，子集中有 {drawn} 个类别 {label} 的样本（该类共有 {count} 个）"),
    "each_class": ("draw n examples from each class separately, whatever the classes are",
                   "不管有哪些类别，都从每个类别中分别抽取 n 个样本"),
    "each_class_more": ("np.unique(y) lists the classes, np.flatnonzero(y == c) the examples of class c",
                        "np.unique(y) 列出各个类别，np.flatnonzero(y == c) 给出类别 c 的样本"),
    "rows_not_of_x": ("`x_subset` holds rows that are not rows of x", "`x_subset` 中有些行不是 x 的行"),
    "return_rows": ("return x[index] itself, unchanged", "原样返回 x[index] 本身"),
    "not_aligned": ("some x_subset[i] is not the example whose label is y_subset[i]: x and y were drawn or shuffled "
                    "separately",
                    "有的 x_subset[i] 并不是标签为 y_subset[i] 的那个样本：x 和 y 是分开抽取或分开打乱的"),
    "one_index": ("draw one index array and use it for both: x[index], y[index]",
                  "只抽一个索引数组，两者共用：x[index], y[index]"),
    "repeats": ("the same example appears more than once in the subset", "同一个样本在子集中出现了不止一次"),
    "without_replacement": ("draw without replacement", "不放回地抽取"),
    "choice_replaces": ("the generator's choice draws with replacement unless told otherwise",
                        "生成器的 choice 默认是有放回抽取，除非另行指定"),
    "numpy_generator": ("write the draw yourself with NumPy's generator", "用 NumPy 的生成器自己写抽取"),
    "same_seed_differs": ("two calls with the same seed gave different subsets",
                          "用同一个种子调用两次，得到了不同的子集"),
    "one_generator": ("make one generator from the seed and draw everything from it",
                      "用种子创建一个生成器，所有随机抽取都来自它"),
    "first_n": ("the subset is always the first n examples of each class", "子集总是每个类别的前 n 个样本"),
    "at_random": ("draw them at random, from the generator made from the seed", "用由种子创建的生成器随机抽取它们"),
    "evenly_spaced": ("within each class the subset is a block of consecutive examples (or evenly spaced ones), not a "
                      "random draw", "在每个类别内，子集是一段连续的样本（或等间隔的样本），而不是随机抽取的"),
    "not_from_start": ("draw the examples of each class at random, not from a starting point on",
                       "随机抽取每个类别的样本，而不是从某个起点往后取"),
    "seeds_same": ("seeds 0, 1 and 2 give the same subset", "种子 0、1 和 2 给出的子集相同"),
    "seed_argument": ("make the generator from the seed argument", "用参数 seed 创建生成器"),
    "passed_1": ("draw_labelled gives exactly n examples of every class, without repeats, x and y aligned, the same "
                 "subset for the same seed and another for another seed; on the course's {labels:,} training labels "
                 "it draws {per_class} of each of the 10 digits",
                 "draw_labelled 从每个类别恰好抽取 n 个样本，没有重复，x 与 y 对齐，同一种子得到同一子集，不同种子得"
                 "到不同子集；在课程的 {labels:,} 个训练标签上，它从 10 个数字中各抽取 {per_class} 个"),
    # Task 2: the cases, the mistakes, and the messages
    "case_gain": ("a clear gain on 5 subsets", "5 个子集上的明显增益"),
    "case_noise": ("a positive mean gain within the noise on 5 subsets", "5 个子集上处于噪声之内的正平均增益"),
    "case_loss": ("a clear loss on 5 subsets", "5 个子集上的明显下降"),
    "case_8": ("8 subsets", "8 个子集"),
    "case_2": ("2 subsets", "2 个子集"),
    "case_lists": ("8 subsets given as lists", "以列表给出的 8 个子集"),
    "rule_of_thumb": ("the interval is gain ± the larger of the two arms' standard deviations, a rule of thumb, not a "
                      "confidence interval", "这个区间是 gain ± 两组中较大的标准差，这是经验法则，不是置信区间"),
    "rule_of_thumb_hint": ("a 95 % interval for the mean gain is gain ± t · s / √n, with s the standard deviation of "
                           "the paired differences: it narrows as subsets are added, while the spread of the "
                           "accuracies does not",
                           "平均增益的 95 % 区间是 gain ± t · s / √n，其中 s 是配对差值的标准差：子集越多，它越窄，而"
                           "准确率本身的离散程度并不会变小"),
    "normal": ("the interval uses the normal 1.96 instead of Student's t",
               "这个区间用的是正态分布的 1.96，而不是 Student t 分布"),
    "normal_hint": ("s is estimated from the same few differences, so the multiplier is the 97.5 % point of t with n "
                    "− 1 degrees of freedom (2.776 for 5 subsets), wider than the normal 1.96",
                    "s 是从同样这几个差值估计出来的，所以乘数是自由度为 n − 1 的 t 分布的 97.5 % 分位点（5 个子集时"
                    "为 2.776），比正态的 1.96 更宽"),
    "ddof0": ("the standard deviation of the differences divides by n (ddof=0)", "差值的标准差除的是 n（ddof=0）"),
    "ddof0_hint": ("the sample standard deviation divides by n − 1 (ddof=1): measured around their own mean, n "
                   "differences look less spread than they are",
                   "样本标准差除以 n − 1（ddof=1）：围绕它们自己的均值来量，n 个差值看起来比实际更集中"),
    "unpaired": ("the interval treats the two arms as independent samples (their variances added), not as pairs",
                 "这个区间把两组当作独立样本（方差相加），而不是配对"),
    "unpaired_hint": ("both arms were trained on the same labelled subsets: take the differences subset by subset "
                      "first and build the interval from their standard deviation, so that what a subset does to both "
                      "arms cancels",
                      "两组是在同样的有标签子集上训练的：先逐个子集求差，再用差值的标准差构造区间，这样一个子集对两组"
                      "的共同影响就抵消了"),
    "ninety": ("this is a 90 % interval: the 95 % point of t leaves 5 % in each tail",
               "这是 90 % 区间：t 的 95 % 分位点在两侧尾部各留下 5 %"),
    "ninety_hint": ("a two-sided 95 % interval leaves 2.5 % in each tail, so it takes the 97.5 % point of t",
                    "双侧 95 % 区间在两侧尾部各留 2.5 %，所以要用 t 的 97.5 % 分位点"),
    "n_degrees": ("t has n degrees of freedom; the interval of the mean of n differences uses n − 1",
                  "t 用了 n 个自由度；n 个差值的均值的区间用的是 n − 1"),
    "n_degrees_hint": ("one degree of freedom goes to the mean that the standard deviation is measured from",
                       "有一个自由度用在了均值上，标准差正是围绕这个均值测量的"),
    "no_sqrt_n": ("the interval is gain ± t · s, the range of single differences, not of their mean",
                  "这个区间是 gain ± t · s，这是单个差值的范围，而不是它们均值的范围"),
    "no_sqrt_n_hint": ("the mean of n differences varies √n times less than one difference: divide by √n",
                       "n 个差值的均值，波动只有单个差值的 √n 分之一：要除以 √n"),
    "fixed_t": ("t is the value for 5 subsets (4 degrees of freedom), used on {n} subsets",
                "t 用的是 5 个子集（4 个自由度）时的值，却用在了 {n} 个子集上"),
    "fixed_t_hint": ("t depends on the number of subsets: compute the 97.5 % point of t with n − 1 degrees of freedom "
                     "for the n of each call",
                     "t 取决于子集个数：每次调用都要按该次的 n，计算自由度为 n − 1 的 t 的 97.5 % 分位点"),
    "part_is_none": ("for {case}, `{name}` is None", "情形「{case}」：`{name}` 是 None"),
    "return_four": ("return four values: (gain, low, high, helps)", "返回四个值：(gain, low, high, helps)"),
    "part_not_number": ("for {case}, `{name}` should be a single number, got {got}",
                        "情形「{case}」：`{name}` 应当是一个数，却得到了 {got}"),
    "return_four_numbers": ("return four values: (gain, low, high, helps), the first three numbers",
                            "返回四个值：(gain, low, high, helps)，前三个是数"),
    "part_not_finite": ("for {case}, `{name}` is {number}, not a finite number",
                        "情形「{case}」：`{name}` 是 {number}，不是有限的数"),
    "part_not_finite_hint": ("the interval needs the mean and the sample standard deviation of at least 2 "
                             "differences, and t's 97.5 % point, a probability given as 0.975 (not 97.5)",
                             "这个区间需要至少 2 个差值的均值和样本标准差，以及 t 的 97.5 % 分位点，其概率写作 "
                             "0.975（而不是 97.5）"),
    "got_values": ("{kind} of {count} values", "含 {count} 个值的 {kind}"),
    "not_four": ("`{name}` should return four values, (gain, low, high, helps), got {got}",
                 "`{name}` 应当返回四个值 (gain, low, high, helps)，却得到了 {got}"),
    "end_with_return": ("end with `return gain, low, high, helps`", "最后写 `return gain, low, high, helps`"),
    "helps_not_bool": ("for {case}, `helps` should be True or False, got {got}",
                       "情形「{case}」：`helps` 应当是 True 或 False，却得到了 {got}"),
    "comparison_is_one": ("a comparison of the interval's lower end with 0 is one",
                          "把区间下端与 0 比较，得到的就是这样的值"),
    "gain_reversed": ("for {case}, `gain` is {gain:+.2f}: the differences are taken the wrong way round, baseline − "
                      "candidate (or the arguments are swapped: the baseline comes first)",
                      "情形「{case}」：`gain` 是 {gain:+.2f}：差值的方向反了，成了 baseline − candidate（或者参数顺序"
                      "颠倒了：baseline 在前）"),
    "gain_direction": ("the gain of the candidate over the baseline is candidate − baseline, subset by subset: a "
                       "positive gain means the candidate (pretraining) did better",
                       "候选相对基线的增益是逐个子集的 candidate − baseline：增益为正，说明候选（预训练）更好"),
    "gain_not_mean": ("for {case}, `gain` = {gain:.4f} is not the mean of the paired differences",
                      "情形「{case}」：`gain` = {gain:.4f} 不是配对差值的均值"),
    "gain_is_mean": ("the gain is the mean over the subsets of candidate − baseline",
                     "增益是 candidate − baseline 在各子集上的均值"),
    "low_above_high": ("for {case}, `low` = {low:.4f} is above `high` = {high:.4f}",
                       "情形「{case}」：`low` = {low:.4f} 比 `high` = {high:.4f} 还大"),
    "low_and_high": ("low is the gain minus the half-width, high the gain plus it",
                     "low 是增益减去半宽，high 是增益加上半宽"),
    "interval_reversed": ("for {case}, the interval [{low:+.2f}, {high:+.2f}] is that of baseline − candidate, while "
                          "the gain is candidate − baseline",
                          "情形「{case}」：区间 [{low:+.2f}, {high:+.2f}] 是 baseline − candidate 的区间，而增益是 "
                          "candidate − baseline"),
    "same_differences": ("build the gain and its interval from the same differences, candidate − baseline",
                         "增益和它的区间要用同一组差值 candidate − baseline 来构造"),
    "not_centred": ("for {case}, the interval [{low:+.2f}, {high:+.2f}] is not centred on the gain {gain:+.2f}",
                    "情形「{case}」：区间 [{low:+.2f}, {high:+.2f}] 没有以增益 {gain:+.2f} 为中心"),
    "one_half_width": ("the paired t-interval is the gain ± one half-width, the same on both sides",
                       "配对 t 区间是增益 ± 一个半宽，两侧相同"),
    "mistaken": ("for {case}, {problem}", "情形「{case}」：{problem}"),
    "compare_parts": ("compare each part of your half-width with the task's formula",
                      "把你的半宽的每一部分与任务给出的公式对照"),
    "wider": ("wider", "宽"),
    "narrower": ("narrower", "窄"),
    "not_the_interval": ("for {case}, the interval [{low:+.3f}, {high:+.3f}] is not the 95 % paired t-interval: it "
                         "is {wider} than it should be",
                         "情形「{case}」：区间 [{low:+.3f}, {high:+.3f}] 不是 95 % 配对 t 区间：它比应有的{wider}"),
    "build_half_width": ("build the half-width from the paired differences, part by part, as the task's formula "
                         "writes it", "按任务公式的写法，用配对差值逐项构造半宽"),
    "three_parts": ("three parts: the spread of the differences, the number of subsets, and the t multiplier for a "
                    "two-sided 95 % interval", "三个部分：差值的离散程度、子集个数，以及双侧 95 % 区间的 t 乘数"),
    "helps_on_loss": ("for {case}, `helps` is True for the interval [{low:+.2f}, {high:+.2f}], a real loss",
                      "情形「{case}」：对区间 [{low:+.2f}, {high:+.2f}]，`helps` 是 True，但它表明确实变差了"),
    "helps_above_zero": ("helps asks whether the candidate did better: the whole interval above 0, not merely away "
                         "from 0", "helps 问的是候选是否更好：整个区间都在 0 之上，而不只是不含 0"),
    "helps_includes_zero": ("for {case}, `helps` is True, but the interval [{low:+.2f}, {high:+.2f}] includes 0: a "
                            "positive mean gain is not enough",
                            "情形「{case}」：`helps` 是 True，但区间 [{low:+.2f}, {high:+.2f}] 包含 0：平均增益为正还"
                            "不够"),
    "whole_interval": ("a gain is shown only when the whole interval lies above 0; one that includes 0 is compatible "
                       "with no gain at all",
                       "只有整个区间都在 0 之上，才说明有增益；包含 0 的区间与完全没有增益也相容"),
    "helps_false": ("for {case}, `helps` is False, but the whole interval [{low:+.2f}, {high:+.2f}] lies above 0",
                    "情形「{case}」：`helps` 是 False，但整个区间 [{low:+.2f}, {high:+.2f}] 都在 0 之上"),
    "helps_exactly": ("helps is True exactly when the interval's lower end is above 0",
                      "helps 为 True，当且仅当区间下端大于 0"),
    "sizes": ("arrays of {first} and {second} subsets", "分别有 {first} 和 {second} 个子集的数组"),
    "raised_not_value_error": ("on {sizes} `{name}` raised {error}, not ValueError",
                               "对于{sizes}，`{name}` 抛出了 {error}，而不是 ValueError"),
    "accepted": ("`{name}` accepted {sizes}: {problem}", "`{name}` 接受了{sizes}：{problem}"),
    "unpaired_reason": ("pairs need one accuracy per labelled subset in both arrays",
                        "配对要求两个数组中每个有标签子集各有一个准确率"),
    "pair_hint": ("compare the lengths first and raise ValueError with a message that says why",
                  "先比较长度，然后抛出 ValueError，并在消息中说明原因"),
    "cannot_pair": ("they cannot be paired ({reason})", "它们无法配对（{reason}）"),
    "one_difference": ("one difference has no standard deviation, and t would have 0 degrees of freedom",
                       "一个差值没有标准差，t 的自由度也会是 0"),
    "at_least_two": ("an interval needs at least 2 paired subsets: raise ValueError for fewer",
                     "区间至少需要 2 个配对子集：少于 2 个就抛出 ValueError"),
    "lists_raised": ("on Python lists (the measured accuracies below are lists) `{name}` raised {error}: {message}",
                     "对 Python 列表（下面测得的准确率就是列表），`{name}` 抛出了 {error}：{message}"),
    "convert_lists": ("convert both arguments to float arrays first, with np.asarray(..., dtype=float)",
                      "先用 np.asarray(..., dtype=float) 把两个参数都转成浮点数组"),
    "passed_2": ("{name} gives the mean paired gain and SciPy's paired 95 % t-interval (scipy.stats.ttest_rel) on a "
                 "clear gain, a positive mean gain within the noise, a clear loss, 8 and 2 subsets, says a gain is "
                 "shown only when the whole interval is above 0, takes lists, and refuses arrays of different lengths "
                 "or of a single subset",
                 "在明显增益、处于噪声之内的正平均增益、明显下降、8 个和 2 个子集这些情形下，{name} 都给出了平均配对"
                 "增益和 SciPy 的配对 95 % t 区间（scipy.stats.ttest_rel）；只有整个区间在 0 之上时才判定有增益；接受"
                 "列表；并拒绝长度不同或只有一个子集的数组"),
    # Tasks 3 and 4
    "no_article_encoder": ("`{name}` holds no 784 × 32 weight matrix with its 32 biases, so it is not built on the "
                           "article's encoder",
                           "`{name}` 中没有 784 × 32 的权重矩阵及其 32 个偏置，所以它不是在文章的编码器上搭建的"),
    "encoder_first": ("put the pretrained `encoder` first in the model", "把预训练的 `encoder` 放在模型的最前面"),
    "too_low": ("`{name}` classifies {accuracy:.1f} % of the test digits correctly; trained as the task asks it "
                "reaches {low:.0f} % in {mode} mode",
                "`{name}` 正确分类了 {accuracy:.1f} % 的测试数字；按任务要求训练，它在{mode}模式下能达到 {low:.0f} %"),
    "not_fitted": ("`{name}` classifies only {fit:.0f} % of the 100 labelled digits it should have been trained on: "
                   "it was trained on other images or labels (the test set, or more training labels)",
                   "`{name}` 在它本应用来训练的 100 个有标签数字上只正确分类了 {fit:.0f} %：它是在别的图像或标签上训"
                   "练的（测试集，或更多的训练标签）"),
    "train_on_few": ("train it on x_few, y_few: the 10 labelled digits per class, and nothing else",
                     "只在 x_few, y_few 上训练：每类 10 个有标签数字，别的都不要"),
    "too_high": ("`{name}` classifies {accuracy:.1f} % of the test digits correctly, more than 10 labels per class "
                 "can give in {mode} mode (at most about {high:.0f} %): it was trained on more labels, or on the test "
                 "digits",
                 "`{name}` 正确分类了 {accuracy:.1f} % 的测试数字，超过了{mode}模式下每类 10 个标签所能达到的水平（最"
                 "多约 {high:.0f} %）：它用了更多的标签训练，或者在测试数字上训练过"),
    "test_is_for_measuring": ("train it on x_few, y_few only; the test set is for measuring",
                              "只在 x_few, y_few 上训练；测试集是用来测量的"),
    "not_a_probe": ("the head of `probe_classifier` should be one Dense layer of 10 units on the 32 code units: a "
                    "linear probe",
                    "`probe_classifier` 的输出头应当是接在 32 个编码单元上的一个 10 单元 Dense 层：即线性探针"),
    "probe_layers": ("encoder, then the standardising layer, then Dense(10, activation='softmax')",
                     "先是编码器，然后是标准化层，再是 Dense(10, activation='softmax')"),
    "not_standardised_codes": ("what reaches the head is not the 32 codes standardised unit by unit",
                               "到达输出头的不是逐单元标准化后的 32 维编码"),
    "only_standardising": ("put only the standardising layer between the encoder and the head",
                           "编码器与输出头之间只放标准化层"),
    "unstandardised": ("the codes reach the head unstandardised", "编码没有标准化就到达了输出头"),
    "standardise_each": ("standardise each of the 32 code units before the head",
                         "在输出头之前，把 32 个编码单元逐个标准化"),
    "the_few": ("the 100 labelled digits", "100 个有标签数字"),
    "the_test_digits": ("the test digits", "测试数字"),
    "other_statistics": ("the codes are standardised with the mean and standard deviation of {which}",
                         "标准化编码所用的均值和标准差来自错误的图像：{which}"),
    "measure_on_x_train": ("measure the statistics on the unlabelled training images, x_train",
                           "在无标签的训练图像 x_train 上测量这些统计量"),
    "not_standardised": ("the codes are not standardised with the mean and standard deviation of each unit over the "
                         "unlabelled training images", "编码没有用每个单元在无标签训练图像上的均值和标准差来标准化"),
    "measure_unit_by_unit": ("measure them on x_train's codes, unit by unit", "在 x_train 的编码上逐单元测量它们"),
    "probe_encoder_trained": ("the encoder's weights in `probe_classifier` are not the pretrained ones: the encoder "
                              "was trained (or never loaded)",
                              "`probe_classifier` 中编码器的权重不是预训练的权重：编码器被训练过（或者根本没有加载）"),
    "frozen_trains_head": ("a frozen probe trains only the head", "冻结的探针只训练输出头"),
    "head_variables": ("give the trainer only the head's trainable variables", "只把输出头的可训练变量交给训练器"),
    "converge": ("train the head until it converges, with the schedule's settings printed above",
                 "用上面打印出的训练计划设置，把输出头训练到收敛"),
    "passed_3": ("the encoder is frozen (its weights are the pretrained ones), the codes are standardised with the "
                 "unlabelled training images' statistics, and the probe classifies {accuracy:.1f} % of the {count:,} "
                 "test digits correctly (at least {low:.0f} % in {mode} mode)",
                 "编码器是冻结的（权重就是预训练的权重），编码用无标签训练图像的统计量标准化，探针正确分类"
                 "了 {count:,} 个测试数字中的 {accuracy:.1f} %（{mode}模式下至少 {low:.0f} %）"),
    "naive_is_probe": ("the encoder's weights in `naive_classifier` are still the pretrained ones: only the head was "
                       "trained, which is the frozen probe",
                       "`naive_classifier` 中编码器的权重仍是预训练的权重：只训练了输出头，那就是冻结探针"),
    "train_every_weight": ("train every weight, the encoder's too", "训练所有权重，编码器的也要"),
    "barely_trained": ("the encoder's weights moved by only {change:.1e} on average from the pretrained ones: they "
                       "were barely trained", "编码器的权重与预训练的权重相比平均只移动了 {change:.1e}：几乎没有训练"),
    "task_settings": ("train every weight with the task's optimizer, learning rate and steps",
                      "用任务给出的优化器、学习率和步数训练所有权重"),
    "naive_not_fitted": ("`naive_classifier` classifies only {fit:.0f} % of its own 100 labelled digits correctly",
                         "`naive_classifier` 在它自己的 100 个有标签数字上只正确分类了 {fit:.0f} %"),
    "train_with_settings": ("train it on x_few, y_few, for the steps and learning rate the task gives",
                            "在 x_few, y_few 上按任务给出的步数和学习率训练它"),
    "no_trace": ("the encoder's weights bear no trace of the pretrained ones: it was trained from other starting "
                 "weights", "编码器的权重没有预训练权重的痕迹：它是从别的初始权重开始训练的"),
    "clone_has_no_weights": ("a copy made with keras.models.clone_model has the architecture only; give it the "
                             "encoder's weights before training",
                             "用 keras.models.clone_model 得到的副本只有结构；训练前要把编码器的权重赋给它"),
    "passed_4": ("the encoder started from the pretrained weights and moved ({change:.3f} per weight on average), and "
                 "the model fits its 100 digits ({fit:.0f} %). Naive fine-tuning: {naive:.1f} % of the test digits; a "
                 "frozen probe on the same labels (trained by the check): {frozen:.1f} %",
                 "编码器从预训练权重出发，并且发生了移动（平均每个权重 {change:.3f}），模型拟合了它的 100 个数字"
                 "（{fit:.0f} %）。朴素微调：测试数字的 {naive:.1f} %；同样标签上的冻结探针（由检查训练）"
                 "：{frozen:.1f} %"),
})

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
        task.fail(msg("not_two_arrays"), msg("end_with_index"))
    x_subset, y_subset = np.asarray(result[0]), np.asarray(result[1])
    classes, counts = np.unique(y, return_counts=True)
    if x_subset.ndim != 2 or x_subset.shape[1:] != x.shape[1:] or y_subset.shape != (len(x_subset),):
        task.fail(msg("subset_shapes", x_shape=x_subset.shape, y_shape=y_subset.shape, shape=x.shape, width=x.shape[1]),
                  msg("same_index"))
    for label, count in zip(classes, counts):
        drawn = int(np.sum(y_subset == label))
        if drawn != n:
            task.fail(msg("class_count", n=n, drawn=drawn, label=label, count=count), msg("each_class"),
                      msg("each_class_more"))
    index = x_subset[:, 0].astype(np.int64)
    if (np.any(x_subset[:, 0] != index) or index.min() < 0 or index.max() >= len(x)
            or not np.array_equal(x_subset, x[index])):
        task.fail(msg("rows_not_of_x"), msg("return_rows"))
    if not np.array_equal(y_subset, y[index]):
        task.fail(msg("not_aligned"), msg("one_index"))
    if len(np.unique(index)) != len(index):
        task.fail(msg("repeats"), msg("without_replacement"), msg("choice_replaces"))
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
        name: msg("numpy_generator") for name in ("stratified_sample", "stratified_indices")})
    x, y = _labelled_subset_test_data()
    first = {n: np.sort(np.concatenate([np.flatnonzero(y == c)[:n] for c in np.unique(y)])) for n in (1, 3, 10)}
    drawn = {(n, seed): _subset_from(task, draw_labelled, x, y, n, seed) for n in (1, 3, 10) for seed in (0, 1, 2)}
    again = _subset_from(task, draw_labelled, x, y, 3, 1)
    if not np.array_equal(np.sort(again), np.sort(drawn[3, 1])):
        task.fail(msg("same_seed_differs"), msg("one_generator"))
    if all(np.array_equal(np.sort(drawn[n, seed]), first[n]) for n, seed in drawn):
        task.fail(msg("first_n"), msg("at_random"))
    if _mostly_evenly_spaced(y, [drawn[10, seed] for seed in (0, 1, 2)]):
        task.fail(msg("evenly_spaced"), msg("not_from_start"))
    if len({tuple(np.sort(drawn[3, seed])) for seed in (0, 1, 2)}) == 1:
        task.fail(msg("seeds_same"), msg("seed_argument"))
    _, y_train, _, _ = course_data()
    x_rows = np.arange(len(y_train), dtype=np.float32)[:, None].repeat(3, axis=1)
    x_rows[:, 1] = y_train
    _subset_from(task, draw_labelled, x_rows, y_train, LABELS_PER_CLASS_05, 0)
    task.passed(msg("passed_1", labels=len(y_train), per_class=LABELS_PER_CLASS_05))


#: Task 2: the name the messages give the student's function.
INTERVAL_NAME_05 = "paired_interval_by_hand"
#: Task 2: the relative tolerance on the interval's half-width; a t read from a printed table (3 decimals) passes.
HALF_WIDTH_RTOL_05 = 1e-3


def _interval_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Task 2's (baseline, candidate) accuracies in %, one per labelled subset, by the message that names the case.

    Each subset moves both arms.
    """
    base = np.array([75.3, 76.1, 74.2, 75.8, 74.9])
    rng = np.random.default_rng(6)
    subset = rng.normal(0, 2, 8)  # what each of 8 labelled subsets does to both arms alike
    return {
        "case_gain": (base, base + [3.1, 2.8, 3.3, 2.9, 3.0]),
        "case_noise": (base, base + [1.9, 0.3, -0.6, 1.1, -0.6]),
        "case_loss": (base, base - [4.1, 3.9, 4.0, 4.2, 3.8]),
        "case_8": (80 + subset + rng.normal(0, 0.6, 8), 81 + subset + rng.normal(0, 0.6, 8)),
        "case_2": (np.array([70.0, 72.0]), np.array([71.6, 73.9])),
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
         msg("rule_of_thumb"), msg("rule_of_thumb_hint")),
        ([1.96 * se, stats.norm.ppf(0.975) * se], msg("normal"), msg("normal_hint")),
        ([t * se_ddof0], msg("ddof0"), msg("ddof0_hint")),
        ([t * unpaired_se, stats.t.ppf(0.975, 2 * n - 2) * unpaired_se, 1.96 * unpaired_se, t * unpaired_se_ddof0,
          (welch.high - welch.low) / 2], msg("unpaired"), msg("unpaired_hint")),
        ([stats.t.ppf(0.95, n - 1) * se], msg("ninety"), msg("ninety_hint")),
        ([stats.t.ppf(0.975, n) * se], msg("n_degrees"), msg("n_degrees_hint")),
        ([t * np.std(d, ddof=1)], msg("no_sqrt_n"), msg("no_sqrt_n_hint")),
    ]
    if n != 5:
        mistakes.append(([stats.t.ppf(0.975, 4) * se], msg("fixed_t", n=n), msg("fixed_t_hint")))
    return mistakes


def _interval_number(task: Task, value: object, name: str, case: str) -> float:
    """One of gain, low, high as a float, or a failure that names it and the case."""
    if value is None:
        task.fail(msg("part_is_none", case=case, name=name), msg("return_four"))
    try:
        number = float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        task.fail(msg("part_not_number", case=case, name=name, got=type(value).__name__), msg("return_four_numbers"))
    if not np.isfinite(number):
        task.fail(msg("part_not_finite", case=case, name=name, number=number), msg("part_not_finite_hint"))
    return number


def _interval_form(task: Task, result: object, case: str) -> tuple[float, float, float, bool]:
    """What the student's function returned, checked for its form: (gain, low, high, helps)."""
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        try:
            got = msg("got_values", kind=type(result).__name__, count=len(result))
        except TypeError:  # not a sequence (a number, None, a 0-d array)
            got = type(result).__name__
        task.fail(msg("not_four", name=INTERVAL_NAME_05, got=got), msg("end_with_return"))
    gain, low, high = (_interval_number(task, result[i], name, case) for i, name in enumerate(("gain", "low", "high")))
    if not isinstance(result[3], (bool, np.bool_)):
        task.fail(msg("helps_not_bool", case=case, got=type(result[3]).__name__), msg("comparison_is_one"))
    return gain, low, high, bool(result[3])


def _check_interval(task: Task, case: str, baseline: np.ndarray, candidate: np.ndarray,
                    answer: tuple[float, float, float, bool]) -> None:
    """Compare the student's (gain, low, high, helps) with the reference on one case; fail on the first difference."""
    gain, low, high, helps = answer
    expected_gain, expected_low, expected_high = _reference_interval(baseline, candidate)
    expected_half = (expected_high - expected_low) / 2
    if np.isclose(gain, -expected_gain, rtol=1e-9, atol=1e-9) and not np.isclose(gain, expected_gain, atol=1e-9):
        task.fail(msg("gain_reversed", case=case, gain=gain), msg("gain_direction"))
    if not np.isclose(gain, expected_gain, rtol=1e-9, atol=1e-9):
        task.fail(msg("gain_not_mean", case=case, gain=gain), msg("gain_is_mean"))
    if low > high:
        task.fail(msg("low_above_high", case=case, low=low, high=high), msg("low_and_high"))
    scale = max(1.0, abs(expected_gain))
    if not np.isclose((low + high) / 2, gain, rtol=0, atol=1e-6 * scale):
        if np.isclose(low, -expected_high, atol=1e-6 * scale) and np.isclose(high, -expected_low, atol=1e-6 * scale):
            task.fail(msg("interval_reversed", case=case, low=low, high=high), msg("same_differences"))
        task.fail(msg("not_centred", case=case, low=low, high=high, gain=gain), msg("one_half_width"))
    half = (high - low) / 2
    if not np.isclose(half, expected_half, rtol=HALF_WIDTH_RTOL_05, atol=0):
        for halves, problem, hint in _mistaken_half_widths(baseline, candidate):
            if any(np.isclose(half, h, rtol=HALF_WIDTH_RTOL_05, atol=0) for h in halves):
                task.fail(msg("mistaken", case=case, problem=problem), msg("compare_parts"), hint)
        wider = msg("wider") if half > expected_half else msg("narrower")
        task.fail(msg("not_the_interval", case=case, low=low, high=high, wider=wider), msg("build_half_width"),
                  msg("three_parts"))
    real_gain = expected_low > 0
    if helps and not real_gain:
        if expected_high < 0:
            task.fail(msg("helps_on_loss", case=case, low=low, high=high), msg("helps_above_zero"))
        task.fail(msg("helps_includes_zero", case=case, low=low, high=high), msg("whole_interval"))
    if not helps and real_gain:
        task.fail(msg("helps_false", case=case, low=low, high=high), msg("helps_exactly"))


def _expect_value_error(task: Task, function: object, baseline: np.ndarray, candidate: np.ndarray,
                        problem: str, hint: str) -> None:
    """Fail unless ``function(baseline, candidate)`` raises ValueError (its RuntimeWarnings are not shown)."""
    import warnings

    sizes = msg("sizes", first=len(baseline), second=len(candidate))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a std of 1 value, t with 0 degrees of freedom
            function(baseline, candidate)
    except ValueError:
        return
    except NotImplementedError as error:
        raise task.stub_failure(INTERVAL_NAME_05) from error
    except Exception as error:
        problem = msg("raised_not_value_error", sizes=sizes, name=INTERVAL_NAME_05, error=type(error).__name__)
        raise task.failure(problem, hint) from error
    task.fail(msg("accepted", name=INTERVAL_NAME_05, sizes=sizes, problem=problem), hint)


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
        _check_interval(task, msg(case), baseline, candidate, _interval_form(task, result, msg(case)))
    base = cases["case_gain"][0]
    cannot_pair, pair_hint = msg("cannot_pair", reason=msg("unpaired_reason")), msg("pair_hint")
    _expect_value_error(task, paired_interval_by_hand, base, base[:1] + 1, cannot_pair, pair_hint)
    _expect_value_error(task, paired_interval_by_hand, base[:1], base + 1, cannot_pair, pair_hint)
    _expect_value_error(task, paired_interval_by_hand, base[:1], base[:1] + 1, msg("one_difference"),
                        msg("at_least_two"))
    baseline, candidate = cases["case_8"]
    try:
        result = paired_interval_by_hand(baseline.tolist(), candidate.tolist())
    except Exception as error:
        raise task.failure(msg("lists_raised", name=INTERVAL_NAME_05, error=type(error).__name__, message=error),
                           msg("convert_lists")) from error
    case = msg("case_lists")
    _check_interval(task, case, baseline, candidate, _interval_form(task, result, case))
    task.passed(msg("passed_2", name=INTERVAL_NAME_05))


def _encoder_weights(task: Task, model: object, name: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The pretrained encoder's [kernel (784, 32), bias (32,)], and the model's own pair of those shapes."""
    from helpers import pretrained

    reference = pretrained.load_or_train("article", verbose=0)[0].get_weights()
    weights = model.get_weights()
    for i in range(len(weights) - 1):
        if weights[i].shape == reference[0].shape and weights[i + 1].shape == reference[1].shape:
            return reference, weights[i:i + 2]
    task.fail(msg("no_article_encoder", name=name), msg("encoder_first"))


def _labelled_subset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x_train, the 10-per-class subset of seed 0 (x_few, y_few), x_test and y_test."""
    x_train, y_train, x_test, y_test = course_data()
    x_few, y_few = data.stratified_sample(x_train, y_train, LABELS_PER_CLASS_05, seed=0)
    return x_train, x_few, y_few, x_test, y_test


def _accuracy_in_range(task: Task, name: str, accuracy: float, fit: float, low: float, high: float,
                       fit_needed: float, low_hint: str) -> None:
    """Fail unless the model is trained enough (test accuracy >= low) on the 100 labelled digits only."""
    if accuracy < low:
        task.fail(msg("too_low", name=name, accuracy=100 * accuracy, low=100 * low, mode=mode_in_words()), low_hint)
    if fit < fit_needed:
        task.fail(msg("not_fitted", name=name, fit=100 * fit), msg("train_on_few"))
    if accuracy > high:
        task.fail(msg("too_high", name=name, accuracy=100 * accuracy, mode=mode_in_words(), high=100 * high),
                  msg("test_is_for_measuring"))


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
        task.fail(msg("not_a_probe"), msg("probe_layers"))
    found = _standardisation(model, encoder, x_test[:500])
    if found is None:
        task.fail(msg("not_standardised_codes"), msg("only_standardising"))
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
        task.fail(msg("unstandardised"), msg("standardise_each"))
    for images, which in ((x_few, "the_few"), (x_test, "the_test_digits")):
        if same(statistics(images)):
            task.fail(msg("other_statistics", which=msg(which)), msg("measure_on_x_train"))
    task.fail(msg("not_standardised"), msg("measure_unit_by_unit"))


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
        task.fail(msg("probe_encoder_trained"), msg("frozen_trains_head"), msg("head_variables"))
    x_train, x_few, y_few, x_test, y_test = _labelled_subset()
    _check_standardisation(task, probe_classifier, x_train, x_few, x_test)
    accuracy = models.accuracy(probe_classifier, x_test, y_test)
    mode = config.mode_name()
    _accuracy_in_range(task, "probe_classifier", accuracy, models.accuracy(probe_classifier, x_few, y_few),
                       PROBE_ACCURACY_05[mode], PROBE_CEILING_05[mode], PROBE_FIT_05,
                       msg("converge"))
    task.passed(msg("passed_3", accuracy=100 * accuracy, count=len(y_test), low=100 * PROBE_ACCURACY_05[mode],
                    mode=mode_in_words()))


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
        task.fail(msg("naive_is_probe"), msg("train_every_weight"))
    if change < MIN_CHANGE_05:
        task.fail(msg("barely_trained", change=change), msg("task_settings"))
    # The data first: a model trained on other images or labels also moves far from its start.
    x_train, x_few, y_few, x_test, y_test = _labelled_subset()
    fit = models.accuracy(naive_classifier, x_few, y_few)
    if fit < FIT_ACCURACY_05:
        task.fail(msg("naive_not_fitted", fit=100 * fit), msg("train_with_settings"))
    naive = models.accuracy(naive_classifier, x_test, y_test)
    mode = config.mode_name()
    _accuracy_in_range(task, "naive_classifier", naive, fit, 0.0, NAIVE_CEILING_05[mode], FIT_ACCURACY_05, "")
    kernel_trace = np.corrcoef(weights[0].ravel(), reference[0].ravel())[0, 1]
    bias_trace = np.corrcoef(weights[1], reference[1])[0, 1]
    if not (kernel_trace > 0.3 and bias_trace > 0.5):
        task.fail(msg("no_trace"), msg("clone_has_no_weights"))
    encoder = pretrained.load_or_train("article", verbose=0)[0]
    probe = finetuning.adapt(encoder, "frozen", x_few, y_few, statistics=finetuning.code_statistics(encoder, x_train),
                             seed=0, schedule=finetuning.course_schedule())
    frozen = models.accuracy(probe, x_test, y_test)
    task.passed(msg("passed_4", change=change, fit=100 * fit, naive=100 * naive, frozen=100 * frozen))
