"""The figures of measured results: label efficiency (with arms measured at one budget only) from the shipped record."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.container import ErrorbarContainer

from helpers import figures, measurements, tables


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def summary():
    return tables.summarise(measurements.load_record()["rows"])  # notebook 08's recorded full-mode run


ARMS = [("CNN + augmentation", "scratch"), ("contrastive checkpoint", "fine-tuned")]


def test_label_efficiency_draws_one_line_per_arm_and_a_star_per_point(summary):
    fig = figures.label_efficiency(summary, labels_with_all=5500, arms=ARMS, points=[("joint", "joint")],
                                   title="recorded")
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"CNN + augmentation, scratch", "contrastive checkpoint, fine-tuned"}
    cells = {(s["recipe"], s["regime"], s["labels_per_class"]): s for s in summary}
    line = lines["contrastive checkpoint, fine-tuned"]
    assert list(line.get_xdata()) == [1, 10, 100, 5500]  # "all" is drawn at the labels it stands for
    assert np.allclose(line.get_ydata(), [cells[("contrastive checkpoint", "fine-tuned", b)]["mean"]
                                          for b in (1, 10, 100, "all")])
    stars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    measured = [b for b in (1, 10, 100, "all") if ("joint", "joint", b) in cells]  # the record's joint budgets
    assert 10 in measured and "all" not in measured
    label = stars[0].get_label()
    assert len(stars) == 1 and "joint" in label and f"{', '.join(map(str, measured))} / class" in label
    assert list(stars[0].lines[0].get_xdata()) == measured
    assert np.allclose(stars[0].lines[0].get_ydata(), [cells[("joint", "joint", b)]["mean"] for b in measured])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 3 and any("joint" in entry for entry in legend)
    assert ax.get_xscale() == "log" and ax.get_title() == "recorded"


def test_label_efficiency_by_default_draws_every_arm_but_the_points(summary):
    fig = figures.label_efficiency(summary, labels_with_all=5500, points=[("joint", "joint")])
    labels = [line.get_label() for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    assert len(labels) == len({(s["recipe"], s["regime"]) for s in summary}) - 1
    assert "joint, joint" not in labels


def test_label_efficiency_says_where_an_arm_of_one_budget_goes(summary):
    with pytest.raises(ValueError, match="points="):
        figures.label_efficiency(summary, labels_with_all=5500, arms=[("joint", "joint")])
    with pytest.raises(ValueError, match="does not hold"):
        figures.label_efficiency(summary, labels_with_all=5500, arms=ARMS, points=[("no such", "arm")])
