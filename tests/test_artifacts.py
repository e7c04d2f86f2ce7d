import json

import numpy as np
import pytest

from helpers import artifacts, models


def test_model_round_trip_leaves_no_temporary(tmp_path):
    _, encoder, _ = models.build_autoencoder(4)
    path = artifacts.save_model(encoder, tmp_path / "sub" / "encoder.keras")
    assert path.is_file() and [p.name for p in path.parent.iterdir()] == ["encoder.keras"]
    x = np.random.default_rng(1).random((3, 784)).astype("float32")
    np.testing.assert_allclose(artifacts.load_model(path).predict(x, verbose=0), encoder.predict(x, verbose=0),
                               rtol=1e-6)


def test_a_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    _, encoder, _ = models.build_autoencoder(4)
    path = artifacts.save_model(encoder, tmp_path / "encoder.keras")
    before = path.read_bytes()

    def broken_save(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as f:
            f.write(b"half a fi")
        raise OSError("disk full")

    monkeypatch.setattr(type(encoder), "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        artifacts.save_model(encoder, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["encoder.keras"]


def test_save_and_load_reject_bad_paths_and_files(tmp_path):
    _, encoder, _ = models.build_autoencoder(4)
    with pytest.raises(ValueError, match=r"must end in \.keras"):
        artifacts.save_model(encoder, tmp_path / "encoder.h5")
    with pytest.raises(ValueError, match="no saved model at"):
        artifacts.load_model(tmp_path / "missing.keras")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a keras archive")
    with pytest.raises(ValueError, match="could not be loaded.*delete it"):
        artifacts.load_model(broken)


def test_json_round_trip_and_errors(tmp_path):
    path = artifacts.save_json({"b": [1.5, 2], "a": "x"}, tmp_path / "r.json")
    assert artifacts.load_json(path) == {"a": "x", "b": [1.5, 2]}
    with pytest.raises(TypeError):
        artifacts.save_json({"bad": object()}, path)  # nothing written: the old file stays
    assert json.loads(path.read_text()) == {"a": "x", "b": [1.5, 2]}
    with pytest.raises(ValueError, match=r"must end in \.json"):
        artifacts.save_json({}, tmp_path / "r.txt")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        artifacts.load_json(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="no saved results"):
        artifacts.load_json(tmp_path / "none.json")


def test_artifact_path_is_per_mode_and_checked(course_env, tmp_path):
    assert artifacts.artifact_path("ae_encoder", ".keras") == tmp_path / "artifacts" / "full" / "ae_encoder.keras"
    course_env.setenv("EIAM_FAST", "1")
    assert artifacts.artifact_path("ae", ".json").parent == tmp_path / "artifacts" / "fast"
    with pytest.raises(ValueError, match="letters, digits"):
        artifacts.artifact_path("../escape", ".json")
