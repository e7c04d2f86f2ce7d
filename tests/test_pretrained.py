import numpy as np

from helpers import artifacts, pretrained


def test_load_or_train_trains_saves_then_loads(course_env, capsys):
    course_env.setenv("EIAM_FAST", "1")
    encoder, decoder, where = pretrained.load_or_train(verbose=0)
    assert where.startswith("trained now (10 epochs) and saved to artifacts/fast/")
    assert encoder.output_shape == (None, 32) and decoder.output_shape == (None, 784)
    saved = artifacts.load_json(artifacts.artifact_path("article_autoencoder_history", ".json"))
    assert saved["recipe"]["optimizer"] == "Adadelta(learning_rate=1.0)" and saved["recipe"]["mode"] == "fast"
    assert saved["dataset"] == "mnist"
    assert len(saved["history"]["val_loss"]) == 10
    assert saved["history"]["val_loss"][-1] < 0.6  # the fixed optimiser learns; the 0.69 trap does not

    loaded_encoder, _, where_again = pretrained.load_or_train(verbose=0)
    assert where_again == "loaded from artifacts/fast/"
    x = np.random.default_rng(0).random((4, 784)).astype("float32")
    np.testing.assert_allclose(loaded_encoder.predict(x, verbose=0), encoder.predict(x, verbose=0), rtol=1e-6)


def test_deep_recipe_and_bad_names(course_env):
    import pytest

    course_env.setenv("EIAM_FAST", "1")
    settings = pretrained.recipe("deep_denoising")
    assert settings["epochs"] == 10 and "Dropout(0.3)" in settings["noise"]
    with pytest.raises(ValueError, match="recipe must be one of"):
        pretrained.recipe("bert")
    with pytest.raises(ValueError, match="recipe must be one of"):
        pretrained.load_or_train("gpt")
    with pytest.raises(ValueError, match="dataset must be one of"):
        pretrained.load_or_train("article", dataset="cifar10")
