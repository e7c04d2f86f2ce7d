"""Objectives beyond the article's reconstruction error, each an :class:`helpers.training.Objective`.

The article pretrains by minimising a reconstruction error on unlabelled images and then fine-tunes by
minimising a task loss on the labelled ones (§3–4)::

    pretraining   min_θ (1/n) Σ L(x, x̂)          fine-tuning   min_θ (1/m) Σ J(y, ŷ)

The objectives here keep that shape and change what ``L`` asks of the network, all trained by the same
engine (:class:`helpers.training.Trainer`):

- :class:`MaskedReconstruction`: hide random square patches of each image and reconstruct the whole
  image; ``L`` is the binary cross-entropy over the *hidden* pixels only (the idea of masked autoencoders
  and of BERT's masked language modelling: predict what you cannot see).
- :class:`Contrastive`: SimCLR's objective. Two random augmentations of each image ("views") go through
  the network; ``L`` is :func:`nt_xent`, which asks each view's projection to be closer to its partner's
  than to the other ``2n − 2`` views of the batch. No pixel is reconstructed.
- :class:`Joint`: both of the article's objectives at once, ``(1/m) Σ J(y, ŷ) + λ (1/n) Σ L_u(x)``, on a
  labelled batch and an unlabelled batch at every step. ``L_u`` is a consistency loss: the network's
  prediction for a strongly corrupted image must reconstruct its own confident prediction for a mildly
  corrupted one (the top-level denoising cost of the ladder networks' Γ-model, in FixMatch's form:
  hard targets, and only where the prediction is confident).

Images are flat, (n, 784) floats in [0, 1]; losses are means over a batch, in nats.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from helpers import models, training, validation

#: Side of the images, in pixels.
SIDE = 28


def augmenter(*, shift: float, rotation: float, zoom: float = 0.0, erase: float = 0.0, seed: int,
              name: str = "augment") -> keras.Sequential:
    """Random distortions of flat images, (n, 784) -> (n, 784), active only when called with ``training=True``.

    Args:
        shift: the most an image moves, as a fraction of its side (0.08 × 28 ≈ 2 pixels).
        rotation: the most it turns, as a fraction of a full turn (10 / 360 is 10 degrees).
        zoom: the most it is scaled up or down, as a fraction (0.1: 90 % to 110 %).
        erase: the largest share of the image blanked by one random rectangle (0: none).
        seed: the layers' own random streams (no global generator is used).
    """
    shift, rotation = validation.fraction(shift, "shift"), validation.fraction(rotation, "rotation")
    zoom, erase = validation.fraction(zoom, "zoom"), validation.fraction(erase, "erase")
    seed = validation.seed(seed)
    layers: list[keras.layers.Layer] = [keras.Input((SIDE * SIDE,)), keras.layers.Reshape((SIDE, SIDE, 1))]
    layers += [keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=models.layer_seed(seed, 1)),
               keras.layers.RandomRotation(rotation, fill_mode="constant", seed=models.layer_seed(seed, 2))]
    if zoom:
        layers.append(keras.layers.RandomZoom(zoom, fill_mode="constant", seed=models.layer_seed(seed, 3)))
    if erase:
        layers.append(keras.layers.RandomErasing(factor=1.0, scale=(0.02, erase), fill_value=0.0, value_range=(0, 1),
                                                 seed=models.layer_seed(seed, 4)))
    layers.append(keras.layers.Reshape((SIDE * SIDE,)))
    return keras.Sequential(layers, name=name)


def nt_xent(first: tf.Tensor, second: tf.Tensor, temperature: float) -> tf.Tensor:
    """SimCLR's normalised temperature-scaled cross-entropy between two views of the same n examples.

    Each of the 2n projections is normalised to unit length; its similarity to every other one is the
    cosine divided by ``temperature``; the loss of one projection is the cross-entropy of picking its
    partner (the other view of the same image) among the other 2n − 1. Returns the mean over the 2n (nats).

    Args:
        first, second: (n, d) projections of the two views; row i of each comes from the same image.
        temperature: > 0; smaller values weigh the hardest negatives more (SimCLR: 0.1 to 1).
    """
    z = tf.math.l2_normalize(tf.concat([first, second], axis=0), axis=1)
    n = tf.shape(first)[0]
    similarity = tf.matmul(z, z, transpose_b=True) / temperature
    similarity -= 1e9 * tf.eye(2 * n, dtype=similarity.dtype)  # a view is not its own partner
    partners = tf.concat([tf.range(n, 2 * n), tf.range(0, n)], axis=0)
    return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(partners, similarity, from_logits=True))


def patch_mask(n: int | tf.Tensor, *, patch: int, ratio: float, generator: tf.random.Generator | int) -> tf.Tensor:
    """(n, 784) mask, 1 where a pixel is hidden: each image's ``ratio`` of its (28/patch)² square patches.

    Args:
        patch: the side of a patch in pixels; must divide 28 (4, 7 or 14).
        ratio: the share of patches hidden per image (rounded to a whole number of patches, at least one).
        generator: a TensorFlow random generator (training draws new masks from it at every step), or a
            seed for a fresh one (the same seed, the same masks).
    """
    if not isinstance(generator, tf.random.Generator):
        generator = tf.random.Generator.from_seed(validation.seed(generator, "generator"))
    per_side = SIDE // patch
    patches = per_side * per_side
    hidden = max(1, round(ratio * patches))
    scores = generator.uniform(tf.stack([n, patches]))
    threshold = tf.sort(scores, axis=1)[:, hidden - 1:hidden]
    grid = tf.cast(scores <= threshold, tf.float32)  # (n, patches): exactly `hidden` ones per row
    grid = tf.reshape(grid, (-1, per_side, 1, per_side, 1))
    pixels = tf.tile(grid, (1, 1, patch, 1, patch))
    return tf.reshape(pixels, (-1, SIDE * SIDE))


class UnlabelledObjective(training.Objective):
    """An objective computed from a batch of images alone, (n, 784) floats in [0, 1]: one array per batch."""

    n_arrays = 1

    def check(self, model: keras.Model, arrays: tuple[object, ...]) -> tuple[np.ndarray, ...]:
        x = validation.flat_images(arrays[0], "x")
        validation.model_inputs(model, x, "x")
        return (x.astype(np.float32, copy=False),)


class MaskedReconstruction(UnlabelledObjective):
    """Reconstruct images from a copy with random patches hidden; the loss counts the hidden pixels only.

    ``L(x, x̂) = − Σ_{hidden j} [x_j log x̂_j + (1 − x_j) log(1 − x̂_j)] / (number of hidden pixels)``,
    the article's binary cross-entropy restricted to what the network could not see. The model maps
    (n, 784) masked images to (n, 784) probabilities (a sigmoid output).

    Args:
        patch: side of a square patch in pixels (divides 28).
        ratio: share of the patches hidden in each image (masked autoencoders hide 75 %).
        seed: the masks' generator.
    """

    def __init__(self, *, patch: int = 7, ratio: float = 0.5, seed: int = 0) -> None:
        self.patch = validation.positive_int(patch, "patch")
        if SIDE % self.patch:
            raise validation.value_error("patch", f"must divide the image's {SIDE} pixels, got {self.patch}",
                                         "Use 2, 4, 7 or 14.")
        self.ratio = validation.number(ratio, "ratio", minimum=0.0, maximum=1.0)
        self.generator = tf.random.Generator.from_seed(validation.seed(seed))

    def loss(self, model: keras.Model, x: tf.Tensor, mask: tf.Tensor, training: bool) -> tf.Tensor:
        """The loss for a given mask (1 = hidden), e.g. to evaluate every model on the same masks."""
        reconstruction = tf.clip_by_value(model(x * (1.0 - mask), training=training), 1e-7, 1 - 1e-7)
        bce = -(x * tf.math.log(reconstruction) + (1.0 - x) * tf.math.log(1.0 - reconstruction))
        return tf.reduce_sum(bce * mask) / tf.reduce_sum(mask)

    def __call__(self, model: keras.Model, batch: tuple[tf.Tensor, ...], training: bool) -> tf.Tensor:
        (x,) = batch
        return self.loss(model, x, patch_mask(tf.shape(x)[0], patch=self.patch, ratio=self.ratio,
                                              generator=self.generator), training)


class Contrastive(UnlabelledObjective):
    """SimCLR: two augmented views of each image, :func:`nt_xent` between their projections.

    The model maps (n, 784) images to (n, d) projections (an encoder followed by a small projection
    head, which is dropped after pretraining).

    Args:
        temperature: of :func:`nt_xent`.
        shift, rotation, zoom, erase: the views' distortions (:func:`augmenter`).
        seed: the views' random streams.
    """

    def __init__(self, *, temperature: float = 0.2, shift: float = 0.15, rotation: float = 0.05, zoom: float = 0.15,
                 erase: float = 0.2, seed: int = 0) -> None:
        self.temperature = validation.number(temperature, "temperature", minimum=1e-3)
        seed = validation.seed(seed)
        self.views = [augmenter(shift=shift, rotation=rotation, zoom=zoom, erase=erase, seed=seed + k, name=f"view_{k}")
                      for k in (1, 2)]

    def __call__(self, model: keras.Model, batch: tuple[tf.Tensor, ...], training: bool) -> tf.Tensor:
        (x,) = batch
        first, second = (model(view(x, training=True), training=training) for view in self.views)
        return nt_xent(first, second, self.temperature)


class Joint(UnlabelledObjective):
    """Both objectives at once: ``(1/m) Σ J(y, ŷ) + λ (1/n) Σ L_u(x)`` at every step.

    Each step draws ``labelled_batch`` labelled images (with replacement; the whole labelled set is held
    here, usually 10 to 1,000 images) beside the trainer's batch of unlabelled ones:

    - ``J``: cross-entropy of the labels, on mildly distorted labelled images;
    - ``L_u``: for each unlabelled image, the prediction on a mildly distorted copy, where its largest
      probability is at least ``threshold``, becomes a hard target ("pseudo-label", no gradient through
      it), and ``L_u`` is the cross-entropy of the prediction on a strongly distorted copy against it;
      unconfident images add 0. Averaged over all n unlabelled images of the batch.

    The model maps (n, 784) images to (n, 10) class probabilities (a softmax output).

    Args:
        x_labelled, y_labelled: the labelled images (m, 784) and their labels (m,).
        weight: λ, the weight of the unlabelled term.
        threshold: the confidence a pseudo-label needs (FixMatch: 0.95).
        labelled_batch: labelled images per step.
        seed: the draws and distortions.
    """

    def __init__(self, x_labelled: object, y_labelled: object, *, weight: float = 1.0, threshold: float = 0.95,
                 labelled_batch: int = 64, seed: int = 0) -> None:
        x_labelled = validation.flat_images(x_labelled, "x_labelled")
        y_labelled = validation.labels(y_labelled, "y_labelled", n=len(x_labelled))
        self.x_labelled = tf.constant(x_labelled, tf.float32)
        self.y_labelled = tf.constant(y_labelled, tf.int32)
        self.weight = validation.number(weight, "weight", minimum=0.0)
        self.threshold = validation.number(threshold, "threshold", minimum=0.0, maximum=1.0)
        self.labelled_batch = validation.positive_int(labelled_batch, "labelled_batch")
        seed = validation.seed(seed)
        self.generator = tf.random.Generator.from_seed(seed)
        self.weak = augmenter(shift=0.08, rotation=10 / 360, seed=seed + 1, name="weak")
        self.strong = augmenter(shift=0.15, rotation=0.05, zoom=0.15, erase=0.2, seed=seed + 2, name="strong")

    def terms(self, model: keras.Model, x_unlabelled: tf.Tensor, training: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """``(J, L_u)``: the task loss on a labelled batch and the consistency loss on ``x_unlabelled``."""
        index = self.generator.uniform([self.labelled_batch], 0, tf.shape(self.x_labelled)[0], dtype=tf.int32)
        predicted = model(self.weak(tf.gather(self.x_labelled, index), training=True), training=training)
        labels = tf.gather(self.y_labelled, index)
        task = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, predicted))
        guess = tf.stop_gradient(model(self.weak(x_unlabelled, training=True), training=training))
        confident = tf.cast(tf.reduce_max(guess, axis=1) >= self.threshold, tf.float32)
        strong = model(self.strong(x_unlabelled, training=True), training=training)
        consistency = keras.losses.sparse_categorical_crossentropy(tf.argmax(guess, axis=1), strong)
        return task, tf.reduce_mean(confident * consistency)

    def __call__(self, model: keras.Model, batch: tuple[tf.Tensor, ...], training: bool) -> tf.Tensor:
        task, consistency = self.terms(model, batch[0], training)
        return task + self.weight * consistency
