"""Self-checks of exercises/04_keras_mnist_autoencoder.ipynb."""

from __future__ import annotations

import inspect

import numpy as np

from helpers import data
from helpers.checks.task import Task, course_data, guarded
from helpers.messages import Catalog

NB04 = "04_keras_mnist_autoencoder"
TASK_04_1 = Task(NB04, 1, "Step 1: the data, as the article writes it", "第 1 步：数据，按文章的写法")
TASK_04_2 = Task(NB04, 2, "Why: the meaning of 'adadelta' changed", "原因：'adadelta' 的含义变了")
TASK_04_3 = Task(NB04, 3, "Step 4: the fix, and a comparison with Adam", "第 4 步：修正，并与 Adam 比较")
TASK_04_4 = Task(NB04, 4, "Step 5: encoder.predict and decoder.predict, as in the article",
                 "第 5 步：encoder.predict 与 decoder.predict，按文章的写法")

msg = Catalog(__name__, {
    # Task 1
    "not_two_arrays": ("`load_and_preprocess()` should return two arrays, (x_train, x_test)",
                       "`load_and_preprocess()` 应当返回两个数组 (x_train, x_test)"),
    "return_both": ("return both arrays, the training images first", "两个数组都返回，训练图像在前"),
    "test_first": ("`load_and_preprocess()` returns the test images first: the task asks for (x_train, x_test)",
                   "`load_and_preprocess()` 先返回了测试图像：任务要求的是 (x_train, x_test)"),
    "article_order": ("return them in the order the article names them", "按文章列出它们的顺序返回"),
    "not_numpy": ("{name} should be a NumPy array, got {got}", "{name} 应当是 NumPy 数组，却得到了 {got}"),
    "return_arrays": ("return the arrays themselves", "返回数组本身"),
    "complete_mnist": ("{name} holds {count:,} images, the complete MNIST's, but in this mode the course uses {used:,}",
                       "{name} 含有 {count:,} 张图像，即完整 MNIST 的数量，但在当前模式下课程使用 {used:,} 张"),
    "use_load_mnist": ("load the images with data.load_mnist(), as the task says",
                       "按任务所说，用 data.load_mnist() 加载图像"),
    "wrong_shape": ("{name} has shape {shape}, expected {expected}", "{name} 的形状是 {shape}，应为 {expected}"),
    "flatten": ("flatten each 28 × 28 image into one row of 784 numbers, one row per image",
                "把每张 28 × 28 的图像展平成一行 784 个数，每张图像一行"),
    "wrong_dtype": ("{name} has dtype {dtype}, the article's is float32",
                    "{name} 的 dtype 是 {dtype}，文章的是 float32"),
    "convert_then_divide": ("the order of converting and dividing matters: uint8 / 255. gives float64",
                            "先转换还是先除，结果不同：uint8 / 255. 得到的是 float64"),
    "not_scaled": ("{name} holds values up to {top:g}; scaled pixels lie in [0, 1]",
                   "{name} 的值最大到 {top:g}；缩放后的像素应在 [0, 1] 之内"),
    "scale_as_article": ("scale as the article does", "像文章那样缩放"),
    "not_preprocessed": ("{name} differs from the article's preprocessing (the raw pixels / 255, each image one row)",
                         "{name} 与文章的预处理（原始像素 / 255，每张图像一行）不同"),
    "keep_order": ("keep the images and their pixels in their order; only convert, scale and reshape",
                   "保持图像和像素原来的顺序；只做类型转换、缩放和变形"),
    "passed_1": ("x_train {train} and x_test {test}: float32, in [0, 1], the article's scaling",
                 "x_train {train} 和 x_test {test}：float32，在 [0, 1] 之内，与文章的缩放一致"),
    # Task 2
    "not_default": ("{value:g} is not the default learning rate of keras.optimizers.Adadelta in Keras {version} "
                    "(defaults change between versions: ask the one you are running)",
                    "{value:g} 不是 Keras {version} 中 keras.optimizers.Adadelta 的默认学习率（默认值随版本而变：去问"
                    "你正在运行的这个版本）"),
    "ask_keras": ("ask the installed Keras itself, with code, rather than a web page",
                  "用代码去问已安装的 Keras 本身，而不是查网页"),
    "defaults_held": ("an optimizer made without arguments holds its defaults", "不带参数创建的优化器带着它的默认值"),
    "passed_2": ("{value:g} is Adadelta's default learning rate in Keras {version}",
                 "{value:g} 是 Keras {version} 中 Adadelta 的默认学习率"),
    # Task 3
    "not_a_model": ("`autoencoder` should be a keras.Model, got {got}",
                    "`autoencoder` 应当是 keras.Model，却得到了 {got}"),
    "compile_above": ("compile the model that the cell above builds", "编译上面那个单元格搭建的模型"),
    "not_784_to_784": ("`autoencoder` maps {inputs} to {outputs}, not 784 to 784",
                       "`autoencoder` 把 {inputs} 映射到 {outputs}，而不是 784 到 784"),
    "compile_autoencoder": ("compile the autoencoder itself, not its encoder or decoder",
                            "编译自编码器本身，而不是它的编码器或解码器"),
    "parameters_differ": ("`autoencoder` has {count:,} parameters, not those of the article's 784-32-784 autoencoder",
                          "`autoencoder` 有 {count:,} 个参数，不是文章的 784-32-784 自编码器的参数个数"),
    "not_compiled": ("`autoencoder` is not compiled", "`autoencoder` 还没有编译"),
    "call_compile": ("call autoencoder.compile(optimizer=..., loss=...)",
                     "调用 autoencoder.compile(optimizer=..., loss=...)"),
    "not_adadelta": ("it is compiled with {optimizer}; this task is about Adadelta",
                     "它是用 {optimizer} 编译的；这个任务讲的是 Adadelta"),
    "pass_adadelta": ("pass an instance of keras.optimizers.Adadelta, with the learning rate written out",
                      "传入一个 keras.optimizers.Adadelta 实例，并写明学习率"),
    "not_bce": ("it is compiled with the loss {loss}; the article's is binary cross-entropy on probabilities",
                "它编译时用的损失是 {loss}；文章用的是作用在概率上的二元交叉熵"),
    "bce_name": ("the article's loss is the one named 'binary_crossentropy'",
                 "文章的损失就是名为 'binary_crossentropy' 的那个"),
    "cannot_copy": ("the check could not copy your compiled model to train it ({error}: {message})",
                    "检查无法复制你编译好的模型来训练它（{error}：{message}）"),
    "use_adadelta_itself": ("compile the model the cell builds with keras.optimizers.Adadelta itself, not a class of "
                            "your own",
                            "用 keras.optimizers.Adadelta 本身来编译这个单元格搭建的模型，不要用你自己的类"),
    "did_not_learn": ("a copy with your optimizer's settings (learning rate {rate:g}) trained for {epochs} epochs "
                      "on {digits:,} digits went from {start:.3f} only to {final:.3f}; it should get below {target}",
                      "按你的优化器设置（学习率 {rate:g}）训练的副本，在 {digits:,} 个数字上训练 {epochs} 轮后，损失"
                      "只从 {start:.3f} 降到 {final:.3f}；它应当降到 {target} 以下"),
    "which_default": ("the string 'adadelta' and Adadelta() take today's default learning rate; which one did the "
                      "article's 2016 Keras use?",
                      "字符串 'adadelta' 和 Adadelta() 用的都是今天的默认学习率；文章所用的 2016 年的 Keras 用的是多"
                      "少？"),
    "passed_3": ("a copy with your optimizer's settings (learning rate {rate:g}) trained for {epochs} epochs "
                 "on {digits:,} digits went from {start:.3f} to {final:.3f}, below {target} (the 'adadelta' string "
                 "stays near 0.69)",
                 "按你的优化器设置（学习率 {rate:g}）训练的副本，在 {digits:,} 个数字上训练 {epochs} 轮后，损失"
                 "从 {start:.3f} 降到 {final:.3f}，低于 {target}（用字符串 'adadelta' 则停在 0.69 附近）"),
    # Task 4
    "test_codes": ("test codes", "测试编码"),
    "returned_tuple": ("`find_dead_units` returned a tuple; the task asks for one 1-D array of indices",
                       "`find_dead_units` 返回了一个元组；任务要求的是一个一维的索引数组"),
    "where_tuple": ("np.where returns a tuple of arrays, one per axis",
                    "np.where 返回的是由数组组成的元组，每个轴一个"),
    "returned_mask": ("`find_dead_units` returned a True/False mask; the task asks for the units' indices",
                      "`find_dead_units` 返回了一个 True/False 掩码；任务要求的是这些单元的索引"),
    "mask_to_positions": ("turn the mask into the positions of its Trues", "把掩码变成其中 True 所在的位置"),
    "not_indices": ("`find_dead_units` should return a 1-D array of integer indices, got {dtype} {shape}",
                    "`find_dead_units` 应当返回一维的整数索引数组，却得到了 {dtype} {shape}"),
    "one_integer_each": ("return the positions of the dead units, one integer each", "返回死单元的位置，每个一个整数"),
    "outside_units": ("`find_dead_units({what})` returned indices outside 0..{last}, so they are not units (columns) "
                      "of the codes",
                      "`find_dead_units({what})` 返回了 0..{last} 之外的索引，所以它们不是编码的单元（列）"),
    "index_columns": ("a unit is a column; index the columns", "一个单元就是一列；对列取索引"),
    "not_sorted": ("`find_dead_units` should return each index once, in increasing order",
                   "`find_dead_units` 应当按升序返回索引，每个只出现一次"),
    "sort": ("sort the indices", "把索引排序"),
    "dead_hint": ("a unit is one column of the codes; it is dead when it is 0 in every row (every image)",
                  "一个单元是编码的一列；它在每一行（每张图像）都是 0 时，就是死单元"),
    "names_alive": ("on a test array with {dead} dead units, `find_dead_units` also names units that are positive for "
                    "some row",
                    "在一个有 {dead} 个死单元的测试数组上，`find_dead_units` 把在某些行为正的单元也算了进去"),
    "misses_dead": ("on a test array with {dead} dead units, `find_dead_units` misses {missed} of them",
                    "在一个有 {dead} 个死单元的测试数组上，`find_dead_units` 漏掉了其中 {missed} 个"),
    "codes_not_2d": ("`codes` should be a 2-D array (images, units), got shape {shape}",
                     "`codes` 应当是二维数组（图像, 单元），却得到了形状 {shape}"),
    "encode_test_digits": ("encode the test digits", "对测试数字编码"),
    "codes_are_pixels": ("`codes` has shape {shape}: 784 columns are pixels, not the encoder's 32 code units",
                         "`codes` 的形状是 {shape}：784 列是像素，而不是编码器的 32 个编码单元"),
    "encoder_output": ("give the check the encoder's output on the test digits, not the digits",
                       "交给检查的应是编码器在测试数字上的输出，而不是数字本身"),
    "codes_shape": ("`codes` has shape {shape}; the trained encoder's codes of the {count:,} test digits have "
                    "shape {expected}",
                    "`codes` 的形状是 {shape}；训练好的编码器对 {count:,} 个测试数字的编码，形状是 {expected}"),
    "encode_all": ("encode the test digits, x_test, all of them", "对测试数字 x_test 编码，全部都要"),
    "not_trained_codes": ("`codes` are not the trained encoder's codes of the test digits (an untrained encoder's, or "
                          "other images')",
                          "`codes` 不是训练好的编码器对测试数字的编码（而是未训练编码器的，或别的图像的）"),
    "use_loaded_encoder": ("use the encoder that the first cell loads, on x_test",
                           "在 x_test 上使用第一个单元格加载的编码器"),
    "wrong_on_codes": ("`find_dead_units(codes)` is wrong on the encoder's codes",
                       "`find_dead_units(codes)` 在编码器的编码上结果不对"),
    "passed_4": ("find_dead_units is right on a test array with {dead} dead units among nearly dead ones, and "
                 "finds {found} dead unit(s) among the {units} of the trained encoder",
                 "find_dead_units 在一个测试数组上结果正确（{dead} 个死单元混在几乎死掉的单元中），并在训练好的编码器"
                 "的 {units} 个单元中找到了 {found} 个死单元"),
})

#: Task 1: how many images the complete MNIST has, to recognise it in fast mode.
COMPLETE_MNIST_04 = {"x_train": 60_000, "x_test": 10_000}
#: Task 1: how many images (spread over the whole array) are compared pixel by pixel with the raw ones / 255.
ROWS_COMPARED_04 = 1000
#: Task 3: the check trains a copy of the model for this many epochs on this many training digits...
TRAINING_EPOCHS_04, TRAINING_DIGITS_04 = 5, 4000
#: ...and the training loss must end below this (the 'adadelta' string stays near ln 2 ≈ 0.69).
TARGET_LOSS_04 = 0.45


@guarded(TASK_04_1)
def check_04_task1(load_and_preprocess: object) -> None:
    """Task 1: the article's data code, fixed, as a function returning ``(x_train, x_test)``.

    Args:
        load_and_preprocess: function () -> (x_train, x_test), float32 arrays of shape (n, 784) in [0, 1],
            the MNIST of the current mode scaled as the article does. Compared with the raw images / 255 on 1,000
            images spread over each array.
    """
    task = TASK_04_1
    result = task.call(load_and_preprocess, "load_and_preprocess")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        task.fail(msg("not_two_arrays"), msg("return_both"))
    (x_train_raw, _), (x_test_raw, _) = data.load_mnist(verbose=False)
    sizes = tuple(np.shape(array)[:1] for array in result)
    if sizes == ((len(x_test_raw),), (len(x_train_raw),)):
        task.fail(msg("test_first"), msg("article_order"))
    for name, array, raw in [("x_train", result[0], x_train_raw), ("x_test", result[1], x_test_raw)]:
        if not isinstance(array, np.ndarray):
            task.fail(msg("not_numpy", name=name, got=type(array).__name__), msg("return_arrays"))
        expected_shape = (len(raw), 784)
        if array.ndim == 2 and array.shape[1] == 784 and len(array) == COMPLETE_MNIST_04[name] != len(raw):
            task.fail(msg("complete_mnist", name=name, count=len(array), used=len(raw)), msg("use_load_mnist"))
        if array.shape != expected_shape:
            task.fail(msg("wrong_shape", name=name, shape=array.shape, expected=expected_shape), msg("flatten"))
        if array.dtype != np.float32:
            task.fail(msg("wrong_dtype", name=name, dtype=array.dtype), msg("convert_then_divide"))
        if array.max() > 1:
            task.fail(msg("not_scaled", name=name, top=array.max()), msg("scale_as_article"))
        rows = np.linspace(0, len(raw) - 1, ROWS_COMPARED_04).astype(int)  # enough to see any reordering or scaling
        if not np.allclose(array[rows], raw[rows].reshape(len(rows), 784) / 255.0, atol=1e-6):
            task.fail(msg("not_preprocessed", name=name), msg("keep_order"))
    task.passed(msg("passed_1", train=result[0].shape, test=result[1].shape))


@guarded(TASK_04_2)
def check_04_task2(default_learning_rate: object) -> None:
    """Task 2: Adadelta's default learning rate in the installed Keras, found with code.

    Args:
        default_learning_rate: the number. Compared with the default in ``keras.optimizers.Adadelta``'s signature.
    """
    import keras

    task = TASK_04_2
    value = task.number_from(default_learning_rate, "default_learning_rate")
    default = inspect.signature(keras.optimizers.Adadelta).parameters["learning_rate"].default
    if not np.isclose(value, default, rtol=1e-6):
        task.fail(msg("not_default", value=value, version=keras.__version__), msg("ask_keras"), msg("defaults_held"))
    task.passed(msg("passed_2", value=value, version=keras.__version__))


def _is_binary_cross_entropy(loss: object) -> bool:
    import keras

    if isinstance(loss, keras.losses.BinaryCrossentropy):
        return not loss.from_logits
    if isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except ValueError:
            return False
    return loss is keras.losses.binary_crossentropy


def _loss_name(loss: object) -> str:
    """How a message names a compiled loss: its string, its function's name, or its class and name."""
    if isinstance(loss, str):
        return repr(loss)
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None)
    kind = type(loss).__name__
    return f"{kind} {name!r}" if name and kind not in ("function", "str") else repr(name or kind)


@guarded(TASK_04_3)
def check_04_task3(autoencoder: object) -> None:
    """Task 3: the article's autoencoder compiled with an Adadelta that learns.

    Args:
        autoencoder: a compiled Keras model (n, 784) -> (n, 784), the article's 784-32-784 autoencoder, with
            an optimizer of class Adadelta and binary cross-entropy.

    Trains a copy (fresh weights, a new Adadelta with the same settings) for 5 epochs on 4,000 training digits;
    the training loss must end below 0.45.
    """
    import keras

    from helpers import models

    task = TASK_04_3
    task.answered(autoencoder, "autoencoder")
    if not isinstance(autoencoder, keras.Model):
        task.fail(msg("not_a_model", got=type(autoencoder).__name__), msg("compile_above"))
    if tuple(autoencoder.input_shape) != (None, 784) or tuple(autoencoder.output_shape) != (None, 784):
        task.fail(msg("not_784_to_784", inputs=autoencoder.input_shape, outputs=autoencoder.output_shape),
                  msg("compile_autoencoder"))
    if autoencoder.count_params() != models.build_autoencoder(32, seed=0)[0].count_params():
        task.fail(msg("parameters_differ", count=autoencoder.count_params()), msg("compile_above"))
    if not autoencoder.compiled or autoencoder.optimizer is None:
        task.fail(msg("not_compiled"), msg("call_compile"))
    optimizer = autoencoder.optimizer
    if not isinstance(optimizer, keras.optimizers.Adadelta):
        task.fail(msg("not_adadelta", optimizer=type(optimizer).__name__), msg("pass_adadelta"))
    if not _is_binary_cross_entropy(autoencoder.loss):
        task.fail(msg("not_bce", loss=_loss_name(autoencoder.loss)), msg("bce_name"))
    try:  # fresh weights and a new optimizer: the student's model is left as it is
        copy = models.reinitialised(autoencoder, seed=0)
        settings = optimizer.get_config()
        copy.compile(optimizer=keras.optimizers.Adadelta.from_config(settings), loss="binary_crossentropy")
    except Exception as error:
        raise task.failure(msg("cannot_copy", error=type(error).__name__, message=error),
                           msg("use_adadelta_itself")) from error
    x_train, _, _, _ = course_data()
    x = x_train[:TRAINING_DIGITS_04]
    start = float(np.mean(keras.losses.binary_crossentropy(x, models.predict_in_batches(copy, x))))
    history = copy.fit(x, x, epochs=TRAINING_EPOCHS_04, batch_size=256, shuffle=True, verbose=0)
    final = float(history.history["loss"][-1])
    rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    if not final < TARGET_LOSS_04:
        task.fail(msg("did_not_learn", rate=rate, epochs=TRAINING_EPOCHS_04, digits=TRAINING_DIGITS_04, start=start,
                      final=final, target=TARGET_LOSS_04), msg("which_default"))
    task.passed(msg("passed_3", rate=rate, epochs=TRAINING_EPOCHS_04, digits=TRAINING_DIGITS_04, start=start,
                    final=final, target=TARGET_LOSS_04))


def _dead_units_test_codes() -> tuple[np.ndarray, np.ndarray]:
    """Codes (300, 24) float32 like a ReLU layer's, dead units hidden among nearly dead ones; and the dead units.

    Returns:
        ``(codes, dead)``: dead is the sorted indices of the columns set to zero by construction.
    """
    rng = np.random.default_rng(4)
    codes = np.maximum(rng.normal(size=(300, 24)), 0.0).astype(np.float32)
    columns = rng.permutation(24)
    codes[:, columns[:5]] = 0.0                     # dead: zero for every row
    codes[:, columns[5:7]] = 0.0
    codes[rng.integers(300), columns[5:7]] = 1e-3   # nearly dead: positive for one row only
    codes[:150, columns[7]] = 0.0                   # zero for half of the rows
    return codes, np.sort(columns[:5])


def _dead_units_from(task: Task, function: object, codes: np.ndarray, what: str) -> np.ndarray:
    found = task.call(function, "find_dead_units", codes.copy())
    task.answered(found, f"find_dead_units({what})")
    if isinstance(found, tuple):
        task.fail(msg("returned_tuple"), msg("where_tuple"))
    found = np.asarray(found)
    if found.dtype == bool:
        task.fail(msg("returned_mask"), msg("mask_to_positions"))
    if found.ndim != 1 or (found.size and not np.issubdtype(found.dtype, np.integer)):
        task.fail(msg("not_indices", dtype=found.dtype, shape=found.shape), msg("one_integer_each"))
    if found.size and (found.min() < 0 or found.max() >= codes.shape[1]):
        task.fail(msg("outside_units", what=what, last=codes.shape[1] - 1), msg("index_columns"))
    if not np.array_equal(found, np.unique(found)):
        task.fail(msg("not_sorted"), msg("sort"))
    return found


def _wrong_units(codes: np.ndarray, found: np.ndarray) -> tuple[list[int], list[int]]:
    """Units named dead that are positive for some row, and units zero in every row that were not named."""
    named = set(found.tolist())
    alive_named = [unit for unit in sorted(named) if np.any(codes[:, unit] != 0)]
    missed = [unit for unit in range(codes.shape[1]) if unit not in named and not np.any(codes[:, unit] != 0)]
    return alive_named, missed


@guarded(TASK_04_4)
def check_04_task4(find_dead_units: object, codes: object) -> None:
    """Task 4: the indices of the dead units of a code, the units that are zero for every input.

    Args:
        find_dead_units: function codes (n, k) -> sorted 1-D integer array of the dead units' indices.
        codes: the trained encoder's codes of the test digits, (n_test, 32): checked against the article's
            encoder of notebook 04 (loaded as the exercise loads it) applied to the test digits.

    On a test array of its own, built with known dead units among nearly dead ones, the result must be
    exactly those units; on ``codes``, every unit named must be zero in every row and every other unit
    positive in some row.
    """
    from helpers import models, pretrained

    task = TASK_04_4
    hint = msg("dead_hint")
    test_codes, dead = _dead_units_test_codes()
    found = _dead_units_from(task, find_dead_units, test_codes, msg("test_codes"))
    alive_named, missed = _wrong_units(test_codes, found)
    if alive_named:
        task.fail(msg("names_alive", dead=len(dead)), hint)
    if missed:
        task.fail(msg("misses_dead", dead=len(dead), missed=len(missed)), hint)
    task.answered(codes, "codes")
    _, _, x_test, _ = course_data()
    shape = np.shape(codes)
    if len(shape) != 2:
        task.fail(msg("codes_not_2d", shape=shape), msg("encode_test_digits"))
    if shape[1] == 784:
        task.fail(msg("codes_are_pixels", shape=shape), msg("encoder_output"))
    encoder = pretrained.load_or_train(verbose=0)[0]
    if shape != (len(x_test), encoder.output_shape[-1]):
        task.fail(msg("codes_shape", shape=shape, count=len(x_test), expected=(len(x_test), encoder.output_shape[-1])),
                  msg("encode_all"))
    codes = task.array_from(codes, "codes", shape)
    if not np.allclose(codes, models.predict_in_batches(encoder, x_test), atol=1e-4):
        task.fail(msg("not_trained_codes"), msg("use_loaded_encoder"))
    found = _dead_units_from(task, find_dead_units, codes, "codes")
    if any(_wrong_units(codes, found)):
        task.fail(msg("wrong_on_codes"), hint)
    task.passed(msg("passed_4", dead=len(dead), found=len(found), units=codes.shape[1]))
