"""EIAM_DATA_MIRROR: Keras's files from a mirror (a local HTTP server, a folder), sha256 checked, into Keras's cache.

Real downloads through ``keras.utils.get_file``, of tiny files in Keras's layouts whose hashes the tests put in
``data.KERAS_FILES`` in place of Keras's (no test needs the real data).
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest
from test_data import assert_same_splits, sample_splits, write_idx_folder, write_npz

from helpers import data


@pytest.fixture
def mirror_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict]:
    """A folder in the layout of Keras's host: a small mnist.npz and the four Fashion-MNIST files, their hashes
    put in ``data.KERAS_FILES``. Returns the folder and the splits each file holds."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    splits = {"MNIST": sample_splits(60, 20), "Fashion-MNIST": sample_splits(30, 10)}
    write_npz(folder / "mnist.npz", splits["MNIST"])
    write_idx_folder(folder, splits["Fashion-MNIST"])
    hashes = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.iterdir()}
    assert set(hashes) == set(data.KERAS_FILES)
    monkeypatch.setattr(data, "KERAS_FILES", hashes)
    return folder, splits


@pytest.fixture
def http_mirror(mirror_files):
    """The folder served by a local HTTP server (127.0.0.1): the mirror's base URL."""
    folder, _ = mirror_files
    handler = functools.partial(QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()
        thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the server's request log would clutter the test's output
        pass


def test_the_known_hashes_are_keras_s(course_env):
    """MNIST's is the one Keras's own loader checks; every file of Keras's host has one."""
    import inspect

    import keras

    assert data.KERAS_FILES["mnist.npz"] in inspect.getsource(keras.src.datasets.mnist)
    assert set(data.KERAS_FILES) == {"mnist.npz", *data.FASHION_FILES.values()}


def test_both_data_sets_from_an_http_mirror(course_env, keras_cache, http_mirror, mirror_files, capsys):
    course_env.setenv("EIAM_DATA_MIRROR", http_mirror.rstrip("/"))  # with or without the final slash
    assert_same_splits(data.load_mnist(), mirror_files[1]["MNIST"])
    assert_same_splits(data.load_fashion_mnist(), mirror_files[1]["Fashion-MNIST"])
    out = capsys.readouterr().out
    assert f"Downloading data from {http_mirror}mnist.npz" in out
    assert f"MNIST: complete set from the mirror {http_mirror}, cached in {keras_cache}" in out
    assert (keras_cache / "mnist.npz").is_file()
    assert sorted(p.name for p in (keras_cache / "fashion-mnist").iterdir()) == sorted(data.FASHION_FILES.values())


def test_a_folder_mirror_in_either_of_keras_s_layouts(course_env, keras_cache, mirror_files, tmp_path, offline):
    folder, splits = mirror_files
    course_env.setenv("EIAM_DATA_MIRROR", str(folder))  # the host's layout: every file in the folder
    assert_same_splits(data.load_mnist(verbose=False), splits["MNIST"])
    copy = tmp_path / "copy-of-keras-datasets"  # the cache's layout: Fashion-MNIST in fashion-mnist/
    (copy / "fashion-mnist").mkdir(parents=True)
    for name in data.FASHION_FILES.values():
        (copy / "fashion-mnist" / name).write_bytes((folder / name).read_bytes())
    course_env.setenv("EIAM_DATA_MIRROR", str(copy))
    assert_same_splits(data.load_fashion_mnist(verbose=False), splits["Fashion-MNIST"])
    with pytest.raises(data.DataUnavailableError, match=r"mirror folder .* lacks mnist.npz.*unset EIAM_DATA_MIRROR"):
        for cached in keras_cache.glob("*.npz"):
            cached.unlink()
        data.load_mnist()


def test_a_wrong_file_on_the_mirror_is_rejected_and_deleted(course_env, keras_cache, http_mirror, monkeypatch):
    course_env.setenv("EIAM_DATA_MIRROR", http_mirror)
    monkeypatch.setitem(data.KERAS_FILES, "mnist.npz", "0" * 64)
    with pytest.raises(data.DataFileError) as error:
        data.load_mnist()
    message = str(error.value)
    assert f"mnist.npz from {http_mirror}mnist.npz is not Keras's file" in message and "0" * 64 in message, message
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in message
    assert "EIAM_MNIST" in message and not (keras_cache / "mnist.npz").exists()


def test_a_cached_copy_with_the_wrong_hash_is_fetched_again(course_env, keras_cache, http_mirror, mirror_files):
    (keras_cache / "mnist.npz").write_bytes(b"an old, damaged copy")
    course_env.setenv("EIAM_DATA_MIRROR", http_mirror)
    assert_same_splits(data.load_mnist(verbose=False), mirror_files[1]["MNIST"])


def test_an_unreachable_mirror_says_what_to_do_in_the_students_language(course_env, keras_cache, http_mirror):
    course_env.setenv("EIAM_DATA_MIRROR", http_mirror + "nowhere/")
    with pytest.raises(data.DataUnavailableError, match=r"could not get mnist.npz from the mirror .*404.*EIAM_MNIST"):
        data.load_mnist()
    course_env.setenv("EIAM_LANG", "zh")
    chinese = r"^MNIST：无法从镜像 .* 获取 mnist.npz.*取消设置 EIAM_DATA_MIRROR"
    with pytest.raises(data.DataUnavailableError, match=chinese):
        data.load_mnist()


@pytest.mark.parametrize("value", ["ftp://example.org/", "no/such/folder"])
def test_a_mirror_that_is_neither_a_url_nor_a_folder(course_env, value):
    course_env.setenv("EIAM_DATA_MIRROR", value)
    with pytest.raises(data.DataFileError, match=r"EIAM_DATA_MIRROR=.* is neither a URL .* nor an existing folder"):
        data.load_mnist()


def test_the_mirror_is_not_used_in_fast_mode_or_when_a_path_is_given(course_env, tmp_path, offline):
    course_env.setenv("EIAM_DATA_MIRROR", "https://mirror.invalid/")
    course_env.setenv("EIAM_FAST", "1")
    assert data.locate_mnist().kind == "sample"
    course_env.delenv("EIAM_FAST")
    path = write_npz(tmp_path / "mine.npz", sample_splits(10, 10))
    assert len(data.load_mnist(path, verbose=False)[0][0]) == 10
    assert data.locate_fashion_mnist().kind == "mirror"
