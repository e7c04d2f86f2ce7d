"""The course's one training engine: a :class:`Trainer` and the :func:`train` function built on it.

A :class:`Trainer` holds a model, an objective (what to minimise) and an optimizer, and has one
gradient step, :meth:`Trainer.train_step`, the step notebook 03 teaches::

    with tf.GradientTape() as tape:
        loss = objective(model, batch, training=True)      # e.g. (1/n) Σ L(x, x̂)
    gradients = tape.gradient(loss, variables)              # ∂loss/∂θ
    optimizer.apply_gradients(zip(gradients, variables))   # θ ← θ − step

Everything else runs that same step, compiled into TensorFlow graphs:

- :meth:`Trainer.train_epoch`: one pass over the data in shuffled mini-batches (the last one shorter, as
  in Keras's ``fit``), the whole epoch as ONE graph call; with ``jit_compile=True`` each step is also
  compiled by XLA. For a small model on a CPU this is several times faster than ``fit``, which returns
  to Python after every mini-batch (``make bench`` measures it).
- :meth:`Trainer.train_steps`: N steps on mini-batches drawn at random (the whole set when it is no
  larger than a batch), from a fresh optimizer state: the fine-tuning grid's many short runs, each a
  single graph call.
- :func:`train`: epochs of :meth:`Trainer.train_epoch`, the validation loss after each, Keras callbacks
  (``keras.callbacks.EarlyStopping`` and others that act at the end of an epoch), and a history shaped
  like ``keras.callbacks.History.history``: metric name -> one float per epoch.
- :func:`progress_bar`: the course's one progress display, for :func:`train` (``verbose=1``) and for Keras's
  ``fit`` (``model.fit(..., verbose=0, callbacks=[training.progress_bar()])``): a bar over the epochs, live
  in a notebook, one line when the notebook is stored.

The objective is any :class:`Objective`: :class:`Supervised` wraps a Keras loss (``loss(y, model(x))``,
also for an autoencoder, whose target ``y`` is its input ``x``); another objective can combine several
losses, use two augmented views of each image, or draw a labelled batch beside each unlabelled one.
Layers' own losses (``kernel_regularizer``...) are added to it, as ``fit`` adds them. Losses are means
over the examples of a batch, in the loss's own units (binary cross-entropy: nats per pixel).

Randomness comes only from the seeds passed in (a NumPy generator for the shuffling, a TensorFlow
generator for sampled steps); nothing here changes a global random state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm as auto_tqdm
from tqdm.keras import TqdmCallback

from helpers import validation

History = dict[str, list[float]]

#: Losses whose targets are probabilities in [0, 1] (their names in Keras).
PROBABILITY_TARGETS = ("binary_crossentropy", "binary_focal_crossentropy")
#: Losses whose targets are integer class labels.
LABEL_TARGETS = ("sparse_categorical_crossentropy",)


def traced_on_purpose(function: tf.types.experimental.PolymorphicFunction) -> tf.types.experimental.PolymorphicFunction:
    """Mark a compiled function of one trainer as traced on purpose.

    TensorFlow warns when a Python function is traced again and again; it counts all functions that
    share the same code, so many trainers, each tracing its own graph once (a grid builds dozens), set it
    off although nothing is retraced. TensorFlow marks its own restored functions this way.
    """
    if hasattr(function, "_omit_frequent_tracing_warning"):
        function._omit_frequent_tracing_warning = True
    return function


class Prepared(tuple):
    """Data checked for one trainer's objective and converted to tensors, once (see :meth:`Trainer.prepare`)."""


class Objective:
    """What training minimises: one number computed from the model and a batch.

    Subclasses implement :meth:`__call__` (a scalar tensor, the mean loss over the batch) and
    :meth:`check` (the data checked and converted once, before any training).
    """

    #: How many arrays a batch holds, e.g. 2 for (x, y).
    n_arrays = 2

    def __call__(self, model: keras.Model, batch: tuple[tf.Tensor, ...], training: bool) -> tf.Tensor:
        raise NotImplementedError

    def check(self, model: keras.Model, arrays: tuple[object, ...]) -> tuple[np.ndarray, ...]:
        """The arrays checked for this objective and model; raise the course's error when they do not fit."""
        raise NotImplementedError


def resolve_loss(loss: object) -> tuple[object, str]:
    """A Keras loss given by name, object or function, and its name (e.g. ``"binary_crossentropy"``)."""
    if isinstance(loss, str):
        try:
            function = keras.losses.get(loss)
        except ValueError:
            function = None
        if function is None:
            raise validation.value_error("loss", f"{loss!r} is not a Keras loss",
                                         "Use a name such as 'binary_crossentropy', 'mean_squared_error' or "
                                         "'sparse_categorical_crossentropy', or a keras.losses.Loss.")
        return function, loss
    if isinstance(loss, keras.losses.Loss):
        return loss, getattr(loss, "name", type(loss).__name__)
    if callable(loss) and not isinstance(loss, type):
        return loss, getattr(loss, "__name__", type(loss).__name__)
    raise validation.type_error("loss", "a Keras loss (its name, a keras.losses.Loss or a function)", loss)


class Supervised(Objective):
    """The mean of a Keras loss between targets and predictions: ``(1/n) Σ loss(y, model(x))``.

    For an autoencoder the target is the input (``y = x``): the article's pretraining objective
    ``(1/n) Σ L(x, x̂)``. For a classifier it is the label: the fine-tuning objective ``(1/m) Σ J(y, ŷ)``.

    Args:
        loss: a Keras loss by name (``"binary_crossentropy"``), object or function ``(y, prediction)``.
    """

    def __init__(self, loss: object) -> None:
        self.loss_fn, self.name = resolve_loss(loss)

    def __call__(self, model: keras.Model, batch: tuple[tf.Tensor, ...], training: bool) -> tf.Tensor:
        x, y = batch
        return tf.cast(tf.reduce_mean(self.loss_fn(y, model(x, training=training))), tf.float32)

    def check(self, model: keras.Model, arrays: tuple[object, ...]) -> tuple[np.ndarray, ...]:
        if len(arrays) != 2:
            raise validation.value_error("the data", f"for the loss {self.name!r} must be (x, y), got "
                                         f"{len(arrays)} array(s)", "For an autoencoder pass x twice: (x, x).")
        x = validation.finite_floats(arrays[0], "x")
        validation.model_inputs(model, x, "x")
        outputs = model.output_shape[-1] if isinstance(model.output_shape, tuple) else None
        if self.name in LABEL_TARGETS:
            y = validation.labels(arrays[1], "y", n=len(x), n_classes=outputs or 10)
        else:
            y = validation.finite_floats(arrays[1], "y").astype(np.float32, copy=False)
            validation.same_length(x, y, ("x", "y"))
            if self.name in PROBABILITY_TARGETS and (y.min() < 0 or y.max() > 1):
                raise validation.value_error(
                    "y", f"holds targets from {y.min():.3g} to {y.max():.3g}, but {self.name} needs targets in "
                    f"[0, 1]", "Scale 0..255 pixels with helpers.data.preprocess() (divide by 255).")
        return x.astype(np.float32, copy=False), y


def resolve_optimizer(optimizer: object) -> keras.optimizers.Optimizer:
    """A Keras optimizer given by name (its default settings) or object, not yet used by another model."""
    if isinstance(optimizer, str):
        try:
            return keras.optimizers.get(optimizer)
        except ValueError:
            raise validation.value_error("optimizer", f"{optimizer!r} is not a Keras optimizer",
                                         "Use e.g. keras.optimizers.Adam(learning_rate=1e-3) or the name "
                                         "'adam'.") from None
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise validation.type_error("optimizer", "a Keras optimizer or its name", optimizer,
                                    "For example keras.optimizers.Adam(learning_rate=1e-3).")
    rate = optimizer.learning_rate
    if not callable(rate):  # a schedule is checked by Keras
        validation.number(float(keras.ops.convert_to_numpy(rate)), "the optimizer's learning_rate", minimum=0)
    if optimizer.built:
        raise validation.value_error("optimizer", "has already been used to train a model",
                                     "Create a new optimizer for each model you train.")
    return optimizer


class Trainer:
    """One model, one objective, one optimizer; a gradient step, and compiled epochs and runs of it.

    Args:
        model: the Keras model to train (any architecture, with a known input shape).
        loss: an :class:`Objective`, or a Keras loss (name, object or function) made into a
            :class:`Supervised` objective.
        optimizer: a Keras optimizer (or name); it belongs to this trainer from now on.
        variables: the weights to train; default all the model's trainable weights (pass a subset,
            e.g. a head's ``trainable_variables``, to keep the rest fixed).
        batch_size: examples per step.
        jit_compile: also compile each step with XLA, which fuses its many small element-wise
            operations; the maths is the same, the rounding may differ in the last digits. XLA compiles
            once per batch shape (twice when the last batch is shorter), a second or two each.
        seed: seeds the shuffling of :meth:`train_epoch` (each call draws the next permutation).
    """

    def __init__(self, model: keras.Model, *, loss: Objective | str | object, optimizer: object,
                 variables: Sequence[tf.Variable] | None = None, batch_size: int = 256, jit_compile: bool = False,
                 seed: int = 0) -> None:
        self.model = validation.keras_model(model)
        self.objective = loss if isinstance(loss, Objective) else Supervised(loss)
        self.batch_size = validation.positive_int(batch_size, "batch_size")
        self.jit_compile = validation.boolean(jit_compile, "jit_compile")
        self._rng = np.random.default_rng(validation.seed(seed))
        self.variables = list(model.trainable_variables if variables is None else variables)
        if not self.variables:
            raise validation.value_error("variables", "is empty: there is nothing to train",
                                         "Are all layers frozen (trainable=False)?")
        self.optimizer = resolve_optimizer(optimizer)
        self.optimizer.build(self.variables)
        self._initial_optimizer_state = [keras.ops.convert_to_numpy(v) for v in self.optimizer.variables]
        self._generator = tf.random.Generator.from_seed(0)
        self._graph_step = tf.function(self.train_step, jit_compile=True) if jit_compile else self.train_step
        self._epoch = traced_on_purpose(tf.function(self._epoch_graph, reduce_retracing=True))
        self._steps = traced_on_purpose(tf.function(self._steps_graph, reduce_retracing=True))
        self._evaluate = traced_on_purpose(tf.function(self._evaluate_graph, reduce_retracing=True))

    def train_step(self, *batch: tf.Tensor) -> tf.Tensor:
        """One gradient step on one mini-batch; return the batch's loss before the step (a scalar tensor).

        Args:
            batch: the objective's arrays for this mini-batch, e.g. ``(x_batch, y_batch)``.
        """
        with tf.GradientTape() as tape:
            loss = self.objective(self.model, batch, training=True)
            if self.model.losses:  # the layers' own penalties, e.g. an L2 kernel_regularizer
                loss += tf.cast(tf.add_n(self.model.losses), tf.float32)
        gradients = tape.gradient(loss, self.variables)
        self.optimizer.apply_gradients(zip(gradients, self.variables))
        return loss

    def _epoch_graph(self, arrays: tuple[tf.Tensor, ...], order: tf.Tensor) -> tf.Tensor:
        n = tf.shape(order)[0]
        total = tf.constant(0.0)
        for start in tf.range(0, n, self.batch_size):
            index = order[start:tf.minimum(start + self.batch_size, n)]
            loss = self._graph_step(*(tf.gather(a, index) for a in arrays))
            total += loss * tf.cast(tf.shape(index)[0], tf.float32)
        return total / tf.cast(n, tf.float32)

    def _steps_graph(self, arrays: tuple[tf.Tensor, ...], steps: tf.Tensor) -> tf.Tensor:
        n = tf.shape(arrays[0])[0]
        loss = tf.constant(0.0)
        for _ in tf.range(steps):
            index = tf.cond(n <= self.batch_size, lambda: tf.range(n),
                            lambda: self._generator.uniform([self.batch_size], 0, n, dtype=tf.int32))
            loss = self._graph_step(*(tf.gather(a, index) for a in arrays))
        return loss

    def _evaluate_graph(self, arrays: tuple[tf.Tensor, ...]) -> tf.Tensor:
        n = tf.shape(arrays[0])[0]
        chunk = max(self.batch_size, 2048)  # inference only: bigger chunks, the same mean
        total = tf.constant(0.0)
        for start in tf.range(0, n, chunk):
            batch = tuple(a[start:start + chunk] for a in arrays)
            total += self.objective(self.model, batch, training=False) * tf.cast(tf.shape(batch[0])[0], tf.float32)
        return total / tf.cast(n, tf.float32)

    def prepare(self, *arrays: object) -> Prepared:
        """Check data for this trainer's objective and model, and convert it to tensors, once.

        Every method below takes either the arrays themselves (checked at every call) or what this
        returns (checked here only): convert large data once, e.g. ``data = trainer.prepare(x, x)``.
        """
        if len(arrays) == 1 and isinstance(arrays[0], Prepared):
            return arrays[0]
        if len(arrays) != self.objective.n_arrays:
            raise validation.value_error("the data", f"must be {self.objective.n_arrays} arrays for this "
                                         f"objective, got {len(arrays)}", "For an autoencoder pass (x, x).")
        checked = self.objective.check(self.model, tuple(_numpy(a) for a in arrays))
        return Prepared(tf.convert_to_tensor(a) for a in checked)

    def train_epoch(self, *arrays: object) -> float:
        """One pass over the data in shuffled mini-batches, as one graph call; return the epoch's mean loss."""
        data = self.prepare(*arrays)
        order = tf.constant(self._rng.permutation(int(data[0].shape[0])), tf.int32)
        return float(self._epoch(tuple(data), order))

    def train_steps(self, *arrays: object, steps: int, seed: int = 0, fresh_optimizer: bool = True) -> float:
        """Run ``steps`` steps, as one graph call; return the last step's loss.

        Each step uses the whole data when it has at most ``batch_size`` examples (full-batch gradient
        descent), else a mini-batch drawn with replacement by a generator seeded with ``seed``. A run starts
        from a fresh optimizer state; set the model's starting weights before it (``model.set_weights``).
        ``fresh_optimizer=False`` continues the previous run instead (its weights, its optimizer state), e.g.
        to measure a model after 100, 200 and 400 steps of one run; give each part another ``seed``.
        """
        steps = validation.positive_int(steps, "steps")
        seed = validation.seed(seed)
        data = self.prepare(*arrays)
        if validation.boolean(fresh_optimizer, "fresh_optimizer"):
            self.reset_optimizer()
        self._generator.reset_from_seed(seed)
        return float(self._steps(tuple(data), tf.constant(steps, tf.int32)))

    def evaluate(self, *arrays: object) -> float:
        """The objective's mean over the data in inference mode (noise and dropout layers off), as a float."""
        return float(self._evaluate(tuple(self.prepare(*arrays))))

    def reset_optimizer(self) -> None:
        """Put the optimizer back in the state it had before the first step (its moments, its step count)."""
        for variable, value in zip(self.optimizer.variables, self._initial_optimizer_state):
            variable.assign(value)


def _numpy(value: object) -> object:
    """A tensor as a NumPy array (so one check serves both); anything else unchanged."""
    return value.numpy() if isinstance(value, tf.Tensor) else value


class StopAtLoss(keras.callbacks.Callback):
    """Stop training after the first epoch whose ``monitor`` (default ``"val_loss"``) is at or below ``target``."""

    def __init__(self, target: float, monitor: str = "val_loss") -> None:
        super().__init__()
        self.target = validation.number(target, "target")
        self.monitor = monitor

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None or self.monitor not in logs:
            raise validation.value_error("StopAtLoss", f"found no {self.monitor!r} in the epoch's logs",
                                         "Pass validation_data to train() to get a val_loss.")
        if logs[self.monitor] <= self.target:
            self.model.stop_training = True


class Measure(keras.callbacks.Callback):
    """Measure the model every ``every`` epochs (and after the last one) during :func:`train`.

    After each measured epoch, ``measure()`` is called and ``{"epoch": k, name: value, "seconds": s}`` is
    appended to :attr:`results` (``s``: seconds since training began); ``progress``, if given, gets a line.
    For example the validation accuracy of a classifier after every epoch, or a probe every 10 epochs.
    """

    def __init__(self, name: str, measure: Callable[[], float], *, every: int = 1,
                 progress: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.name, self.measure = name, validation.callable_(measure, "measure", "a function of no arguments")
        self.every = validation.positive_int(every, "every")
        self.progress = progress
        self.results: list[dict[str, float]] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.start, self.results = time.perf_counter(), []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        last = epoch + 1 == self.params.get("epochs") or self.model.stop_training
        if (epoch + 1) % self.every and not last:
            return
        self.results.append({"epoch": epoch + 1, self.name: float(self.measure()),
                             "seconds": time.perf_counter() - self.start})
        if self.progress:
            losses = "".join(f"{key} {value:.4f}, " for key, value in (logs or {}).items())
            self.progress(f"  epoch {epoch + 1}: {losses}{self.name} {self.results[-1][self.name]:.4f} "
                          f"({self.results[-1]['seconds']:.0f} s)")


class ProgressBar(TqdmCallback):
    """tqdm's Keras callback (``tqdm.keras.TqdmCallback``) as the course shows training: one bar over the epochs.

    The bar advances once per epoch and shows the last epoch's logs (``loss``, ``val_loss``...). In a notebook
    (JupyterLab, Colab, VS Code) it is an ipywidgets bar, live; elsewhere a text line on stderr, redrawn in
    place. A stored notebook (nbclient, nbconvert, GitHub) keeps one output for it: the bar is displayed with
    a display id and that output is updated to the bar's final state when training ends, so its text reads
    like ``100%|##########| 50/50 [00:55<00:00, 1.10s/epoch, loss=0.0931, val_loss=0.0935]``, not ``0/50``.
    Training stopped early by a callback ends the bar at the epochs run (``28/28``), as a finished bar, not as
    an interrupted one. Make a new one for each training run (it draws its bar when it is made). See
    :func:`progress_bar`.
    """

    def __init__(self, epochs: int | None = None, *, description: str | None = None) -> None:
        in_notebook = any(kind.__module__ == "tqdm.notebook" for kind in auto_tqdm.__mro__)  # tqdm.auto chose widgets
        bar = partial(auto_tqdm, display=False) if in_notebook else auto_tqdm
        super().__init__(epochs=epochs, verbose=0, tqdm_class=bar, desc=description)
        self._display = None
        if in_notebook:
            from IPython.display import display

            self._display = display(self.epoch_bar.container, display_id=True)

    def on_train_end(self, *args: object, **kwargs: object) -> None:
        bar = self.epoch_bar
        if getattr(self.model, "stop_training", False) and bar.total and bar.n < bar.total:
            # Stopped early (EarlyStopping, StopAtLoss): a normal end, not the red bar of an interrupted loop.
            done, started = bar.n, bar.start_t
            bar.reset(total=done)  # also the widget's length
            bar.start_t = started  # keep the elapsed time
            bar.update(done)
        super().on_train_end(*args, **kwargs)
        if self._display is not None:
            self._display.update(self.epoch_bar.container)


def progress_bar(epochs: int | None = None, *, description: str | None = None) -> ProgressBar:
    """The course's progress display for one training run: a Keras callback drawing a bar over the epochs.

    For Keras's ``fit``, silence its own display and pass the bar::

        model.fit(x, y, epochs=50, verbose=0, callbacks=[training.progress_bar()])

    (``verbose=1``, Keras's bar, stores thousands of lines in a notebook run headless). :func:`train` uses it when
    ``verbose=1``. Both give the callback the number of epochs, so ``epochs`` is needed only elsewhere.

    Args:
        epochs: the bar's length; default the ``epochs`` that ``fit`` or :func:`train` passes to callbacks.
        description: a short label in front of the bar, e.g. ``"Adam"``.
    """
    if epochs is not None:
        epochs = validation.positive_int(epochs, "epochs")
    if description is not None and not isinstance(description, str):
        raise validation.type_error("description", "a string", description)
    return ProgressBar(epochs, description=description)


def train(
    model: keras.Model,
    x: object,
    y: object = None,
    *,
    loss: Objective | str | object,
    optimizer: object,
    epochs: int,
    batch_size: int = 256,
    validation_data: tuple[object, ...] | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    variables: Sequence[tf.Variable] | None = None,
    jit_compile: bool = False,
    seed: int = 0,
    verbose: int = 1,
) -> History:
    """Train ``model`` for up to ``epochs`` epochs, each one compiled graph call; return the history.

    Like Keras's ``fit`` with in-memory data: the same mini-batches (shuffled each epoch, the last one
    shorter), the same optimizer maths, the validation loss after each epoch, Keras callbacks at the
    end of each epoch. Only the shuffled order differs, so results agree with ``fit`` to within
    run-to-run noise; the epochs are several times faster on a CPU (see :class:`Trainer`).

    Args:
        model: the Keras model to train.
        x, y: the training data, e.g. ``(x_train, x_train)`` for an autoencoder or ``(images, labels)``
            for a classifier; leave out ``y`` for an objective of one array.
        loss, optimizer, variables, batch_size, jit_compile: as for :class:`Trainer`.
        epochs: the most passes over the data.
        validation_data: the same arrays for validation, e.g. ``(x_val, x_val)``, evaluated after each epoch.
        callbacks: Keras callbacks, e.g. ``[keras.callbacks.EarlyStopping("val_loss", patience=5,
            restore_best_weights=True)]`` or :class:`StopAtLoss`; they see ``loss`` and ``val_loss``.
        seed: seeds the shuffling.
        verbose: as for ``fit``: 0 silent; 1 a progress bar over the epochs (:func:`progress_bar`), with the
            last epoch's losses; 2 one printed line per epoch.

    Returns:
        ``{"loss": [...], "val_loss": [...]}``, one mean loss per epoch run, as ``fit`` reports it.
    """
    epochs = validation.positive_int(epochs, "epochs")
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise validation.value_error("verbose", f"must be 0, 1 or 2, got {verbose!r}")
    trainer = Trainer(model, loss=loss, optimizer=optimizer, variables=variables, batch_size=batch_size,
                      jit_compile=jit_compile, seed=seed)
    data = trainer.prepare(*((x,) if y is None else (x, y)))
    if validation_data is not None:
        if isinstance(validation_data, (str, bytes)) or not isinstance(validation_data, Sequence):
            raise validation.type_error("validation_data", "a tuple of arrays such as (x_val, y_val)", validation_data)
        validation_data = trainer.prepare(*validation_data)
    callbacks = list(callbacks) + ([progress_bar()] if verbose == 1 else [])
    callback_list = keras.callbacks.CallbackList(callbacks, model=model)
    steps = -(-int(data[0].shape[0]) // trainer.batch_size)  # mini-batches an epoch, the last one shorter
    callback_list.set_params({"epochs": epochs, "steps": steps, "verbose": verbose})  # as fit gives its callbacks
    history: History = {"loss": []} | ({"val_loss": []} if validation_data is not None else {})
    model.stop_training = False
    callback_list.on_train_begin()
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        start = time.perf_counter()
        logs = {"loss": trainer.train_epoch(data)}
        if validation_data is not None:
            logs["val_loss"] = trainer.evaluate(validation_data)
        for key, value in logs.items():
            history[key].append(value)
        if verbose == 2:
            numbers = " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())
            print(f"Epoch {epoch + 1}/{epochs} - {time.perf_counter() - start:.2f}s - {numbers}")
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return history
