"""The data layer, with no network and an empty Keras cache."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from helpers import data, validation


def sample_splits(n_train: int = 200, n_test: int = 50) -> data.Splits:
    """A small slice of the bundled MNIST sample (real digits) in Keras's layout."""
    with np.load(data.MNIST_SAMPLE) as f:
        return (f["x_train"][:n_train], f["y_train"][:n_train]), (f["x_test"][:n_test], f["y_test"][:n_test])


def write_npz(path: Path, splits: data.Splits, **overrides) -> Path:
    (x_train, y_train), (x_test, y_test) = splits
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    arrays.update(overrides)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


def write_idx_folder(folder: Path, splits: data.Splits) -> Path:
    """The four original Fashion-MNIST files (gzip-compressed IDX) holding ``splits``."""
    folder.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = splits
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    for key, name in data.FASHION_FILES.items():
        array = arrays[key]
        header = (2051 if key.startswith("x") else 2049).to_bytes(4, "big") + len(array).to_bytes(4, "big")
        if key.startswith("x"):
            header += (28).to_bytes(4, "big") * 2
        with gzip.open(folder / name, "wb") as f:
            f.write(header + array.tobytes())
    return folder


def assert_same_splits(got: data.Splits, expected: data.Splits) -> None:
    (a, b), (c, d) = got
    (e, f), (g, h) = expected
    for x, y in ((a, e), (b, f), (c, g), (d, h)):
        assert x.dtype == y.dtype == np.uint8
        np.testing.assert_array_equal(x, y)


# --- where the data comes from -------------------------------------------------------------

@pytest.mark.parametrize(
    "loader, sample", [(data.load_mnist, data.MNIST_SAMPLE), (data.load_fashion_mnist, data.FASHION_MNIST_SAMPLE)]
)
def test_fast_mode_uses_the_balanced_sample_and_says_so(course_env, offline, capsys, loader, sample):
    course_env.setenv("EIAM_FAST", "1")
    (x_train, y_train), (x_test, y_test) = loader()
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10
    assert 0 < x_train.mean() < 255 and x_train.max() == 255
    out = capsys.readouterr().out
    assert "SAMPLE" in out and f"helpers/samples/{sample.name}" in out


def test_sample_images_are_distinct_and_train_test_disjoint():
    with np.load(data.MNIST_SAMPLE) as f:
        train_index, test_index, x_train = f["train_index"], f["test_index"], f["x_train"]
    assert len(set(train_index.tolist())) == 4000 and len(set(test_index.tolist())) == 1000
    assert len({row.tobytes() for row in x_train}) > 3990  # real digits, not copies


def test_explicit_path_returns_the_file_exactly(course_env, offline, tmp_path, capsys):
    splits = sample_splits()
    path = write_npz(tmp_path / "mine.npz", splits)
    assert_same_splits(data.load_mnist(path), splits)
    assert "path argument" in capsys.readouterr().out


def test_environment_variable_is_read_and_path_argument_wins(course_env, offline, tmp_path):
    from_env = write_npz(tmp_path / "env.npz", sample_splits(100, 20))
    from_arg = write_npz(tmp_path / "arg.npz", sample_splits(60, 10))
    course_env.setenv("EIAM_MNIST", str(from_env))
    course_env.setenv("EIAM_FAST", "1")  # an explicit file beats the sample in fast mode too
    assert len(data.load_mnist(verbose=False)[0][0]) == 100
    assert data.locate_mnist().kind == "environment"
    assert len(data.load_mnist(from_arg, verbose=False)[0][0]) == 60


def test_full_mode_offline_without_cache_raises_with_the_fix(course_env, offline, keras_cache):
    with pytest.raises(data.DataUnavailableError) as error:
        data.load_mnist()
    message = str(error.value)
    assert "mnist.npz" in message and str(keras_cache) in message
    assert "EIAM_MNIST" in message and "EIAM_FAST=1" in message
    assert "did not pass" not in message


def test_full_mode_never_falls_back_to_the_sample(course_env, offline, keras_cache, capsys):
    with pytest.raises(data.DataUnavailableError):
        data.load_fashion_mnist()
    assert "SAMPLE" not in capsys.readouterr().out


def test_corrupt_mnist_cache_is_named(course_env, offline, keras_cache):
    (keras_cache / "mnist.npz").write_bytes(b"this is not the file Keras expects")
    with pytest.raises(data.DataUnavailableError, match=r"did not pass Keras.s check.*delete any leftover"):
        data.load_mnist()


def test_corrupt_fashion_cache_gives_a_value_error(course_env, offline, keras_cache):
    folder = keras_cache / "fashion-mnist"
    folder.mkdir()
    for name in data.FASHION_FILES.values():
        (folder / name).write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match=r"corrupt.*Delete the folder"):
        data.load_fashion_mnist()


def test_full_mode_returns_what_keras_returns(course_env, monkeypatch, capsys):
    import keras

    splits = sample_splits()
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: splits)
    assert_same_splits(data.load_mnist(), splits)
    assert "complete set from Keras" in capsys.readouterr().out


# --- bad files --------------------------------------------------------------------------

def test_missing_file(course_env, tmp_path):
    with pytest.raises(ValueError, match=r"no file at .*nothing\.npz"):
        data.load_mnist(tmp_path / "nothing.npz")


def test_corrupt_npz(course_env, tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match=r"not a readable \.npz file.*corrupt"):
        data.load_mnist(path)


def test_npz_missing_arrays(course_env, tmp_path):
    path = write_npz(tmp_path / "partial.npz", sample_splits(), y_test=None)
    with pytest.raises(ValueError, match=r"lacks the arrays \['y_test'\]"):
        data.load_mnist(path)


@pytest.mark.parametrize(
    "override, message",
    [
        ({"x_train": np.zeros((10, 28, 28), np.float32)}, r"x_train must be a uint8 array"),
        ({"x_test": np.zeros((10, 784), np.uint8)}, r"x_test must be a uint8 array of shape \(n, 28, 28\)"),
        ({"y_train": np.zeros(7, np.uint8)}, r"y_train must be a uint8 array of shape \(200,\)"),
        ({"y_test": np.full(50, 12, np.uint8)}, r"label 12"),
    ],
)
def test_wrong_layout(course_env, tmp_path, override, message):
    path = write_npz(tmp_path / "wrong.npz", sample_splits(), **override)
    with pytest.raises(ValueError, match=message):
        data.load_mnist(path)


def test_path_of_wrong_type(course_env):
    with pytest.raises(validation.ArgumentTypeError, match="path must be a file path"):
        data.load_mnist(42)


def test_fashion_folder_of_original_files(course_env, offline, tmp_path):
    splits = sample_splits()
    folder = write_idx_folder(tmp_path / "fashion", splits)
    assert_same_splits(data.load_fashion_mnist(folder, verbose=False), splits)
    course_env.setenv("EIAM_FASHION_MNIST", str(folder))
    assert_same_splits(data.load_fashion_mnist(verbose=False), splits)


def test_fashion_folder_missing_a_file(course_env, tmp_path):
    folder = write_idx_folder(tmp_path / "fashion", sample_splits())
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ValueError, match=r"lacks \['t10k-labels-idx1-ubyte.gz'\].*dataset-fashion-mnist"):
        data.load_fashion_mnist(folder)


def test_fashion_truncated_and_wrong_files(course_env, tmp_path):
    folder = write_idx_folder(tmp_path / "fashion", sample_splits())
    images = folder / "train-images-idx3-ubyte.gz"
    with gzip.open(images, "rb") as f:
        raw = f.read()
    with gzip.open(images, "wb") as f:
        f.write(raw[:-100])
    with pytest.raises(ValueError, match="truncated"):
        data.load_fashion_mnist(folder)
    with gzip.open(images, "wb") as f:
        f.write(b"\x00\x00\x08\x01" + raw[4:])  # a label file's magic number on an image file
    with pytest.raises(ValueError, match="not an IDX image file"):
        data.load_fashion_mnist(folder)


# --- preprocessing ------------------------------------------------------------------------

def test_preprocess_is_the_articles():
    (x_train, _), _ = sample_splits()
    flat = data.preprocess(x_train)
    assert flat.shape == (200, 784) and flat.dtype == np.float32
    assert flat.min() == 0.0 and flat.max() == 1.0
    np.testing.assert_allclose(flat, x_train.reshape(200, -1).astype("float32") / 255.0)
    np.testing.assert_array_equal(data.preprocess(x_train.reshape(200, 784)), flat)
    np.testing.assert_array_equal(data.to_images(flat), x_train / np.float32(255.0))


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((3, 28, 28), np.float32), "must be raw uint8 pixels.*do not preprocess them twice"),
        (np.zeros((3, 32, 32), np.uint8), r"shape \(n, 28, 28\) or \(n, 784\)"),
        (np.zeros((0, 784), np.uint8), "n > 0"),
        ([[0] * 784], "NumPy array"),
    ],
)
def test_preprocess_rejects(images, message):
    with pytest.raises(validation.CourseError, match=message):
        data.preprocess(images)


def test_to_images_rejects_wrong_width():
    with pytest.raises(ValueError, match=r"\(n, 784\)"):
        data.to_images(np.zeros((2, 100)))


# --- stratified sampling ------------------------------------------------------------------

def test_stratified_sample_is_balanced_and_reproducible():
    (x_train, y_train), _ = sample_splits(2000)
    x1, y1 = data.stratified_sample(x_train, y_train, n_per_class=10, seed=3)
    x2, y2 = data.stratified_sample(x_train, y_train, n_per_class=10, seed=3)
    x3, _ = data.stratified_sample(x_train, y_train, n_per_class=10, seed=4)
    assert x1.shape == (100, 28, 28) and np.bincount(y1).tolist() == [10] * 10
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)
    assert len(set(y1[:10].tolist())) > 1  # classes are shuffled together, not in blocks


def test_stratified_rows_keep_their_labels():
    (x_train, y_train), _ = sample_splits(2000)
    index = data.stratified_indices(y_train, 5, seed=0)
    assert len(set(index.tolist())) == 50
    x, y = data.stratified_sample(x_train, y_train, 5, seed=0)
    np.testing.assert_array_equal(x, x_train[index])
    np.testing.assert_array_equal(y, y_train[index])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n_per_class=0, seed=0), "n_per_class must be at least 1"),
        (dict(n_per_class=2.5, seed=0), "n_per_class must be a whole number"),
        (dict(n_per_class=True, seed=0), "n_per_class must be a whole number"),
        (dict(n_per_class=10_000, seed=0), r"more than some classes hold.*at most"),
        (dict(n_per_class=1, seed=-1), "seed must be at least 0"),
        (dict(n_per_class=1, seed=None), "seed must be a whole number"),
    ],
)
def test_stratified_rejects(kwargs, message):
    (x_train, y_train), _ = sample_splits()
    with pytest.raises(validation.CourseError, match=message):
        data.stratified_sample(x_train, y_train, **kwargs)


def test_stratified_rejects_mismatched_and_bad_labels():
    (x_train, y_train), _ = sample_splits()
    with pytest.raises(validation.ArgumentValueError, match="same number of examples"):
        data.stratified_sample(x_train, y_train[:-1], 1, seed=0)
    with pytest.raises(ValueError, match="integer array"):
        data.stratified_indices(y_train.astype(float), 1, seed=0)
