"""Self-checks of exercises/06_pitfalls.ipynb."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers import data
from helpers.checks.task import Task, course_data, guarded
from helpers.messages import Catalog

# Exercise notebook 06 spans the three teaching notebooks of the pitfalls: each task names the one that teaches it.
NB06B, NB06C = "06b_overfitting", "06c_denoising"
TASK_06_1 = Task(NB06B, 1, "Remedy (b): train fewer numbers", "补救办法 (b)：训练更少的数")
TASK_06_2 = Task(NB06B, 2, "Remedy (a): early stopping", "补救办法 (a)：早停")
TASK_06_3 = Task(NB06C, 3, "A pretraining task that cannot be solved by copying: the denoising autoencoder",
                 "一个无法靠复制解决的预训练任务：去噪自编码器")

msg = Catalog(__name__, {
    # Task 1
    "enc_article": ("the article's encoder (784 → 32)", "文章的编码器（784 → 32）"),
    "enc_narrow": ("a 784 → 7 encoder", "一个 784 → 7 的编码器"),
    "enc_batch_norm": ("an encoder with batch normalisation", "一个带批量归一化的编码器"),
    "enc_deep": ("a deep features model (64 + 16 numbers)", "一个深层特征模型（64 + 16 个数）"),
    "state_trainable": ("trainable", "可训练"),
    "state_frozen": ("frozen (trainable = False)", "冻结（trainable = False）"),
    "regime_frozen": ("frozen", "冻结"),
    "regime_fine_tuned": ("fine-tuned", "微调"),
    "left_frozen": ("given {name} {state}, numbers_trained(encoder, {regime!r}) leaves it frozen: the next use of the "
                    "encoder would train nothing of it",
                    "对于{name}，传入时为{state}，numbers_trained(encoder, {regime!r}) 之后它却变成了冻结的：下次使用"
                    "这个编码器时，它的数一个也不会被训练"),
    "left_trainable": ("given {name} {state}, numbers_trained(encoder, {regime!r}) leaves it trainable: the next use "
                       "of the encoder would train it after all",
                       "对于{name}，传入时为{state}，numbers_trained(encoder, {regime!r}) 之后它却变成了可训练的：下"
                       "次使用这个编码器时，它反而会被训练"),
    "put_back": ("remember encoder.trainable before changing it, and put that value back (try ... finally)",
                 "修改之前记下 encoder.trainable 的值，最后再把它恢复（try ... finally）"),
    "no_head_biases": ("for {name}, frozen: {count:,} leaves out the head's biases",
                       "对于{name}，冻结时：{count:,} 漏掉了输出头的偏置"),
    "weights_and_biases": ("a Dense layer has weights and biases", "Dense 层既有权重也有偏置"),
    "counts_encoder": ("for {name}, frozen: {count:,} also counts the encoder's numbers",
                       "对于{name}，冻结时：{count:,} 把编码器的数也算进去了"),
    "frozen_means": ("frozen means the encoder is not trained: set encoder.trainable before counting",
                     "冻结意味着不训练编码器：数之前先设置 encoder.trainable"),
    "only_head": ("for {name} given {state}, fine-tuned: {count:,} counts only the head",
                  "对于{name}（传入时为{state}），微调时：{count:,} 只数了输出头"),
    "fine_tuned_means": ("fine-tuned means everything is trained: set encoder.trainable = True before counting, "
                         "whatever it was",
                         "微调意味着所有部分都训练：不管原来是什么，数之前先设置 encoder.trainable = True"),
    "counts_statistics": ("for {name}, fine-tuned: {count:,} also counts numbers the optimizer never updates (batch "
                          "normalisation's moving statistics)",
                          "对于{name}，微调时：{count:,} 把优化器从不更新的数也算进去了（批量归一化的滑动统计量）"),
    "trainable_only": ("count the trainable weights only", "只数可训练的权重"),
    "wrong_count": ("for {name} given {state}, {regime}: {count:,} is not the number of trained numbers",
                    "对于{name}（传入时为{state}），{regime}时：{count:,} 不是被训练的数的个数"),
    "let_keras_list": ("put the head on the encoder, set encoder.trainable for the regime, and let Keras list the "
                       "trainable weights",
                       "把输出头接在编码器上，按方式设置 encoder.trainable，再让 Keras 列出可训练的权重"),
    "passed_1": ("numbers_trained is right for 4 encoders, each given trainable and frozen, in both regimes, "
                 "including one whose batch statistics are never trained, and leaves each encoder as it found it",
                 "numbers_trained 对 4 个编码器都正确（每个都分别以可训练和冻结状态传入，两种方式都试过，其中一个的批"
                 "量统计量从不训练），并让每个编码器保持原样"),
    # Task 2
    "not_a_history": ("`fit_with_early_stopping` should return what model.fit returns (or its .history dict)",
                      "`fit_with_early_stopping` 应当返回 model.fit 的返回值（或它的 .history 字典）"),
    "return_fit": ("end with `return model.fit(...)`", "最后写 `return model.fit(...)`"),
    "no_val_loss": ("the history has no validation loss", "history 中没有验证损失"),
    "pass_validation_data": ("pass validation_data=(x_val, y_val) to model.fit",
                             "把 validation_data=(x_val, y_val) 传给 model.fit"),
    "training_losses_falling": ("the losses recorded as validation losses are those of the training digits, which "
                                "keep falling", "记录为验证损失的其实是训练数字的损失，它会一直下降"),
    "validate_on_val": ("validate on (x_val, y_val), the digits the model is not trained on",
                        "在 (x_val, y_val) 上验证，也就是模型没有在上面训练的那些数字"),
    "still_falling": ("training ran all {epochs} epochs and the recorded validation loss was still falling at the "
                      "end, which the validation digits' loss does not do",
                      "训练跑满了全部 {epochs} 轮，记录的验证损失到最后还在下降，而验证数字的损失不会这样"),
    "ran_all": ("training ran all {epochs} epochs although the validation loss stopped improving at epoch {best}",
                "训练跑满了全部 {epochs} 轮，尽管验证损失在第 {best} 轮就不再改善"),
    "stop_on_val": ("stop on the loss measured on the validation digits, not on the training loss",
                    "根据在验证数字上测得的损失来停止，而不是根据训练损失"),
    "early_stopping_callback": ("keras.callbacks.EarlyStopping, given to model.fit in its callbacks list",
                                "keras.callbacks.EarlyStopping，放进 model.fit 的 callbacks 列表"),
    "wrong_patience": ("training stopped at epoch {epochs}, {waited} epochs after the lowest validation loss "
                       "(epoch {best}); stopping on the validation loss with a patience of {patience} stops "
                       "exactly {patience} epochs after it",
                       "训练在第 {epochs} 轮停止，距最低验证损失（第 {best} 轮）{waited} 轮；根据验证损失、以 "
                       "patience 为 {patience} 停止，应恰好在其后 {patience} 轮停止"),
    "callback_questions": ("which quantity does the callback watch, in which direction, how long does it wait, and "
                           "what counts as an improvement?",
                           "回调监视的是哪个量、朝哪个方向、等待多久、什么才算改善？"),
    "callback_defaults": ("the defaults of mode and min_delta fit a loss; patience is the number of epochs it waits",
                          "mode 和 min_delta 的默认值适用于损失；patience 是它等待的轮数"),
    "kept_last": ("after training the model's validation loss is {final:.4f}, that of the last epoch, not the lowest "
                  "recorded ({lowest:.4f}): it kept the weights of the last epoch",
                  "训练后模型的验证损失是 {final:.4f}，即最后一轮的损失，而不是记录到的最低值（{lowest:.4f}）：它保留"
                  "的是最后一轮的权重"),
    "restore_best": ("the callback can give back the weights of the best epoch", "这个回调可以恢复最佳一轮的权重"),
    "training_losses": ("the losses recorded as validation losses are those of the training digits",
                        "记录为验证损失的其实是训练数字的损失"),
    "neither": ("after training the model's loss on (x_val, y_val) is {final:.4f}, neither the lowest validation loss "
                "recorded ({lowest:.4f}) nor the last: the validation losses were measured on other digits, or the "
                "weights are not those of the best epoch",
                "训练后模型在 (x_val, y_val) 上的损失是 {final:.4f}，既不是记录到的最低验证损失（{lowest:.4f}），也不"
                "是最后一轮的：验证损失是在别的数字上测得的，或者权重不是最佳一轮的"),
    "validate_and_keep": ("validate on (x_val, y_val), and keep the weights of the best epoch",
                          "在 (x_val, y_val) 上验证，并保留最佳一轮的权重"),
    "passed_2": ("training stopped after {epochs} of at most {limit} epochs, {patience} epochs after the lowest "
                 "validation loss ({lowest:.3f}, epoch {best}), and the model ends with the weights of that epoch "
                 "(its loss on the validation digits is that lowest one)",
                 "训练在第 {epochs} 轮后停止（最多 {limit} 轮），距最低验证损失（{lowest:.3f}，第 {best} 轮"
                 "）{patience} 轮；模型最终用的是那一轮的权重（它在验证数字上的损失就是那个最低值）"),
    # Task 3
    "not_a_model": ("`{name}` should be a keras.Model, got {got}", "`{name}` 应当是 keras.Model，却得到了 {got}"),
    "first_value": ("the first value models.build_autoencoder returns is the autoencoder",
                    "models.build_autoencoder 返回的第一个值就是自编码器"),
    "not_784_to_784": ("`{name}` maps {inputs} to {outputs}; an autoencoder maps (None, 784) to (None, 784)",
                       "`{name}` 把 {inputs} 映射到 {outputs}；自编码器应把 (None, 784) 映射到 (None, 784)"),
    "not_its_encoder": ("pass the autoencoder, not its encoder", "传入自编码器，而不是它的编码器"),
    "plain_is_denoising": ("`plain_autoencoder` corrupts its inputs in training: it is a denoising autoencoder",
                           "`plain_autoencoder` 在训练时会破坏输入：它是去噪自编码器"),
    "task_order": ("the plain one is the article's autoencoder, without noise; pass them in the task's order",
                   "普通的那个是文章的自编码器，不加噪声；按任务给出的顺序传入它们"),
    "untrained": ("`{name}` reconstructs clean test digits with an error of {error:.3f}; a trained autoencoder gets "
                  "below {target}", "`{name}` 重构干净测试数字的误差是 {error:.3f}；训练过的自编码器能低于 {target}"),
    "fit_first": ("compile and fit it on x_train before passing it", "传入之前先编译，并在 x_train 上训练"),
    "not_better": ("on masked test digits the denoising autoencoder's error is {denoising:.4f} against {plain:.4f} "
                   "for the plain one; it should be lower by at least {margin}",
                   "在被遮挡的测试数字上，去噪自编码器的误差是 {denoising:.4f}，普通的是 {plain:.4f}；它应当至少"
                   "低 {margin}"),
    "masked_inputs": ("the denoising one sees masked inputs in training and must reproduce the clean images, with the "
                      "same settings as the plain one",
                      "去噪的那个在训练时看到被遮挡的输入，并且必须重现干净的图像，其他设置与普通的相同"),
    "noise_inside": ("the noise belongs inside the model, and the targets stay clean",
                     "噪声要放在模型内部，目标保持干净"),
    "passed_3": ("on masked test digits the denoising autoencoder's error is {denoising:.4f} against {plain:.4f} for "
                 "the plain one; on clean digits: {denoising_clean:.4f} against {plain_clean:.4f}",
                 "在被遮挡的测试数字上，去噪自编码器的误差是 {denoising:.4f}，普通的是 {plain:.4f}；在干净的数字上"
                 "：{denoising_clean:.4f} 对 {plain_clean:.4f}"),
})

#: Task 2: the check trains for at most this many epochs, and the task asks for this patience.
EARLY_STOPPING_EPOCHS_06, PATIENCE_06 = 18, 5
#: Task 3: both autoencoders must reconstruct clean test digits at least this well (binary cross-entropy per
#: pixel; an untrained one scores about 0.69)...
TRAINED_ERROR_06 = 0.2
#: ...and on masked test digits the denoising one must beat the plain one by at least this much. With a
#: 128-number code and 10 epochs the margin is 0.005-0.007 in fast mode, over seeds.
DENOISING_MARGIN_06 = 0.002


def _encoders_to_count() -> dict[str, Any]:
    """Encoders for Task 1, by the message that names them.

    The article's, a narrow one, one with frozen statistics inside, a deep features model.
    """
    import keras

    from helpers import models

    pixels = keras.Input(shape=(784,))
    dense = keras.layers.Dense(24, kernel_initializer=keras.initializers.GlorotUniform(seed=3))
    hidden = keras.layers.BatchNormalization()(dense(pixels))  # 2 x 24 statistics never trained
    with_statistics = keras.Model(pixels, keras.layers.Activation("relu")(hidden), name="with_batch_statistics")
    return {"enc_article": models.build_autoencoder(32, seed=0)[1],
            "enc_narrow": models.build_autoencoder(7, seed=0)[1],
            "enc_batch_norm": with_statistics,
            "enc_deep": models.build_deep_autoencoder((64,), 16, seed=0)[2]}


def _numbers_updated(encoder: Any, regime: str) -> int:
    """How many numbers an optimizer updates in encoder -> Dense(10, softmax), counted from its own state.

    Another method than adding up weight sizes: a momentum optimizer keeps one momentum number per number
    it updates, so the sizes of its momenta, once built for the classifier's trainable variables, are the count.
    """
    import keras

    was = encoder.trainable
    encoder.trainable = {"frozen": False, "fine-tuned": True}[regime]
    try:
        classifier = keras.Sequential([encoder, keras.layers.Dense(10, activation="softmax")])
        optimizer = keras.optimizers.SGD(momentum=0.9)
        optimizer.build(classifier.trainable_variables)
        return int(sum(np.prod(momentum.shape) for momentum in optimizer.momentums))
    finally:
        encoder.trainable = was


@guarded(TASK_06_1)
def check_06_task1(numbers_trained: object) -> None:
    """Task 1: how many numbers training updates when a softmax head is put on an encoder, frozen or fine-tuned.

    Args:
        numbers_trained: function (encoder, regime) -> int, regime "frozen" or "fine-tuned": the number of
            trainable numbers of encoder -> Dense(10, softmax) when only the head is trained, or everything.
            It must leave ``encoder.trainable`` as it found it, True or False.

    Recomputed from the momenta of an optimizer built for the classifier (see :func:`_numbers_updated`), on
    four encoders (one with batch-normalisation statistics, which count as parameters but are never trained),
    each given once trainable and once frozen (``trainable = False``, as a frozen probe leaves it).
    """
    task = TASK_06_1
    task.answered(numbers_trained, "numbers_trained")
    regimes = {"frozen": "regime_frozen", "fine-tuned": "regime_fine_tuned"}
    for key, encoder in _encoders_to_count().items():
        name = msg(key)
        expected = {regime: _numbers_updated(encoder, regime) for regime in regimes}
        for given_trainable in (True, False):
            encoder.trainable = given_trainable
            state = msg("state_trainable") if given_trainable else msg("state_frozen")
            for regime in regimes:
                count = task.number_from(task.call(numbers_trained, "numbers_trained", encoder, regime),
                                         f"numbers_trained(encoder, {regime!r})", integer=True)
                if encoder.trainable != given_trainable:
                    task.fail(msg("left_trainable" if encoder.trainable else "left_frozen", name=name, state=state,
                                  regime=regime), msg("put_back"))
                if count == expected[regime]:
                    continue
                if regime == "frozen" and count == expected["frozen"] - 10:
                    task.fail(msg("no_head_biases", name=name, count=count), msg("weights_and_biases"))
                if count == expected["fine-tuned"] and regime == "frozen":
                    task.fail(msg("counts_encoder", name=name, count=count), msg("frozen_means"))
                if regime == "fine-tuned" and count == expected["frozen"]:
                    task.fail(msg("only_head", name=name, state=state, count=count), msg("fine_tuned_means"))
                if regime == "fine-tuned" and count == expected["frozen"] + encoder.count_params():
                    task.fail(msg("counts_statistics", name=name, count=count), msg("trainable_only"))
                task.fail(msg("wrong_count", name=name, state=state, regime=msg(regimes[regime]), count=count),
                          msg("let_keras_list"))
        encoder.trainable = True
    task.passed(msg("passed_1"))


def _early_stopping_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """10 labelled training digits per class and 10 other ones per class for validation, as notebook 06b draws them.

    From the bundled sample in both modes: the check's run is then the same everywhere, and it stops early
    (on the complete MNIST these 100 digits can keep the validation loss falling until the last epochs allowed).
    """
    (x_train, y_train), _ = data.load_mnist(data.MNIST_SAMPLE, verbose=False)
    x_train, y_train = data.preprocess(x_train), y_train.astype("int32")
    train_index = data.stratified_indices(y_train, 10, 0)
    others = np.setdiff1d(np.arange(len(y_train)), train_index)
    validation_index = others[data.stratified_indices(y_train[others], 10, 1000)]
    return x_train[train_index], y_train[train_index], x_train[validation_index], y_train[validation_index]


@guarded(TASK_06_2)
def check_06_task2(fit_with_early_stopping: object) -> None:
    """Task 2: training that stops when the validation loss has not improved for 5 epochs, and keeps the best weights.

    Args:
        fit_with_early_stopping: function (model, x, y, x_val, y_val, epochs) -> the history of ``model.fit``
            (a ``keras.callbacks.History`` or its ``.history`` dict), trained with keras.callbacks.EarlyStopping.

    Runs it on a fresh, seeded 784-512-10 MLP (notebook 06b's, compiled with Adam(3e-3) so that it overfits within
    about ten epochs) with 10 labelled digits per class, 10 more per class for validation and at most 18 epochs. It
    must stop early, exactly 5 epochs after the best validation
    loss, with the weights of that epoch (the model's validation loss afterwards is the lowest recorded, to 1e-3).
    """
    import keras

    task = TASK_06_2
    x, y, x_val, y_val = _early_stopping_split()
    glorot = keras.initializers.GlorotUniform  # seeded: the same model at every run, no global random state
    model = keras.Sequential([keras.Input(shape=(784,)),
                              keras.layers.Dense(512, activation="relu", kernel_initializer=glorot(seed=1)),
                              keras.layers.Dense(10, activation="softmax", kernel_initializer=glorot(seed=2))])
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")  # overfits soon
    history = task.call(fit_with_early_stopping, "fit_with_early_stopping", model, x, y, x_val, y_val,
                        EARLY_STOPPING_EPOCHS_06)
    task.answered(history, "fit_with_early_stopping(...)")
    history = getattr(history, "history", history)
    if not isinstance(history, dict) or "loss" not in history:
        task.fail(msg("not_a_history"), msg("return_fit"))
    if "val_loss" not in history:
        task.fail(msg("no_val_loss"), msg("pass_validation_data"))
    val_loss = [float(v) for v in history["val_loss"]]
    epochs, best = len(val_loss), int(np.argmin(val_loss)) + 1
    if best == epochs and epochs >= EARLY_STOPPING_EPOCHS_06:
        on_training = float(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])
        if abs(on_training - val_loss[-1]) <= 1e-3:
            task.fail(msg("training_losses_falling"), msg("validate_on_val"))
        task.fail(msg("still_falling", epochs=epochs), msg("validate_on_val"))
    if epochs >= EARLY_STOPPING_EPOCHS_06:
        task.fail(msg("ran_all", epochs=epochs, best=best), msg("stop_on_val"), msg("early_stopping_callback"))
    waited = epochs - best
    if waited != PATIENCE_06:
        task.fail(msg("wrong_patience", epochs=epochs, waited=waited, best=best, patience=PATIENCE_06),
                  msg("callback_questions"), msg("callback_defaults"))
    final = float(model.evaluate(x_val, y_val, verbose=0, return_dict=True)["loss"])
    if abs(final - min(val_loss)) > 1e-3:
        on_training = float(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])
        if abs(final - val_loss[-1]) <= 1e-3:
            task.fail(msg("kept_last", final=final, lowest=min(val_loss)), msg("restore_best"))
        if min(abs(on_training - v) for v in val_loss) <= 1e-3:
            task.fail(msg("training_losses"), msg("validate_on_val"))
        task.fail(msg("neither", final=final, lowest=min(val_loss)), msg("validate_and_keep"))
    task.passed(msg("passed_2", epochs=epochs, limit=EARLY_STOPPING_EPOCHS_06, patience=PATIENCE_06,
                    lowest=min(val_loss), best=best))


def _masks_in_training(model: Any, x: np.ndarray) -> bool:
    """Whether ``model`` computes something else in training than in inference (a noise layer is active)."""
    import keras

    training = keras.ops.convert_to_numpy(model(x, training=True))
    return not np.allclose(training, keras.ops.convert_to_numpy(model(x, training=False)), atol=1e-6)


def _reconstruction_error(task: Task, model: object, name: str, inputs: np.ndarray, clean: np.ndarray) -> float:
    import keras

    from helpers import models

    task.answered(model, name)
    if not isinstance(model, keras.Model):
        task.fail(msg("not_a_model", name=name, got=type(model).__name__), msg("first_value"))
    if tuple(model.input_shape) != (None, 784) or tuple(model.output_shape) != (None, 784):
        task.fail(msg("not_784_to_784", name=name, inputs=model.input_shape, outputs=model.output_shape),
                  msg("not_its_encoder"))
    x_hat = models.predict_in_batches(model, inputs)
    return float(np.mean(keras.losses.binary_crossentropy(clean, x_hat)))


@guarded(TASK_06_3)
def check_06_task3(plain_autoencoder: object, denoising_autoencoder: object) -> None:
    """Task 3: a denoising autoencoder that reconstructs masked digits better than the plain one.

    Args:
        plain_autoencoder, denoising_autoencoder: trained Keras autoencoders (n, 784) -> (n, 784).

    Both must be trained (binary cross-entropy below 0.2 on the clean test digits); on test digits with 30 %
    of their pixels masked (a ``Dropout(0.3)`` layer, as in notebook 06c), measured against the clean digits,
    the denoising one's error must be lower than the plain one's by at least 0.002.
    """
    import keras

    task = TASK_06_3
    _, _, x_test, _ = course_data()
    masked = keras.ops.convert_to_numpy(keras.layers.Dropout(0.3, seed=0)(x_test, training=True))
    errors = {}
    for name, model in (("plain_autoencoder", plain_autoencoder), ("denoising_autoencoder", denoising_autoencoder)):
        clean_error = _reconstruction_error(task, model, name, x_test, x_test)
        if name == "plain_autoencoder" and _masks_in_training(model, x_test[:64]):
            task.fail(msg("plain_is_denoising"), msg("task_order"))
        if clean_error > TRAINED_ERROR_06:
            task.fail(msg("untrained", name=name, error=clean_error, target=TRAINED_ERROR_06), msg("fit_first"))
        errors[name] = (clean_error, _reconstruction_error(task, model, name, masked, x_test))
    (plain_clean, plain_masked), (denoising_clean, denoising_masked) = errors.values()
    if not denoising_masked <= plain_masked - DENOISING_MARGIN_06:
        task.fail(msg("not_better", denoising=denoising_masked, plain=plain_masked, margin=DENOISING_MARGIN_06),
                  msg("masked_inputs"), msg("noise_inside"))
    task.passed(msg("passed_3", denoising=denoising_masked, plain=plain_masked, denoising_clean=denoising_clean,
                    plain_clean=plain_clean))
