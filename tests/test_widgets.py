"""The explorers, driven as a notebook would drive them, without a Jupyter kernel."""

from __future__ import annotations

import re

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import data, validation, widgets

PNG = b"\x89PNG"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """Forty real training digits, preprocessed ((40, 784) float32 in [0, 1]), and their labels."""
    with np.load(data.MNIST_SAMPLE) as f:
        return data.preprocess(f["x_train"][:40]), f["y_train"][:40]


class PCA:
    """reconstruct(x, k): keep k principal components of the fitted images; records its calls."""

    def __init__(self, images: np.ndarray):
        self.mean = images.mean(axis=0)
        self.directions = np.linalg.svd(images - self.mean, full_matrices=False)[2]
        self.calls: list[tuple[int, int]] = []

    def __call__(self, images: np.ndarray, code_size: int) -> np.ndarray:
        self.calls.append((len(images), code_size))
        kept = self.directions[:code_size]
        return (images - self.mean) @ kept.T @ kept + self.mean


def png(box: ipywidgets.VBox) -> bytes:
    """The explorer's picture; ipywidgets keeps an Image's value as a memoryview."""
    return bytes(box.children[widgets.IMAGE].value)


def shown_error(box: ipywidgets.VBox) -> float:
    """The mean squared error printed in the explorer's text."""
    return float(re.search(r"error <b>([0-9.]+)</b>", box.children[widgets.TEXT].value).group(1))


# code_size_explorer ---------------------------------------------------------------------------


def test_code_size_explorer_layout_and_first_picture(digits):
    images, _ = digits
    reconstruct = PCA(images)
    box = widgets.code_size_explorer(images, reconstruct, [2, 8, 32], n=5)
    slider, text, picture = box.children
    assert isinstance(box, ipywidgets.VBox)
    assert isinstance(slider, ipywidgets.SelectionSlider)
    assert slider.description == "code size"
    assert list(slider.options) == [2, 8, 32] and slider.value == 2
    assert isinstance(picture, ipywidgets.Image) and picture.format == "png"
    assert png(box).startswith(PNG)
    assert reconstruct.calls == [(40, 2)]
    expected = float(np.mean((images - reconstruct(images, 2)) ** 2))
    assert shown_error(box) == pytest.approx(expected, abs=1e-4)
    assert "code size <b>2</b>" in text.value
    assert plt.get_fignums() == []  # the figure was rendered and closed


def test_code_size_explorer_follows_the_slider(digits):
    images, _ = digits
    reconstruct = PCA(images)
    box = widgets.code_size_explorer(images, reconstruct, [2, 8, 32])
    slider, text, picture = box.children
    first_text, first_picture, first_error = text.value, png(box), shown_error(box)

    slider.value = 32

    assert reconstruct.calls[-1] == (40, 32)
    assert text.value != first_text and "code size <b>32</b>" in text.value
    assert png(box).startswith(PNG) and png(box) != first_picture
    assert shown_error(box) < first_error  # more components, smaller error


def test_code_size_explorer_checks_what_reconstruct_returns(digits):
    images, _ = digits
    with pytest.raises(ValueError, match=r"reconstruct\(images, 4\) returned shape \(40, 10\)"):
        widgets.code_size_explorer(images, lambda x, k: x[:, :10], [4])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"code_sizes": []}, "code_sizes is empty"),
        ({"code_sizes": [8, 2]}, r"increasing.*sorted\(set\(code_sizes\)\)"),
        ({"code_sizes": [2, 2]}, "without repeats"),
        ({"code_sizes": [0, 2]}, r"code_sizes\[0\] must be at least 1"),
        ({"code_sizes": [2.5]}, r"code_sizes\[0\] must be a whole number"),
        ({"reconstruct": "pca"}, "reconstruct must be a function"),
        ({"n": 0}, "n must be at least 1"),
        ({"n": 41}, "n must be at most 40"),
        ({"images": np.zeros((3, 28, 28))}, r"shape \(m, 784\).*preprocess"),
        ({"images": np.zeros((3, 784), np.uint8)}, "floats in"),
        ({"images": np.zeros((0, 784))}, "m >= 1"),
    ],
)
def test_code_size_explorer_rejects_bad_arguments(digits, kwargs, match):
    images, _ = digits
    arguments = {"images": images, "reconstruct": PCA(images), "code_sizes": [2, 8], "n": 4} | kwargs
    with pytest.raises(validation.CourseError, match=match):
        widgets.code_size_explorer(**arguments)


# digit_picker ---------------------------------------------------------------------------------


def test_digit_picker_layout_and_first_picture(digits):
    images, labels = digits
    reconstructions = np.clip(PCA(images)(images, 8), 0.0, 1.0)
    box = widgets.digit_picker(images, reconstructions, labels=labels)
    slider, text, picture = box.children
    assert isinstance(slider, ipywidgets.IntSlider)
    assert (slider.description, slider.min, slider.max, slider.value) == ("test digit", 0, 39, 0)
    assert png(box).startswith(PNG)
    squared = float(np.mean((images[0] - reconstructions[0]) ** 2))
    assert f"squared error <b>{squared:.4f}</b>" in text.value
    assert "binary cross-entropy" in text.value
    assert plt.get_fignums() == []


def test_digit_picker_follows_the_slider(digits, monkeypatch):
    images, labels = digits
    reconstructions = np.clip(PCA(images)(images, 8), 0.0, 1.0)
    titles = []
    original_figure_png = widgets.figure_png

    def record_title(fig):
        titles.append(fig.get_suptitle())
        return original_figure_png(fig)

    monkeypatch.setattr(widgets, "figure_png", record_title)
    box = widgets.digit_picker(images, reconstructions, labels=labels)
    slider, text, picture = box.children
    first_text, first_picture = text.value, png(box)

    slider.value = 7

    assert png(box).startswith(PNG) and png(box) != first_picture
    assert text.value != first_text and text.value.startswith("test digit 7:")
    squared = float(np.mean((images[7] - reconstructions[7]) ** 2))
    assert f"<b>{squared:.4f}</b>" in text.value
    assert titles == ["test digit 0, label " + str(labels[0]), "test digit 7, label " + str(labels[7])]


def test_digit_picker_cross_entropy_matches_keras_definition():
    images = np.zeros((1, 784), np.float32)
    images[0, :392] = 1.0
    reconstructions = np.full((1, 784), 0.75, np.float32)
    box = widgets.digit_picker(images, reconstructions)
    expected = -(np.log(0.75) + np.log(0.25)) / 2  # half the pixels 1, half 0
    assert f"binary cross-entropy <b>{expected:.4f}</b>" in box.children[widgets.TEXT].value


def test_digit_picker_omits_cross_entropy_outside_0_1(digits):
    images, _ = digits
    box = widgets.digit_picker(images, images - 0.1)  # a linear decoder can leave [0, 1]
    text = box.children[widgets.TEXT].value
    assert "squared error <b>0.0100</b>" in text
    assert "cross-entropy" not in text


@pytest.mark.parametrize(
    ("reconstructions", "labels", "match"),
    [
        (np.zeros((40, 28, 28)), None, r"must have the same shape"),
        (np.zeros((39, 784)), None, r"must have the same shape"),
        (np.zeros((40, 784)), [1, 2, 3], r"one entry per image \(40\)"),
    ],
)
def test_digit_picker_rejects_bad_arguments(digits, reconstructions, labels, match):
    images, _ = digits
    with pytest.raises(validation.CourseError, match=match):
        widgets.digit_picker(images, reconstructions, labels=labels)


def test_digit_picker_rejects_non_images():
    with pytest.raises(ValueError, match=r"shape \(n, 28, 28\) or \(n, 784\)"):
        widgets.digit_picker(np.zeros((3, 10)), np.zeros((3, 10)))


def test_figure_png_renders_and_closes():
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    assert widgets.figure_png(fig).startswith(PNG)
    assert plt.get_fignums() == []
