"""The explanatory drawings: what they show, and the fall-back to English labels without a CJK font."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Text

from helpers import diagrams, fonts

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(fig: Figure) -> list[str]:
    """Every string drawn in ``fig``, including those inside annotation boxes."""
    return [artist.get_text() for artist in fig.findobj(Text) if artist.get_text()]


def all_text(fig: Figure) -> str:
    return "\n".join(texts(fig))


def draw_quietly(fig: Figure, caplog: pytest.LogCaptureFixture) -> None:
    """Render ``fig`` with every warning an error, and fail on any matplotlib log warning."""
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("error")
        fig.canvas.draw()
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING], caplog.text


def fake_fonts(monkeypatch: pytest.MonkeyPatch, names: list[str]) -> None:
    entries = [font_manager.FontEntry(fname=f"/fonts/{i}.ttf", name=name) for i, name in enumerate(names)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", entries)


# --- finding a CJK font ---------------------------------------------------------------------

def assert_each_box_holds_one_label_that_fits(fig, *, narrower_than: float, count: int) -> None:
    """The figure's boxes (FancyBboxPatch narrower than ``narrower_than``): ``count`` of them, each with one
    label centred in it that lies wholly inside it once drawn."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_width() < narrower_than]
    assert len(boxes) == count
    for box in boxes:
        centre = (box.get_x() + box.get_width() / 2, box.get_y() + box.get_height() / 2)
        inside = [t for t in ax.texts if t.get_position() == centre]
        assert len(inside) == 1, f"one label expected in the box at {centre}"
        text, frame = inside[0].get_window_extent(renderer), box.get_window_extent(renderer)
        assert frame.x0 < text.x0 and text.x1 < frame.x1 and frame.y0 < text.y0 and text.y1 < frame.y1, (
            f"{inside[0].get_text()!r} does not fit in its box"
        )


def test_among_latin_fonts_the_shipped_subset_is_registered_and_used(monkeypatch):
    fake_fonts(monkeypatch, ["DejaVu Sans", "STIXGeneral"])
    assert fonts.cjk_font_name() == fonts.FAMILY
    assert [entry.fname for entry in font_manager.fontManager.ttflist][-1] == str(fonts.FONT_FILE)
    assert fonts.cjk_font_name() == fonts.FAMILY and len(font_manager.fontManager.ttflist) == 3  # added once


def test_no_cjk_font_when_the_shipped_one_is_missing_too(monkeypatch, tmp_path):
    fake_fonts(monkeypatch, ["DejaVu Sans", "STIXGeneral"])
    monkeypatch.setattr(fonts, "FONT_FILE", tmp_path / "gone.otf")
    assert fonts.cjk_font_name() is None
    assert fonts.font_for("预训练", fonts.cjk_font_name()) is None  # and the drawings fall back to English


def test_a_known_cjk_font_is_found(monkeypatch):
    fake_fonts(monkeypatch, ["DejaVu Sans", "WenQuanYi Zen Hei"])
    assert fonts.cjk_font_name() == "WenQuanYi Zen Hei"
    assert fonts.cjk_font_name() is not None


def test_the_preferred_cjk_font_wins(monkeypatch):
    fake_fonts(monkeypatch, ["Droid Sans Fallback", "Noto Sans CJK JP"])
    assert fonts.cjk_font_name() == "Noto Sans CJK JP"


# --- the two-stage workflow -----------------------------------------------------------------

def test_workflow_shows_both_stages_and_their_parts(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_name", lambda: None)
    fig = diagrams.two_stage_workflow()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    text = all_text(fig)
    for label in ("Pretraining", "Fine-tuning", "Encoder", "Decoder", "representation $h$", "Reconstruction",
                  "New task head", "Prediction", "unlabelled", "labelled", "copy the encoder's weights",
                  "discarded", "reconstruction error", "task loss"):
        assert label in text, f"{label!r} missing from the workflow diagram"
    assert r"\theta_e" in text and r"\theta_d" in text and r"\hat{x}" in text and r"\hat{y}" in text


def test_workflow_text_stays_inside_its_boxes(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_name", lambda: None)
    fig = diagrams.two_stage_workflow()
    assert_each_box_holds_one_label_that_fits(fig, narrower_than=50, count=10)


def test_workflow_falls_back_to_english_without_a_cjk_font(monkeypatch, caplog, capsys):
    monkeypatch.setattr(fonts, "cjk_font_name", lambda: None)
    fig = diagrams.two_stage_workflow()
    assert not CJK.search(all_text(fig))
    draw_quietly(fig, caplog)
    notice = capsys.readouterr().out
    assert notice.count("\n") == 1 and notice.startswith("note: no font here has the characters 预训练微调（）")


def test_workflow_draws_its_chinese_with_the_shipped_subset_without_a_warning(monkeypatch, caplog, capsys):
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", ())  # as on Colab and Binder: no CJK font installed
    fig = diagrams.two_stage_workflow()
    assert {t.get_text() for t in fig.findobj(Text) if CJK.search(t.get_text())} == {"（预训练）", "（微调）"}
    draw_quietly(fig, caplog)
    assert capsys.readouterr().out == ""


def test_workflow_names_the_stages_in_chinese_when_a_cjk_font_exists(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_name", fonts.shipped_font)
    fig = diagrams.two_stage_workflow()
    chinese = [t for t in fig.findobj(Text) if CJK.search(t.get_text())]
    assert {t.get_text() for t in chinese} == {"（预训练）", "（微调）"}
    assert all(t.get_fontfamily() == [fonts.FAMILY] for t in chinese)


def test_workflow_english_only_on_request(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_name", fonts.shipped_font)
    assert not CJK.search(all_text(diagrams.two_stage_workflow(chinese=False)))


def test_workflow_chinese_on_request_needs_a_font(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_name", lambda: None)
    with pytest.raises(ValueError, match="chinese=None"):
        diagrams.two_stage_workflow(chinese=True)


@pytest.mark.parametrize("bad", ["yes", 1, 0.0])
def test_workflow_rejects_a_non_bool_chinese(bad):
    with pytest.raises(TypeError, match="None .automatic., True or False"):
        diagrams.two_stage_workflow(chinese=bad)


def test_workflow_draws_with_the_fonts_of_this_machine(caplog):
    # With a real CJK font installed this draws the Chinese names; without one, English only.
    draw_quietly(diagrams.two_stage_workflow(), caplog)


# --- the timeline ---------------------------------------------------------------------------

def test_timeline_is_one_axes_with_dated_milestones(caplog):
    fig = diagrams.history_timeline()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    text = all_text(fig)
    for label in ("2006 · Deep belief nets", "2006 · Deep autoencoders", "Denoising autoencoders", "Erhan",
                  "AlexNet", "word2vec", "BERT", "GPT-3", "SimCLR", "wav2vec 2.0", "CLIP", "MAE"):
        assert label in text, f"{label!r} missing from the timeline"
    assert "2018 · Pretrained language models" in text
    draw_quietly(fig, caplog)


def test_timeline_milestones_are_in_order_and_in_range():
    years = [m.year for m in diagrams.MILESTONES]
    assert years == sorted(years)
    assert 10 <= len(years) <= 12
    assert years[0] == 2006 and years[-1] == 2021
    assert {m.kind for m in diagrams.MILESTONES} == {"layerwise", "supervised", "selfsupervised"}


def test_timeline_labels_alternate_above_and_below_without_overlapping():
    fig = diagrams.history_timeline()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [child.get_window_extent(renderer) for child in fig.axes[0].artists]
    assert len(boxes) == len(diagrams.MILESTONES)
    axis_y = fig.axes[0].transData.transform((2010, 0))[1]
    sides = [box.y0 > axis_y for box in boxes]
    assert sides == [i % 2 == 0 for i in range(len(boxes))], "labels must alternate above and below the line"
    for i, a in enumerate(boxes):
        assert fig.bbox.contains(a.x0, a.y0) and fig.bbox.contains(a.x1, a.y1), f"label {i} leaves the figure"
        for j, b in enumerate(boxes[i + 1:], start=i + 1):
            assert not a.overlaps(b), f"labels {i} and {j} overlap"


# --- the three adaptation regimes -----------------------------------------------------------

def test_regimes_show_which_weights_train(caplog):
    fig = diagrams.adaptation_regimes()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    text = all_text(fig)
    for label in ("Frozen (linear probe)", "Fine-tuned", "From scratch", "only the new head learns",
                  "smaller learning rate", "pretrained, frozen", "pretrained, trained", "random start, trained",
                  "trained first, then with the encoder",
                  "New softmax head", r"\theta_e", r"\hat{y}", "labelled digits"):
        assert label in text, f"{label!r} missing from the regimes diagram"
    ax = fig.axes[0]
    boxes = {t.get_text(): p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_width() < 35
             for t in ax.texts if t.get_position() == (p.get_x() + p.get_width() / 2, p.get_y() + p.get_height() / 2)}
    assert len(boxes) == 6  # by text: the data (alike in the three panels), three encoders, two heads
    encoders = {name: box for name, box in boxes.items() if name.startswith("Encoder")}
    assert len(encoders) == 3
    for name, box in encoders.items():  # the frozen encoder alone is hatched, with the grey edge
        frozen = name.endswith("frozen")
        assert (box.get_hatch() == "//") is frozen, name
        edge = diagrams.FROZEN_COLOUR if frozen else diagrams.TRAINED_COLOUR
        assert matplotlib.colors.same_color(box.get_edgecolor(), edge), name
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["weights trained on the labels", "weights kept fixed", "pretrained encoder",
                      "randomly initialised encoder"]
    draw_quietly(fig, caplog)


def test_regimes_text_stays_inside_its_boxes_and_panels():
    fig = diagrams.adaptation_regimes()
    assert_each_box_holds_one_label_that_fits(fig, narrower_than=35, count=9)  # three per panel
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    for text in ax.texts:
        extent = text.get_window_extent(renderer)
        assert fig.bbox.contains(extent.x0, extent.y0) and fig.bbox.contains(extent.x1, extent.y1), text.get_text()


def test_a_character_the_font_lacks_gets_one_line_not_a_warning_per_glyph(monkeypatch, capsys):
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", ())
    family = fonts.cjk_font_name()
    assert fonts.font_for("一切皆是映射", family) == family and capsys.readouterr().out == ""
    assert fonts.font_for("映射龘", family) is None  # 龘: not among the 3,755 common hanzi the subset keeps
    assert capsys.readouterr().out.count("\n") == 1


def test_the_shipped_subset_holds_every_chinese_character_of_helpers():
    text = "".join(path.read_text(encoding="utf-8") for path in Path(fonts.__file__).parent.rglob("*.py"))
    chinese = "".join(sorted(set(CJK.findall(text))))
    assert len(chinese) > 100 and fonts.missing_glyphs(fonts.shipped_font(), chinese) == ""


def test_use_cjk_font_lets_any_figure_write_chinese_without_a_warning(monkeypatch, caplog):
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", ())
    with matplotlib.rc_context():
        assert fonts.use_cjk_font() == fonts.FAMILY and matplotlib.rcParams["font.family"][-1] == fonts.FAMILY
        fig, ax = plt.subplots()
        ax.set_title("一切皆是映射：预训练与微调")
        draw_quietly(fig, caplog)
        plt.close(fig)
