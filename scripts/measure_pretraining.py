"""Measure the shipped checkpoints and the joint objective on the complete MNIST; write the record notebook 08 reads.

    EIAM_MNIST=../shared/data/mnist.npz python -m scripts.measure_pretraining --parts baselines,checkpoints,joint

Parts (each replaces its own rows in the record and keeps the others'):

- ``baselines``: the four from-scratch baselines' rows (helpers.baselines.load_or_run: loaded from the artifacts
  folder when computed there with the same settings, else about 16 minutes);
- ``checkpoints``: every shipped checkpoint (each pretraining seed in helpers/hub/) probed frozen, fine-tuned,
  and its architecture trained from scratch, at 1, 10, 100 labels per class and all labels, on the 5 reported
  subsets (helpers.finetuning.run_grid);
- ``joint``: the joint objective at 10 labels per class on the 5 reported subsets, from random weights
  (``--joint-starts scratch``; ``contrastive`` starts from the contrastive checkpoints), about 5 minutes per
  subset on 2 cores.

The record, ``helpers/records/better_pretraining.json``, holds every row (validation and test accuracy), the
settings, each part's wall time and this command; its ``"selection"`` entry (the validation curves behind
``helpers.joint.EPOCHS``) comes from the selection runs. Every choice was made on validation data only.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import time
from pathlib import Path

from helpers import artifacts, baselines, checkpoints, config, finetuning, joint, splits

RECORD = Path(__file__).resolve().parent.parent / "helpers" / "records" / "better_pretraining.json"
PARTS = ("baselines", "checkpoints", "joint")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--record", type=Path, default=RECORD)
    parser.add_argument("--joint-starts", default="scratch")
    parser.add_argument("--joint-budgets", default="10")
    parser.add_argument("--joint-epochs", default=",".join(f"{k}={v}" for k, v in joint.EPOCHS.items()),
                        help="epochs per start, chosen on validation (helpers.joint.EPOCHS)")
    args = parser.parse_args(argv)
    parts = [part for part in args.parts.split(",") if part]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {unknown}; choose from {', '.join(PARTS)}")
    if config.fast_mode():
        print("Note: fast mode is on (EIAM_FAST): the record will hold sample-sized runs, not the course's figures.")
    data = splits.course_splits()
    record = artifacts.load_json(args.record) if args.record.is_file() else {"rows": [], "parts": {}}
    record.setdefault("parts", {})
    seeds, budgets = splits.subset_seeds(), splits.label_budgets()
    for part in parts:
        start = time.perf_counter()
        if part == "baselines":
            rows, where = baselines.load_or_run(data, budgets=budgets, seeds=seeds)
            print(f"baselines: {where}")
            record.setdefault("notes", {})["baselines"] = where
        elif part == "checkpoints":
            encoders = {f"{name} checkpoint": {seed: checkpoints.load(name, seed=seed)
                                               for seed in checkpoints.seeds(name)} for name in checkpoints.NAMES}
            rows = finetuning.run_grid(encoders, data, budgets=budgets, seeds=seeds,
                                       schedule=finetuning.course_schedule())
        else:
            rows = []
            epochs = {key: int(value) for key, value in (item.split("=") for item in args.joint_epochs.split(","))}
            for start_name in args.joint_starts.split(","):
                start_from = None if start_name == "scratch" else {
                    seed: checkpoints.load(start_name, seed=seed) for seed in checkpoints.seeds(start_name)}
                recipe = "joint" if start_from is None else f"joint from {start_name} checkpoint"
                schedule = joint.course_schedule()
                if not config.fast_mode():
                    schedule = dataclasses.replace(schedule, epochs=epochs[start_name])
                rows += joint.run(data, budgets=[int(b) for b in args.joint_budgets.split(",")], seeds=seeds,
                                  start_from=start_from, recipe=recipe, schedule=schedule)
        record["rows"] = [row for row in record["rows"] if row.get("part") != part] + [
            {**row, "part": part} for row in rows]
        record["parts"][part] = {"seconds": round(time.perf_counter() - start, 1), "mode": config.mode_name(),
                                 "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                                 "command": "python -m scripts.measure_pretraining " + " ".join(argv or sys.argv[1:])}
        artifacts.save_json(record, args.record)
        print(f"{part}: {len(rows)} rows in {record['parts'][part]['seconds'] / 60:.1f} min; record {args.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
