"""The recorded measurements of notebook 08 (``scripts.measure_pretraining``) and the bar they are judged by.

The bar (issue 12 of the course): at 10 labels per class on the complete MNIST, the best pretrained or
joint model, chosen on validation data, reaches at least :data:`BAR_ACCURACY` test accuracy, at most half
the test error of the best from-scratch baseline (also chosen on validation), and the paired 95 % interval
of its gain excludes 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from helpers import tables, validation

RECORDS = Path(__file__).resolve().parent / "records"
#: The record of the complete MNIST's measurements.
RECORD = RECORDS / "better_pretraining.json"
#: The test accuracy (in %) the best model must reach at 10 labels per class.
BAR_ACCURACY = 97.0
#: The largest share of the best baseline's test error it may keep.
BAR_ERROR_RATIO = 0.5


def record_path(dataset: str = "mnist") -> Path:
    """The committed record of ``dataset``'s measurements (``"mnist"`` or ``"fashion_mnist"``)."""
    return RECORD if dataset == "mnist" else RECORDS / f"better_pretraining_{dataset}.json"


def load_record(path: Path = RECORD) -> dict:
    """The committed record: ``{"rows": [...], "parts": {part: {"seconds", "mode", "machine", "command"}}}``."""
    from helpers import artifacts

    if not path.is_file():
        raise validation.value_error("the measurements record", f"is missing ({path})",
                                     "Run `python -m scripts.measure_pretraining` in full mode to make it.")
    return artifacts.load_json(path)


def against_the_bar(rows: Sequence[Mapping], budget: int = 10) -> dict:
    """:func:`helpers.tables.verdict` at ``budget``, with the error ratio and whether each part of the bar is met.

    Returns the verdict's dict plus ``"error_ratio"`` (best model's test error / best baseline's), and
    ``"reaches_accuracy"``, ``"halves_error"``, ``"gain_excludes_zero"`` and ``"meets_bar"`` (booleans).
    """
    verdict = tables.verdict(rows, budget)
    best, baseline = verdict["best_pretrained"]["test"], verdict["best_scratch"]["test"]
    ratio = (100 - best) / (100 - baseline)
    checks = {"reaches_accuracy": best >= BAR_ACCURACY, "halves_error": ratio <= BAR_ERROR_RATIO,
              "gain_excludes_zero": verdict["gain"].low > 0}
    return {**verdict, "error_ratio": ratio, **checks, "meets_bar": all(checks.values())}
