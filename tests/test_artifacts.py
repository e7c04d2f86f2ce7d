"""Saved models and results: atomic files, all-or-nothing groups of files and folders, checked names."""

import json

import keras
import numpy as np
import pytest

from helpers import artifacts, models, validation


def test_model_round_trip_leaves_no_temporary(tmp_path):
    _, encoder, _ = models.build_autoencoder(4, seed=0)
    path = artifacts.save_model(encoder, tmp_path / "sub" / "encoder.keras")
    assert path.is_file() and [p.name for p in path.parent.iterdir()] == ["encoder.keras"]
    x = np.random.default_rng(1).random((3, 784)).astype("float32")
    np.testing.assert_allclose(artifacts.load_model(path).predict(x, verbose=0), encoder.predict(x, verbose=0),
                               rtol=1e-6)


def test_a_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    _, encoder, _ = models.build_autoencoder(4, seed=0)
    path = artifacts.save_model(encoder, tmp_path / "encoder.keras")
    before = path.read_bytes()

    def broken_save(model, filepath, *args, **kwargs):
        with open(filepath, "wb") as f:
            f.write(b"half a fi")
        raise OSError("disk full")

    monkeypatch.setattr(keras.saving, "save_model", broken_save)
    with pytest.raises(OSError, match="disk full"):
        artifacts.save_model(encoder, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["encoder.keras"]


def test_save_and_load_reject_bad_paths_and_files(tmp_path):
    _, encoder, _ = models.build_autoencoder(4, seed=0)
    with pytest.raises(validation.ArgumentValueError, match=r"must end in \.keras"):
        artifacts.save_model(encoder, tmp_path / "encoder.h5")
    with pytest.raises(validation.ArgumentTypeError, match="model must be a Keras model"):
        artifacts.save_model("encoder", tmp_path / "encoder.keras")
    with pytest.raises(validation.ArgumentValueError, match="names no saved model"):
        artifacts.load_model(tmp_path / "missing.keras")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a keras archive")
    with pytest.raises(validation.ArgumentValueError, match="could not be loaded.*Delete it"):
        artifacts.load_model(broken)


def test_json_text_converts_numpy_and_refuses_what_json_cannot_hold():
    assert json.loads(artifacts.json_text({"a": np.float32(0.5), "b": np.arange(2)})) == {"a": 0.5, "b": [0, 1]}
    with pytest.raises(validation.ArgumentValueError, match="cannot be saved as JSON"):
        artifacts.json_text({"bad": object()})
    with pytest.raises(validation.ArgumentValueError, match="cannot be saved as JSON"):
        artifacts.json_text({"loss": float("nan")})


def test_files_that_belong_together_are_saved_all_or_nothing(course_env):
    paths = artifacts.save_files("grid", {".json": '{"a": 1}\n', ".csv": "a\n1\n"})
    assert artifacts.load_json(paths[".json"]) == {"a": 1} and paths[".csv"].read_text() == "a\n1\n"
    with pytest.raises(validation.ArgumentTypeError):
        artifacts.save_files("grid", {".json": '{"a": 2}\n', ".csv": None})  # the second one cannot be written
    assert artifacts.load_json(paths[".json"]) == {"a": 1}  # so the first one did not change either
    assert sorted(p.name for p in paths[".json"].parent.iterdir()) == ["grid.csv", "grid.json"]


def test_load_json_errors(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(validation.ArgumentValueError, match="not valid JSON"):
        artifacts.load_json(tmp_path / "bad.json")
    with pytest.raises(validation.ArgumentValueError, match="no saved results"):
        artifacts.load_json(tmp_path / "none.json")


def test_artifact_path_is_per_mode_and_stays_inside_the_folder(course_env, tmp_path):
    assert artifacts.artifact_path("ae_encoder", ".keras") == tmp_path / "artifacts" / "full" / "ae_encoder.keras"
    course_env.setenv("EIAM_FAST", "1")
    assert artifacts.artifact_path("ae", ".json").parent == tmp_path / "artifacts" / "fast"
    for name, suffix in (("../escape", ".json"), ("ok", "/../../../etc/x"), ("ok", "json"), (".hidden", ""),
                         ("a/b", ".json")):
        with pytest.raises(validation.ArgumentValueError):
            artifacts.artifact_path(name, suffix)


def test_a_replaced_folder_appears_whole_or_not_at_all(tmp_path):
    target = tmp_path / "model"
    with artifacts.replaced_folder(target) as folder:
        (folder / "a.txt").write_text("old")
    with pytest.raises(RuntimeError), artifacts.replaced_folder(target) as folder:
        (folder / "a.txt").write_text("new")
        raise RuntimeError("crashed half-way")
    assert (target / "a.txt").read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["model"]
    with artifacts.replaced_folder(target) as folder:
        (folder / "b.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["b.txt"] and [p.name for p in tmp_path.iterdir()] == ["model"]


def test_an_interrupted_replacement_is_restored(tmp_path):
    target = tmp_path / "model"
    (tmp_path / ".model.old-1234").mkdir()  # what a crash between the two renames leaves behind
    (tmp_path / ".model.old-1234" / "a.txt").write_text("previous")
    assert artifacts.restore_interrupted(target) == tmp_path / ".model.old-1234"
    assert (target / "a.txt").read_text() == "previous"
    assert artifacts.restore_interrupted(target) is None  # nothing left to restore


def test_processes_saving_the_same_folder_at_once_leave_one_whole_folder(tmp_path):
    import multiprocessing

    from tests.folder_saver import save_folder

    target = tmp_path / "model"
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=save_folder, args=(target, n)) for n in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert all(process.exitcode == 0 for process in processes)
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    files = sorted(p.name for p in target.iterdir())
    assert files == ["a.txt", "b.txt"] and (target / "a.txt").read_text() == (target / "b.txt").read_text()

