"""Interactive explorers for the notebooks: move a slider, see the reconstructions (or the codes) change.

Each explorer is an ``ipywidgets.VBox`` whose children are, in this order:

1. the control, ``box.children[0]``: a slider, or an ``ipywidgets.HBox`` of sliders when the explorer has
   several (``box.children[0].children``);
2. an ``ipywidgets.HTML`` with the numbers (e.g. the reconstruction error), ``box.children[1]``;
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
from matplotlib import ticker
from matplotlib.figure import Figure

from helpers import losses, plotting, validation

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


def _draw(picture: ipywidgets.Image, fig: Figure) -> None:
    """Show ``fig`` in ``picture`` at its own size in pixels (a small figure is not stretched to the page's width)."""
    picture.width = str(round(fig.get_figwidth() * fig.dpi))
    picture.value = figure_png(fig)


def _digit_names(labels: Sequence | None, n: int, name: str = "labels") -> list[str] | None:
    """One printable label per image, or None."""
    if labels is None:
        return None
    if isinstance(labels, str) or not hasattr(labels, "__len__") or len(labels) != n:
        raise validation.ArgumentValueError(f"{name} must have one entry per image ({n}); got {labels!r:.80}.")
    return [str(label) for label in labels]


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
        _draw(picture, plotting.compare_reconstructions(images, reconstructions, n=n, title=f"code size {code_size}"))

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
    flat = (len(images), -1)
    return squared, losses.binary_cross_entropy_per_example(images.reshape(flat), reconstructions.reshape(flat))


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
    names = _digit_names(labels, n)
    squared, cross_entropy = _per_image_errors(originals, outputs)

    slider = ipywidgets.IntSlider(
        value=0, min=0, max=n - 1, description="test digit", continuous_update=False,
        style={"description_width": "initial"},
    )
    text = ipywidgets.HTML()
    picture = ipywidgets.Image(format="png")

    def show(index: int) -> None:
        title = f"test digit {index}" + (f", label {names[index]}" if names is not None else "")
        fig = plotting.image_grid(
            np.stack([originals[index], outputs[index]]), ["original", "reconstruction"], n_cols=2, title=title
        )
        fig.set_size_inches(4.5, 2.8)
        _draw(picture, fig)
        numbers = f"squared error <b>{squared[index]:.4f}</b>"
        if cross_entropy is not None:
            numbers += f", binary cross-entropy <b>{cross_entropy[index]:.4f}</b>"
        text.value = f"test digit {index}: {numbers} (mean over its 784 pixels)"

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return ipywidgets.VBox([slider, text, picture])


# --- the latent space (notebook 04b) -------------------------------------------------------------


def _checked_output(function: Callable[[np.ndarray], np.ndarray], x: np.ndarray, name: str,
                    width: int | None = None) -> np.ndarray:
    """``function(x)`` as a float64 array of one finite row per row of x (``width`` columns when given)."""
    result = np.asarray(function(x))
    if result.ndim != 2 or len(result) != len(x) or (width is not None and result.shape[1] != width):
        expected = f"({len(x)}, {width if width is not None else 'd'})"
        raise validation.value_error(f"{name}(...)", f"returned shape {result.shape} for {len(x)} inputs, expected "
                                     f"{expected}", "It must return one row per input row.")
    return validation.finite_floats(result.astype(np.float64), f"{name}(...)")


def interpolation_explorer(
    images: np.ndarray,
    encode: Callable[[np.ndarray], np.ndarray],
    decode: Callable[[np.ndarray], np.ndarray],
    *,
    labels: Sequence | None = None,
    start: int = 0,
    end: int = 1,
    weight: float = 0.5,
) -> ipywidgets.VBox:
    """Two images mixed in pixel space and in code space: pick the two, slide the mixing weight.

    With weight w, the **pixel** blend is ``(1 − w) · x_a + w · x_b`` and the **code** blend is
    ``decode((1 − w) · encode(x_a) + w · encode(x_b))`` (:func:`helpers.latent.interpolate`).

    Args:
        images: (n, 784) preprocessed images in [0, 1], n >= 2, e.g. test digits.
        encode: ``encode(x) -> codes``, (k, 784) -> (k, d), e.g. the pretrained encoder.
        decode: ``decode(codes) -> images``, (k, d) -> (k, 784), the matching decoder.
        labels: optional, one per image, shown in the picture.
        start, end: the indices of the two images shown first.
        weight: the mixing weight shown first, in [0, 1].

    Returns:
        ``ipywidgets.VBox`` with children ``(controls, text, image)``:

        * ``children[0]``: an ``HBox`` of three sliders: ``IntSlider`` "from" and "to" (image indices,
          0..n-1) and ``FloatSlider`` "weight" (0..1, steps of 0.05);
        * ``children[1]``: ``HTML``: the weight, and the autoencoder's reconstruction error
          (:func:`helpers.latent.reconstruction_errors`, nats per pixel) of each blend: how far each lies
          from the images the autoencoder has learned to reproduce;
        * ``children[2]``: ``Image`` (PNG) of a 2 x 3 grid: top, x_a | pixel blend | x_b; bottom, their
          decoded codes: decode(h_a) | code blend | decode(h_b).
    """
    from helpers import latent

    images = validation.flat_images(images, "images")
    n = len(images)
    if n < 2:
        raise validation.value_error("images", f"holds {n} image; interpolation needs at least 2", "Pass more images.")
    validation.callable_(encode, "encode", "(images) -> codes")
    validation.callable_(decode, "decode", "(codes) -> images")
    names = _digit_names(labels, n)
    start = validation.integer(start, "start", minimum=0, maximum=n - 1)
    end = validation.integer(end, "end", minimum=0, maximum=n - 1)
    weight = validation.number(weight, "weight", minimum=0.0, maximum=1.0)

    style = {"description_width": "initial"}
    pick_start = ipywidgets.IntSlider(value=start, min=0, max=n - 1, description="from", continuous_update=False,
                                      style=style)
    pick_end = ipywidgets.IntSlider(value=end, min=0, max=n - 1, description="to", continuous_update=False,
                                    style=style)
    mix = ipywidgets.FloatSlider(value=weight, min=0.0, max=1.0, step=0.05, description="weight",
                                 continuous_update=False, style=style, readout_format=".2f")
    text = ipywidgets.HTML()
    picture = ipywidgets.Image(format="png")

    def show(_change: object = None) -> None:
        a, b, w = pick_start.value, pick_end.value, float(mix.value)
        ends = images[[a, b]]
        codes = _checked_output(encode, ends, "encode")
        pixel_blend = latent.interpolate(ends[0], ends[1], [w])
        code_blend = latent.interpolate(codes[0], codes[1], [w])
        decoded = _checked_output(decode, np.concatenate([codes, code_blend]).astype(np.float32), "decode",
                                  plotting.N_PIXELS)
        blends = np.clip(np.concatenate([pixel_blend, decoded[2:]]), 0.0, 1.0).astype(np.float32)
        again = _checked_output(decode, _checked_output(encode, blends, "encode").astype(np.float32), "decode",
                                plotting.N_PIXELS)
        errors = latent.reconstruction_errors(blends, again)
        grid = np.concatenate([ends[:1], pixel_blend, ends[1:], decoded[:1], decoded[2:], decoded[1:2]])
        tag = (lambda i: f" ({names[i]})") if names else (lambda i: "")
        captions = [f"image {a}{tag(a)}", f"pixel blend {w:.2f}", f"image {b}{tag(b)}",
                    "decoded", f"code blend {w:.2f}", "decoded"]
        fig = plotting.image_grid(np.clip(grid, 0.0, 1.0), captions, n_cols=3,
                                  title="mixing pixels (top)\nmixing codes (bottom)")
        fig.set_size_inches(4.2, 3.6)
        _draw(picture, fig)
        text.value = (f"weight <b>{w:.2f}</b> (0: image {a}, 1: image {b}). Reconstruction error of the pixel "
                      f"blend <b>{errors[0]:.4f}</b>, of the code blend <b>{errors[1]:.4f}</b> (binary "
                      f"cross-entropy, nats per pixel)")

    for control in (pick_start, pick_end, mix):
        control.observe(show, names="value")
    show()
    return ipywidgets.VBox([ipywidgets.HBox([pick_start, pick_end, mix]), text, picture])


def code_map_explorer(
    codes: np.ndarray,
    labels: np.ndarray,
    decode: Callable[[np.ndarray], np.ndarray],
    *,
    max_points: int = 2000,
    seed: int = 0,
) -> ipywidgets.VBox:
    """A 2-D map of the codes (their first two principal components), and the image decoded at any point of it.

    The map is :func:`helpers.linear.fit_pca` with 2 components fitted to ``codes``; a point (p1, p2) of the
    map is turned back into a code by the inverse of that projection, ``mean + p1 · w1 + p2 · w2``, and
    decoded. Move the two sliders and a cross moves on the map; the decoded image follows.

    Args:
        codes: (n, d) codes, d >= 2, e.g. the 32-number codes of the test digits.
        labels: (n,) labels 0..9 of those codes, for the colours.
        decode: ``decode(codes) -> images``, (k, d) -> (k, 784).
        max_points: draw at most this many dots (a random subset, ``seed``); the map is fitted to all codes.
        seed: seed of that subset.

    Returns:
        ``ipywidgets.VBox`` with children ``(controls, text, image)``:

        * ``children[0]``: an ``HBox`` of two ``FloatSlider`` "PC 1" and "PC 2", each spanning the
          codes' range on that axis, starting at (0, 0), the mean code;
        * ``children[1]``: ``HTML``: the point, the label of the code nearest to it on the map, and the
          share of the codes' variance that the map keeps;
        * ``children[2]``: ``Image`` (PNG): the map with a cross at the point, and the decoded image.
    """
    from helpers import linear

    codes = validation.finite_floats(validation.array(codes, "codes").astype(np.float64), "codes", ndim=2)
    if codes.shape[1] < 2 or len(codes) < 2:
        raise validation.value_error("codes", f"must have shape (n, d) with n >= 2 and d >= 2, got {codes.shape}",
                                     "Pass the encoder's codes, one row per image.")
    labels = validation.labels(labels, "labels", n=len(codes))
    validation.callable_(decode, "decode", "(codes) -> images")
    max_points = validation.positive_int(max_points, "max_points")
    seed = validation.seed(seed)

    pca = linear.fit_pca(codes, 2)
    points = pca.encode(codes).astype(np.float64)
    centred = codes - codes.mean(axis=0)
    kept = float(pca.explained_variance.sum() / (np.sum(centred**2) / (len(codes) - 1)))
    shown = np.arange(len(points))
    if len(points) > max_points:
        shown = np.sort(np.random.default_rng(seed).choice(len(points), size=max_points, replace=False))
    low, high = points.min(axis=0), points.max(axis=0)
    step = float((high - low).max()) / 100
    style = {"description_width": "initial"}
    sliders = [ipywidgets.FloatSlider(value=0.0, min=float(low[i]), max=float(high[i]), step=step,
                                      description=f"PC {i + 1}", continuous_update=False, style=style,
                                      readout_format=".2f") for i in range(2)]
    text = ipywidgets.HTML()
    picture = ipywidgets.Image(format="png")

    def show(_change: object = None) -> None:
        point = np.array([[sliders[0].value, sliders[1].value]])
        image = _checked_output(decode, pca.decode(point), "decode", plotting.N_PIXELS)
        nearest = int(np.argmin(np.sum((points - point) ** 2, axis=1)))
        fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.8), layout="constrained",
                                          gridspec_kw={"width_ratios": [1.6, 1]})
        left.scatter(points[shown, 0], points[shown, 1], c=labels[shown], cmap="tab10", vmin=-0.5,
                     vmax=plotting.N_CLASSES - 0.5, s=6, alpha=0.6, linewidths=0)
        for digit in np.unique(labels[shown]):  # each class's name at the middle of its dots
            middle = np.median(points[shown][labels[shown] == digit], axis=0)
            left.annotate(str(digit), middle, fontsize=11, weight="bold", ha="center", va="center")
        left.scatter(point[:, 0], point[:, 1], marker="x", s=120, c="black", linewidths=2.5)
        left.set_xlabel("PC 1")
        left.set_ylabel("PC 2")
        left.set_title("codes on the map (colour: label)")
        right.imshow(np.clip(image[0], 0.0, 1.0).reshape(validation.IMAGE_SHAPE), cmap="gray", vmin=0.0, vmax=1.0)
        right.axis("off")
        right.set_title("decoded at the cross")
        _draw(picture, fig)
        text.value = (f"point (<b>{point[0, 0]:.2f}</b>, <b>{point[0, 1]:.2f}</b>): the nearest code on the map has "
                      f"label <b>{labels[nearest]}</b>. The map keeps {100 * kept:.0f} % of the codes' variance.")

    for slider in sliders:
        slider.observe(show, names="value")
    show()
    return ipywidgets.VBox([ipywidgets.HBox(sliders), text, picture])


def neighbour_explorer(
    queries: np.ndarray,
    query_labels: np.ndarray,
    gallery: np.ndarray,
    gallery_labels: np.ndarray,
    encode: Callable[[np.ndarray], np.ndarray],
    *,
    k: int = 8,
) -> ipywidgets.VBox:
    """A query image's k nearest gallery images, by distance in pixel space and in code space.

    Args:
        queries: (n, 784) preprocessed images to pick the query from, e.g. test digits.
        query_labels: (n,) their labels 0..9.
        gallery: (m, 784) preprocessed images to search, e.g. the training pool; k <= m.
        gallery_labels: (m,) their labels, shown under each neighbour.
        encode: ``encode(x) -> codes``, (m, 784) -> (m, d); called once on the gallery and on the queries.
        k: neighbours shown per space, 1..20.

    Returns:
        ``ipywidgets.VBox`` with children ``(slider, text, image)``:

        * ``children[0]``: ``IntSlider`` "query", 0..n-1, starting at 0;
        * ``children[1]``: ``HTML``: how many of the k neighbours share the query's label, in each space;
        * ``children[2]``: ``Image`` (PNG) of two rows: the query then its k nearest neighbours in pixel space
          (:func:`helpers.latent.nearest_neighbours` on the pixels), and the same in code space.
    """
    from helpers import latent

    queries = validation.flat_images(queries, "queries")
    gallery = validation.flat_images(gallery, "gallery")
    query_labels = validation.labels(query_labels, "query_labels", n=len(queries))
    gallery_labels = validation.labels(gallery_labels, "gallery_labels", n=len(gallery))
    validation.callable_(encode, "encode", "(images) -> codes")
    k = validation.integer(k, "k", minimum=1, maximum=min(20, len(gallery)), fix="It is how many neighbours to show.")
    gallery_codes = _checked_output(encode, gallery, "encode")
    query_codes = _checked_output(encode, queries, "encode", gallery_codes.shape[1])

    slider = ipywidgets.IntSlider(value=0, min=0, max=len(queries) - 1, description="query", continuous_update=False,
                                  style={"description_width": "initial"})
    text = ipywidgets.HTML()
    picture = ipywidgets.Image(format="png")

    def show(index: int) -> None:
        label = query_labels[index]
        found = {space: latent.nearest_neighbours(q[index:index + 1], g, k)[0]
                 for space, q, g in (("pixels", queries, gallery), ("codes", query_codes, gallery_codes))}
        grid, captions = [], []
        for space, indices in found.items():
            grid += [queries[index], *gallery[indices]]
            captions += [f"query ({label})", *(f"{space[0]}: {gallery_labels[i]}" for i in indices)]
        fig = plotting.image_grid(np.stack(grid), captions, n_cols=k + 1,
                                  title=f"query {index}: nearest by pixels (top), by codes (bottom)")
        _draw(picture, fig)
        same = {space: int(np.sum(gallery_labels[indices] == label)) for space, indices in found.items()}
        text.value = (f"query {index} (label <b>{label}</b>): of its {k} nearest neighbours, <b>{same['pixels']}</b> "
                      f"share its label in pixel space, <b>{same['codes']}</b> in code space")

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return ipywidgets.VBox([slider, text, picture])


def anomaly_explorer(
    normal_scores: np.ndarray,
    anomaly_scores: np.ndarray,
    threshold: float,
    *,
    names: tuple[str, str] = ("normal", "anomalies"),
    bins: int = 40,
) -> ipywidgets.VBox:
    """Histograms of two sets of anomaly scores, and a threshold to slide: what is detected, what is a false alarm.

    Args:
        normal_scores: (n,) scores of the kind of examples the model was trained on (e.g. the reconstruction
            errors of MNIST test digits). When every score is positive, the scores axis and the slider are
            logarithmic (errors spread over orders of magnitude).
        anomaly_scores: (m,) scores of examples of another kind (e.g. Fashion-MNIST test items).
        threshold: the threshold shown first (chosen on validation data, e.g. with
            :func:`helpers.latent.false_alarm_threshold`); the slider spans every score.
        names: what the two sets are, for the legend and the text.
        bins: histogram bins (shared by both sets), 2..200.

    Returns:
        ``ipywidgets.VBox`` with children ``(slider, text, image)``:

        * ``children[0]``: ``FloatLogSlider`` "threshold" (``FloatSlider`` when a score is 0 or negative),
          from the smallest score to the largest;
        * ``children[1]``: ``HTML``: the detection rate (anomalies above the threshold) and the false-alarm
          rate (normal examples above it), from :func:`helpers.latent.detection_rates`;
        * ``children[2]``: ``Image`` (PNG): both histograms and the threshold as a vertical line.
    """
    from helpers import latent

    normal_scores = validation.finite_floats(validation.array(normal_scores, "normal_scores").astype(np.float64),
                                             "normal_scores", ndim=1)
    anomaly_scores = validation.finite_floats(validation.array(anomaly_scores, "anomaly_scores").astype(np.float64),
                                              "anomaly_scores", ndim=1)
    if (isinstance(names, str) or not isinstance(names, Sequence) or len(names) != 2
            or not all(isinstance(name, str) for name in names)):
        raise validation.type_error("names", "two strings (normal, anomalies)", names)
    bins = validation.integer(bins, "bins", minimum=2, maximum=200)
    everything = np.concatenate([normal_scores, anomaly_scores])
    low, high = float(everything.min()), float(everything.max())
    threshold = validation.number(threshold, "threshold", minimum=low, maximum=high,
                                  fix="Pick it between the smallest and the largest score.")
    logarithmic = low > 0
    settings = {"description": "threshold", "continuous_update": False, "readout_format": ".4f",
                "style": {"description_width": "initial"}}
    if logarithmic:
        edges = np.geomspace(low, high, bins + 1) if high > low else np.array([low / 2, low * 2])
        span = np.log10(high) - np.log10(low)
        slider = ipywidgets.FloatLogSlider(value=threshold, base=10, min=np.log10(low), max=np.log10(high),
                                           step=span / 200 or 0.01, **settings)
    else:
        edges = np.linspace(low, high, bins + 1) if high > low else np.array([low - 1, high + 1])
        slider = ipywidgets.FloatSlider(value=threshold, min=low, max=high, step=(high - low) / 200 or 1.0,
                                        **settings)
    text = ipywidgets.HTML()
    picture = ipywidgets.Image(format="png")

    def show(value: float) -> None:
        detected, false_alarms = latent.detection_rates(normal_scores, anomaly_scores, value)
        fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
        ax.hist(normal_scores, bins=edges, alpha=0.6, label=f"{names[0]} ({len(normal_scores)})")
        ax.hist(anomaly_scores, bins=edges, alpha=0.6, label=f"{names[1]} ({len(anomaly_scores)})")
        ax.axvline(value, color="black", linestyle="--", label=f"threshold {value:.4f}")
        ax.set_xlabel("score (log scale)" if logarithmic else "score")
        if logarithmic:  # ticks at 1, 2 and 5 times the powers of ten, written plainly (0.2, 0.5, 1, 2)
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
            ax.xaxis.set_minor_formatter(ticker.NullFormatter())
        ax.set_ylabel("examples")
        ax.legend(frameon=False)
        _draw(picture, fig)
        text.value = (f"threshold <b>{value:.4f}</b>: detects <b>{100 * detected:.1f} %</b> of the {names[1]}, "
                      f"false alarms on <b>{100 * false_alarms:.1f} %</b> of the {names[0]}")

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return ipywidgets.VBox([slider, text, picture])
