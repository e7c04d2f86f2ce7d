"""Data for the course: MNIST and Fashion-MNIST, their preprocessing, and labelled subsets.

Both loaders return exactly what Keras's own loaders return::

    (x_train, y_train), (x_test, y_test)
    # x_*: uint8 arrays of shape (n, 28, 28), pixel values 0..255
    # y_*: uint8 arrays of shape (n,), class labels 0..9

They look for the data in this order, and print one line saying where it came from:

1. an explicit ``path`` argument;
2. the environment variable ``EIAM_MNIST`` (``EIAM_FASHION_MNIST`` for Fashion-MNIST);
3. in fast mode (``EIAM_FAST=1``): the small bundled sample of real digits or clothes;
4. in full mode: Keras's own loader (its cache, or a download checked by Keras).

In full mode the sample is never swapped in silently: with no network and no cache
the loaders raise :class:`DataUnavailableError`, which says which file to get and where
to put it.
"""

from __future__ import annotations

import gzip
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers import config, validation

Split = tuple[np.ndarray, np.ndarray]
Splits = tuple[Split, Split]

IMAGE_SHAPE = (28, 28)
N_PIXELS = 28 * 28
N_CLASSES = 10

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
MNIST_SAMPLE = SAMPLES_DIR / "mnist_sample.npz"
FASHION_MNIST_SAMPLE = SAMPLES_DIR / "fashion_mnist_sample.npz"

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
FASHION_CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


class DataFileError(validation.CourseError, ValueError):
    """A data file or folder that was named is missing, unreadable, corrupt or of the wrong layout."""


class DataUnavailableError(validation.CourseError, RuntimeError):
    """The full data set could not be had: no path given, no cache, and no download."""


@dataclass(frozen=True)
class DataSource:
    """Where a data set is read from.

    Attributes:
        dataset: ``"MNIST"`` or ``"Fashion-MNIST"``.
        kind: ``"path"`` (argument), ``"environment"``, ``"sample"`` or ``"keras"``.
        location: the file or folder, or a description of Keras's cache, for printing.
        path: the file or folder to read; None for Keras's loader.
        variable: the environment variable that named it, for kind ``"environment"``.
    """

    dataset: str
    kind: str
    location: str
    path: Path | None = None
    variable: str = ""

    def describe(self) -> str:
        """One sentence for the course's output, saying plainly when the sample is used."""
        if self.kind == "sample":
            return (
                f"{self.dataset}: fast mode, using the bundled SAMPLE of real {self.dataset} "
                f"images (not the complete set), from {self.location}"
            )
        if self.kind == "keras":
            return f"{self.dataset}: complete set from Keras's loader ({self.location})"
        origin = "path argument" if self.kind == "path" else f"named by ${self.variable}"
        return f"{self.dataset}: read from {self.location} ({origin})"


def keras_cache_dir() -> Path:
    """Keras's dataset cache folder: ``$KERAS_HOME/datasets``, by default ``~/.keras/datasets``."""
    return Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser() / "datasets"


def _locate(dataset: str, path: str | os.PathLike | None, variable: str, sample: Path) -> DataSource:
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise validation.type_error("path", "a file path (str or Path)", path)
        chosen = Path(path).expanduser()
        return DataSource(dataset, "path", str(chosen), chosen)
    from_env = config.env_path(variable)
    if from_env is not None:
        return DataSource(dataset, "environment", str(from_env), from_env, variable)
    if config.fast_mode():
        return DataSource(dataset, "sample", f"helpers/samples/{sample.name} (bundled)", sample)
    return DataSource(dataset, "keras", f"cache folder {keras_cache_dir()}, else download")


def locate_mnist(path: str | os.PathLike | None = None) -> DataSource:
    """Say where :func:`load_mnist` would read MNIST from, without reading it."""
    return _locate("MNIST", path, config.MNIST_PATH_VARIABLE, MNIST_SAMPLE)


def locate_fashion_mnist(path: str | os.PathLike | None = None) -> DataSource:
    """Say where :func:`load_fashion_mnist` would read Fashion-MNIST from, without reading it."""
    return _locate("Fashion-MNIST", path, config.FASHION_MNIST_PATH_VARIABLE, FASHION_MNIST_SAMPLE)


def check_splits(splits: object, where: str) -> Splits:
    """Check that ``splits`` has Keras's MNIST layout; return it unchanged.

    Raises:
        ValueError: naming the array that is wrong and what was expected.
    """
    try:
        (x_train, y_train), (x_test, y_test) = splits  # type: ignore[misc]
    except (TypeError, ValueError):
        raise DataFileError(
            f"{where}: expected ((x_train, y_train), (x_test, y_test)), got {type(splits).__name__}."
        ) from None
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if not isinstance(x, np.ndarray) or x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
            raise DataFileError(
                f"{where}: x_{name} must be a uint8 array of shape (n, 28, 28), got "
                f"{getattr(x, 'dtype', type(x).__name__)} {getattr(x, 'shape', '')}."
            )
        if not isinstance(y, np.ndarray) or y.dtype != np.uint8 or y.shape != (len(x),):
            raise DataFileError(
                f"{where}: y_{name} must be a uint8 array of shape ({len(x)},) to match x_{name}, got "
                f"{getattr(y, 'dtype', type(y).__name__)} {getattr(y, 'shape', '')}."
            )
        if len(x) == 0:
            raise DataFileError(f"{where}: the {name} split is empty.")
        if y.max() >= N_CLASSES:
            raise DataFileError(f"{where}: y_{name} holds label {int(y.max())}; labels must be 0..9.")
    return (x_train, y_train), (x_test, y_test)


def _read_npz(path: Path, what: str) -> Splits:
    """Read an ``.npz`` with arrays x_train, y_train, x_test, y_test, checking everything."""
    fix = f"Point to a valid {what} .npz file (the layout of Keras's mnist.npz), or unset the variable."
    if not path.is_file():
        raise DataFileError(f"{what}: no file at {path}. {fix}")
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as f:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(f.files)
            if missing:
                raise DataFileError(f"{what}: {path} lacks the arrays {sorted(missing)}. {fix}")
            splits = (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise DataFileError(
            f"{what}: {path} is not a readable .npz file ({error}); it may be corrupt or "
            f"incomplete. Download it again. {fix}"
        ) from None
    return check_splits(splits, f"{what} file {path}")


def _read_idx_gz(path: Path, images: bool) -> np.ndarray:
    """Read one original (gzip-compressed IDX) Fashion-MNIST/MNIST file, checking its header."""
    magic = 2051 if images else 2049
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:
        raise DataFileError(
            f"{path} is not a readable gzip file ({error}); it may be corrupt or incomplete. "
            f"Delete it and get it again."
        ) from None
    header_len = 16 if images else 8
    if len(raw) < header_len or int.from_bytes(raw[:4], "big") != magic:
        raise DataFileError(f"{path} is not an IDX {'image' if images else 'label'} file. Delete it and get it again.")
    n = int.from_bytes(raw[4:8], "big")
    expected = n * (N_PIXELS if images else 1)
    if len(raw) - header_len != expected:
        raise DataFileError(f"{path} is truncated: {len(raw) - header_len} bytes of data, expected {expected}.")
    data = np.frombuffer(raw, np.uint8, offset=header_len)
    return data.reshape((n, *IMAGE_SHAPE)) if images else data.copy()


def _read_fashion_folder(folder: Path) -> Splits:
    missing = [name for name in FASHION_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise DataFileError(
            f"Fashion-MNIST: {folder} lacks {missing}. The folder must hold the four original files "
            f"{sorted(FASHION_FILES.values())} (Debian's dataset-fashion-mnist package installs them "
            f"in /usr/share/datasets/fashion-mnist)."
        )
    arrays = {key: _read_idx_gz(folder / name, key.startswith("x")) for key, name in FASHION_FILES.items()}
    splits = (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
    return check_splits(splits, f"Fashion-MNIST folder {folder}")


def _unavailable(
    dataset: str, cache: Path, files: list[str], cached: list[str], variable: str, cause: Exception
) -> DataUnavailableError:
    """The error for a failed Keras load; ``cached`` lists the files that were in the cache before it."""
    note = (
        f" The cached {cached} did not pass Keras's check (corrupt or incomplete), so Keras tried to "
        f"download it again and removed it when that failed; delete any leftover copy."
        if cached else ""
    )
    return DataUnavailableError(
        f"{dataset} could not be loaded: Keras found no usable cached copy and could not download it "
        f"({cause}).{note}\nFix, any one of:\n"
        f"  * connect to the internet and run again (Keras downloads and caches it);\n"
        f"  * download {', '.join(KERAS_ORIGIN + name for name in files)} and put "
        f"{'it' if len(files) == 1 else 'them'} in {cache}/;\n"
        f"  * set {variable} to the path of a copy you already have;\n"
        f"  * or set {config.FAST_MODE_VARIABLE}=1 to run the course in fast mode on the bundled sample."
    )


def load_mnist(path: str | os.PathLike | None = None, *, verbose: bool = True) -> Splits:
    """Load MNIST as ``keras.datasets.mnist.load_data()`` does: ``((x_train, y_train), (x_test, y_test))``.

    Shapes: x_train (60000, 28, 28) uint8, y_train (60000,) uint8, x_test (10000, 28, 28),
    y_test (10000,); the bundled sample (fast mode) has 4000 training and 1000 test digits.

    Args:
        path: an ``.npz`` file in Keras's layout; overrides everything else.
        verbose: print one line saying where the data came from.

    Raises:
        ValueError: the file named is missing, corrupt or of the wrong layout.
        DataUnavailableError: full mode, with no cache and no network.
    """
    source = locate_mnist(path)
    if source.kind == "keras":
        import keras

        cache = keras_cache_dir()
        cached = [name for name in ["mnist.npz"] if (cache / name).exists()]
        try:
            splits = keras.datasets.mnist.load_data()
        except Exception as error:  # Keras raises a bare Exception when the download fails.
            raise _unavailable("MNIST", cache, ["mnist.npz"], cached, config.MNIST_PATH_VARIABLE, error) from None
        splits = check_splits(splits, "Keras's MNIST")
    else:
        splits = _read_npz(source.path, "MNIST")
    if verbose:
        print(source.describe())
    return splits


def load_fashion_mnist(path: str | os.PathLike | None = None, *, verbose: bool = True) -> Splits:
    """Load Fashion-MNIST as ``keras.datasets.fashion_mnist.load_data()`` does.

    Same layout and shapes as :func:`load_mnist`; labels name the classes in
    :data:`FASHION_CLASS_NAMES`. ``path`` (or ``EIAM_FASHION_MNIST``) may name an ``.npz``
    file or a folder holding the four original ``*-ubyte.gz`` files.

    Raises:
        ValueError: the file or folder named is missing, corrupt or of the wrong layout.
        DataUnavailableError: full mode, with no cache and no network.
    """
    source = locate_fashion_mnist(path)
    if source.kind == "keras":
        import keras

        cache = keras_cache_dir() / "fashion-mnist"
        files = list(FASHION_FILES.values())
        cached = [name for name in files if (cache / name).exists()]
        try:
            splits = keras.datasets.fashion_mnist.load_data()
        except (OSError, EOFError) as error:  # Keras does not check these files: a bad one fails in gzip
            raise DataFileError(
                f"Fashion-MNIST: a cached file in {cache} is corrupt ({error}). Delete the folder and run again."
            ) from None
        except Exception as error:
            raise _unavailable(
                "Fashion-MNIST", cache, files, cached, config.FASHION_MNIST_PATH_VARIABLE, error
            ) from None
        splits = check_splits(splits, "Keras's Fashion-MNIST")
    else:
        where = source.path
        splits = _read_fashion_folder(where) if where.is_dir() else _read_npz(where, "Fashion-MNIST")
    if verbose:
        print(source.describe())
    return splits


def preprocess(images: np.ndarray) -> np.ndarray:
    """The article's preprocessing: uint8 pixels -> float32 in [0, 1], flattened.

    Args:
        images: uint8 array of shape (n, 28, 28) or (n, 784), values 0..255.

    Returns:
        float32 array of shape (n, 784), values in [0, 1].
    """
    if not isinstance(images, np.ndarray):
        raise validation.type_error("images", "a NumPy array of uint8 pixels", images,
                                    "Pass the arrays the loaders return.")
    if images.dtype != np.uint8:
        raise validation.type_error(
            "images", "raw uint8 pixels (0..255) as the loaders return them", images,
            "If the images are already scaled to [0, 1], do not preprocess them twice.")
    if images.ndim not in (2, 3) or images.shape[1:] not in ((N_PIXELS,), IMAGE_SHAPE) or len(images) == 0:
        raise validation.value_error("images", f"must have shape (n, 28, 28) or (n, 784) with n > 0, got "
                                     f"{images.shape}")
    return images.reshape(len(images), N_PIXELS).astype("float32") / 255.0


def to_images(flat: np.ndarray) -> np.ndarray:
    """Undo the flattening: (n, 784) -> (n, 28, 28), same dtype."""
    flat = validation.array(flat, "flat")
    if flat.ndim != 2 or flat.shape[1] != N_PIXELS:
        raise validation.value_error("flat", f"must have shape (n, 784), got {flat.shape}",
                                     "It undoes helpers.data.preprocess(), which flattens (n, 28, 28) images.")
    return flat.reshape(len(flat), *IMAGE_SHAPE)


def stratified_indices(labels: np.ndarray, n_per_class: int, seed: int) -> np.ndarray:
    """Indices of ``n_per_class`` examples of every class in ``labels``, drawn reproducibly.

    Args:
        labels: integer array of shape (n,).
        n_per_class: how many examples of each class (a positive int).
        seed: seed of the draw; the same seed gives the same indices.

    Returns:
        int64 array of shape (n_classes * n_per_class,), in shuffled order.
    """
    labels = validation.array(labels, "labels")
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise validation.value_error("labels", f"must be a 1-D integer array, got {labels.dtype} {labels.shape}",
                                     "Pass the labels the data loaders return.")
    n_per_class = validation.positive_int(n_per_class, "n_per_class")
    seed = validation.seed(seed)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    short = {int(c): int(k) for c, k in zip(classes, counts) if k < n_per_class}
    if short:
        raise validation.value_error("n_per_class", f"= {n_per_class} is more than some classes hold "
                                     f"(class: count {short})", f"Ask for at most {min(counts)} per class.")
    chosen = [rng.choice(np.flatnonzero(labels == c), size=n_per_class, replace=False) for c in classes]
    return rng.permutation(np.concatenate(chosen)).astype(np.int64)


def stratified_sample(
    x: np.ndarray, y: np.ndarray, n_per_class: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n_per_class`` labelled examples of every class, reproducibly from ``seed``.

    Args:
        x: array of shape (n, ...), any dtype.
        y: integer labels of shape (n,).

    Returns:
        ``(x_subset, y_subset)`` with ``n_classes * n_per_class`` rows, classes shuffled together.
    """
    x = validation.array(x, "x")
    y = validation.array(y, "y")
    validation.same_length(x, y, ("x", "y"))
    index = stratified_indices(y, n_per_class, seed)
    return x[index], y[index]
