"""Training loops: a thin, checked wrapper around Keras's ``fit``, and the same loop written out.

Both return a history shaped like ``keras.callbacks.History.history``: a dict from metric name
(``"loss"``, and ``"val_loss"`` when validation data is given) to one float per epoch. Losses are
means over the examples of the epoch, in the loss function's own units (for binary cross-entropy:
nats per pixel).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

History = dict[str, list[float]]


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and the backend's random generators (``keras.utils.set_random_seed``)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
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


def _check_validation(model: keras.Model, validation_data: object) -> tuple[np.ndarray, np.ndarray] | None:
    if validation_data is None:
        return None
    if not isinstance(validation_data, Sequence) or len(validation_data) != 2:
        raise ValueError("validation_data must be a pair (x_val, y_val), as in Keras's fit().")
    x_val, y_val = validation_data
    _check_arrays(model, x_val, y_val, "validation_data")
    return x_val, y_val


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
    _check_arrays(model, x, y, "train_with_gradient_tape")
    _check_schedule(epochs, batch_size)
    validation_data = _check_validation(model, validation_data)
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    loss_fn = keras.losses.get(loss)
    optimizer = keras.optimizers.get(optimizer)

    @tf.function
    def train_step(x_batch: tf.Tensor, y_batch: tf.Tensor) -> tf.Tensor:
        with tf.GradientTape() as tape:
            prediction = model(x_batch, training=True)
            loss_value = tf.reduce_mean(loss_fn(y_batch, prediction))
        gradients = tape.gradient(loss_value, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss_value

    @tf.function
    def eval_step(x_batch: tf.Tensor, y_batch: tf.Tensor) -> tf.Tensor:
        return tf.reduce_mean(loss_fn(y_batch, model(x_batch, training=False)))

    def batches(x_all: np.ndarray, y_all: np.ndarray, order: np.ndarray):
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            yield tf.constant(x_all[index]), tf.constant(y_all[index]), len(index)

    rng = np.random.default_rng(seed)
    history: History = {"loss": []}
    if validation_data is not None:
        history["val_loss"] = []
    steps = -(-len(x) // batch_size)
    for epoch in range(epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs}")
        bar = keras.utils.Progbar(steps, verbose=verbose, stateful_metrics=["loss", "val_loss"])
        total, seen = 0.0, 0
        for step, (x_batch, y_batch, n) in enumerate(batches(x, y, rng.permutation(len(x))), start=1):
            total += float(train_step(x_batch, y_batch)) * n
            seen += n
            if step < steps:
                bar.update(step, [("loss", total / seen)])
        history["loss"].append(total / seen)
        logs = [("loss", total / seen)]
        if validation_data is not None:
            x_val, y_val = validation_data
            val_total = sum(float(eval_step(xb, yb)) * n for xb, yb, n in batches(x_val, y_val, np.arange(len(x_val))))
            history["val_loss"].append(val_total / len(x_val))
            logs.append(("val_loss", val_total / len(x_val)))
        bar.update(steps, logs, finalize=True)
    return history


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
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
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
