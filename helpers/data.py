"""Data for the course: MNIST and Fashion-MNIST, their preprocessing, and labelled subsets.

Both loaders return exactly what Keras's own loaders return::

    (x_train, y_train), (x_test, y_test)
    # x_*: uint8 arrays of shape (n, 28, 28), pixel values 0..255
    # y_*: uint8 arrays of shape (n,), class labels 0..9

They look for the data in this order, and print one line saying where it came from:

1. an explicit ``path`` argument;
2. the environment variable ``EIAM_MNIST`` (``EIAM_FASHION_MNIST`` for Fashion-MNIST);
3. in fast mode (``EIAM_FAST=1``): the small bundled sample of real digits or clothes;
4. in full mode with ``EIAM_DATA_MIRROR`` set: Keras's files from that mirror (a base URL or a local folder
   holding them under Keras's own names), each checked against :data:`KERAS_FILES`' sha256, into Keras's cache;
5. in full mode: Keras's own loader (its cache, or a download checked by Keras).

In full mode the sample is never swapped in silently: with no network and no cache
the loaders raise :class:`DataUnavailableError`, which says which file to get and where
to put it, a mirror included (Keras's host, Google's storage, is normally unreachable from mainland China).
What the loaders print and raise is in the student's language (:mod:`helpers.messages`).
"""

from __future__ import annotations

import gzip
import os
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers import artifacts, config, validation
from helpers.messages import Catalog

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
#: The sha256 of each of Keras's own data files, by its name on :data:`KERAS_ORIGIN`: MNIST's as Keras's
#: ``mnist.load_data`` checks it; Fashion-MNIST's are those of the four original files of Zalando's release (whose
#: MD5s its README publishes), which Keras serves and caches unchecked. A mirror's copies must match these.
KERAS_FILES = {
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
#: Where Keras caches each data set's files, below :func:`keras_cache_dir` ("" for the folder itself).
KERAS_SUBFOLDERS = {"MNIST": "", "Fashion-MNIST": "fashion-mnist"}
FASHION_CLASS_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


msg = Catalog(__name__, {
    "sample": ("{dataset}: fast mode, using the bundled SAMPLE of real {dataset} images (not the complete set), "
               "from {location}",
               "{dataset}：快速模式，使用随课程附带的真实 {dataset} 图像样本（SAMPLE，不是完整数据集），来自 "
               "{location}"),
    "keras": ("{dataset}: complete set from Keras's loader ({location})",
              "{dataset}：由 Keras 的加载器读取的完整数据集（{location}）"),
    "keras_location": ("cache folder {cache}, else download", "缓存文件夹 {cache}，没有则下载"),
    "mirror": ("{dataset}: complete set from the mirror {location} (sha256 checked)",
               "{dataset}：来自镜像 {location} 的完整数据集（已核对 sha256）"),
    "mirror_location": ("{mirror}, cached in {cache}", "{mirror}，缓存在 {cache}"),
    "from_path": ("{dataset}: read from {location} (path argument)", "{dataset}：读取自 {location}（path 参数）"),
    "from_variable": ("{dataset}: read from {location} (named by ${variable})",
                      "{dataset}：读取自 {location}（由 ${variable} 指定）"),
    "bundled": ("helpers/samples/{name} (bundled)", "helpers/samples/{name}（随课程附带）"),
    "file_where": ("{what} file {path}", "{what} 文件 {path}"),
    "folder_where": ("Fashion-MNIST folder {folder}", "Fashion-MNIST 文件夹 {folder}"),
    "keras_where": ("Keras's {dataset}", "Keras 的 {dataset}"),
    "npz_fix": ("Point to a valid {what} .npz file (the layout of Keras's mnist.npz), or unset the variable.",
                "请指向一个有效的 {what} .npz 文件（与 Keras 的 mnist.npz 布局相同），或取消设置该环境变量。"),
    "no_file": ("{what}: no file at {path}. {fix}", "{what}：{path} 处没有文件。{fix}"),
    "lacks_arrays": ("{what}: {path} lacks the arrays {missing}. {fix}", "{what}：{path} 缺少数组 {missing}。{fix}"),
    "unreadable_npz": ("{what}: {path} is not a readable .npz file ({error}); it may be corrupt or incomplete. "
                       "Download it again. {fix}",
                       "{what}：{path} 不是可读的 .npz 文件（{error}），可能已损坏或不完整。请重新下载。{fix}"),
    "not_splits": ("{where}: expected ((x_train, y_train), (x_test, y_test)), got {got}.",
                   "{where}：应为 ((x_train, y_train), (x_test, y_test))，却得到了 {got}。"),
    "bad_images": ("{where}: x_{split} must be a uint8 array of shape (n, 28, 28), got {dtype} {shape}.",
                   "{where}：x_{split} 必须是形状为 (n, 28, 28) 的 uint8 数组，却得到了 {dtype} {shape}。"),
    "bad_labels": (
        "{where}: y_{split} must be a uint8 array of shape ({n},) to match x_{split}, got {dtype} {shape}.",
        "{where}：y_{split} 必须是形状为 ({n},) 的 uint8 数组，与 x_{split} 对应，却得到了 {dtype} {shape}。"),
    "empty_split": ("{where}: the {split} split is empty.", "{where}：{split} 部分是空的。"),
    "bad_label": ("{where}: y_{split} holds label {label}; labels must be 0..9.",
                  "{where}：y_{split} 含有标签 {label}；标签必须是 0..9。"),
    "not_gzip": ("{path} is not a readable gzip file ({error}); it may be corrupt or incomplete. Delete it and get it "
                 "again.", "{path} 不是可读的 gzip 文件（{error}），可能已损坏或不完整。请删除它并重新获取。"),
    "not_idx_images": ("{path} is not an IDX image file. Delete it and get it again.",
                       "{path} 不是 IDX 图像文件。请删除它并重新获取。"),
    "not_idx_labels": ("{path} is not an IDX label file. Delete it and get it again.",
                       "{path} 不是 IDX 标签文件。请删除它并重新获取。"),
    "truncated": ("{path} is truncated: {got} bytes of data, expected {expected}.",
                  "{path} 不完整：数据有 {got} 字节，应为 {expected} 字节。"),
    "fashion_folder_lacks": ("Fashion-MNIST: {folder} lacks {missing}. The folder must hold the four original files "
                             "{names} (Debian's dataset-fashion-mnist package installs them in "
                             "/usr/share/datasets/fashion-mnist).",
                             "Fashion-MNIST：{folder} 缺少 {missing}。该文件夹必须包含四个原始文件 {names}（Debian 的 "
                             "dataset-fashion-mnist 软件包会把它们装在 /usr/share/datasets/fashion-mnist）。"),
    "cache_rejected": (" The cached {cached} did not pass Keras's check (corrupt or incomplete), so Keras tried to "
                       "download it again and removed it when that failed; delete any leftover copy.",
                       "缓存中的 {cached} 没有通过 Keras 的检查（已损坏或不完整），所以 Keras 试图重新下载，"
                       "失败后把它删除了；如有残留的副本，请删除。"),
    "unavailable": ("{dataset} could not be loaded: Keras found no usable cached copy and could not download it "
                    "({cause}).{note}\nFix, any one of:\n"
                    "  * connect to the internet and run again (Keras downloads and caches it);\n"
                    "  * where Keras's host ({origin}) cannot be reached (as from mainland China): set "
                    "{mirror_variable} to a mirror, a base URL or a folder that holds {names} under these names, "
                    "and run again (the sha256 of each file is checked);\n"
                    "  * download {urls} into {cache}/;\n"
                    "  * set {variable} to the path of a copy you already have;\n"
                    "  * or set {fast_variable}=1 to run the course in fast mode on the bundled sample.",
                    "无法加载 {dataset}：Keras 没有找到可用的缓存副本，也无法下载（{cause}）。{note}\n"
                    "解决办法（任选其一）：\n"
                    "  * 连接互联网后重新运行（Keras 会下载并缓存数据）；\n"
                    "  * 如果无法访问 Keras 的下载地址 {origin}（在中国大陆通常如此）：把 {mirror_variable} 设为一个"
                    "镜像，即存放着同名文件 {names} 的网址或文件夹，然后重新运行（每个文件的 sha256 都会核对）；\n"
                    "  * 下载 {urls}，放到 {cache}/ 中；\n"
                    "  * 把 {variable} 设为你已有副本的路径；\n"
                    "  * 或者设置 {fast_variable}=1，用随课程附带的样本以快速模式运行课程。"),
    "fashion_cache_corrupt": ("Fashion-MNIST: a cached file in {cache} is corrupt ({error}). Delete the folder and run "
                              "again.",
                              "Fashion-MNIST：{cache} 中的一个缓存文件已损坏（{error}）。请删除该文件夹后重新运行。"),
    "bad_mirror": (
        "{variable}={value!r} is neither a URL (https://..., http://..., file://...) nor an existing folder. "
        "Set it to the base URL of a mirror of {origin} or to a folder holding Keras's files, or unset it.",
        "{variable}={value!r} 既不是网址（https://...、http://...、file://...），也不是已存在的文件夹。"
        "请把它设为 {origin} 的镜像网址，或存放 Keras 数据文件的文件夹，或者取消设置。"),
    "mirror_folder_lacks": (
        "{dataset}: the mirror folder {folder} lacks {name} (looked for {places}). Put Keras's file there under "
        "its own name, or unset {variable}.",
        "{dataset}：镜像文件夹 {folder} 中没有 {name}（查找了 {places}）。"
        "请把 Keras 的这个文件以原名放进去，或者取消设置 {variable}。"),
    "mirror_failed": (
        "{dataset}: could not get {name} from the mirror {origin} ({cause}). Check that the mirror is reachable and "
        "holds Keras's file under that name (the layout of {keras_origin}), or unset {variable}; {fallback}",
        "{dataset}：无法从镜像 {origin} 获取 {name}（{cause}）。"
        "请检查镜像能否访问、是否以原名存放着 Keras 的这个文件（与 {keras_origin} 的布局相同），"
        "或者取消设置 {variable}；{fallback}"),
    "mirror_fallback": (
        "set {variable} to the path of a copy you already have, or {fast_variable}=1 for fast mode.",
        "也可以把 {variable} 设为你已有副本的路径，或设置 {fast_variable}=1 使用快速模式。"),
    "wrong_hash": (
        "{dataset}: {name} from {origin} is not Keras's file: its sha256 is {actual}, Keras's is {expected}. "
        "The copy was deleted. The mirror holds a damaged or different file: get {name} again from a source you "
        "trust (Keras's own is {keras_url}), or {fallback}",
        "{dataset}：来自 {origin} 的 {name} 不是 Keras 的文件：它的 sha256 是 {actual}，"
        "Keras 的是 {expected}。这个副本已被删除。镜像中的文件已损坏或并非同一文件："
        "请从可信的来源重新获取 {name}（Keras 自己的地址是 {keras_url}），{fallback}"),
})


class DataFileError(validation.CourseError, ValueError):
    """A data file or folder that was named is missing, unreadable, corrupt or of the wrong layout."""


class DataUnavailableError(validation.CourseError, RuntimeError):
    """The full data set could not be had: no path given, no cache, and no download."""


@dataclass(frozen=True)
class DataSource:
    """Where a data set is read from.

    Attributes:
        dataset: ``"MNIST"`` or ``"Fashion-MNIST"``.
        kind: ``"path"`` (argument), ``"environment"``, ``"sample"``, ``"mirror"`` or ``"keras"``.
        location: the file or folder, or a description of Keras's cache or of the mirror, for printing.
        path: the file or folder to read; None for Keras's loader and for a mirror.
        variable: the environment variable that named it, for kind ``"environment"``.
        mirror: the mirror (base URL or folder) for kind ``"mirror"``, else "".
    """

    dataset: str
    kind: str
    location: str
    path: Path | None = None
    variable: str = ""
    mirror: str = ""

    def describe(self) -> str:
        """One sentence for the course's output (student's language), saying plainly when the sample is used."""
        if self.kind == "path":
            return msg("from_path", dataset=self.dataset, location=self.location)
        if self.kind == "environment":
            return msg("from_variable", dataset=self.dataset, location=self.location, variable=self.variable)
        return msg(self.kind, dataset=self.dataset, location=self.location)


def keras_cache_dir() -> Path:
    """Keras's dataset cache folder: ``$KERAS_HOME/datasets``, by default ``~/.keras/datasets``."""
    return Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser() / "datasets"


def keras_url(name: str) -> str:
    """The address Keras downloads its data file ``name`` from (a key of :data:`KERAS_FILES`)."""
    return KERAS_ORIGIN + name


def _mirror() -> str | None:
    """``EIAM_DATA_MIRROR`` checked: a base URL ending in "/", or an existing folder; None when unset."""
    raw = config.data_mirror()
    if raw is None:
        return None
    scheme = urllib.parse.urlsplit(raw).scheme.lower()
    if scheme in ("http", "https", "file"):
        return raw if raw.endswith("/") else raw + "/"
    if Path(raw).expanduser().is_dir():
        return str(Path(raw).expanduser().resolve())
    raise DataFileError(msg("bad_mirror", variable=config.DATA_MIRROR_VARIABLE, value=raw, origin=KERAS_ORIGIN))


def _mirror_origin(dataset: str, mirror: str, name: str) -> str:
    """The URL to fetch Keras's file ``name`` from ``mirror``: ``<base URL><name>``, or a ``file://`` URL of the
    folder's copy, which may sit in the folder itself (the layout of Keras's host) or in its sub-folder of
    Keras's cache (``fashion-mnist/``: a copy of ``~/.keras/datasets``)."""
    if "://" in mirror:
        return mirror + name
    folder = Path(mirror)
    places = [folder / name] + ([folder / KERAS_SUBFOLDERS[dataset] / name] if KERAS_SUBFOLDERS[dataset] else [])
    for place in places:
        if place.is_file():
            return place.as_uri()
    raise DataUnavailableError(msg("mirror_folder_lacks", dataset=dataset, folder=folder, name=name,
                                   places=", ".join(str(place) for place in places),
                                   variable=config.DATA_MIRROR_VARIABLE))


def fetch_from_mirror(dataset: str, names: list[str], mirror: str, variable: str) -> Path:
    """Put Keras's files ``names`` of ``dataset`` into Keras's cache from ``mirror``, each checked; return the folder.

    Each file is fetched with ``keras.utils.get_file`` (which keeps a cached copy whose sha256 is right and fetches
    again one whose sha256 is wrong), its sha256 checked against :data:`KERAS_FILES`.

    Args:
        dataset: ``"MNIST"`` or ``"Fashion-MNIST"`` (names its sub-folder of the cache, :data:`KERAS_SUBFOLDERS`).
        names: file names, keys of :data:`KERAS_FILES`.
        mirror: a base URL ending in "/" or a folder (as :func:`_mirror` returns it).
        variable: the data set's path variable (``EIAM_MNIST``...), for the messages.

    Returns:
        The cache folder that holds the files: ``keras_cache_dir() / KERAS_SUBFOLDERS[dataset]``.

    Raises:
        DataUnavailableError: the mirror lacks a file or cannot be reached.
        DataFileError: a file's sha256 is not Keras's (the copy is deleted first).
    """
    from keras.utils import get_file

    subfolder = KERAS_SUBFOLDERS[dataset]
    cache = keras_cache_dir() / subfolder
    fallback = msg("mirror_fallback", variable=variable, fast_variable=config.FAST_MODE_VARIABLE)
    for name in names:
        origin = _mirror_origin(dataset, mirror, name)
        expected = KERAS_FILES[name]
        try:
            get_file(name, origin=origin, file_hash=expected, hash_algorithm="sha256",
                     cache_dir=str(keras_cache_dir().parent), cache_subdir=str(Path("datasets") / subfolder))
        except ValueError:  # get_file's "Incomplete or corrupted file detected": it leaves the bad copy in place
            actual = artifacts.sha256(cache / name)
            (cache / name).unlink()
            raise DataFileError(msg("wrong_hash", dataset=dataset, name=name, origin=origin, actual=actual,
                                    expected=expected, keras_url=keras_url(name), fallback=fallback)) from None
        except Exception as error:  # get_file raises a bare Exception when the download fails
            raise DataUnavailableError(msg("mirror_failed", dataset=dataset, name=name, origin=origin, cause=error,
                                           keras_origin=KERAS_ORIGIN, variable=config.DATA_MIRROR_VARIABLE,
                                           fallback=fallback)) from None
    return cache


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
        return DataSource(dataset, "sample", msg("bundled", name=sample.name), sample)
    mirror = _mirror()
    cache = keras_cache_dir() / KERAS_SUBFOLDERS[dataset]
    if mirror is not None:
        return DataSource(dataset, "mirror", msg("mirror_location", mirror=mirror, cache=cache), mirror=mirror)
    return DataSource(dataset, "keras", msg("keras_location", cache=keras_cache_dir()))


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
        raise DataFileError(msg("not_splits", where=where, got=type(splits).__name__)) from None
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if not isinstance(x, np.ndarray) or x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
            raise DataFileError(msg("bad_images", where=where, split=name, dtype=getattr(x, "dtype", type(x).__name__),
                                    shape=getattr(x, "shape", "")))
        if not isinstance(y, np.ndarray) or y.dtype != np.uint8 or y.shape != (len(x),):
            raise DataFileError(msg("bad_labels", where=where, split=name, n=len(x),
                                    dtype=getattr(y, "dtype", type(y).__name__), shape=getattr(y, "shape", "")))
        if len(x) == 0:
            raise DataFileError(msg("empty_split", where=where, split=name))
        if y.max() >= N_CLASSES:
            raise DataFileError(msg("bad_label", where=where, split=name, label=int(y.max())))
    return (x_train, y_train), (x_test, y_test)


def _read_npz(path: Path, what: str) -> Splits:
    """Read an ``.npz`` with arrays x_train, y_train, x_test, y_test, checking everything."""
    fix = msg("npz_fix", what=what)
    if not path.is_file():
        raise DataFileError(msg("no_file", what=what, path=path, fix=fix))
    try:
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as f:
            missing = {"x_train", "y_train", "x_test", "y_test"} - set(f.files)
            if missing:
                raise DataFileError(msg("lacks_arrays", what=what, path=path, missing=sorted(missing), fix=fix))
            splits = (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise DataFileError(msg("unreadable_npz", what=what, path=path, error=error, fix=fix)) from None
    return check_splits(splits, msg("file_where", what=what, path=path))


def _read_idx_gz(path: Path, images: bool) -> np.ndarray:
    """Read one original (gzip-compressed IDX) Fashion-MNIST/MNIST file, checking its header."""
    magic = 2051 if images else 2049
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:
        raise DataFileError(msg("not_gzip", path=path, error=error)) from None
    header_len = 16 if images else 8
    if len(raw) < header_len or int.from_bytes(raw[:4], "big") != magic:
        raise DataFileError(msg("not_idx_images" if images else "not_idx_labels", path=path))
    n = int.from_bytes(raw[4:8], "big")
    expected = n * (N_PIXELS if images else 1)
    if len(raw) - header_len != expected:
        raise DataFileError(msg("truncated", path=path, got=len(raw) - header_len, expected=expected))
    data = np.frombuffer(raw, np.uint8, offset=header_len)
    return data.reshape((n, *IMAGE_SHAPE)) if images else data.copy()


def _read_fashion_folder(folder: Path) -> Splits:
    missing = [name for name in FASHION_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise DataFileError(msg("fashion_folder_lacks", folder=folder, missing=missing,
                                names=sorted(FASHION_FILES.values())))
    arrays = {key: _read_idx_gz(folder / name, key.startswith("x")) for key, name in FASHION_FILES.items()}
    splits = (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
    return check_splits(splits, msg("folder_where", folder=folder))


def _unavailable(
    dataset: str, cache: Path, files: list[str], cached: list[str], variable: str, cause: Exception
) -> DataUnavailableError:
    """The error for a failed Keras load; ``cached`` lists the files that were in the cache before it."""
    note = msg("cache_rejected", cached=cached) if cached else ""
    return DataUnavailableError(msg(
        "unavailable", dataset=dataset, cause=cause, note=note, origin=KERAS_ORIGIN,
        mirror_variable=config.DATA_MIRROR_VARIABLE, names=", ".join(files),
        urls=", ".join(keras_url(name) for name in files), cache=cache, variable=variable,
        fast_variable=config.FAST_MODE_VARIABLE))


def load_mnist(path: str | os.PathLike | None = None, *, verbose: bool = True) -> Splits:
    """Load MNIST as ``keras.datasets.mnist.load_data()`` does: ``((x_train, y_train), (x_test, y_test))``.

    Shapes: x_train (60000, 28, 28) uint8, y_train (60000,) uint8, x_test (10000, 28, 28),
    y_test (10000,); the bundled sample (fast mode) has 4000 training and 1000 test digits.

    Args:
        path: an ``.npz`` file in Keras's layout; overrides everything else.
        verbose: print one line saying where the data came from.

    Raises:
        ValueError: the file named is missing, corrupt or of the wrong layout.
        DataUnavailableError: full mode, with no cache and no network (or a mirror that lacks the file).
    """
    source = locate_mnist(path)
    if source.kind == "mirror":
        cache = fetch_from_mirror("MNIST", ["mnist.npz"], source.mirror, config.MNIST_PATH_VARIABLE)
        splits = _read_npz(cache / "mnist.npz", "MNIST")
    elif source.kind == "keras":
        import keras

        cache = keras_cache_dir()
        cached = [name for name in ["mnist.npz"] if (cache / name).exists()]
        try:
            splits = keras.datasets.mnist.load_data()
        except Exception as error:  # Keras raises a bare Exception when the download fails.
            raise _unavailable("MNIST", cache, ["mnist.npz"], cached, config.MNIST_PATH_VARIABLE, error) from None
        splits = check_splits(splits, msg("keras_where", dataset="MNIST"))
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
    if source.kind == "mirror":
        splits = _read_fashion_folder(fetch_from_mirror("Fashion-MNIST", list(FASHION_FILES.values()), source.mirror,
                                                        config.FASHION_MNIST_PATH_VARIABLE))
    elif source.kind == "keras":
        import keras

        cache = keras_cache_dir() / "fashion-mnist"
        files = list(FASHION_FILES.values())
        cached = [name for name in files if (cache / name).exists()]
        try:
            splits = keras.datasets.fashion_mnist.load_data()
        except (OSError, EOFError) as error:  # Keras does not check these files: a bad one fails in gzip
            raise DataFileError(msg("fashion_cache_corrupt", cache=cache, error=error)) from None
        except Exception as error:
            raise _unavailable(
                "Fashion-MNIST", cache, files, cached, config.FASHION_MNIST_PATH_VARIABLE, error
            ) from None
        splits = check_splits(splits, msg("keras_where", dataset="Fashion-MNIST"))
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
