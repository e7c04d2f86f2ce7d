from pathlib import Path

import pytest

from helpers import config


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_fast_mode_on(course_env, value):
    course_env.setenv("EIAM_FAST", value)
    assert config.fast_mode() is True
    assert config.mode_name() == "fast"
    assert config.pick(full=50, fast=2) == 2


@pytest.mark.parametrize("value", [None, "", "0", "false", "off"])
def test_full_mode_is_the_default(course_env, value):
    if value is not None:
        course_env.setenv("EIAM_FAST", value)
    assert config.fast_mode() is False
    assert config.pick(full=50, fast=2) == 50


def test_unknown_value_names_the_variable_and_the_fix(course_env):
    course_env.setenv("EIAM_FAST", "maybe")
    with pytest.raises(ValueError, match=r"EIAM_FAST='maybe'.*set it to 1"):
        config.fast_mode()


@pytest.mark.parametrize("full, fast, kind, message", [
    (0, 1, ValueError, "full must be at least 1"), (1, -2, ValueError, "fast must be at least 1"),
    (2.5, 1, TypeError, "full must be a whole number"), (True, 1, TypeError, "full must be a whole number"),
    ("50", 2, TypeError, "full must be a whole number")])
def test_pick_rejects_what_is_not_a_positive_whole_number(course_env, full, fast, kind, message):
    with pytest.raises(kind, match=message):
        config.pick(full=full, fast=fast)


def test_pick_takes_numpy_integers(course_env):
    import numpy as np

    assert config.pick(full=np.int64(8), fast=np.int32(2)) == 8


def test_artifacts_dir_is_per_mode_and_only_a_query(course_env, tmp_path):
    full = config.artifacts_dir()
    course_env.setenv("EIAM_FAST", "1")
    fast = config.artifacts_dir()
    assert full == tmp_path / "artifacts" / "full"
    assert fast == tmp_path / "artifacts" / "fast"
    assert config.artifacts_location() == (tmp_path / "artifacts", "set by EIAM_ARTIFACTS")
    assert not (tmp_path / "artifacts").exists(), "asking where the artifacts go must not create the folder"


@pytest.fixture
def checkout(course_env, tmp_path):
    """helpers as if in a checkout at tmp_path/checkout, with EIAM_ARTIFACTS unset."""
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "everything-is-a-mapping"\n')
    course_env.delenv("EIAM_ARTIFACTS")
    course_env.setattr(config, "PACKAGE_PARENT", root)
    return root


def test_the_real_package_runs_from_this_checkout():
    assert config.checkout_root() == Path(__file__).resolve().parent.parent


def test_artifacts_go_to_the_checkout_when_helpers_is_in_one(checkout):
    assert config.checkout_root() == checkout
    assert config.artifacts_dir() == checkout / "artifacts" / "full"
    assert config.artifacts_location()[1] == "in the checkout"
    assert not (checkout / "artifacts").exists()


def test_artifacts_go_to_the_per_user_folder_when_helpers_is_installed_without_a_checkout(
    checkout, course_env, platformdirs_isolated
):
    (checkout / "pyproject.toml").unlink()  # as in site-packages after `pip install`, as in Colab
    course_env.chdir(checkout)  # the working folder plays no part
    assert config.checkout_root() is None
    per_user = platformdirs_isolated / "user_data" / "everything-is-a-mapping" / "artifacts"
    assert config.artifacts_location() == (per_user, "per-user folder: no checkout holds helpers")
    assert config.artifacts_dir() == per_user / "full"
    assert not per_user.exists()


def test_eiam_artifacts_wins_over_both(checkout, course_env, tmp_path):
    course_env.setenv("EIAM_ARTIFACTS", str(tmp_path / "elsewhere"))
    assert config.artifacts_dir() == tmp_path / "elsewhere" / "full"
    (checkout / "pyproject.toml").unlink()
    assert config.artifacts_dir() == tmp_path / "elsewhere" / "full"


def test_environment_report_says_where_artifacts_go_and_creates_nothing(checkout, course_env, platformdirs_isolated):
    from helpers import environment

    course_env.setenv("EIAM_FAST", "1")
    assert environment.report()["artifacts folder"] == f"{checkout / 'artifacts' / 'fast'} (in the checkout)"
    (checkout / "pyproject.toml").unlink()
    per_user = platformdirs_isolated / "user_data" / "everything-is-a-mapping" / "artifacts" / "fast"
    assert environment.report()["artifacts folder"] == f"{per_user} (per-user folder: no checkout holds helpers)"
    assert not (checkout / "artifacts").exists() and not per_user.exists()
