"""The explorers, driven as a notebook would drive them, without a Jupyter kernel."""

from __future__ import annotations

import re

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import data, latent, validation, widgets

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


# the latent space (notebook 04b) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_autoencoder():
    """An untrained 784-4-784 autoencoder (the article's shape, a 4-number code): encode and decode as functions."""
    from helpers import models

    _, encoder, decoder = models.build_autoencoder(4, seed=0)
    return (lambda x: models.predict_in_batches(encoder, x)), (lambda h: models.predict_in_batches(decoder, h))


def sliders(box: ipywidgets.VBox) -> tuple:
    return box.children[widgets.CONTROL].children


def bold_numbers(box: ipywidgets.VBox) -> list[float]:
    """The numbers the explorer's text shows in bold, in order."""
    return [float(v) for v in re.findall(r"<b>(-?[0-9.]+)", box.children[widgets.TEXT].value)]


def test_interpolation_explorer_layout_and_first_picture(digits, tiny_autoencoder):
    images, labels = digits
    encode, decode = tiny_autoencoder
    box = widgets.interpolation_explorer(images, encode, decode, labels=labels, start=2, end=5)
    start, end, weight = sliders(box)
    assert [type(s) for s in (start, end, weight)] == [ipywidgets.IntSlider, ipywidgets.IntSlider,
                                                       ipywidgets.FloatSlider]
    assert (start.description, start.value, start.max, end.value) == ("from", 2, 39, 5)
    assert (weight.description, weight.value, weight.min, weight.max) == ("weight", 0.5, 0.0, 1.0)
    assert png(box).startswith(PNG)
    assert plt.get_fignums() == []
    # the errors shown are the autoencoder's per-image binary cross-entropy of the two blends
    pixel_blend = 0.5 * images[2] + 0.5 * images[5]
    code_blend = decode(0.5 * encode(images[[2]]) + 0.5 * encode(images[[5]]))
    blends = np.clip(np.concatenate([pixel_blend[None], code_blend]), 0, 1).astype(np.float32)
    again = np.clip(decode(encode(blends)).astype(np.float64), 1e-7, 1 - 1e-7)
    direct = -(blends * np.log(again) + (1 - blends) * np.log(1 - again)).mean(axis=1)
    assert bold_numbers(box) == pytest.approx([0.5, *direct], abs=1e-4)


def test_interpolation_explorer_follows_its_three_controls(digits, tiny_autoencoder):
    images, _ = digits
    encode, decode = tiny_autoencoder
    box = widgets.interpolation_explorer(images, encode, decode)
    start, end, weight = sliders(box)
    first_picture = png(box)

    weight.value = 1.0  # both blends are now image 1 and its decoded code
    _, pixel_error, code_error = bold_numbers(box)
    target = images[[1]]
    decoded_end = np.clip(decode(encode(target)), 0, 1).astype(np.float32)
    assert pixel_error == pytest.approx(latent.reconstruction_errors(target, decode(encode(target)))[0], abs=1e-4)
    assert code_error == pytest.approx(latent.reconstruction_errors(decoded_end, decode(encode(decoded_end)))[0],
                                       abs=1e-4)
    assert png(box) != first_picture

    second_picture = png(box)
    end.value = 7
    assert "image 7" in box.children[widgets.TEXT].value and png(box) != second_picture
    start.value = 7  # the same image at both ends: every blend is that image
    _, pixel_error, _ = bold_numbers(box)
    assert pixel_error == pytest.approx(latent.reconstruction_errors(images[[7]], decode(encode(images[[7]])))[0],
                                        abs=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"images": np.zeros((1, 784), np.float32)}, "at least 2"),
        ({"encode": "encoder"}, "encode must be a function"),
        ({"labels": [1, 2]}, r"one entry per image \(40\)"),
        ({"start": 40}, "start must be at most 39"),
        ({"weight": 1.5}, "weight must be at most 1"),
        ({"encode": lambda x: x[:1]}, r"encode\(\.\.\.\) returned shape \(1, 784\) for 2 inputs"),
    ],
)
def test_interpolation_explorer_rejects_bad_arguments(digits, tiny_autoencoder, kwargs, match):
    images, _ = digits
    encode, decode = tiny_autoencoder
    arguments = {"images": images, "encode": encode, "decode": decode} | kwargs
    with pytest.raises(validation.CourseError, match=match):
        widgets.interpolation_explorer(**arguments)


@pytest.fixture(scope="module")
def codes_and_labels() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(60, 5)) * [4.0, 2.0, 1.0, 0.5, 0.1], rng.integers(0, 10, size=60)


class LinearDecoder:
    """decode(h) = sigmoid(h W): (k, 5) -> (k, 784); records what it was asked to decode."""

    def __init__(self):
        self.weights = np.random.default_rng(1).normal(size=(5, 784))
        self.inputs: list[np.ndarray] = []

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        self.inputs.append(np.array(codes))
        return 1 / (1 + np.exp(-codes @ self.weights))


def test_code_map_explorer_layout_and_variance_kept(codes_and_labels):
    codes, labels = codes_and_labels
    decode = LinearDecoder()
    box = widgets.code_map_explorer(codes, labels, decode)
    first, second = sliders(box)
    assert (first.description, second.description) == ("PC 1", "PC 2")
    assert first.value == 0.0 and second.value == 0.0
    assert png(box).startswith(PNG) and plt.get_fignums() == []
    np.testing.assert_allclose(decode.inputs[-1], codes.mean(axis=0)[None], atol=1e-12)  # (0, 0) is the mean code
    eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(codes.T)))[::-1]
    assert f"keeps {100 * eigenvalues[:2].sum() / eigenvalues.sum():.0f} %" in box.children[widgets.TEXT].value
    # the sliders span the codes' projections onto the top two principal directions
    directions = np.linalg.eigh(np.cov(codes.T))[1][:, ::-1][:, :2]
    projected = (codes - codes.mean(axis=0)) @ directions
    assert first.max - first.min == pytest.approx(np.ptp(projected[:, 0]))
    assert second.max - second.min == pytest.approx(np.ptp(projected[:, 1]))


def test_code_map_explorer_decodes_the_point_of_the_sliders(codes_and_labels):
    from helpers import linear

    codes, labels = codes_and_labels
    decode = LinearDecoder()
    box = widgets.code_map_explorer(codes, labels, decode)
    first, second = sliders(box)
    pca = linear.fit_pca(codes, 2)
    point = pca.encode(codes[7:8])[0]
    first_picture = png(box)

    first.value = float(point[0])
    second.value = float(point[1])

    np.testing.assert_allclose(decode.inputs[-1], pca.decode(point[None]), rtol=1e-6)
    assert f"has label <b>{labels[7]}</b>" in box.children[widgets.TEXT].value  # code 7 is nearest its own point
    assert png(box) != first_picture


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"codes": np.zeros((5, 1))}, r"d >= 2"),
        ({"labels": [1, 2]}, "has 2 labels for 60 examples"),
        ({"decode": None}, "decode must be a function"),
        ({"decode": lambda h: h}, r"decode\(\.\.\.\) returned shape \(1, 5\) for 1 inputs, expected \(1, 784\)"),
        ({"max_points": 0}, "max_points must be at least 1"),
    ],
)
def test_code_map_explorer_rejects_bad_arguments(codes_and_labels, kwargs, match):
    codes, labels = codes_and_labels
    arguments = {"codes": codes, "labels": labels, "decode": LinearDecoder()} | kwargs
    with pytest.raises(validation.CourseError, match=match):
        widgets.code_map_explorer(**arguments)


def shared_labels(query: np.ndarray, label: int, gallery: np.ndarray, gallery_labels: np.ndarray, k: int) -> int:
    """How many of the query's k nearest gallery rows (explicit Euclidean distances) have its label."""
    nearest = np.argsort(np.sqrt(((gallery - query) ** 2).sum(axis=1)), kind="stable")[:k]
    return int(np.sum(gallery_labels[nearest] == label))


def test_neighbour_explorer_counts_shared_labels_in_each_space(digits, tiny_autoencoder):
    images, labels = digits
    encode, _ = tiny_autoencoder
    queries, query_labels, gallery, gallery_labels = images[30:], labels[30:], images[:30], labels[:30]
    box = widgets.neighbour_explorer(queries, query_labels, gallery, gallery_labels, encode, k=5)
    slider = box.children[widgets.CONTROL]
    assert isinstance(slider, ipywidgets.IntSlider) and (slider.description, slider.max) == ("query", 9)
    first_picture = png(box)

    for index in (0, 6):
        slider.value = index
        pixels = shared_labels(queries[index], query_labels[index], gallery, gallery_labels, 5)
        codes = shared_labels(encode(queries[[index]])[0], query_labels[index], encode(gallery), gallery_labels, 5)
        assert box.children[widgets.TEXT].value.startswith(f"query {index} (label <b>{query_labels[index]}</b>)")
        assert bold_numbers(box)[1:] == [pixels, codes]
    assert png(box).startswith(PNG) and png(box) != first_picture
    assert plt.get_fignums() == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"k": 0}, "k must be at least 1"),
        ({"k": 31}, "k must be at most 20"),
        ({"gallery_labels": np.zeros(3, int)}, "has 3 labels for 30 examples"),
        ({"gallery": np.zeros((30, 28, 28), np.float32)}, "not flattened"),
        ({"encode": lambda x: x[:, :3] if len(x) == 30 else x[:, :4]},
         r"encode\(\.\.\.\) returned shape \(10, 4\) for 10 inputs, expected \(10, 3\)"),
    ],
)
def test_neighbour_explorer_rejects_bad_arguments(digits, tiny_autoencoder, kwargs, match):
    images, labels = digits
    arguments = {"queries": images[30:], "query_labels": labels[30:], "gallery": images[:30],
                 "gallery_labels": labels[:30], "encode": tiny_autoencoder[0]} | kwargs
    with pytest.raises(validation.CourseError, match=match):
        widgets.neighbour_explorer(**arguments)


NORMAL = np.array([0.05, 0.1, 0.12, 0.2, 0.3])
ANOMALIES = np.array([0.25, 0.4, 0.8, 1.6])


def test_anomaly_explorer_shows_rates_at_the_threshold():
    box = widgets.anomaly_explorer(NORMAL, ANOMALIES, 0.22, names=("digits", "clothes"))
    slider = box.children[widgets.CONTROL]
    assert isinstance(slider, ipywidgets.FloatLogSlider)  # every score is positive
    assert slider.value == pytest.approx(0.22)
    text = box.children[widgets.TEXT].value
    assert "detects <b>100.0 %</b> of the clothes" in text and "false alarms on <b>20.0 %</b> of the digits" in text
    assert png(box).startswith(PNG) and plt.get_fignums() == []
    first_picture = png(box)

    slider.value = 0.5
    assert bold_numbers(box) == [0.5, 50.0, 0.0]  # 0.8 and 1.6 flagged; no digit above 0.5
    assert png(box) != first_picture


def test_anomaly_explorer_uses_a_linear_slider_for_scores_down_to_zero():
    box = widgets.anomaly_explorer(np.array([0.0, 1.0]), np.array([2.0, 3.0]), 1.5)
    slider = box.children[widgets.CONTROL]
    assert type(slider) is ipywidgets.FloatSlider and (slider.min, slider.max) == (0.0, 3.0)
    slider.value = 2.5
    assert bold_numbers(box) == [2.5, 50.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"threshold": 2.0}, "threshold must be at most 1.6.*between the smallest and the largest"),
        ({"names": "digits"}, "names must be two strings"),
        ({"normal_scores": np.array([0.1, np.nan])}, "normal_scores holds 1 NaN"),
        ({"bins": 1}, "bins must be at least 2"),
    ],
)
def test_anomaly_explorer_rejects_bad_arguments(kwargs, match):
    arguments = {"normal_scores": NORMAL, "anomaly_scores": ANOMALIES, "threshold": 0.3} | kwargs
    with pytest.raises(validation.CourseError, match=match):
        widgets.anomaly_explorer(**arguments)
