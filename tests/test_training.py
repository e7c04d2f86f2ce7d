"""The one training engine: its step, its compiled epochs and runs, train() and its callbacks, its objectives."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import data, models, speed, training, validation

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    """512 real digits from the bundled sample, preprocessed: (512, 784) float32 in [0, 1]."""
    with np.load(data.MNIST_SAMPLE) as f:
        return data.preprocess(f["x_train"][:512])


@pytest.fixture(scope="module")
def labelled() -> tuple[np.ndarray, np.ndarray]:
    """300 real digits and their labels."""
    with np.load(data.MNIST_SAMPLE) as f:
        return data.preprocess(f["x_train"][:300]), f["y_train"][:300].astype("int32")


def test_train_lowers_the_loss_and_returns_fits_history(digits):
    autoencoder, _, _ = models.build_autoencoder(16, seed=0)
    history = training.train(autoencoder, digits, digits, loss="binary_crossentropy", optimizer="adam",
                             epochs=4, batch_size=100, validation_data=(digits[:128], digits[:128]), verbose=0)
    assert set(history) == {"loss", "val_loss"}
    assert len(history["loss"]) == len(history["val_loss"]) == 4
    assert all(isinstance(v, float) for v in history["loss"] + history["val_loss"])
    assert history["loss"][-1] < history["loss"][0] - 0.05
    assert history["val_loss"][-1] < history["val_loss"][0]


@pytest.mark.parametrize("n, batch_size", [(512, 100), (300, 128)])  # last batches of 12 and 44
def test_an_epoch_reports_the_true_mean_loss_over_a_short_last_batch(digits, n, batch_size):
    autoencoder, _, _ = models.build_autoencoder(8, seed=1)
    x = digits[:n]
    history = training.train(autoencoder, x, x, loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.0),
                             epochs=1, batch_size=batch_size, validation_data=(x, x), verbose=0)
    # With a zero learning rate nothing moves, so the epoch's loss equals the loss of the fixed model.
    expected = float(np.mean((autoencoder.predict(x, verbose=0) - x) ** 2))
    assert history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert history["val_loss"][0] == pytest.approx(expected, rel=1e-5)


def test_an_epoch_does_fits_maths(digits):
    """With plain SGD and one full batch (no shuffling effect), each epoch is exactly one fit step."""
    results = []
    for run in ("fit", "engine"):
        autoencoder, _, _ = models.build_autoencoder(8, seed=5)
        optimizer = keras.optimizers.SGD(learning_rate=0.5)
        if run == "fit":
            autoencoder.compile(optimizer=optimizer, loss="binary_crossentropy")
            autoencoder.fit(digits, digits, epochs=2, batch_size=len(digits), shuffle=False, verbose=0)
        else:
            training.train(autoencoder, digits, digits, loss="binary_crossentropy", optimizer=optimizer,
                           epochs=2, batch_size=len(digits), verbose=0)
        results.append(autoencoder.get_weights())
    for fitted, engine in zip(*results):
        np.testing.assert_allclose(engine, fitted, rtol=1e-4, atol=1e-6)


def test_same_seed_same_history_and_one_trace_for_all_epochs(digits):
    runs = []
    for _ in range(2):
        autoencoder, _, _ = models.build_autoencoder(8, seed=3)
        trainer = training.Trainer(autoencoder, loss="binary_crossentropy", optimizer="adam", batch_size=128, seed=5)
        data_once = trainer.prepare(digits, digits)
        runs.append([trainer.train_epoch(data_once) for _ in range(3)])
        assert trainer._epoch.experimental_get_tracing_count() == 1
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-5)
    assert runs[0][-1] < runs[0][0]


def test_another_shuffling_seed_gives_another_history(digits):
    losses = []
    for seed in (0, 1):
        autoencoder, _, _ = models.build_autoencoder(8, seed=3)
        losses.append(training.train(autoencoder, digits, digits, loss="binary_crossentropy", optimizer="adam",
                                     epochs=2, batch_size=64, seed=seed, verbose=0)["loss"])
    assert losses[0] != losses[1]


def test_xla_gives_the_same_numbers(digits):
    losses = {}
    for jit_compile in (False, True):
        autoencoder, _, _ = models.build_autoencoder(8, seed=3)
        trainer = training.Trainer(autoencoder, loss="binary_crossentropy", optimizer="adam", batch_size=200, seed=5,
                                   jit_compile=jit_compile)
        losses[jit_compile] = [trainer.train_epoch(digits, digits) for _ in range(2)] + [
            trainer.evaluate(digits, digits)]
    np.testing.assert_allclose(losses[True], losses[False], rtol=1e-4)


def test_the_eager_step_is_the_compiled_step(digits):
    """Notebook 03 runs Trainer.train_step eagerly; the epochs run the same function compiled."""
    weights = []
    for eager in (True, False):
        autoencoder, _, _ = models.build_autoencoder(8, seed=2)
        trainer = training.Trainer(autoencoder, loss="binary_crossentropy",
                                   optimizer=keras.optimizers.SGD(learning_rate=0.5), batch_size=len(digits))
        if eager:
            before = float(trainer.objective(autoencoder, (tf.constant(digits), tf.constant(digits)), False))
            loss = trainer.train_step(tf.constant(digits), tf.constant(digits))  # returns the loss before the step
            assert float(loss) == pytest.approx(before, rel=1e-5)
        else:
            trainer.train_epoch(digits, digits)
        weights.append(autoencoder.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_stop_at_loss_stops_after_the_first_epoch_that_reaches_it(digits, capsys):
    autoencoder, _, _ = models.build_autoencoder(16, seed=0)
    history = training.train(autoencoder, digits, digits, loss="binary_crossentropy", optimizer="adam", epochs=30,
                             batch_size=64, validation_data=(digits[:128], digits[:128]),
                             callbacks=[training.StopAtLoss(0.3)], verbose=2)
    assert history["val_loss"][-1] <= 0.3 < min(history["val_loss"][:-1], default=1.0)
    assert len(history["loss"]) < 30
    out = capsys.readouterr().out
    assert f"Epoch {len(history['loss'])}/30" in out and "val_loss" in out


def test_keras_early_stopping_stops_and_restores_the_best_weights(labelled):
    x, y = labelled
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.set_weights(models.fresh_weights(model, 0))
    stopper = keras.callbacks.EarlyStopping("val_loss", patience=3, restore_best_weights=True)
    history = training.train(model, x[:100], y[:100], loss="sparse_categorical_crossentropy",
                             optimizer=keras.optimizers.Adam(3e-3), epochs=60, batch_size=32,
                             validation_data=(x[100:], y[100:]), callbacks=[stopper], verbose=0)
    best = int(np.argmin(history["val_loss"]))
    assert len(history["loss"]) == best + 1 + 3 < 60  # stopped 3 epochs after the best
    trainer = training.Trainer(model, loss="sparse_categorical_crossentropy", optimizer="sgd")
    assert trainer.evaluate(x[100:], y[100:]) == pytest.approx(min(history["val_loss"]), rel=1e-4)


def test_train_steps_starts_from_a_fresh_optimizer_and_is_reproducible(labelled):
    x, y = labelled
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")])
    start = models.fresh_weights(model, 0)
    trainer = training.Trainer(model, loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-2),
                               batch_size=64)
    runs = []
    for _ in range(2):
        model.set_weights(start)
        runs.append((trainer.train_steps(x, y, steps=50, seed=7), model.get_weights()))
    assert runs[0][0] == pytest.approx(runs[1][0], rel=1e-6)
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert trainer._steps.experimental_get_tracing_count() == 1
    model.set_weights(start)
    other = trainer.train_steps(x, y, steps=50, seed=8)  # other mini-batches
    assert other != pytest.approx(runs[0][0], rel=1e-6)


def test_train_steps_trains_only_the_given_variables_and_adds_the_layers_penalties(labelled):
    x, y = labelled
    body = keras.layers.Dense(16, activation="relu")
    head = keras.layers.Dense(10, activation="softmax", kernel_regularizer=keras.regularizers.L2(0.5))
    model = keras.Sequential([keras.Input((784,)), body, head])
    model.set_weights(models.fresh_weights(model, 1))
    frozen = [w.copy() for w in body.get_weights()]
    trainer = training.Trainer(model, loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.SGD(0.0),
                               variables=head.trainable_variables, batch_size=len(x))  # one full batch
    loss = trainer.train_steps(x, y, steps=1)
    task_loss = float(np.mean(keras.losses.sparse_categorical_crossentropy(y, model.predict(x, verbose=0))))
    penalty = 0.5 * float(np.sum(head.get_weights()[0] ** 2))
    assert loss == pytest.approx(task_loss + penalty, rel=1e-4)
    trainer = training.Trainer(model, loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-2),
                               variables=head.trainable_variables)
    trainer.train_steps(x, y, steps=20)
    for before, after in zip(frozen, body.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert not np.allclose(head.get_weights()[0], models.fresh_weights(model, 1)[2])


class TwoViewObjective(training.Objective):
    """A small contrastive objective: two augmented views of each image should have the same code."""

    n_arrays = 1

    def __init__(self) -> None:
        self.augment = keras.Sequential([keras.layers.RandomTranslation(0.1, 0.1, seed=0)])

    def check(self, model, arrays):
        return (validation.flat_images(arrays[0]),)

    def __call__(self, model, batch, training):
        (x,) = batch
        images = tf.reshape(x, (-1, 28, 28, 1))
        views = [tf.reshape(self.augment(images, training=True), (-1, 784)) for _ in range(2)]
        first, second = (tf.math.l2_normalize(model(v, training=training), axis=1) for v in views)
        similarity = tf.matmul(first, second, transpose_b=True) / 0.5  # temperature 0.5
        labels = tf.range(tf.shape(x)[0])
        return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, similarity, from_logits=True))


def test_an_objective_over_two_augmented_views_trains_through_the_same_engine(digits):
    encoder = keras.Sequential([keras.Input((784,)), keras.layers.Dense(32, activation="relu"),
                                keras.layers.Dense(16)])
    encoder.set_weights(models.fresh_weights(encoder, 0))
    history = training.train(encoder, digits, loss=TwoViewObjective(), optimizer=keras.optimizers.Adam(1e-3),
                             epochs=4, batch_size=128, verbose=0)
    assert history["loss"][-1] < history["loss"][0]


class Joint(training.Objective):
    """J + λL: a labelled batch's cross-entropy plus an unlabelled batch's reconstruction error."""

    n_arrays = 1

    def __init__(self, x_labelled, y_labelled, weight):
        self.x_labelled, self.y_labelled = tf.constant(x_labelled), tf.constant(y_labelled)
        self.weight = weight

    def check(self, model, arrays):
        return (validation.flat_images(arrays[0]),)

    def terms(self, model, x, training):
        reconstruction, _ = model(x, training=training)
        _, probabilities = model(self.x_labelled, training=training)
        task = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(self.y_labelled, probabilities))
        return task, tf.reduce_mean(keras.losses.binary_crossentropy(x, reconstruction))

    def __call__(self, model, batch, training):
        task, reconstruction = self.terms(model, batch[0], training)
        return task + self.weight * reconstruction


def test_a_joint_objective_lowers_both_of_its_terms(labelled, digits):
    x, y = labelled
    inputs = keras.Input((784,))
    code = keras.layers.Dense(32, activation="relu")(inputs)
    model = keras.Model(inputs, [keras.layers.Dense(784, activation="sigmoid")(code),
                                 keras.layers.Dense(10, activation="softmax")(code)])
    model.set_weights(models.fresh_weights(model, 0))
    objective = Joint(x[:50], y[:50], weight=1.0)
    before = [float(t) for t in objective.terms(model, tf.constant(digits), False)]
    training.train(model, digits, loss=objective, optimizer=keras.optimizers.Adam(1e-3), epochs=5, batch_size=64,
                   verbose=0)
    after = [float(t) for t in objective.terms(model, tf.constant(digits), False)]
    assert after[0] < before[0] and after[1] < before[1]


def test_the_gradient_step_is_written_once():
    """One engine: the course's own code takes gradients and applies them in one place, Trainer.train_step."""
    places = []
    for folder in ("helpers", "benchmarks", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                        "apply_gradients", "gradient", "apply"):
                    places.append((str(path.relative_to(ROOT)), node.func.attr, node.lineno))
    step = inspect.getsourcelines(training.Trainer.train_step)
    lines = range(step[1], step[1] + len(step[0]))
    assert {attr for _, attr, _ in places} == {"gradient", "apply_gradients"}, places
    assert all(path == "helpers/training.py" and line in lines for path, _, line in places), places


def test_matrix_product_floor_times_an_epoch_of_products():
    seconds = speed.matrix_product_floor(1000, (784, 32, 784), batch_size=256, repeats=1)
    forward = speed.matrix_product_floor(1000, (784, 32, 784), batch_size=256, backward=False, repeats=1)
    assert 0 < seconds < 5 and 0 < forward < 5


def test_network_floor_times_the_passes_of_a_real_network():
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(4)])
    before = [w.copy() for w in model.get_weights()]
    one = speed.network_floor(model, [(8, True), (4, False)], steps=2, repeats=1)
    assert 0 < one < 5
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # the passes really ran
    with pytest.raises(validation.ArgumentValueError, match="passes"):
        speed.network_floor(model, [])


# --- the progress display -------------------------------------------------------------------------

def test_the_progress_bar_advances_once_per_epoch_with_fit_and_with_train(digits):
    x = digits[:128]
    autoencoder, _, _ = models.build_autoencoder(8, seed=0)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    bar = training.progress_bar(description="fit")
    autoencoder.fit(x, x, epochs=3, batch_size=64, verbose=0, validation_data=(x, x), callbacks=[bar])
    assert (bar.epoch_bar.n, bar.epoch_bar.total) == (3, 3)  # the total from fit's params
    assert set(bar.epoch_bar.postfix.replace(" ", "").split(",")[0].split("=")[:1]) == {"loss"}
    autoencoder, _, _ = models.build_autoencoder(8, seed=0)
    bar = training.progress_bar()
    training.train(autoencoder, x, x, loss="binary_crossentropy", optimizer="adam", epochs=6, batch_size=64,
                   validation_data=(x, x), callbacks=[training.StopAtLoss(10.0), bar], verbose=0)
    assert (bar.epoch_bar.n, bar.epoch_bar.total) == (1, 1)  # stopped after its first epoch: a finished bar
    assert "val_loss" in bar.epoch_bar.postfix
    assert bar.params["steps"] == 2  # train() gives callbacks fit's params


def test_train_shows_the_progress_bar_at_verbose_1_and_lines_at_verbose_2(digits, capsys):
    x = digits[:64]
    for verbose in (1, 2):
        autoencoder, _, _ = models.build_autoencoder(8, seed=0)
        training.train(autoencoder, x, x, loss="binary_crossentropy", optimizer="adam", epochs=2, verbose=verbose)
    captured = capsys.readouterr()
    assert "2/2 [" in captured.err and "loss=" in captured.err  # tqdm's bar, outside a notebook on stderr
    assert captured.out.count("Epoch ") == 2 and "Epoch 2/2" in captured.out


def test_progress_bar_rejects_bad_arguments():
    with pytest.raises(ValueError, match="epochs"):
        training.progress_bar(0)
    with pytest.raises(TypeError, match="description"):
        training.progress_bar(description=3)


def test_a_stored_notebook_keeps_one_short_output_per_training_run(tmp_path):
    # Keras's own bar (fit's verbose=1) stores a line per step, rewritten with backspaces; the course's bar is
    # a widget, live in JupyterLab, stored as one output whose text is the bar's final state.
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    train = ("b, _, _ = models.build_autoencoder(8, seed=0)\n"
             "training.train(b, x, x, loss='binary_crossentropy', optimizer='adam', epochs=2, batch_size=16, "
             "validation_data=(x, x))")  # fit with the same callback: the same display (the test above)
    nb = new_notebook(cells=[new_code_cell("import numpy as np\nfrom helpers import models, training\n"
                                           "x = np.random.default_rng(0).random((64, 784), dtype='float32')"),
                             new_code_cell(train)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in nb.cells[1:]:
        outputs = [o for o in cell.outputs if o.output_type != "execute_result"  # the cell's value, the history
                   and not (o.output_type == "stream" and o.name == "stderr")]  # TensorFlow's log
        assert [o.output_type for o in outputs] == ["display_data"], outputs
        assert "application/vnd.jupyter.widget-view+json" in outputs[0].data
        text = outputs[0].data["text/plain"]
        assert text.startswith("100%") and "2/2 [" in text and "val_loss=" in text and "\n" not in text, text
