"""The shipped checkpoints: each file agrees with its model card, loads safely, and a tampered copy is refused."""

from __future__ import annotations

import json
import shutil
import zipfile

import keras
import numpy as np
import pytest

from helpers import artifacts, checkpoints, data, validation

CARD_FIELDS = ("objective", "architecture", "data", "epochs", "seed", "validation_probe", "wall_seconds", "machine",
               "sha256", "command")


@pytest.mark.parametrize("name", checkpoints.NAMES)
def test_every_shipped_checkpoint_matches_its_model_card(name):
    model_path, card_path = checkpoints.paths(name)
    card = checkpoints.card(name)
    assert all(field in card for field in CARD_FIELDS), sorted(set(CARD_FIELDS) - set(card))
    assert card["sha256"] == artifacts.sha256(model_path) and card["bytes"] == model_path.stat().st_size
    assert card["name"] == name and card["command"].startswith(f"python -m scripts.train_checkpoint {name} ")
    assert "no label, no test image" in card["data"] and "55,000 pool images" in card["data"]
    assert card["epochs"] == len(card["history"]["loss"]) and card["validation_probe"][-1]["epoch"] == card["epochs"]
    assert "retrained_alone" in card, (f"{name}'s card has no rerun from nothing: run `python -m "
                                       f"scripts.train_checkpoint {name} --verify` with nothing else running")
    alone = card["retrained_alone"]  # the course's own card: the command rerun from nothing, alone on the machine
    assert alone["command"].startswith(f"python -m scripts.train_checkpoint {name} ") and alone["process_seconds"] > 0
    assert alone["same_history_and_probe"] is True, "the rerun did not reproduce the card's history and probe"


def test_the_shipped_checkpoints_are_small_together():
    total = sum(checkpoints.paths(name)[0].stat().st_size for name in checkpoints.NAMES)
    assert total <= 10 * 2**20


@pytest.mark.parametrize("name", checkpoints.NAMES)
def test_a_shipped_checkpoint_loads_and_encodes_real_digits(name):
    encoder = checkpoints.load(name)
    with np.load(data.MNIST_SAMPLE) as f:
        x = data.preprocess(f["x_test"][:64])
    codes = encoder.predict(x, verbose=0)
    assert codes.shape == (64, checkpoints.FEATURES) and np.all(np.isfinite(codes)) and codes.std() > 0


@pytest.fixture
def hub_copy(tmp_path):
    """A copy of the hub to damage."""
    shutil.copytree(checkpoints.HUB, tmp_path / "hub")
    return tmp_path / "hub"


def test_an_altered_checkpoint_is_refused_naming_the_file_and_the_fix(hub_copy):
    model_path, _ = checkpoints.paths("contrastive", hub_copy)
    with zipfile.ZipFile(model_path, "a") as archive:  # still a valid .keras archive, one file more
        archive.writestr("extra.txt", "changed")
    with pytest.raises(validation.ArgumentValueError, match="altered or damaged") as error:
        checkpoints.load("contrastive", hub_copy)
    assert str(model_path) in str(error.value) and "git checkout --" in str(error.value)
    assert "scripts.train_checkpoint contrastive" in str(error.value)


def test_a_truncated_or_missing_checkpoint_is_refused(hub_copy):
    model_path, card_path = checkpoints.paths("masked", hub_copy)
    model_path.write_bytes(model_path.read_bytes()[:1000])
    with pytest.raises(validation.ArgumentValueError, match="altered or damaged"):
        checkpoints.load("masked", hub_copy)
    model_path.unlink()
    with pytest.raises(validation.ArgumentValueError, match="is missing"):
        checkpoints.load("masked", hub_copy)
    card_path.unlink()
    with pytest.raises(validation.ArgumentValueError, match="no model card"):
        checkpoints.load("masked", hub_copy)


def test_a_checkpoint_carrying_code_is_refused_even_when_its_card_matches(hub_copy):
    """Keras's safe mode: a Lambda layer (arbitrary Python code) hidden in an archive is not run."""
    model_path, card_path = checkpoints.paths("contrastive", hub_copy)
    inputs = keras.Input((784,))
    outputs = keras.layers.Lambda(lambda x: x[:, :128] * 2.0)(inputs)
    keras.saving.save_model(keras.Model(inputs, outputs), model_path)
    card = checkpoints.card("contrastive", hub_copy)
    card["sha256"] = artifacts.sha256(model_path)
    card_path.write_text(json.dumps(card))
    with pytest.raises(validation.ArgumentValueError, match="could not be loaded") as error:
        checkpoints.load("contrastive", hub_copy)
    assert "safe_mode" in str(error.value) or "Lambda" in str(error.value)


def test_unknown_names_are_refused():
    with pytest.raises(validation.ArgumentValueError, match="name"):
        checkpoints.load("simclr")
