"""Interactive explorers for the notebooks: move a slider, see the reconstructions change.

Each explorer is an ``ipywidgets.VBox`` whose children are, in this order:

1. the control (a slider), ``box.children[0]``;
2. an ``ipywidgets.HTML`` with the numbers (the reconstruction error), ``box.children[1]``;
3. an ``ipywidgets.Image`` with the picture as PNG bytes, ``box.children[2]`` (ipywidgets keeps
   its ``value`` as a memoryview: ``bytes(box.children[2].value)`` gives the PNG file).

The picture is a matplotlib figure rendered to PNG (:func:`figure_png`), not captured from the
notebook's output, so the widgets work (and are tested) without a running Jupyter kernel:
set ``box.children[0].value = ...`` and the text and image follow.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers import plotting, validation

#: Position of each part in the children of the boxes this module returns.
CONTROL, TEXT, IMAGE = 0, 1, 2


def figure_png(fig: Figure) -> bytes:
    """Render a matplotlib figure to PNG bytes and close it (so no figures pile up).

    Returns:
        The PNG file's bytes (they start with ``b"\\x89PNG"``).
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def code_size_explorer(
    images: np.ndarray,
    reconstruct: Callable[[np.ndarray, int], np.ndarray],
    code_sizes: Sequence[int],
    *,
    n: int = 8,
) -> ipywidgets.VBox:
    """A slider over code sizes showing originals above their reconstructions, and the error.

    Args:
        images: float array of shape (m, 784) in [0, 1] (``helpers.data.preprocess`` output),
            e.g. a few hundred test digits. All m are reconstructed for the error; the first n are shown.
        reconstruct: ``reconstruct(images, code_size) -> reconstructions``, (m, 784) -> (m, 784);
            e.g. PCA keeping ``code_size`` principal components, or the autoencoder of that code size.
        code_sizes: the allowed code sizes, positive ints in increasing order, e.g. ``[2, 8, 32, 128]``.
        n: how many images to show, 1 <= n <= min(m, 40).

    Returns:
        ``ipywidgets.VBox`` with children ``(slider, text, image)``:

        * ``children[0]``: ``ipywidgets.SelectionSlider`` "code size", options ``code_sizes``,
          starting at the smallest; set its ``value`` to one of them to move it.
        * ``children[1]``: ``ipywidgets.HTML`` giving the mean squared reconstruction error
          (mean over all m images and 784 pixels) at the chosen size.
        * ``children[2]``: ``ipywidgets.Image`` (PNG) of :func:`helpers.plotting.compare_reconstructions`.

    Raises:
        ValueError: bad images, reconstruct not callable, code_sizes empty or not increasing
            positive ints, n out of range, or reconstruct returning the wrong shape.
    """
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != plotting.N_PIXELS or len(images) == 0:
        raise validation.ArgumentValueError(
            f"images must have shape (m, 784) with m >= 1, got {images.shape}; "
            f"flatten and scale them with helpers.data.preprocess(x)."
        )
    if not np.issubdtype(images.dtype, np.floating):
        raise validation.ArgumentValueError(
            f"images must be floats in [0, 1], got {images.dtype}; scale them with helpers.data.preprocess(x)."
        )
    validation.displayable_images(images)  # finite values in range
    validation.callable_(reconstruct, "reconstruct", "(images, code_size) -> reconstructions")
    sizes = list(validation.positive_ints(code_sizes, "code_sizes", example="[2, 8, 32]"))
    if sizes != sorted(set(sizes)):
        raise validation.value_error("code_sizes", f"must be increasing without repeats, got {sizes}",
                                     "Pass sorted(set(code_sizes)).")
    n = validation.integer(n, "n", minimum=1, maximum=len(images), fix="It is how many images to show.")

    slider = ipywidgets.SelectionSlider(
        options=sizes, value=sizes[0], description="code size", continuous_update=False,
        style={"description_width": "initial"},
    )
    text = ipywidgets.HTML()
    picture = ipywidgets.Image(format="png")

    def show(code_size: int) -> None:
        reconstructions = np.asarray(reconstruct(images, code_size))
        if reconstructions.shape != images.shape:
            raise validation.ArgumentValueError(
                f"reconstruct(images, {code_size}) returned shape {reconstructions.shape}, expected {images.shape}; "
                f"it must return one (784,) reconstruction per image."
            )
        error = float(np.mean((images - reconstructions) ** 2))
        text.value = (
            f"code size <b>{code_size}</b>: mean squared reconstruction error "
            f"<b>{error:.4f}</b> (over {len(images)} images)"
        )
        picture.value = figure_png(
            plotting.compare_reconstructions(
                images, reconstructions, n=n, title=f"code size {code_size}"
            )
        )

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return ipywidgets.VBox([slider, text, picture])


def _per_image_errors(images: np.ndarray, reconstructions: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Mean squared error and binary cross-entropy per image, both averaged over the 784 pixels.

    Inputs are float (n, 28, 28) on a 0..1 scale. The cross-entropy is None when the
    reconstructions leave [0, 1] (it is defined only for values there, e.g. a sigmoid output).
    """
    squared = np.mean((images - reconstructions) ** 2, axis=(1, 2))
    if reconstructions.min() < 0 or reconstructions.max() > 1:
        return squared, None
    eps = 1e-7  # as Keras clips, so that log(0) never happens
    r = np.clip(reconstructions, eps, 1 - eps)
    cross_entropy = -np.mean(images * np.log(r) + (1 - images) * np.log(1 - r), axis=(1, 2))
    return squared, cross_entropy


def digit_picker(
    images: np.ndarray,
    reconstructions: np.ndarray,
    labels: Sequence | None = None,
) -> ipywidgets.VBox:
    """A slider over test digits showing one digit beside its reconstruction, with its error.

    Args:
        images: shape (n, 784) or (n, 28, 28), uint8 0..255 or float in [0, 1].
        reconstructions: the same shape as ``images`` (e.g. ``model.predict(images)``).
        labels: optional, one class label (int or name) per image, shown in the picture's title.

    Returns:
        ``ipywidgets.VBox`` with children ``(slider, text, image)``:

        * ``children[0]``: ``ipywidgets.IntSlider`` "test digit", 0..n-1, starting at 0.
        * ``children[1]``: ``ipywidgets.HTML`` with that image's reconstruction error, mean over its
          784 pixels: squared error, and binary cross-entropy when the reconstructions lie in [0, 1].
        * ``children[2]``: ``ipywidgets.Image`` (PNG) of a 1 x 2 figure, original | reconstruction.

    Raises:
        ValueError: the shapes differ or are not digit images, or labels has the wrong length.
    """
    if np.shape(images) != np.shape(reconstructions):
        raise validation.ArgumentValueError(
            f"images {np.shape(images)} and reconstructions {np.shape(reconstructions)} must have the same shape; "
            f"pass the reconstructions of exactly these images."
        )
    originals = validation.displayable_images(images, "images")
    outputs = validation.displayable_images(reconstructions, "reconstructions")
    n = len(originals)
    if labels is not None and (isinstance(labels, str) or not hasattr(labels, "__len__") or len(labels) != n):
        raise validation.ArgumentValueError(f"labels must have one entry per image ({n}); got {labels!r:.80}.")
    squared, cross_entropy = _per_image_errors(originals, outputs)

    slider = ipywidgets.IntSlider(
        value=0, min=0, max=n - 1, description="test digit", continuous_update=False,
        style={"description_width": "initial"},
    )
    text = ipywidgets.HTML()
    picture = ipywidgets.Image(format="png")

    def show(index: int) -> None:
        title = f"test digit {index}" + (f", label {labels[index]}" if labels is not None else "")
        fig = plotting.image_grid(
            np.stack([originals[index], outputs[index]]), ["original", "reconstruction"], n_cols=2, title=title
        )
        fig.set_size_inches(4.5, 2.8)
        picture.value = figure_png(fig)
        numbers = f"squared error <b>{squared[index]:.4f}</b>"
        if cross_entropy is not None:
            numbers += f", binary cross-entropy <b>{cross_entropy[index]:.4f}</b>"
        text.value = f"test digit {index}: {numbers} (mean over its 784 pixels)"

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return ipywidgets.VBox([slider, text, picture])
