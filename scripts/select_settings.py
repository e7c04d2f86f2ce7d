"""Choose the course's training settings on the validation split, and record how: ``make select``.

Usage: ``python -m scripts.select_settings [--parts recipe,schedules,baselines] [--out FILE]``. In full
mode (the default; the complete MNIST from ``EIAM_MNIST`` or Keras's cache) it writes
``helpers/records/selection.json``: for each part every run of the search, and under ``"chosen"`` what
:func:`helpers.selection.choose` picks from them, with the data, the versions and the wall time. The
chosen values are the defaults in the code (:mod:`helpers.pretrained`, :class:`helpers.finetuning.Schedule`,
:mod:`helpers.baselines`), and ``tests/test_selection.py`` fails when they disagree with this record.
Parts (see :mod:`helpers.selection`):

- ``recipe``: the deep denoising recipe's masking noise and epochs (three pretraining runs, probed);
- ``schedules``: the fine-tuning regimes' schedule, with the article's and the deep denoising recipe's
  pretrained encoders (seed 0; trained now if missing);
- ``baselines``: the steps of each from-scratch baseline at each label budget.

On the project's 2-core CPU, in full mode (measured 2026-12-01, the parts run side by side, one thread each):
recipe about 20 min (six noise levels), schedules about 7, baselines 12. The committed record was made in
steps: the recipe's noise range first ended at 0.5 and the from-scratch steps at 600; both were extended while
their best setting was at the edge of the range, to the ranges that are now the defaults.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from scripts.course_files import ROOT

PARTS = ("recipe", "schedules", "baselines")
RECORD = ROOT / "helpers" / "records" / "selection.json"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, from {', '.join(PARTS)}")
    parser.add_argument("--out", type=Path, default=RECORD, help="the record to write (its other parts are kept)")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown parts {unknown}: choose from {', '.join(PARTS)}")

    from helpers import artifacts, config, pretrained, selection, splits

    sys.stdout.reconfigure(line_buffering=True)
    record = artifacts.load_json(args.out) if args.out.is_file() else {}
    data = splits.course_splits()
    record["data"] = data.describe()
    record["validation_images"] = len(data.y_val)
    record["mode"] = config.mode_name()
    record["versions"] = {name: metadata.version(name) for name in ("tensorflow", "keras", "numpy")}
    record["machine"] = f"{platform.machine()}, {platform.processor() or 'cpu'}"
    for part in parts:
        print(f"select: {part} ...")
        start = time.perf_counter()
        if part == "recipe":
            result = selection.search_recipe(data)
        elif part == "schedules":
            encoders = {name: pretrained.load_or_train(name, seed=0, verbose=0)[0]
                        for name in ("article", "deep_denoising")}
            result = selection.search_schedules(data, encoders)
        else:
            result = selection.search_baselines(data)
        result["seconds"] = time.perf_counter() - start
        result["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        record[part] = result
        record["chosen"] = selection.choose(record)
        artifacts.save_json(record, args.out)
        print(f"select: {part} done in {result['seconds'] / 60:.1f} min; recorded in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
