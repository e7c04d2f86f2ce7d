"""Explanatory drawings for the course: the two-stage workflow, the three ways to adapt an encoder, and a
timeline of pretraining.

Every function returns its matplotlib :class:`~matplotlib.figure.Figure` and never calls
``plt.show()``: in a notebook the figure is displayed at the end of the cell; in a script,
save it with ``fig.savefig("name.png")``. Close figures you no longer need with ``plt.close(fig)``.

Chinese labels (预训练, 微调) need a font with CJK glyphs: :func:`helpers.fonts.cjk_font_name` finds one
(:mod:`helpers.fonts`: an installed one, else the subset the course ships); when none can draw them, the
drawings use English labels only, with a one-line notice, so that matplotlib never warns about missing glyphs.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnnotationBbox, TextArea, VPacker
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from helpers import fonts, validation

# Colours of the boxes, one per kind of block (the encoder has the same colour in both stages).
_COLOURS = {
    "data": "#e8e8e8",
    "encoder": "#cfe2f3",
    "hidden": "#e6dcf2",
    "decoder": "#fce5cd",
    "head": "#d9ead3",
    "output": "#fff2cc",
}


#: The Chinese names of the two stages, the article's words, drawn after the English titles.
STAGE_NAMES_ZH = ("预训练", "微调")

#: The edge of a box whose weights train on the labels, and of one whose weights stay fixed.
TRAINED_COLOUR = "#d35400"
FROZEN_COLOUR = "#7f8c8d"

#: The three regimes of :func:`adaptation_regimes`, as notebook 05 names them: (title, what trains, encoder's
#: start, whether the encoder trains).
REGIMES = (
    ("Frozen (linear probe)", "only the new head learns", "pretrained", False),
    ("Fine-tuned", "the head first, then every weight,\nat a smaller learning rate", "pretrained", True),
    ("From scratch", "every weight learns,\nfrom random values", "random", True),
)


def _font_weight(name: str) -> int | str:
    """The weight of the installed font family ``name`` (e.g. 400 or "medium"), "normal" if unknown.

    Asking for the weight a font has keeps matplotlib from logging that it could not find another.
    """
    for entry in font_manager.fontManager.ttflist:
        if entry.name == name:
            return entry.weight
    return "normal"


def _box(ax: Axes, x: float, y: float, width: float, height: float, text: str, colour: str, *,
         fontsize: float = 11.5) -> FancyBboxPatch:
    """Draw a rounded box centred on (x, y) in data units, with ``text`` centred inside it."""
    patch = FancyBboxPatch(
        (x - width / 2, y - height / 2), width, height,
        boxstyle="round,pad=0,rounding_size=1.2", facecolor=colour, edgecolor="#333333",
        linewidth=1.2,
    )
    ax.add_patch(patch)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, linespacing=1.5)
    return patch


def _box_patch(ax: Axes, x: float, y: float, width: float, height: float, text: str, colour: str, *,
               trained: bool, fontsize: float = 11) -> FancyBboxPatch:
    """:func:`_box`, its edge saying whether its weights train: thick and coloured if so, grey and hatched if not."""
    patch = _box(ax, x, y, width, height, text, colour, fontsize=fontsize)
    if trained:
        patch.set_edgecolor(TRAINED_COLOUR)
        patch.set_linewidth(3)
    else:
        patch.set_edgecolor(FROZEN_COLOUR)
        patch.set_hatch("//")
        patch.set_linestyle("--")
    return patch


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], *, colour: str = "#333333",
           width: float = 1.4) -> FancyArrowPatch:
    """Draw an arrow from ``start`` to ``end`` (data units), the head at ``end``."""
    arrow = FancyArrowPatch(
        start, end, arrowstyle="-|>", mutation_scale=16, color=colour, linewidth=width, shrinkA=0, shrinkB=0,
    )
    ax.add_patch(arrow)
    return arrow


def two_stage_workflow(chinese: bool | None = None) -> Figure:
    """Draw the two stages of a pretrained model: pretraining (预训练), then fine-tuning (微调).

    Stage 1 trains an encoder ``h = f(x; θe)`` and a decoder ``x̂ = g(h; θd)`` on plenty of
    unlabelled data to make the reconstruction error ``(1/n) Σ L(x, x̂)`` small; the decoder is
    then discarded. Stage 2 copies the encoder's weights θe, puts a new task head on it and trains
    on a little labelled data to make the task loss ``(1/m) Σ J(y, ŷ)`` small.

    Args:
        chinese: add the Chinese names of the stages. None (default): when a CJK font is
            installed (:func:`helpers.fonts.cjk_font_name`). True: always (needs such a font).
            False: English only.

    Returns:
        A 13 × 7 inch figure with one axes (no ticks), in data units of 0.1 inch.

    Raises:
        ValueError: ``chinese`` is not None or a bool, or is True with no CJK font installed.
    """
    if chinese is not None and not isinstance(chinese, bool):
        raise validation.type_error("chinese", "None (automatic), True or False", chinese)
    font = fonts.font_for("".join(STAGE_NAMES_ZH) + "（）", fonts.cjk_font_name()) if chinese in (None, True) else None
    if chinese is True and font is None:
        raise validation.ArgumentValueError(
            "chinese=True needs a font with Chinese glyphs and none is installed; install one "
            "(e.g. Debian's fonts-noto-cjk or fonts-wqy-zenhei, then delete ~/.cache/matplotlib) "
            "or pass chinese=None to fall back to English labels."
        )

    fig, ax = plt.subplots(figsize=(13, 7))
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    ax.set_xlim(0, 130)
    ax.set_ylim(0, 70)
    ax.set_axis_off()

    columns = (14, 39, 64, 89, 114)  # centres of the five boxes of each row
    box_width, box_height = 20, 11
    stages = (
        {
            "bottom": 38, "row": 52.5, "colour": "#f3f8fd",
            "title": "Stage 1 · Pretraining", "chinese": STAGE_NAMES_ZH[0],
            "subtitle": "no labels needed",
            "objective": r"objective:  $\min_{\theta_e,\,\theta_d}\ \dfrac{1}{n}\,\sum_{i=1}^{n}"
                         r"L\left(x^{(i)},\,\hat{x}^{(i)}\right)$   (reconstruction error)",
            "boxes": (
                ("Large unlabelled\ndata  $x$", "data"),
                ("Encoder\n$h = f(x;\\,\\theta_e)$", "encoder"),
                ("Hidden\nrepresentation $h$", "hidden"),
                ("Decoder\n$\\hat{x} = g(h;\\,\\theta_d)$", "decoder"),
                ("Reconstruction\n$\\hat{x}$", "output"),
            ),
        },
        {
            "bottom": 2, "row": 16.5, "colour": "#f4faf1",
            "title": "Stage 2 · Fine-tuning", "chinese": STAGE_NAMES_ZH[1],
            "subtitle": "a few labels",
            "objective": r"objective:  $\min_{\theta}\ \dfrac{1}{m}\,\sum_{j=1}^{m}"
                         r"J\left(y^{(j)},\,\hat{y}^{(j)}\right)$   (task loss)",
            "boxes": (
                ("Small labelled\ndata  $(x, y)$", "data"),
                ("Encoder\n$f(x;\\,\\theta_e)$, copied", "encoder"),
                ("Hidden\nrepresentation $h$", "hidden"),
                ("New task head\n(e.g. softmax layer)", "head"),
                ("Prediction\n$\\hat{y}$", "output"),
            ),
        },
    )
    for stage in stages:
        bottom, row = stage["bottom"], stage["row"]
        ax.add_patch(FancyBboxPatch(
            (2, bottom), 126, 30, boxstyle="round,pad=0,rounding_size=2",
            facecolor=stage["colour"], edgecolor="#9aa5b1", linewidth=1,
        ))
        title = ax.text(4.5, bottom + 26.5, stage["title"], ha="left", va="center", fontsize=15,
                        fontweight="bold")
        if font:  # the Chinese name, in its own (regular weight) font, right after the English title
            ax.annotate(f"（{stage['chinese']}）", xy=(1, 0.5), xycoords=title, xytext=(1, 0),
                        textcoords="offset points", ha="left", va="center", fontsize=15, family=font,
                        fontweight=_font_weight(font))
        ax.text(4.5, bottom + 22.8, stage["subtitle"], ha="left", va="center", fontsize=10.5,
                style="italic", color="#555555")
        ax.text(125.5, bottom + 26.5, stage["objective"], ha="right", va="center", fontsize=12)
        for x, (text, kind) in zip(columns, stage["boxes"]):
            _box(ax, x, row, box_width, box_height, text, _COLOURS[kind])
        for left, right in zip(columns, columns[1:]):
            _arrow(ax, (left + box_width / 2, row), (right - box_width / 2, row))

    # The encoder's weights go from stage 1 to stage 2.
    encoder_x = columns[1]
    _arrow(ax, (encoder_x, 52.5 - box_height / 2), (encoder_x, 16.5 + box_height / 2),
           colour="#1f5fa8", width=2.2)
    ax.text(encoder_x + 1.5, 35, r"copy the encoder's weights $\theta_e$", ha="left", va="center",
            fontsize=11, color="#1f5fa8", fontweight="bold",
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none"})

    # The decoder is only needed to define the pretraining objective; it is thrown away after it.
    decoder_x = columns[3]
    note_y = 52.5 - box_height / 2 - 4.5
    ax.plot([decoder_x - 9.5, decoder_x - 7.5], [note_y - 1, note_y + 1], color="#c0392b", linewidth=2)
    ax.plot([decoder_x - 9.5, decoder_x - 7.5], [note_y + 1, note_y - 1], color="#c0392b", linewidth=2)
    ax.text(decoder_x - 6.5, note_y, "decoder discarded after stage 1", ha="left", va="center",
            fontsize=10.5, color="#c0392b", style="italic")
    ax.text(76.5, 5.5, r"trained in stage 2: the new head, and the copied encoder (fine-tuned, or kept frozen); "
            r"$\theta$ = all the weights that are trained", ha="center", va="center", fontsize=10.5,
            style="italic", color="#555555")
    return fig


def adaptation_regimes() -> Figure:
    """Draw notebook 05's three ways to adapt an encoder to a task: which weights start where, and which train.

    One panel per regime of :data:`REGIMES`, each a stack from the labelled data up through the encoder
    ``h = f(x; θe)`` and a new softmax head ``(W_c, b_c)`` to the prediction ``ŷ``. A box with a thick orange
    edge holds weights that train on the labels; a grey, hatched, dashed one holds weights that stay fixed.
    A pretrained encoder is blue (the colour of :func:`two_stage_workflow`'s encoder), a random one white.

    Returns:
        A 13 × 6.4 inch figure with one axes (no ticks), in data units of 0.1 inch, and a legend.
    """
    fig, ax = plt.subplots(figsize=(13, 6.4))
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    ax.set_xlim(0, 130)
    ax.set_ylim(0, 64)
    ax.set_axis_off()
    ax.text(65, 60.5, "Three ways to adapt an encoder to a task: which weights train on the labels",
            ha="center", va="center", fontsize=15, fontweight="bold")
    box_width, box_height = 31, 7.5
    rows = {"data": 12.5, "encoder": 24.5, "head": 36.5}
    for centre, (title, what, start, encoder_trains) in zip((22, 65, 108), REGIMES):
        ax.add_patch(FancyBboxPatch((centre - 20, 6.5), 40, 50, boxstyle="round,pad=0,rounding_size=2",
                                    facecolor="#f7f9fb", edgecolor="#9aa5b1", linewidth=1))
        ax.text(centre, 52.5, title, ha="center", va="center", fontsize=13.5, fontweight="bold")
        ax.text(centre, 47.2, what, ha="center", va="center", fontsize=10, style="italic", color="#555555",
                linespacing=1.3)
        _box(ax, centre, rows["data"], box_width, box_height, "labelled digits $(x, y)$", _COLOURS["data"],
             fontsize=10.5)
        encoder_text = ("Encoder $h = f(x;\\,\\theta_e)$\n"
                        + {"pretrained": "pretrained", "random": "random start"}[start]
                        + (", trained" if encoder_trains else ", frozen"))
        _box_patch(ax, centre, rows["encoder"], box_width, box_height, encoder_text,
                   _COLOURS["encoder"] if start == "pretrained" else "#ffffff", trained=encoder_trains,
                   fontsize=10.5)
        head_text = "trained first, then with the encoder" if title == "Fine-tuned" else "random start, trained"
        _box_patch(ax, centre, rows["head"], box_width, box_height, f"New softmax head $(W_c, b_c)$\n{head_text}",
                   _COLOURS["head"], trained=True, fontsize=10.5)
        for lower, upper in (("data", "encoder"), ("encoder", "head")):
            _arrow(ax, (centre, rows[lower] + box_height / 2), (centre, rows[upper] - box_height / 2))
        top = rows["head"] + box_height / 2
        _arrow(ax, (centre, top), (centre, top + 2.2))
        ax.text(centre, top + 2.6, "prediction $\\hat{y}$: 10 probabilities", ha="center", va="bottom", fontsize=10)
    handles = [
        Patch(facecolor="white", edgecolor=TRAINED_COLOUR, linewidth=3, label="weights trained on the labels"),
        Patch(facecolor="white", edgecolor=FROZEN_COLOUR, hatch="//", linestyle="--",
              label="weights kept fixed"),
        Patch(facecolor=_COLOURS["encoder"], edgecolor="#333333", label="pretrained encoder"),
        Patch(facecolor="#ffffff", edgecolor="#333333", label="randomly initialised encoder"),
    ]
    ax.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=10.5,
              bbox_to_anchor=(0.5, -0.01))
    return fig


@dataclass(frozen=True)
class Milestone:
    """One dated milestone of the history of pretraining.

    Attributes:
        year: the year it was published (conference or journal year).
        title: what happened, a short line.
        detail: one or two short lines: the idea or the examples.
        who: authors and venue, a short line.
        kind: ``"layerwise"`` (unsupervised layer-wise pretraining, autoencoders),
            ``"supervised"`` (supervised pretraining on labelled data, transfer) or
            ``"selfsupervised"`` (self-supervised, or learned from web data such as captions: at scale,
            without hand-made labels).
    """

    year: int
    title: str
    detail: str
    who: str
    kind: str


#: The milestones drawn by :func:`history_timeline`, in order; every one is a published, dated result.
MILESTONES = (
    Milestone(2006, "Deep belief nets", "greedy layer-wise pretraining", "Hinton, Osindero & Teh", "layerwise"),
    Milestone(2006, "Deep autoencoders", "pretrained layer by layer,\nthen fine-tuned",
              "Hinton & Salakhutdinov, Science", "layerwise"),
    Milestone(2007, "Greedy layer-wise training\nof deep networks", "stacked autoencoders as\nbuilding blocks too",
              "Bengio et al., NeurIPS (then NIPS)\n2006, published 2007", "layerwise"),
    Milestone(2008, "Denoising autoencoders", "reconstruct x from a\ncorrupted copy of it",
              "Vincent et al., ICML", "layerwise"),
    Milestone(2010, "Why does unsupervised\npre-training help?", "a regularizer and a\nbetter starting point",
              "Erhan et al., JMLR", "layerwise"),
    Milestone(2012, "AlexNet wins ImageNet", "supervised CNN with ReLU,\ndropout and GPUs",
              "Krizhevsky, Sutskever & Hinton", "supervised"),
    Milestone(2013, "word2vec", "word vectors learned\nfrom raw text", "Mikolov et al.", "selfsupervised"),
    Milestone(2014, "ImageNet features transfer", "a CNN trained on ImageNet,\nreused for new vision tasks",
              "DeCAF (Donahue et al.); Yosinski et al.", "supervised"),
    Milestone(2018, "Pretrained language models", "ELMo, ULMFiT, GPT, BERT:\nfine-tuned for each task",
              "Peters; Howard & Ruder; Radford; Devlin et al.", "selfsupervised"),
    Milestone(2020, "Self-supervision at scale", "GPT-3 (text), SimCLR (images),\nwav2vec 2.0 (speech)",
              "Brown; Chen; Baevski et al.", "selfsupervised"),
    Milestone(2021, "CLIP and MAE", "images paired with text;\nmasked autoencoders (images)",
              "Radford et al.; He et al. (CVPR 2022)", "selfsupervised"),
)

_KINDS = {
    "layerwise": ("unsupervised layer-wise pretraining, autoencoders", "#3b78c2"),
    "supervised": ("supervised pretraining on labelled data, transfer", "#e08a1e"),
    "selfsupervised": ("pretraining at scale without hand-made labels", "#3d9b4b"),
}

# Height of each milestone's label above (+) or below (-) the time line, in the order of MILESTONES.
_LEVELS = (1.6, -1.6, 3.5, -3.5, 1.6, -1.6, 3.5, -3.5, 1.6, -1.6, 3.5)


def history_timeline() -> Figure:
    """Draw a horizontal timeline of :data:`MILESTONES`, 2006–2021, labels alternating above and below.

    Each label's colour says which kind of pretraining it belongs to (see the legend).

    Returns:
        A 15 × 7.5 inch figure with one axes (no ticks); x is the year, y is unitless.
    """
    fig, ax = plt.subplots(figsize=(15, 7.5))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.93)
    first, last = 2005, 2022
    ax.set_xlim(first - 0.3, last + 0.9)
    ax.set_ylim(-5.6, 5.2)
    ax.set_axis_off()
    ax.set_title("Milestones in pretraining, 2006–2021", fontsize=16, fontweight="bold")

    ax.add_patch(FancyArrowPatch((first, 0), (last + 0.8, 0), arrowstyle="-|>", mutation_scale=22,
                                 color="#333333", linewidth=2, shrinkA=0, shrinkB=0))
    for year in range(first, last + 1):
        ax.plot([year, year], [-0.12, 0.12], color="#333333", linewidth=1)
        ax.text(year, -0.3, str(year), ha="center", va="top", fontsize=8.5, color="#555555")

    for milestone, level in zip(MILESTONES, _LEVELS):
        colour = _KINDS[milestone.kind][1]
        ax.plot([milestone.year, milestone.year], [0, level], color=colour, linewidth=1.2, zorder=1)
        ax.plot(milestone.year, 0, "o", markersize=9, color=colour, markeredgecolor="white", zorder=3)
        lines = [
            TextArea(f"{milestone.year} · {milestone.title}",
                     textprops={"fontsize": 10, "fontweight": "bold", "color": colour, "ha": "center",
                                "multialignment": "center"}),
            TextArea(milestone.detail, textprops={"fontsize": 9.5, "ha": "center", "multialignment": "center",
                                                  "linespacing": 1.3}),
            TextArea(milestone.who, textprops={"fontsize": 8.5, "style": "italic", "color": "#444444",
                                               "ha": "center"}),
        ]
        label = AnnotationBbox(
            VPacker(children=lines, align="center", pad=0, sep=3), (milestone.year, level),
            box_alignment=(0.5, 0.0 if level > 0 else 1.0), pad=0.45, zorder=2,
            bboxprops={"boxstyle": "round,pad=0.45", "facecolor": "white", "edgecolor": colour, "linewidth": 1.5},
        )
        ax.add_artist(label)

    handles = [Line2D([], [], marker="o", linestyle="", markersize=9, color=colour, label=name)
               for name, colour in _KINDS.values()]
    ax.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=10.5,
              bbox_to_anchor=(0.5, 0.0))
    return fig
