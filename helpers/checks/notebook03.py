"""Self-checks of exercises/03_objectives.ipynb."""

from __future__ import annotations

import numpy as np

from helpers.checks.task import Task, course_data, guarded
from helpers.messages import Catalog

NB03 = "03_objectives"
TASK_03_1 = Task(NB03, 1, "The reconstruction loss L(x, x̂), by hand", "手算重构损失 L(x, x̂)")
TASK_03_2 = Task(NB03, 2, "The reconstruction loss L(x, x̂), by hand", "手算重构损失 L(x, x̂)")
TASK_03_3 = Task(NB03, 3, "The encoder h = f(x; θe) and the decoder x̂ = g(h; θd)",
                 "编码器 h = f(x; θe) 与解码器 x̂ = g(h; θd)")
TASK_03_4 = Task(NB03, 4, "Minimising the pretraining objective, one step at a time", "一步一步地最小化预训练目标")
TASK_03_5 = Task(NB03, 5, "Why cross-entropy suits pixels in [0, 1]", "为什么交叉熵适合 [0, 1] 中的像素")

msg = Catalog(__name__, {
    # Task 1
    "case_inside": ("x̂ within (0, 1)", "x̂ 全在 (0, 1) 之内"),
    "case_saturated": ("x̂ holding exact 0s and 1s", "x̂ 含有恰好为 0 和 1 的值"),
    "numpy_only": ("write it with NumPy only", "只用 NumPy 写"),
    "mse_hint": ("the mean over the 784 pixels of each image, then over the images",
                 "先对每张图像的 784 个像素取平均，再对图像取平均"),
    "mse_more": ("square the differences, then average", "先把差值平方，再取平均"),
    "bce_hint": ("the same averaging as the squared error, of the formula the task gives, in nats (natural logarithms)",
                 "对任务给出的公式，按与平方误差相同的方式取平均，单位是奈特（nat，用自然对数）"),
    "bce_more": ("clip x̂ first, with float32 bounds as Keras does, or an exact 0 or 1 costs log(0)",
                 "先像 Keras 那样用 float32 的界限裁剪 x̂，否则恰好为 0 或 1 的值会带来 log(0)"),
    "differs_from_keras": ("`{name}` differs from Keras's loss for {case}",
                           "`{name}` 在情形「{case}」下与 Keras 的损失不一致"),
    "passed_1": ("mse_by_hand and bce_by_hand equal Keras's losses to 1e-6, also where x̂ is exactly 0 or 1",
                 "mse_by_hand 和 bce_by_hand 与 Keras 的损失相差不超过 1e-6，x̂ 恰好为 0 或 1 处也是如此"),
    # Task 2
    "prediction_off": ("your prediction {guess:g} is more than {tolerance} away from the loss measured on an untrained "
                       "autoencoder", "你的预测 {guess:g} 与在未训练的自编码器上测得的损失相差超过 {tolerance}"),
    "prediction_hint": ("reason about what an untrained network outputs for each pixel, and what the loss charges for "
                        "that output; explain the gap below",
                        "想一想未训练的网络对每个像素输出什么，损失又为这个输出计多少代价；在下面解释这个差距"),
    "prediction_more": ("what does a sigmoid output when its input is close to 0, and what does binary cross-entropy "
                        "charge for that prediction whatever the pixel is?",
                        "输入接近 0 时 sigmoid 输出什么？无论像素是多少，二元交叉熵对这个预测计多少代价？"),
    "passed_2": ("your prediction {guess:g} is within {tolerance} of the loss of an untrained autoencoder built by the "
                 "check ({measured:.3f})",
                 "你的预测 {guess:g} 与检查所构建的未训练自编码器的损失（{measured:.3f}）相差不超过 {tolerance}"),
    # Task 3
    "not_a_model": ("`autoencoder_16` should be a keras.Model, got {got}",
                    "`autoencoder_16` 应当是 keras.Model，却得到了 {got}"),
    "build_as_article": ("build it with keras.Input, two keras.layers.Dense and keras.Model, as the article does",
                         "像文章那样，用 keras.Input、两个 keras.layers.Dense 和 keras.Model 搭建它"),
    "not_784_to_784": ("`autoencoder_16` maps {inputs} to {outputs}; an autoencoder maps (None, 784) to (None, 784)",
                       "`autoencoder_16` 把 {inputs} 映射到 {outputs}；自编码器应把 (None, 784) 映射到 (None, 784)"),
    "input_and_last_layer": ("its input is keras.Input(shape=(784,)) and its last layer has 784 units",
                             "它的输入是 keras.Input(shape=(784,))，最后一层有 784 个单元"),
    "dense_count": ("`autoencoder_16` has {count} Dense layers; the article's has two",
                    "`autoencoder_16` 有 {count} 个 Dense 层；文章的只有两个"),
    "one_encoder_one_decoder": ("one encoder, one decoder", "一个编码器，一个解码器"),
    "code_units": ("its code layer has {units} units, the task asks for {size}",
                   "它的编码层有 {units} 个单元，任务要求 {size} 个"),
    "code_size_is_units": ("the code size is the number of units of the first Dense layer",
                           "编码大小就是第一个 Dense 层的单元数"),
    "activations": ("its activations are {activations}, the article's are ('relu', 'sigmoid')",
                    "它的激活函数是 {activations}，文章的是 ('relu', 'sigmoid')"),
    "activation_argument": ("each Dense layer takes its activation as an argument",
                            "每个 Dense 层都用一个参数指定激活函数"),
    "activation_more": ("the code layer uses ReLU, the output layer a sigmoid", "编码层用 ReLU，输出层用 sigmoid"),
    "from_build_autoencoder": ("`autoencoder_16` comes from models.build_autoencoder, which the task asks you not to "
                               "use", "`autoencoder_16` 来自 models.build_autoencoder，而任务要求不用它"),
    "build_yourself": ("build it yourself with keras.Input, keras.layers.Dense and keras.Model",
                       "自己用 keras.Input、keras.layers.Dense 和 keras.Model 搭建它"),
    "parameters_differ": ("`autoencoder_16` has {count:,} parameters, not those of the article's layers with a "
                          "16-number code",
                          "`autoencoder_16` 有 {count:,} 个参数，不是文章的层在 16 维编码下的参数个数"),
    "keep_defaults": ("keep the layers' defaults: every Dense layer has weights and biases",
                      "保留层的默认设置：每个 Dense 层都有权重和偏置"),
    "formula_only": ("write the count as a formula of code_size, with no Keras inside",
                     "把个数写成 code_size 的公式，里面不要用 Keras"),
    "count_differs": ("parameter_count({size}) = {count}, but a 784-{size}-784 autoencoder built with Keras has a "
                      "different number of parameters",
                      "parameter_count({size}) = {count}，但用 Keras 搭建的 784-{size}-784 自编码器的参数个数与此不同"),
    "count_both_layers": ("count the numbers of both layers, weights and biases", "把两层的数都数上，权重和偏置都算"),
    "count_more": ("a Dense layer from a inputs to b units has a × b weights and b biases",
                   "从 a 个输入到 b 个单元的 Dense 层有 a × b 个权重和 b 个偏置"),
    "passed_3": ("autoencoder_16 is 784 → 16 (ReLU) → 784 (sigmoid) with {count:,} parameters, and parameter_count "
                 "agrees with Keras for code sizes {sizes}",
                 "autoencoder_16 是 784 → 16 (ReLU) → 784 (sigmoid)，共 {count:,} 个参数；parameter_count 在编码大小 "
                 "{sizes} 下都与 Keras 一致"),
    # Task 4
    "returned_at_call": ("the value train_step returned at call {step}", "第 {step} 次调用时 train_step 返回的值"),
    "not_all_moved": ("at call {step} only {moved} of the {total} weight tensors changed",
                      "第 {step} 次调用时，{total} 个权重张量中只有 {moved} 个改变了"),
    "update_all": ("the step updates all the model's trainable weights, the encoder's and the decoder's",
                   "这一步要更新模型所有可训练的权重，编码器的和解码器的都要"),
    "update_all_more": ("ask the tape for the gradient with respect to model.trainable_variables and give all of them "
                        "to optimizer.apply_gradients",
                        "向 tape 求关于 model.trainable_variables 的梯度，并把它们全部交给 optimizer.apply_gradients"),
    "wrong_return": ("at call {step} train_step returned {returned:.4f}, which is not the batch's mean binary "
                     "cross-entropy before the step",
                     "第 {step} 次调用时 train_step 返回了 {returned:.4f}，这不是这一步之前该批量的平均二元交叉熵"),
    "return_tape_loss": ("return the loss the tape recorded, as a Python float",
                         "返回 tape 记录下的损失，转成 Python float"),
    "return_more": ("the loss is averaged over the pixels and over the images of the batch",
                    "损失是对批量中的像素和图像取平均"),
    "passed_4": ("each of the {steps} calls took exactly one gradient step (the weights match Keras's own "
                 "train_on_batch step), returned the loss before it, and the batch loss fell from {first:.4f} to "
                 "{last:.4f}",
                 "{steps} 次调用每次都恰好走了一步梯度下降（权重与 Keras 自己的 train_on_batch 一步一致），并返回了"
                 "这一步之前的损失；批量损失从 {first:.4f} 降到了 {last:.4f}"),
    "uphill": ("at call {step} the weights moved uphill, against one step of gradient descent: the loss rises",
               "第 {step} 次调用时，权重往上坡走了，与梯度下降的一步方向相反：损失在上升"),
    "give_gradients": ("the optimizer subtracts the gradients it is given; give it the gradients themselves",
                       "优化器会减去传给它的梯度；把梯度本身交给它"),
    "too_far": ("one call moved the weights about {ratio:.0f} times as far as one gradient step: train_step takes "
                "several steps (or a larger one) per call",
                "一次调用让权重移动的距离约为一步梯度下降的 {ratio:.0f} 倍：train_step 每次调用走了好几步"
                "（或更大的一步）"),
    "one_step": ("one call, one step: compute the gradient once and apply it once",
                 "一次调用，一步：梯度只计算一次，也只应用一次"),
    "too_short": ("one call moved the weights about {ratio:.2f} times as far as one gradient step of the batch's mean "
                  "loss", "一次调用让权重移动的距离约为按批量平均损失走一步梯度下降的 {ratio:.2f} 倍"),
    "apply_as_is": ("the loss is the mean over pixels and images; apply the gradient as it is",
                    "损失是对像素和图像的平均；梯度照原样应用"),
    "other_direction": ("at call {step} the weights did not move along the gradient of the batch's mean binary "
                        "cross-entropy (they moved in another direction: the gradient of another loss, or of other "
                        "targets or inputs)",
                        "第 {step} 次调用时，权重没有沿该批量平均二元交叉熵的梯度移动（而是朝别的方向："
                        "另一个损失的梯度，或别的目标、别的输入的梯度）"),
    "loss_to_differentiate": ("the loss to differentiate is the one the function returns: binary cross-entropy "
                              "between the batch and its reconstruction",
                              "要求导的损失就是函数返回的那个：批量与其重构之间的二元交叉熵"),
    "inside_the_tape": ("compute the reconstruction and the loss inside the tape, from x_batch itself",
                        "在 tape 内部，直接从 x_batch 计算重构和损失"),
    # Task 5
    "floor_zero": ("`bce_floor` is 0, but binary cross-entropy is 0 at x̂ = x only for pixels that are exactly 0 or 1",
                   "`bce_floor` 是 0，但只有对恰好为 0 或 1 的像素，二元交叉熵在 x̂ = x 处才是 0"),
    "compute_not_assume": ("compute the loss of x̂ = x on the test digits instead of assuming it",
                           "在测试数字上算出 x̂ = x 的损失，而不是凭假设"),
    "floor_wrong": ("`bce_floor` is not the binary cross-entropy of x̂ = x on the test digits, in nats per pixel",
                    "`bce_floor` 不是 x̂ = x 在测试数字上的二元交叉熵（单位：奈特每像素）"),
    "perfect_is_images": ("a perfect reconstruction is the images themselves; average the loss over pixels and images",
                          "完美的重构就是图像本身；对像素和图像取平均损失"),
    "task1_loss": ("the loss of Task 1 takes a target and a prediction: here both are the test images",
                   "任务 1 的损失接受一个目标和一个预测：这里两者都是测试图像"),
    "passed_5": ("{value:.4f} nats per pixel is the loss of a perfect reconstruction of the test digits (checked "
                 "another way, from the pixels' entropy): a perfect reconstruction does not score 0",
                 "每像素 {value:.4f} 奈特就是测试数字完美重构的损失（用另一种方法，从像素的熵验证过）："
                 "完美的重构得分并不是 0"),
})

#: Task 2: how close a prediction of the untrained loss must be to the measured one.
PREDICTION_TOLERANCE = 0.05
#: Task 3: the code size of the student's autoencoder.
CODE_SIZE_03 = 16
#: Task 4: the check calls train_step this many times, with plain gradient descent at this learning rate.
STEPS_03, STEP_LEARNING_RATE_03 = 3, 2.0


def _loss_test_arrays() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pairs (x, x̂) of shape (16, 784) float32 to test loss functions on, some x̂ exactly 0 or 1, by message key."""
    rng = np.random.default_rng(3)
    x = rng.random((16, 784)).astype(np.float32)
    x[:8] = x[:8] > 0.5  # black-and-white images as well as grey ones
    x_hat = (rng.random((16, 784)) * 0.98 + 0.01).astype(np.float32)
    saturated = x_hat.copy()
    saturated[:, :5], saturated[:, 5:10] = 0.0, 1.0
    return {"case_inside": (x, x_hat), "case_saturated": (x, saturated)}


@guarded(TASK_03_1)
def check_03_task1(mse_by_hand: object, bce_by_hand: object) -> None:
    """Task 1: mean squared error and binary cross-entropy written with NumPy.

    Args:
        mse_by_hand, bce_by_hand: functions (x, x_hat), both (n, 784), -> one number, the loss averaged
            over pixels and images. Compared with Keras's losses to 1e-6, also where x̂ is exactly 0 or 1.
    """
    import keras

    task = TASK_03_1
    keras_names = {name: msg("numpy_only") for name in ("keras", "tf", "losses", "tensorflow")}
    for name, function, keras_loss, hint, more in [
        ("mse_by_hand", mse_by_hand, keras.losses.mean_squared_error, msg("mse_hint"), msg("mse_more")),
        ("bce_by_hand", bce_by_hand, keras.losses.binary_crossentropy, msg("bce_hint"), msg("bce_more")),
    ]:
        task.answered(function, name)
        task.refuse_names(function, name, keras_names)
        for case, (x, x_hat) in _loss_test_arrays().items():
            value = task.number_from(task.call(function, name, x.copy(), x_hat.copy()), f"{name}(x, x_hat)")
            expected = float(np.mean(keras_loss(x, x_hat)))
            if abs(value - expected) > 1e-6:
                task.fail(msg("differs_from_keras", name=name, case=msg(case)), hint, more)
    task.passed(msg("passed_1"))


@guarded(TASK_03_2)
def check_03_task2(predicted_loss: object) -> None:
    """Task 2: a prediction of the binary cross-entropy of an untrained autoencoder on test digits.

    Args:
        predicted_loss: the student's number, made before measuring.

    Passes when it is within 0.05 of the loss of a freshly built 784-64-784 autoencoder on 100 test digits.
    """
    import keras

    from helpers import models

    task = TASK_03_2
    guess = task.number_from(predicted_loss, "predicted_loss")
    _, _, x_test, _ = course_data()
    x = x_test[:100]
    autoencoder, _, _ = models.build_autoencoder(64, seed=0)
    measured = float(np.mean(keras.losses.binary_crossentropy(x, autoencoder.predict(x, verbose=0))))
    if abs(guess - measured) > PREDICTION_TOLERANCE:
        task.fail(msg("prediction_off", guess=guess, tolerance=PREDICTION_TOLERANCE), msg("prediction_hint"),
                  msg("prediction_more"))
    task.passed(msg("passed_2", guess=guess, tolerance=PREDICTION_TOLERANCE, measured=measured))


@guarded(TASK_03_3)
def check_03_task3(autoencoder_16: object, parameter_count: object) -> None:
    """Task 3: the article's autoencoder with a 16-number code, and its parameter count as a formula.

    Args:
        autoencoder_16: a Keras model 784 -> Dense(16, relu) -> Dense(784, sigmoid).
        parameter_count: function code_size -> number of parameters of the 784-code_size-784 autoencoder,
            compared with Keras's ``count_params()`` of models built for several code sizes.
    """
    import keras

    from helpers import models

    task = TASK_03_3
    task.answered(autoencoder_16, "autoencoder_16")
    if not isinstance(autoencoder_16, keras.Model):
        task.fail(msg("not_a_model", got=type(autoencoder_16).__name__), msg("build_as_article"))
    shapes = (tuple(autoencoder_16.input_shape), tuple(autoencoder_16.output_shape))
    if shapes != ((None, 784), (None, 784)):
        task.fail(msg("not_784_to_784", inputs=shapes[0], outputs=shapes[1]), msg("input_and_last_layer"))
    dense = [layer for layer in autoencoder_16.layers if isinstance(layer, keras.layers.Dense)]
    if len(dense) != 2:
        task.fail(msg("dense_count", count=len(dense)), msg("one_encoder_one_decoder"))
    if dense[0].units != CODE_SIZE_03:
        task.fail(msg("code_units", units=dense[0].units, size=CODE_SIZE_03), msg("code_size_is_units"))
    activations = tuple(getattr(layer.activation, "__name__", str(layer.activation)) for layer in dense)
    if activations != ("relu", "sigmoid"):
        task.fail(msg("activations", activations=activations), msg("activation_argument"), msg("activation_more"))
    if {"encoder_dense", "decoder_dense"} & {layer.name for layer in autoencoder_16.layers}:
        task.fail(msg("from_build_autoencoder"), msg("build_yourself"))
    if autoencoder_16.count_params() != models.build_autoencoder(CODE_SIZE_03, seed=0)[0].count_params():
        task.fail(msg("parameters_differ", count=autoencoder_16.count_params()), msg("keep_defaults"))
    task.answered(parameter_count, "parameter_count")
    task.refuse_names(parameter_count, "parameter_count",
                      {name: msg("formula_only") for name in ("keras", "models", "count_params", "build_autoencoder")})
    sizes = (1, 7, CODE_SIZE_03, 64, 200)
    for size in sizes:
        built = autoencoder_16 if size == CODE_SIZE_03 else models.build_autoencoder(size, seed=0)[0]
        count = task.number_from(task.call(parameter_count, "parameter_count", size),
                                 f"parameter_count({size})", integer=True)
        if count != built.count_params():
            task.fail(msg("count_differs", size=size, count=count), msg("count_both_layers"), msg("count_more"))
    task.passed(msg("passed_3", count=autoencoder_16.count_params(), sizes=", ".join(map(str, sizes))))


@guarded(TASK_03_4)
def check_03_task4(train_step: object) -> None:
    """Task 4: one gradient step on the reconstruction loss, written with ``tf.GradientTape``.

    Args:
        train_step: function (model, optimizer, x_batch) -> the batch's mean binary cross-entropy *before*
            the step (a number), which moves every trainable weight one step against the gradient.

    Runs it three times on a fresh 784-32-784 autoencoder with plain gradient descent (``SGD``, whose step is
    the gradient itself, times the learning rate) and a batch of 256 training digits. Beside it, a copy
    compiled with the same loss and optimizer takes Keras's own step, ``train_on_batch``, each time (another
    method than the tape). After every call the weights must match the copy's (so the function took exactly
    one step, along the gradient of the batch's mean binary cross-entropy), the returned value must be the
    loss before the step (to 1e-5), and the loss must fall.
    """
    import keras
    import tensorflow as tf


    task = TASK_03_4
    task.answered(train_step, "train_step")
    x_train, _, _, _ = course_data()
    batch = tf.constant(x_train[:256])
    autoencoder, reference = _autoencoders_to_step(x_train)
    optimizer = keras.optimizers.SGD(learning_rate=STEP_LEARNING_RATE_03)
    reference.compile(optimizer=keras.optimizers.SGD(learning_rate=STEP_LEARNING_RATE_03), loss="binary_crossentropy")
    losses = []
    for step in range(1, STEPS_03 + 1):
        before = [variable.numpy().copy() for variable in autoencoder.trainable_variables]
        expected = float(reference.train_on_batch(batch, batch))  # the loss before Keras's own step
        returned = task.number_from(task.call(train_step, "train_step", autoencoder, optimizer, batch),
                                    msg("returned_at_call", step=step))
        after = [variable.numpy() for variable in autoencoder.trainable_variables]
        moved = [not np.array_equal(a, b) for a, b in zip(before, after)]
        if not all(moved):
            task.fail(msg("not_all_moved", step=step, moved=sum(moved), total=len(moved)), msg("update_all"),
                      msg("update_all_more"))
        _compare_step(task, step, before, after, [w.numpy() for w in reference.trainable_variables])
        if abs(returned - expected) > 1e-5:
            task.fail(msg("wrong_return", step=step, returned=returned), msg("return_tape_loss"), msg("return_more"))
        losses.append(returned)
    last = float(np.mean(keras.losses.binary_crossentropy(batch, autoencoder(batch))))
    task.passed(msg("passed_4", steps=STEPS_03, first=losses[0], last=last))


def _autoencoders_to_step(x_train: np.ndarray) -> tuple[object, object]:
    """Two identical 784-32-784 autoencoders whose output starts at the mean training digit, not at 0.5 everywhere.

    At 0.5 everywhere the gradients of squared error and of cross-entropy point the same way; from the mean
    digit (pixels near 0 at the border, grey in the middle) they do not, so a step can tell the losses apart.
    """
    from helpers import models

    pair = [models.build_autoencoder(32, seed=0)[0] for _ in range(2)]
    mean_digit = np.clip(x_train.mean(axis=0), 0.02, 0.98)
    for model in pair:
        kernel, bias = model.layers[-1].get_weights()
        model.layers[-1].set_weights([kernel, np.log(mean_digit / (1 - mean_digit)).astype(bias.dtype)])
    return pair[0], pair[1]


def _compare_step(task: Task, step: int, before: list[np.ndarray], after: list[np.ndarray],
                  expected: list[np.ndarray]) -> None:
    """Fail unless the student's weights ``after`` a call equal Keras's one step, ``expected``, from ``before``."""
    taken = np.concatenate([(a - b).ravel() for a, b in zip(after, before)])
    right = np.concatenate([(e - b).ravel() for e, b in zip(expected, before)])
    if np.linalg.norm(taken - right) <= 1e-3 * np.linalg.norm(right):
        return
    ratio = np.linalg.norm(taken) / np.linalg.norm(right)
    cosine = float(taken @ right / (np.linalg.norm(taken) * np.linalg.norm(right)))
    if cosine < -0.9:
        task.fail(msg("uphill", step=step), msg("give_gradients"))
    if cosine > 0.98 and ratio > 1.5:
        task.fail(msg("too_far", ratio=ratio), msg("one_step"))
    if cosine > 0.98 and ratio < 0.67:
        task.fail(msg("too_short", ratio=ratio), msg("apply_as_is"))
    task.fail(msg("other_direction", step=step), msg("loss_to_differentiate"), msg("inside_the_tape"))


@guarded(TASK_03_5)
def check_03_task5(bce_floor: object) -> None:
    """Task 5: the binary cross-entropy of a perfect reconstruction (x̂ = x) of the test digits.

    Args:
        bce_floor: the number, in nats per pixel. Recomputed as the mean of SciPy's elementwise entropy
            function of the test pixels (another method than the loss), to 1e-5.
    """
    from scipy import special

    task = TASK_03_5
    value = task.number_from(bce_floor, "bce_floor")
    _, _, x_test, _ = course_data()
    p = x_test.astype(np.float64)
    expected = float(np.mean(special.entr(p) + special.entr(1 - p)))
    if value == 0:
        task.fail(msg("floor_zero"), msg("compute_not_assume"))
    if abs(value - expected) > 1e-5:
        task.fail(msg("floor_wrong"), msg("perfect_is_images"), msg("task1_loss"))
    task.passed(msg("passed_5", value=value))
