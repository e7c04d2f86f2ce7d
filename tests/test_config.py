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


@pytest.mark.parametrize("full, fast", [(0, 1), (1, -2), (2.5, 1), (True, 1), ("50", 2)])
def test_pick_rejects_non_positive_integers(course_env, full, fast):
    with pytest.raises(ValueError, match="positive integer"):
        config.pick(full=full, fast=fast)


def test_artifacts_dir_is_per_mode_and_created(course_env, tmp_path):
    full = config.artifacts_dir()
    course_env.setenv("EIAM_FAST", "1")
    fast = config.artifacts_dir()
    assert full == tmp_path / "artifacts" / "full" and full.is_dir()
    assert fast == tmp_path / "artifacts" / "fast" and fast.is_dir()
