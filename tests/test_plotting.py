"""The figures: what each axes shows, and the errors for bad input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import data, plotting, validation


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """Twelve real training digits (uint8, (12, 28, 28)) and their labels."""
    with np.load(data.MNIST_SAMPLE) as f:
        return f["x_train"][:12], f["y_train"][:12]


def legend_texts(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


# image_grid -----------------------------------------------------------------------------------


def test_image_grid_one_axis_per_image_with_labels_and_title(digits):
    x, y = digits
    fig = plotting.image_grid(x[:7], y[:7], n_cols=3, title="seven digits")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 7  # 3 rows of 3, the two unused cells removed
    assert [ax.get_title() for ax in fig.axes] == [str(label) for label in y[:7]]
    assert fig.get_suptitle() == "seven digits"
    rows = sorted({round(ax.get_position().y0, 3) for ax in fig.axes})
    assert len(rows) == 3


def test_image_grid_shows_the_pixels_on_a_fixed_scale(digits):
    x, _ = digits
    fig = plotting.image_grid(data.preprocess(x[:2]))  # flat floats in [0, 1]
    shown = fig.axes[1].images[0]
    np.testing.assert_allclose(shown.get_array(), x[1] / 255.0, atol=1e-6)
    assert shown.get_clim() == (0.0, 1.0)
    assert not fig.axes[0].axison  # axes turned off
    assert fig.axes[0].get_title() == ""


def test_image_grid_uint8_and_float_give_the_same_picture(digits):
    x, _ = digits
    from_uint8 = plotting.image_grid(x[:3]).axes[2].images[0].get_array()
    from_float = plotting.image_grid(x[:3] / 255.0).axes[2].images[0].get_array()
    np.testing.assert_allclose(from_uint8, from_float, atol=1e-6)


@pytest.mark.parametrize(
    ("images", "kwargs", "match"),
    [
        (np.zeros((3, 5)), {}, r"shape \(n, 28, 28\) or \(n, 784\), got \(3, 5\)"),
        (np.zeros((28, 28)), {}, r"image\[None\]"),
        (np.zeros((0, 784)), {}, "empty"),
        (np.zeros((401, 784)), {}, r"at most 400 images.*images\[:100\]"),
        (np.zeros((3, 784)), {"labels": [1, 2]}, "2 entries for 3 images"),
        (np.zeros((3, 784)), {"n_cols": 0}, "n_cols must be at least 1"),
        (np.full((2, 784), 255.0), {}, "divide by 255"),
        (np.full((2, 784), np.nan), {}, "NaN"),
        (np.full((2, 784), 300), {}, r"integer pixels 300\.\.300, outside 0\.\.255"),
        (np.full((2, 784), "a"), {}, "must be an array of numbers"),
    ],
)
def test_image_grid_rejects_bad_input(images, kwargs, match):
    with pytest.raises(validation.CourseError, match=match):
        plotting.image_grid(images, **kwargs)


# compare_reconstructions ----------------------------------------------------------------------


def test_compare_reconstructions_two_labelled_rows(digits):
    x, y = digits
    originals = data.preprocess(x)
    reconstructions = 1.0 - originals
    fig = plotting.compare_reconstructions(originals, reconstructions, n=4, labels=y, title="inverted")
    assert len(fig.axes) == 8
    top, bottom = fig.axes[:4], fig.axes[4:]
    assert top[0].get_ylabel() == "original"
    assert bottom[0].get_ylabel() == "reconstruction"
    assert [ax.get_title() for ax in top] == [str(label) for label in y[:4]]
    assert fig.get_suptitle() == "inverted"
    np.testing.assert_allclose(top[3].images[0].get_array(), x[3] / 255.0, atol=1e-6)
    np.testing.assert_allclose(bottom[3].images[0].get_array(), 1.0 - x[3] / 255.0, atol=1e-6)
    assert top[0].get_position().y0 > bottom[0].get_position().y0


def test_compare_reconstructions_labels_may_be_per_pair(digits):
    x, _ = digits
    fig = plotting.compare_reconstructions(x, x, n=2, labels=["a", "b"])
    assert [ax.get_title() for ax in fig.axes[:2]] == ["a", "b"]


@pytest.mark.parametrize(
    ("reconstructions", "kwargs", "match"),
    [
        (np.zeros((12, 784)), {}, r"must have the same shape.*to_images"),
        (np.zeros((12, 28, 28)), {"n": 13}, r"n=13 but only 12 images.*n <= 12"),
        (np.zeros((12, 28, 28)), {"n": 0}, "n must be at least 1"),
        (np.zeros((12, 28, 28)), {"labels": [1, 2, 3]}, "3 entries for 10 images"),
    ],
)
def test_compare_reconstructions_rejects_bad_input(digits, reconstructions, kwargs, match):
    x, _ = digits
    with pytest.raises(validation.CourseError, match=match):
        plotting.compare_reconstructions(x, reconstructions, **kwargs)


def test_compare_reconstructions_limits_the_columns():
    images = np.zeros((50, 784))
    with pytest.raises(ValueError, match="at most 40 pairs"):
        plotting.compare_reconstructions(images, images, n=41)


# plot_history ---------------------------------------------------------------------------------


def test_plot_history_one_run_draws_the_values_per_epoch():
    history = {"loss": [0.5, 0.3, 0.2], "val_loss": [0.6, 0.4, 0.35], "accuracy": [0.1, 0.2, 0.3]}
    fig = plotting.plot_history(history, title="training")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "loss"
    assert ax.get_title() == "training"
    assert legend_texts(ax) == ["loss", "val_loss"]
    loss, val_loss = ax.get_lines()
    np.testing.assert_array_equal(loss.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(loss.get_ydata(), history["loss"])
    np.testing.assert_allclose(val_loss.get_ydata(), history["val_loss"])
    assert ax.get_yscale() == "linear"


def test_plot_history_accepts_a_keras_history_object():
    class History:  # what model.fit returns: the dict is in .history
        history = {"loss": [1.0, 0.5]}

    (ax,) = plotting.plot_history(History()).axes
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1.0, 0.5])


def test_plot_history_several_runs_share_one_axes_and_skip_missing_keys():
    runs = {
        "code 2": {"loss": [0.3, 0.25], "val_loss": [0.31, 0.27]},
        "code 32": {"loss": [0.2, 0.1, 0.05]},  # no validation data in this run
    }
    fig = plotting.plot_history(runs, log_y=True)
    (ax,) = fig.axes
    assert legend_texts(ax) == ["code 2: loss", "code 2: val_loss", "code 32: loss"]
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[2].get_ydata(), [0.2, 0.1, 0.05])
    np.testing.assert_array_equal(lines[2].get_xdata(), [1, 2, 3])
    assert ax.get_yscale() == "log"
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()  # a colour per run
    assert lines[0].get_linestyle() != lines[1].get_linestyle()  # a line style per key


def test_plot_history_accepts_one_key_as_a_string():
    (ax,) = plotting.plot_history({"accuracy": [0.5, 0.9]}, keys="accuracy", ylabel="accuracy").axes
    assert legend_texts(ax) == ["accuracy"]
    assert ax.get_ylabel() == "accuracy"


@pytest.mark.parametrize(
    ("histories", "kwargs", "match"),
    [
        ({"accuracy": [0.5]}, {}, r"none of the keys \['loss', 'val_loss'\].*\['accuracy'\]"),
        ({"a": {"acc": [1]}, "b": {"mae": [2]}}, {}, r"they hold \['acc', 'mae'\]"),
        ({"loss": []}, {}, "non-empty list"),
        ({"run": {"loss": []}}, {}, r"histories\['run'\]\['loss'\] must be a non-empty"),
        ({}, {}, "non-empty dict"),
        ([0.1, 0.2], {}, "non-empty dict"),
        ({"a": {"loss": [1]}, "loss": [1]}, {}, "mixes runs"),
        ({"loss": [0.1, 0.0]}, {"log_y": True}, "log_y=False"),
        ({"loss": ["low", "high"]}, {}, "numbers only"),
        ({"loss": [1.0]}, {"keys": ()}, "keys is empty"),
    ],
)
def test_plot_history_rejects_bad_input(histories, kwargs, match):
    with pytest.raises(validation.CourseError, match=match):
        plotting.plot_history(histories, **kwargs)


# plot_curve -----------------------------------------------------------------------------------


def test_plot_curve_one_line_per_name():
    fig = plotting.plot_curve(
        [2, 8, 32], {"PCA": [0.05, 0.03, 0.01], "autoencoder": [0.04, 0.02, 0.008]},
        xlabel="code size", ylabel="reconstruction error (MSE)", title="error", log_x=True, marker="s",
    )
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("code size", "reconstruction error (MSE)", "error")
    assert legend_texts(ax) == ["PCA", "autoencoder"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [0.04, 0.02, 0.008])
    np.testing.assert_allclose(ax.get_lines()[1].get_xdata(), [2, 8, 32])
    assert ax.get_lines()[0].get_marker() == "s"
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"


@pytest.mark.parametrize(
    ("x", "ys", "kwargs", "match"),
    [
        ([1, 2, 3], {"a": [1, 2]}, {}, r"ys\['a'\] has shape \(2,\) but x has \(3,\)"),
        ([], {"a": []}, {}, "x must be a non-empty 1-D"),
        ([1, 2], {}, {}, "non-empty dict"),
        ([1, 2], [1, 2], {}, "non-empty dict"),
        ([0, 1], {"a": [1, 2]}, {"log_x": True}, "log_x=False"),
        ([1, 2], {"a": [0, 2]}, {"log_y": True}, "log_y=False"),
    ],
)
def test_plot_curve_rejects_bad_input(x, ys, kwargs, match):
    with pytest.raises(validation.CourseError, match=match):
        plotting.plot_curve(x, ys, xlabel="x", ylabel="y", **kwargs)


# code_scatter ---------------------------------------------------------------------------------


def test_code_scatter_projects_onto_the_plane_the_codes_lie_in():
    rng = np.random.default_rng(1)
    plane = rng.normal(size=(60, 2)) * [3.0, 1.0]  # the first direction has most variance
    basis, _ = np.linalg.qr(rng.normal(size=(5, 2)))  # an orthonormal 2-D plane inside 5-D
    codes = plane @ basis.T + 7.0
    labels = np.arange(60) % 10
    fig = plotting.code_scatter(codes, labels, title="codes")
    (ax,) = [ax for ax in fig.axes if ax.collections]
    points = ax.collections[0].get_offsets()
    assert points.shape == (60, 2)
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("PC 1", "PC 2", "codes")
    # a projection onto the codes' own plane keeps every distance
    def distances(p):
        return np.linalg.norm(p[:, None] - p[None], axis=-1)

    np.testing.assert_allclose(distances(np.asarray(points)), distances(plane), atol=1e-8)
    assert np.var(points[:, 0]) > np.var(points[:, 1])  # PC 1 carries most variance
    np.testing.assert_allclose(np.asarray(points).mean(axis=0), 0.0, atol=1e-8)  # centred
    np.testing.assert_array_equal(ax.collections[0].get_array(), labels)  # coloured by label


def test_code_scatter_two_dimensional_codes_are_drawn_as_they_are():
    codes = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    fig = plotting.code_scatter(codes, np.array([0, 1, 1]))
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("code 1", "code 2")
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), codes)
    assert legend_texts(ax) == ["0", "1"]  # the classes present


def test_code_scatter_legend_uses_class_names():
    codes = np.random.default_rng(0).normal(size=(30, 4))
    labels = np.arange(30) % 10
    fig = plotting.code_scatter(codes, labels, class_names=data.FASHION_CLASS_NAMES)
    assert legend_texts(fig.axes[0]) == list(data.FASHION_CLASS_NAMES)


def test_code_scatter_subsamples_reproducibly():
    rng = np.random.default_rng(2)
    codes, labels = rng.normal(size=(500, 3)), rng.integers(0, 10, size=500)

    def offsets(**kwargs) -> np.ndarray:
        fig = plotting.code_scatter(codes, labels, max_points=100, **kwargs)
        return np.asarray(fig.axes[0].collections[0].get_offsets())

    first, again, other = offsets(seed=0), offsets(seed=0), offsets(seed=1)
    assert first.shape == (100, 2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    everything = plotting.principal_components_2d(codes)
    assert all(np.isclose(everything, point).all(axis=1).any() for point in first)  # real points, none made up
    assert len(plotting.code_scatter(codes, labels).axes[0].collections[0].get_offsets()) == 500


@pytest.mark.parametrize(
    ("codes", "labels", "kwargs", "match"),
    [
        (np.zeros((4, 1)), np.zeros(4, int), {}, r"d >= 2, got \(4, 1\)"),
        (np.zeros(4), np.zeros(4, int), {}, r"shape \(n, d\)"),
        (np.zeros((4, 3)), np.zeros(3, int), {}, "3 labels for 4 examples"),
        (np.zeros((4, 3)), np.full(4, 0.5), {}, "not whole numbers"),
        (np.zeros((4, 3)), np.array([0, 1, 2, 10]), {}, r"the classes are 0\.\.9"),
        (np.full((4, 3), np.inf), np.zeros(4, int), {}, "finite"),
        (np.zeros((4, 3)), np.zeros(4, int), {"class_names": ["a", "b"]}, "10 names"),
        (np.zeros((4, 3)), np.zeros(4, int), {"max_points": 0}, "max_points must be at least 1"),
        (np.zeros((4, 3)), np.zeros(4, int), {"seed": -1}, "seed must be at least 0"),
    ],
)
def test_code_scatter_rejects_bad_input(codes, labels, kwargs, match):
    with pytest.raises(validation.CourseError, match=match):
        plotting.code_scatter(codes, labels, **kwargs)


def test_plot_curve_draws_spread_bands_and_rejects_bad_ones():
    fig = plotting.plot_curve([1, 10, 100], {"a": [50, 70, 90]}, xlabel="labels", ylabel="%",
                              log_x=True, spreads={"a": [2, 1, 0.5]})
    (band,) = fig.axes[0].collections
    vertices = band.get_paths()[0].vertices
    assert vertices[:, 1].min() == pytest.approx(48) and vertices[:, 1].max() == pytest.approx(90.5)
    with pytest.raises(ValueError, match="names no curve"):
        plotting.plot_curve([1, 2], {"a": [1, 2]}, xlabel="x", ylabel="y", spreads={"b": [0, 0]})
    with pytest.raises(ValueError, match="non-negative numbers, one per x value"):
        plotting.plot_curve([1, 2], {"a": [1, 2]}, xlabel="x", ylabel="y", spreads={"a": [-1, 0]})


# figures.accuracy_bars ------------------------------------------------------------------------

def test_accuracy_bars_one_bar_per_arm_and_budget_with_its_interval():
    from helpers import figures, tables

    rows = [{"recipe": recipe, "regime": regime, "labels_per_class": budget, "labels": 10 * budget,
             "pretraining_seed": 0, "seed": seed, "accuracy": (base + budget / 10 + seed) / 100, "val_accuracy": 0.5,
             "seconds": 1.0}
            for recipe, regime, base in (("matched", "frozen", 80.0), ("none", "scratch", 70.0))
            for budget in (10, 100) for seed in range(3)]
    summary = tables.summarise(rows)
    fig = figures.accuracy_bars(summary, title="t")
    ax = fig.axes[0]
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == pytest.approx([82.0, 91.0, 72.0, 81.0])  # arm by arm, budget by budget: the means
    assert legend_texts(ax) == ["matched, frozen", "none, scratch"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["10 labels / class", "100 labels / class"]
    cell = next(s for s in summary if s["recipe"] == "matched" and s["labels_per_class"] == 10)
    segments = ax.collections[0].get_segments()  # the first arm's error bars, one segment per budget
    assert segments[0][:, 1] == pytest.approx([cell["low"], cell["high"]])
    with pytest.raises(ValueError, match="lacks"):
        figures.accuracy_bars(summary[:3])
    with pytest.raises(ValueError, match="empty"):
        figures.accuracy_bars([])
