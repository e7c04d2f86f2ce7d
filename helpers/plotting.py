"""Figures for the course: digit grids, reconstructions, training curves and views of the codes.

Every function returns its matplotlib :class:`~matplotlib.figure.Figure` and never calls
``plt.show()``: in a notebook the figure is displayed at the end of the cell; in a script,
save it with ``fig.savefig("name.png")``. Close figures you no longer need with ``plt.close(fig)``.

Images are MNIST digits in either layout the course uses: ``(n, 28, 28)`` or flattened
``(n, 784)``, as uint8 pixels 0..255 (what the loaders return) or floats in [0, 1] (what
``helpers.data.preprocess`` and the decoders return).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from helpers import validation

N_PIXELS = validation.N_PIXELS
#: The most images one grid shows; more would make an unreadable (and huge) figure.
MAX_GRID_IMAGES = 400
#: The most columns (image pairs) ``compare_reconstructions`` shows side by side.
MAX_COMPARE_COLUMNS = 40
N_CLASSES = 10


# ---------------------------------------------------------------------------------------------
# Checking arguments
# ---------------------------------------------------------------------------------------------


def _check_labels(labels: Sequence | None, n: int, name: str = "labels") -> list[str] | None:
    """Labels as strings, one per image; None stays None."""
    if labels is None:
        return None
    if isinstance(labels, str) or not hasattr(labels, "__len__"):
        raise validation.ArgumentValueError(
            f"{name} must be a sequence with one entry per image, got {type(labels).__name__}."
        )
    if len(labels) != n:
        raise validation.ArgumentValueError(
            f"{name} has {len(labels)} entries for {n} images; pass exactly one label per image."
        )
    return [str(label) for label in labels]


def _numbers(values: object, name: str) -> np.ndarray:
    """``values`` as a float array, or a ValueError naming ``name``."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise validation.ArgumentValueError(f"{name} must hold numbers only, got {values!r:.80}.") from None


def _bare(ax: plt.Axes) -> None:
    """No ticks and no frame, but keep the axis labels (``ax.axis("off")`` would hide them too)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------


def image_grid(
    images: np.ndarray,
    labels: Sequence | None = None,
    *,
    n_cols: int = 10,
    title: str | None = None,
    cmap: str = "gray",
) -> Figure:
    """Show digit images in a grid, one small axis per image.

    Args:
        images: shape (n, 28, 28) or (n, 784), uint8 0..255 or float in [0, 1]; 1 <= n <= 400.
        labels: optional, one per image (ints or strings), shown as small titles.
        n_cols: images per row; the grid has ceil(n / n_cols) rows.
        title: optional title above the grid.
        cmap: matplotlib colour map ("gray" shows white strokes on black, like MNIST).

    Returns:
        The figure, with exactly n axes (in reading order).
    """
    pictures = validation.displayable_images(images)
    n = len(pictures)
    if n > MAX_GRID_IMAGES:
        raise validation.ArgumentValueError(
            f"image_grid shows at most {MAX_GRID_IMAGES} images, got {n}; pass a slice such as images[:100]."
        )
    names = _check_labels(labels, n)
    n_cols = min(validation.positive_int(n_cols, "n_cols"), n)
    n_rows = math.ceil(n / n_cols)

    cell_height = 1.25 if names else 1.05
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(1.05 * n_cols, cell_height * n_rows + (0.4 if title else 0)),
        layout="constrained", squeeze=False,
    )
    for i, ax in enumerate(axes.flat):
        if i >= n:
            fig.delaxes(ax)  # the last row may be incomplete
            continue
        ax.imshow(pictures[i], cmap=cmap, vmin=0.0, vmax=1.0)
        ax.axis("off")
        if names:
            ax.set_title(names[i], fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def compare_reconstructions(
    originals: np.ndarray,
    reconstructions: np.ndarray,
    *,
    n: int = 10,
    labels: Sequence | None = None,
    title: str | None = None,
) -> Figure:
    """Show the first ``n`` originals (top row) above their reconstructions (bottom row).

    Args:
        originals: shape (m, 28, 28) or (m, 784), uint8 0..255 or float in [0, 1].
        reconstructions: the same shape as ``originals`` (the dtypes may differ).
        n: how many pairs to show, 1 <= n <= min(m, 40).
        labels: optional, one per image (length m) or per pair shown (length n); shown above each column.
        title: optional title above the figure.

    Returns:
        The figure, with 2 * n axes: the top row first, then the bottom row. The first axis of
        each row carries the row's name ("original" / "reconstruction") as its y label.
    """
    original_shape, reconstruction_shape = np.shape(originals), np.shape(reconstructions)
    if original_shape != reconstruction_shape:
        raise validation.ArgumentValueError(
            f"originals {original_shape} and reconstructions {reconstruction_shape} must have the same shape; "
            f"reshape one of them (helpers.data.to_images turns (n, 784) into (n, 28, 28))."
        )
    top = validation.displayable_images(originals, "originals")
    bottom = validation.displayable_images(reconstructions, "reconstructions")
    n = validation.positive_int(n, "n")
    if n > len(top):
        raise validation.ArgumentValueError(f"n={n} but only {len(top)} images were given; pass n <= {len(top)}.")
    if n > MAX_COMPARE_COLUMNS:
        raise validation.ArgumentValueError(
            f"compare_reconstructions shows at most {MAX_COMPARE_COLUMNS} pairs, got n={n}; pass a smaller n."
        )
    if labels is not None and hasattr(labels, "__len__") and not isinstance(labels, str) and len(labels) == len(top):
        labels = list(labels)[:n]
    names = _check_labels(labels, n)

    fig, axes = plt.subplots(
        2, n, figsize=(max(1.1 * n + 0.8, 3.5), 2.5 + (0.3 if names else 0) + (0.4 if title else 0)),
        layout="constrained", squeeze=False,
    )
    for row, (pictures, row_name) in enumerate(((top, "original"), (bottom, "reconstruction"))):
        for i in range(n):
            ax = axes[row, i]
            ax.imshow(pictures[i], cmap="gray", vmin=0.0, vmax=1.0)
            _bare(ax)
            if row == 0 and names:
                ax.set_title(names[i], fontsize=9)
        axes[row, 0].set_ylabel(row_name, fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------------------------
# Curves
# ---------------------------------------------------------------------------------------------

LINE_STYLES = ("-", "--", ":", "-.")


def _as_history(value: object, name: str) -> dict:
    """A Keras ``History`` object or its ``.history`` dict -> the dict."""
    history = getattr(value, "history", value)
    if not isinstance(history, Mapping):
        raise validation.ArgumentValueError(
            f"{name} must be a dict like Keras's History.history ({{'loss': [...], 'val_loss': [...]}}), "
            f"got {type(value).__name__}."
        )
    return dict(history)


def _runs(histories: object) -> dict[str | None, dict]:
    """One history -> {None: history}; a mapping name -> history -> itself. Both checked."""
    histories = getattr(histories, "history", histories)  # a Keras History object
    if not isinstance(histories, Mapping) or not histories:
        raise validation.ArgumentValueError(
            "histories must be a non-empty dict: one History.history ({'loss': [...]}) or "
            f"name -> History.history for several runs, got {histories!r:.80}."
        )
    values = list(histories.values())
    if all(isinstance(v, Mapping) or hasattr(v, "history") for v in values):
        return {str(name): _as_history(v, f"histories[{name!r}]") for name, v in histories.items()}
    if any(isinstance(v, Mapping) or hasattr(v, "history") for v in values):
        raise validation.ArgumentValueError(
            "histories mixes runs (dicts) and metric lists; pass either one History.history or "
            "a dict name -> History.history."
        )
    return {None: dict(histories)}


def plot_history(
    histories: Mapping,
    *,
    keys: Sequence[str] = ("loss", "val_loss"),
    title: str | None = None,
    ylabel: str = "loss",
    log_y: bool = False,
) -> Figure:
    """Plot training curves, one value per epoch, for one run or several on the same axes.

    Args:
        histories: one Keras ``History.history`` dict (``{"loss": [...], "val_loss": [...]}``; a
            ``History`` object also works), or a dict name -> such dict for several runs.
        keys: which metrics to draw; keys a run lacks are skipped.
        title: optional axes title.
        ylabel: the y axis label (the metric's name and unit).
        log_y: use a logarithmic y axis (all values must then be positive).

    Returns:
        The figure with one axes: x is "epoch" from 1, one line per (run, key); line labels are
        the key for one run and "name: key" for several. Each run has its colour, each key its line style.
    """
    runs = _runs(histories)
    keys = (keys,) if isinstance(keys, str) else tuple(keys)
    if not keys:
        raise validation.ArgumentValueError("keys is empty; pass the metrics to draw, e.g. keys=('loss', 'val_loss').")
    found = [(name, key) for name in runs for key in keys if key in runs[name]]
    if not found:
        existing = sorted({key for history in runs.values() for key in history})
        raise validation.ArgumentValueError(
            f"none of the keys {list(keys)} is in the histories; they hold {existing}. Pass keys=..."
        )

    curves = {}
    for name, key in found:
        where = f"histories[{name!r}][{key!r}]" if name is not None else f"histories[{key!r}]"
        values = _numbers(runs[name][key], where)
        if values.ndim != 1 or len(values) == 0:
            raise validation.ArgumentValueError(
                f"{where} must be a non-empty list of numbers (one per epoch), got {values.shape}."
            )
        if log_y and np.any(values <= 0):
            raise validation.ArgumentValueError(
                f"{where} holds values <= 0, which a log axis cannot show; pass log_y=False."
            )
        curves[name, key] = values

    fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    run_names = list(runs)
    for (name, key), values in curves.items():
        colour_index = run_names.index(name) if name is not None else keys.index(key)
        ax.plot(
            np.arange(1, len(values) + 1), values,
            color=colours[colour_index % len(colours)],
            linestyle=LINE_STYLES[keys.index(key) % len(LINE_STYLES)],
            marker="o" if len(values) <= 20 else None, markersize=4,
            label=key if name is None else f"{name}: {key}",
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if log_y:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


def plot_curve(
    x: Sequence[float],
    ys: Mapping[str, Sequence[float]],
    *,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    log_x: bool = False,
    log_y: bool = False,
    marker: str | None = "o",
    spreads: Mapping[str, Sequence[float]] | None = None,
) -> Figure:
    """A small line plot of one or more named curves over the same x values.

    Example: ``plot_curve([2, 8, 32], {"PCA": [...], "autoencoder": [...]}, xlabel="code size",
    ylabel="reconstruction error (MSE)")``.

    Args:
        x: 1-D numbers, shape (k,) with k >= 1.
        ys: name -> k numbers (a sequence the same length as ``x``); one line each, named in the legend.
        xlabel, ylabel: axis labels (say the unit).
        title: optional axes title.
        log_x, log_y: logarithmic axes (the values on them must be positive).
        marker: matplotlib marker for the points, or None for plain lines.
        spreads: optional name -> k non-negative numbers (e.g. standard deviations over seeds); each
            is drawn as a shaded band from y − spread to y + spread around the curve of that name.

    Returns:
        The figure with one axes.
    """
    xs = _numbers(x, "x")
    if xs.ndim != 1 or len(xs) == 0:
        raise validation.ArgumentValueError(f"x must be a non-empty 1-D sequence of numbers, got shape {xs.shape}.")
    if not isinstance(ys, Mapping) or not ys:
        raise validation.ArgumentValueError(
            f"ys must be a non-empty dict name -> values, e.g. {{'PCA': errors}}, got {type(ys).__name__}."
        )
    if log_x and np.any(xs <= 0):
        raise validation.ArgumentValueError("x holds values <= 0, which a log axis cannot show; pass log_x=False.")

    curves = {}
    for name, values in ys.items():
        values = _numbers(values, f"ys[{name!r}]")
        if values.shape != xs.shape:
            raise validation.ArgumentValueError(
                f"ys[{name!r}] has shape {values.shape} but x has {xs.shape}; pass one y value per x value."
            )
        if log_y and np.any(values <= 0):
            raise validation.ArgumentValueError(
                f"ys[{name!r}] holds values <= 0, which a log axis cannot show; pass log_y=False."
            )
        curves[str(name)] = values

    bands = {}
    for name, values in (spreads or {}).items():
        if str(name) not in curves:
            raise validation.ArgumentValueError(f"spreads[{name!r}] names no curve; the curves are {sorted(curves)}.")
        values = _numbers(values, f"spreads[{name!r}]")
        if values.shape != xs.shape or np.any(values < 0):
            raise validation.ArgumentValueError(
                f"spreads[{name!r}] must hold {len(xs)} non-negative numbers, one per x value."
            )
        bands[str(name)] = values

    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for name, values in curves.items():
        (line,) = ax.plot(xs, values, marker=marker, label=name)
        if name in bands:
            ax.fill_between(xs, values - bands[name], values + bands[name], color=line.get_color(), alpha=0.2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


# ---------------------------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------------------------


def principal_components_2d(codes: np.ndarray) -> np.ndarray:
    """Project codes onto their first two principal components.

    Centres the codes, takes the two eigenvectors of their covariance with the largest
    eigenvalues, and projects onto them. Each direction's sign is fixed so that its largest
    entry is positive, which makes the picture the same on every machine.

    Args:
        codes: float array of shape (n, d) with d >= 2.

    Returns:
        float64 array of shape (n, 2): column 0 is PC 1, column 1 is PC 2.
    """
    codes = np.asarray(codes, dtype=float)
    centred = codes - codes.mean(axis=0)
    covariance = centred.T @ centred / max(len(codes) - 1, 1)
    _, vectors = np.linalg.eigh(covariance)  # eigenvalues in ascending order
    directions = vectors[:, ::-1][:, :2]
    largest = np.abs(directions).argmax(axis=0)
    directions = directions * np.sign(directions[largest, [0, 1]])
    return centred @ directions


def code_scatter(
    codes: np.ndarray,
    labels: np.ndarray,
    *,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    max_points: int = 5000,
    seed: int = 0,
) -> Figure:
    """A 2-D picture of the hidden representations (codes), one dot per image coloured by its class.

    Codes with more than two numbers are projected onto their first two principal components
    (:func:`principal_components_2d`, computed on all codes); with exactly two, they are drawn as they are.

    Args:
        codes: shape (n, d), d >= 2, finite numbers (e.g. an encoder's output).
        labels: integer class labels 0..9, shape (n,).
        class_names: optional, 10 names for the legend (e.g. ``helpers.data.FASHION_CLASS_NAMES``);
            default the digits "0".."9".
        title: optional axes title.
        max_points: draw at most this many dots, a random subset without replacement.
        seed: seed of ``numpy.random.default_rng`` for that subset: the same seed, the same dots.

    Returns:
        The figure: one axes holding one scatter collection (``ax.collections[0]``) and a legend
        naming the classes present; axes labelled "PC 1"/"PC 2" (or "code 1"/"code 2" when d == 2).
    """
    codes = validation.array(codes, "codes")
    if codes.ndim != 2 or codes.shape[1] < 2:
        raise validation.value_error("codes", f"must have shape (n, d) with d >= 2, got {codes.shape}",
                                     "Flatten each code to one row (codes.reshape(len(codes), -1)).")
    codes = validation.finite_floats(codes.astype(np.float64), "codes")
    labels = validation.labels(labels, "labels", n=len(codes), n_classes=N_CLASSES)
    if class_names is None:
        class_names = [str(c) for c in range(N_CLASSES)]
    if isinstance(class_names, str) or len(class_names) != N_CLASSES:
        raise validation.value_error("class_names", f"must be a sequence of {N_CLASSES} names, one per class 0..9")
    max_points = validation.positive_int(max_points, "max_points")
    seed = validation.seed(seed)

    if codes.shape[1] == 2:
        points, axis_names = codes.astype(float), ("code 1", "code 2")
    else:
        points, axis_names = principal_components_2d(codes), ("PC 1", "PC 2")
    if len(points) > max_points:
        chosen = np.random.default_rng(seed).choice(len(points), size=max_points, replace=False)
        points, labels = points[chosen], labels[chosen]

    fig, ax = plt.subplots(figsize=(6.5, 5), layout="constrained")
    dot_size = 30 if len(points) <= 300 else 8
    dots = ax.scatter(
        points[:, 0], points[:, 1], c=labels, cmap="tab10", vmin=-0.5, vmax=N_CLASSES - 0.5,
        s=dot_size, alpha=0.75, linewidths=0,
    )
    handles, _ = dots.legend_elements(num=None)  # one handle per class present, in increasing order
    present = np.unique(labels)
    ax.legend(
        handles, [str(class_names[c]) for c in present], title="class",
        loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False,
    )
    ax.set_xlabel(axis_names[0])
    ax.set_ylabel(axis_names[1])
    if title:
        ax.set_title(title)
    return fig
