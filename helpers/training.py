"""Training loops: a thin, checked wrapper around Keras's ``fit``, the same loop written out, and faster ones.

- :func:`fit`: ``model.fit`` with its arguments checked.
- :func:`train_with_gradient_tape` (:class:`GradientTapeTrainer`): the loop ``fit`` runs, written out
  with ``tf.GradientTape``, one compiled step per mini-batch.
- :func:`train_epochs_in_graph` (:class:`CompiledEpochTrainer`): the same maths, a whole epoch per
  compiled graph call, optionally with each step fused by XLA; for data held in memory.
- :class:`GraphTrainer` / :func:`train_in_graph`: many short runs on small labelled sets, one graph.
- :func:`matrix_product_floor`: the time of an epoch's matrix products alone, the floor under all of them.

The loops return a history shaped like ``keras.callbacks.History.history``: a dict from metric name
(``"loss"``, and ``"val_loss"`` when validation data is given) to one float per epoch. Losses are
means over the examples of the epoch, in the loss function's own units (for binary cross-entropy:
nats per pixel).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

History = dict[str, list[float]]


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and the backend's random generators (``keras.utils.set_random_seed``)."""
    _check_seed(seed)
    keras.utils.set_random_seed(seed)


def _check_arrays(model: keras.Model, x: np.ndarray, y: np.ndarray, what: str) -> None:
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}.")
    for name, array in (("x", x), ("y", y)):
        if not hasattr(array, "shape") or len(array.shape) < 1:
            raise ValueError(f"{what}: {name} must be an array, got {type(array).__name__}.")
    if len(x) != len(y):
        raise ValueError(f"{what}: x and y must have the same number of examples, got {len(x)} and {len(y)}.")
    if len(x) == 0:
        raise ValueError(f"{what}: no examples.")
    expected = model.input_shape[1:]
    if tuple(x.shape[1:]) != tuple(expected):
        raise ValueError(
            f"{what}: the model expects inputs of shape (n, {', '.join(map(str, expected))}), got {tuple(x.shape)}; "
            f"preprocess the images with helpers.data.preprocess() first."
        )


def _check_schedule(epochs: int, batch_size: int) -> None:
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _check_seed(seed: object) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")


def _check_validation(model: keras.Model, validation_data: object) -> tuple[np.ndarray, np.ndarray] | None:
    if validation_data is None:
        return None
    if not isinstance(validation_data, Sequence) or len(validation_data) != 2:
        raise ValueError("validation_data must be a pair (x_val, y_val), as in Keras's fit().")
    x_val, y_val = validation_data
    _check_arrays(model, x_val, y_val, "validation_data")
    return x_val, y_val


def _check_loop_call(
    model: keras.Model, x: np.ndarray, y: np.ndarray, caller: str, *, epochs: int, batch_size: int,
    validation_data: object, seed: object, verbose: object,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The checks every explicit training loop makes of its arguments; returns the checked validation data."""
    _check_arrays(model, x, y, caller)
    _check_schedule(epochs, batch_size)
    validation_data = _check_validation(model, validation_data)
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}.")
    _check_seed(seed)
    return validation_data


def fit(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int = 256,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    shuffle: bool = True,
    callbacks: list[keras.callbacks.Callback] | None = None,
    verbose: int | str = "auto",
) -> History:
    """``model.fit`` with its arguments checked; returns ``History.history``.

    The model must already be compiled. Arguments are those of ``keras.Model.fit``.
    """
    _check_arrays(model, x, y, "fit")
    _check_schedule(epochs, batch_size)
    validation_data = _check_validation(model, validation_data)
    if not model.compiled:
        raise ValueError("the model is not compiled: call model.compile(optimizer=..., loss=...) first.")
    history = model.fit(
        x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data,
        shuffle=shuffle, callbacks=callbacks, verbose=verbose,
    )
    return {key: [float(v) for v in values] for key, values in history.history.items()}


def train_with_gradient_tape(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    loss: str | keras.losses.Loss,
    optimizer: str | keras.optimizers.Optimizer,
    epochs: int,
    batch_size: int = 256,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    verbose: int = 1,
) -> History:
    """Minimise ``loss`` over (x, y) with an explicit loop: what ``fit`` does, written out.

    Each step takes a mini-batch, computes the loss under ``tf.GradientTape``, asks the tape for
    the gradient of the loss with respect to every trainable weight, and lets the optimizer move
    the weights a little against it. The step is compiled into a TensorFlow graph with
    ``tf.function`` so it runs about as fast as ``fit``.

    Args:
        model: any Keras model mapping x to predictions shaped like y.
        x, y: training inputs and targets, float32 arrays with the same number of rows
            (for an autoencoder, ``y`` is ``x``).
        loss: a Keras loss or its name, e.g. ``"binary_crossentropy"``.
        optimizer: a Keras optimizer or its name. A name gives the optimizer's default settings.
        epochs: passes over the data.
        batch_size: examples per step.
        validation_data: optional ``(x_val, y_val)``, evaluated after each epoch.
        seed: seed of the shuffling (the weights' initialisation is seeded by :func:`set_seed`).
        verbose: 0 silent, 1 a Keras progress bar per epoch, 2 one line per epoch.

    Returns:
        ``{"loss": [...], "val_loss": [...]}``, one mean loss per epoch, as ``fit`` reports it.
    """
    validation_data = _check_loop_call(model, x, y, "train_with_gradient_tape", epochs=epochs, batch_size=batch_size,
                                       validation_data=validation_data, seed=seed, verbose=verbose)
    trainer = GradientTapeTrainer(model, loss=loss, optimizer=optimizer, batch_size=batch_size, seed=seed)
    history: History = {"loss": []}
    if validation_data is not None:
        history["val_loss"] = []
    steps = -(-len(x) // batch_size)
    for epoch in range(epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs}")
        bar = keras.utils.Progbar(steps, verbose=verbose, stateful_metrics=["loss", "val_loss"])
        history["loss"].append(trainer.train_epoch(x, y, progress=bar))
        logs = [("loss", history["loss"][-1])]
        if validation_data is not None:
            history["val_loss"].append(trainer.evaluate(*validation_data))
            logs.append(("val_loss", history["val_loss"][-1]))
        bar.update(steps, logs, finalize=True)
    return history


class GradientTapeTrainer:
    """The loop of :func:`train_with_gradient_tape`, one epoch per call, compiling its step once.

    :func:`train_with_gradient_tape` builds one and calls :meth:`train_epoch` once per epoch; build
    one yourself to run epochs one at a time (to time each, or to interleave them with other work)
    without compiling the step again on every call.

    Args:
        model: any Keras model mapping x to predictions shaped like y.
        loss: a Keras loss or its name, e.g. ``"binary_crossentropy"``.
        optimizer: a Keras optimizer or its name (a name gives the optimizer's default settings).
        batch_size: examples per step.
        seed: seed of the shuffling; each :meth:`train_epoch` call draws the next permutation.
    """

    def __init__(
        self,
        model: keras.Model,
        *,
        loss: str | keras.losses.Loss,
        optimizer: str | keras.optimizers.Optimizer,
        batch_size: int = 256,
        seed: int = 0,
    ) -> None:
        if not isinstance(model, keras.Model):
            raise ValueError(f"model must be a keras.Model, got {type(model).__name__}.")
        _check_schedule(1, batch_size)
        _check_seed(seed)
        self.model = model
        self.batch_size = batch_size
        self.loss_fn = keras.losses.get(loss)
        self.optimizer = keras.optimizers.get(optimizer)
        self._rng = np.random.default_rng(seed)
        self._train_step = tf.function(self._step)
        self._eval_step = tf.function(self._loss)

    def _loss(self, x_batch: tf.Tensor, y_batch: tf.Tensor) -> tf.Tensor:
        return tf.reduce_mean(self.loss_fn(y_batch, self.model(x_batch, training=False)))

    def _step(self, x_batch: tf.Tensor, y_batch: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            prediction = self.model(x_batch, training=True)
            loss_value = tf.reduce_mean(self.loss_fn(y_batch, prediction))
        gradients = tape.gradient(loss_value, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.model.trainable_variables))
        return loss_value

    def _batches(self, x: np.ndarray, y: np.ndarray, order: np.ndarray):
        for start in range(0, len(order), self.batch_size):
            index = order[start:start + self.batch_size]
            yield tf.constant(x[index]), tf.constant(y[index]), len(index)

    def train_epoch(self, x: np.ndarray, y: np.ndarray, *, progress: keras.utils.Progbar | None = None) -> float:
        """One pass over (x, y) in shuffled mini-batches; return the epoch's mean loss (a float).

        Args:
            x, y: training inputs and targets, float32 NumPy arrays with the same number of rows.
            progress: a ``keras.utils.Progbar`` to update after each step but the last, or None.
        """
        _check_arrays(self.model, x, y, "GradientTapeTrainer.train_epoch")
        steps = -(-len(x) // self.batch_size)
        total, seen = 0.0, 0
        for step, (x_batch, y_batch, n) in enumerate(self._batches(x, y, self._rng.permutation(len(x))), start=1):
            total += float(self._train_step(x_batch, y_batch)) * n
            seen += n
            if progress is not None and step < steps:
                progress.update(step, [("loss", total / seen)])
        return total / seen

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> float:
        """Mean loss over (x, y), in batches of ``batch_size``, in inference mode (a float)."""
        _check_arrays(self.model, x, y, "GradientTapeTrainer.evaluate")
        return sum(float(self._eval_step(xb, yb)) * n for xb, yb, n in self._batches(x, y, np.arange(len(x)))) / len(x)


class CompiledEpochTrainer:
    """Mini-batch training in which a whole epoch is one call of one compiled TensorFlow graph.

    ``fit`` and :class:`GradientTapeTrainer` return to Python after every mini-batch; for a small model
    that round trip, not the arithmetic, is most of an epoch's time. Here the data stay in memory as
    tensors, and one ``tf.function`` runs the epoch's loop itself: it takes the epoch's shuffled order,
    cuts it into mini-batches of ``batch_size`` (the last one shorter, as in ``fit``), and takes one
    optimizer step per mini-batch, exactly the maths of ``fit`` with the same optimizer. The graph is
    traced once, on the first call, and reused by every later call.

    With ``jit_compile=True`` each step (forward pass, loss, gradients, optimizer update) is also
    compiled by XLA, which fuses its many small element-wise operations (activations, the loss over
    every output, the optimizer's update of every weight) into a few loops; on a CPU that is most of
    what remains of a step besides the matrix products. The maths is the same, the rounding may
    differ in the last digits. XLA compiles once per batch shape (so twice when the last batch is
    shorter), a second or two each.

    Args:
        model: any Keras model mapping x to predictions shaped like y.
        loss: a Keras loss or its name, e.g. ``"binary_crossentropy"``.
        optimizer: a Keras optimizer or its name (a name gives the optimizer's default settings).
        batch_size: examples per step.
        seed: seed of the shuffling; each :meth:`train_epoch` call draws the next permutation.
        jit_compile: compile each step with XLA (see above).
    """

    def __init__(
        self,
        model: keras.Model,
        *,
        loss: str | keras.losses.Loss,
        optimizer: str | keras.optimizers.Optimizer,
        batch_size: int = 256,
        seed: int = 0,
        jit_compile: bool = False,
    ) -> None:
        if not isinstance(model, keras.Model):
            raise ValueError(f"model must be a keras.Model, got {type(model).__name__}.")
        _check_schedule(1, batch_size)
        _check_seed(seed)
        if not isinstance(jit_compile, bool):
            raise ValueError(f"jit_compile must be True or False, got {jit_compile!r}.")
        self.model = model
        self.batch_size = batch_size
        self.jit_compile = jit_compile
        self.loss_fn = keras.losses.get(loss)
        self.optimizer = keras.optimizers.get(optimizer)
        self.optimizer.build(model.trainable_variables)
        self._rng = np.random.default_rng(seed)
        self._step = tf.function(self._step_graph, jit_compile=True) if jit_compile else self._step_graph
        self._epoch = tf.function(self._epoch_graph, reduce_retracing=True)
        self._evaluate = tf.function(self._evaluate_graph, reduce_retracing=True)

    def _step_graph(self, x_batch: tf.Tensor, y_batch: tf.Tensor) -> tf.Tensor:
        variables = self.model.trainable_variables
        with tf.GradientTape() as tape:
            loss_value = tf.reduce_mean(self.loss_fn(y_batch, self.model(x_batch, training=True)))
        gradients = tape.gradient(loss_value, variables)
        self.optimizer.apply_gradients(zip(gradients, variables))
        return tf.cast(loss_value, tf.float32)

    def _epoch_graph(self, x: tf.Tensor, y: tf.Tensor, order: tf.Tensor) -> tf.Tensor:
        n = tf.shape(order)[0]
        steps = (n + self.batch_size - 1) // self.batch_size
        total = tf.constant(0.0)
        for step in tf.range(steps):
            index = order[step * self.batch_size:tf.minimum((step + 1) * self.batch_size, n)]
            loss_value = self._step(tf.gather(x, index), tf.gather(y, index))
            total += loss_value * tf.cast(tf.shape(index)[0], tf.float32)
        return total / tf.cast(n, tf.float32)

    def _evaluate_graph(self, x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        n = tf.shape(x)[0]
        chunk = max(self.batch_size, 2048)  # inference only: bigger chunks, same mean
        total = tf.constant(0.0)
        for start in tf.range(0, n, chunk):
            x_chunk, y_chunk = x[start:start + chunk], y[start:start + chunk]
            per_example = self.loss_fn(y_chunk, self.model(x_chunk, training=False))
            total += tf.cast(tf.reduce_sum(per_example), tf.float32)
        return total / tf.cast(n, tf.float32)

    def _tensors(self, x: np.ndarray | tf.Tensor, y: np.ndarray | tf.Tensor, what: str) -> tuple[tf.Tensor, tf.Tensor]:
        _check_arrays(self.model, x, y, what)
        return tf.convert_to_tensor(x), tf.convert_to_tensor(y)

    def train_epoch(self, x: np.ndarray | tf.Tensor, y: np.ndarray | tf.Tensor) -> float:
        """One pass over (x, y) in shuffled mini-batches, as one graph call; return the epoch's mean loss.

        Args:
            x, y: training inputs and targets with the same number of rows, as NumPy arrays or
                (faster, converted once by the caller) tensors, e.g. ``tf.constant(x_train)``.
        """
        x, y = self._tensors(x, y, "CompiledEpochTrainer.train_epoch")
        order = tf.constant(self._rng.permutation(len(x)), tf.int32)
        return float(self._epoch(x, y, order))

    def evaluate(self, x: np.ndarray | tf.Tensor, y: np.ndarray | tf.Tensor) -> float:
        """Mean loss over (x, y) in inference mode, as one graph call (a float)."""
        x, y = self._tensors(x, y, "CompiledEpochTrainer.evaluate")
        return float(self._evaluate(x, y))


def train_epochs_in_graph(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    loss: str | keras.losses.Loss,
    optimizer: str | keras.optimizers.Optimizer,
    epochs: int,
    batch_size: int = 256,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    target_val_loss: float | None = None,
    seed: int = 0,
    jit_compile: bool = False,
    verbose: int = 1,
) -> History:
    """Train like ``fit`` (same mini-batches, same optimizer, same maths), one compiled graph per epoch.

    For data that fit in memory this runs an epoch faster than ``fit`` (on a 2-core CPU, the article's
    autoencoder on the complete MNIST: about 1.8 times, and about 4 times with ``jit_compile=True``):
    see :class:`CompiledEpochTrainer`. The result is the same up to the order of the shuffled examples.

    Args:
        model: any Keras model mapping x to predictions shaped like y.
        x, y: training inputs and targets, float32 arrays with the same number of rows
            (for an autoencoder, ``y`` is ``x``).
        loss: a Keras loss or its name, e.g. ``"binary_crossentropy"``.
        optimizer: a Keras optimizer or its name, e.g. ``keras.optimizers.Adadelta(learning_rate=1.0)``.
        epochs: the most passes over the data.
        batch_size: examples per step.
        validation_data: optional ``(x_val, y_val)``, evaluated after each epoch.
        target_val_loss: stop after the first epoch whose validation loss is at or below this
            (needs ``validation_data``); None trains for all ``epochs``.
        seed: seed of the shuffling (the weights' initialisation is seeded by :func:`set_seed`).
        jit_compile: also compile each step with XLA, which fuses its element-wise operations
            (several times faster again on a CPU; see :class:`CompiledEpochTrainer`).
        verbose: 0 silent; 1 or 2 one line per epoch (an epoch is one graph call: no progress bar).

    Returns:
        ``{"loss": [...], "val_loss": [...]}``, one mean loss per epoch run, as ``fit`` reports it.
    """
    validation_data = _check_loop_call(model, x, y, "train_epochs_in_graph", epochs=epochs, batch_size=batch_size,
                                       validation_data=validation_data, seed=seed, verbose=verbose)
    if target_val_loss is not None:
        if isinstance(target_val_loss, bool) or not isinstance(target_val_loss, (int, float)):
            raise ValueError(f"target_val_loss must be a number or None, got {target_val_loss!r}.")
        if validation_data is None:
            raise ValueError("target_val_loss needs validation_data=(x_val, y_val) to measure the validation loss.")
    trainer = CompiledEpochTrainer(model, loss=loss, optimizer=optimizer, batch_size=batch_size, seed=seed,
                                   jit_compile=jit_compile)
    x_tensor, y_tensor = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
    if validation_data is not None:
        validation_data = tuple(tf.convert_to_tensor(a) for a in validation_data)
    history: History = {"loss": []}
    if validation_data is not None:
        history["val_loss"] = []
    for epoch in range(epochs):
        start = time.perf_counter()
        history["loss"].append(trainer.train_epoch(x_tensor, y_tensor))
        line = f"loss: {history['loss'][-1]:.4f}"
        if validation_data is not None:
            history["val_loss"].append(trainer.evaluate(*validation_data))
            line += f" - val_loss: {history['val_loss'][-1]:.4f}"
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs} - {time.perf_counter() - start:.2f}s - {line}")
        if target_val_loss is not None and history["val_loss"][-1] <= target_val_loss:
            break
    return history


def matrix_product_floor(
    n_examples: int,
    widths: Sequence[int] = (784, 32, 784),
    *,
    batch_size: int = 256,
    backward: bool = True,
    repeats: int = 3,
) -> float:
    """Seconds one epoch's matrix products alone take: the floor under any training loop of a dense network.

    A dense network of layer widths ``widths`` (the article's autoencoder: 784, 32, 784) does, for each
    mini-batch X of ``batch_size`` rows and each layer's kernel W, one product forward (X W) and, to
    train, two backward (Xᵀ dY for W's gradient, dY Wᵀ for the layer below, except below the first
    layer): 5 products per step for the article's model, about 64 million multiply-adds at batch 256.
    This times exactly those products over ``n_examples`` rows (random data; a product's cost does not
    depend on the values) inside one compiled loop, with no activations, loss, optimizer or Python
    in between. Each step also subtracts a tiny multiple of the gradients from the weights, so that
    no product can be skipped; that costs far less than the products.

    Args:
        n_examples: rows in the epoch (60,000 for the complete MNIST training set).
        widths: the layer widths, input first, at least two.
        batch_size: rows per step; the last step of the epoch is shorter, as in ``fit``.
        backward: True for a training epoch (forward and backward), False for the forward
            products only (an evaluation pass).
        repeats: timed epochs after one untimed warm-up; the median is returned.

    Returns:
        The median time of one epoch of products, in seconds.
    """
    widths = tuple(widths)
    if len(widths) < 2 or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths must list at least two positive layer widths (input first), got {widths!r}.")
    for name, value in (("n_examples", n_examples), ("batch_size", batch_size), ("repeats", repeats)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    generator = tf.random.Generator.from_seed(0)
    x = generator.uniform((n_examples, widths[0]))
    kernels = [0.01 * generator.normal((a, b)) for a, b in zip(widths[:-1], widths[1:])]

    @tf.function
    def epoch(x: tf.Tensor, kernels: list[tf.Tensor]) -> tf.Tensor:
        n = tf.shape(x)[0]
        for start in tf.range(0, n, batch_size):
            activations = [x[start:start + batch_size]]
            for kernel in kernels:
                activations.append(activations[-1] @ kernel)
            if backward:
                signal = activations[-1]
                updated = list(kernels)
                for layer in reversed(range(len(kernels))):
                    gradient = tf.matmul(activations[layer], signal, transpose_a=True)
                    if layer > 0:
                        signal = tf.matmul(signal, kernels[layer], transpose_b=True)
                    updated[layer] = kernels[layer] - 1e-9 * gradient
                kernels = updated
            else:
                kernels = [kernels[0] + 1e-9 * tf.reduce_sum(activations[-1])] + kernels[1:]
        return tf.add_n([tf.reduce_sum(k) for k in kernels])

    epoch(x, kernels).numpy()  # trace and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        epoch(x, kernels).numpy()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


class GraphTrainer:
    """Train one model many times (new data, a fresh start each time) with a single compiled graph.

    Compiling a training loop into a TensorFlow graph (``tf.function``) costs about a second; running
    it on 100 examples costs milliseconds. A grid of hundreds of small runs should therefore compile
    once per model and reuse the graph: the data and the number of steps are arguments of the graph,
    and :meth:`train` restores the optimizer's initial state before each run. Set the model's starting
    weights (``model.set_weights``) before each run too.

    Every step uses the whole set when n <= batch_size (full-batch gradient descent), otherwise a
    random mini-batch drawn with replacement from a generator seeded by :meth:`train`'s ``seed``.

    Args:
        model: maps x to predictions shaped for ``loss``.
        loss: a Keras loss or its name, e.g. ``"sparse_categorical_crossentropy"``.
        learning_rate: Adam's learning rate.
        l2: weight of an L2 penalty Σ w² on the kernels among ``variables`` (0 for none).
        variables: the weights to train; default all trainable weights (pass a subset to keep the rest frozen).
        batch_size: examples per step when n > batch_size.
    """

    def __init__(
        self,
        model: keras.Model,
        *,
        loss: str | keras.losses.Loss,
        learning_rate: float,
        l2: float = 0.0,
        variables: Sequence[tf.Variable] | None = None,
        batch_size: int = 256,
    ) -> None:
        if not isinstance(model, keras.Model):
            raise ValueError(f"model must be a keras.Model, got {type(model).__name__}.")
        _check_schedule(1, batch_size)
        for name, value in (("learning_rate", learning_rate), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
        self.model = model
        self.variables = list(model.trainable_variables if variables is None else variables)
        if not self.variables:
            raise ValueError("nothing to train: the list of variables is empty (are all layers frozen?).")
        self.batch_size = batch_size
        self.l2 = float(l2)
        self.loss_fn = keras.losses.get(loss)
        self.optimizer = keras.optimizers.Adam(learning_rate)
        self.optimizer.build(self.variables)
        self._initial_state = [keras.ops.convert_to_numpy(v) for v in self.optimizer.variables]
        self._kernels = [v for v in self.variables if v.path.endswith("kernel")]
        self._generator = tf.random.Generator.from_seed(0)
        self._run = tf.function(self._steps, reduce_retracing=True)

    def _steps(self, x: tf.Tensor, y: tf.Tensor, steps: tf.Tensor) -> tf.Tensor:
        n = tf.shape(x)[0]
        loss_value = tf.constant(0.0)
        for _ in tf.range(steps):
            index = tf.cond(n <= self.batch_size, lambda: tf.range(n),
                            lambda: self._generator.uniform([self.batch_size], 0, n, dtype=tf.int32))
            x_batch, y_batch = tf.gather(x, index), tf.gather(y, index)
            with tf.GradientTape() as tape:
                loss_value = tf.reduce_mean(self.loss_fn(y_batch, self.model(x_batch, training=True)))
                if self.l2 and self._kernels:
                    loss_value += self.l2 * tf.add_n([tf.reduce_sum(tf.square(k)) for k in self._kernels])
            gradients = tape.gradient(loss_value, self.variables)
            self.optimizer.apply_gradients(zip(gradients, self.variables))
        return loss_value

    def train(self, x: np.ndarray, y: np.ndarray, *, steps: int, seed: int = 0) -> float:
        """Run ``steps`` Adam steps on (x, y) from a fresh optimizer state; return the last loss."""
        _check_arrays(self.model, x, y, "GraphTrainer.train")
        _check_schedule(steps, self.batch_size)
        _check_seed(seed)
        for variable, value in zip(self.optimizer.variables, self._initial_state):
            variable.assign(value)
        self._generator.reset_from_seed(seed)
        # Each trainer compiles its own graph on purpose; after a few trainers TensorFlow would warn
        # about "retracing", so its logger is quietened during the call.
        logger = tf.get_logger()
        level = logger.level
        logger.setLevel("ERROR")
        try:
            return float(self._run(tf.constant(x, tf.float32), tf.constant(y), tf.constant(steps, tf.int32)))
        finally:
            logger.setLevel(level)


def train_in_graph(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    loss: str | keras.losses.Loss,
    steps: int,
    learning_rate: float,
    batch_size: int = 256,
    l2: float = 0.0,
    variables: Sequence[tf.Variable] | None = None,
    seed: int = 0,
) -> float:
    """Run ``steps`` Adam steps on (x, y) inside one compiled TensorFlow graph; return the last loss.

    A one-off :class:`GraphTrainer` (see there for the arguments): meant for small labelled sets, where
    ``fit`` would spend far longer on per-epoch overhead than on arithmetic.
    """
    trainer = GraphTrainer(model, loss=loss, learning_rate=learning_rate, l2=l2, variables=variables,
                           batch_size=batch_size)
    return trainer.train(x, y, steps=steps, seed=seed)
