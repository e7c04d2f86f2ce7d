"""Measure the shipped checkpoints and the joint objective on the complete MNIST; write the record notebook 08 reads.

    EIAM_MNIST=../shared/data/mnist.npz python -m scripts.measure_pretraining --parts baselines,checkpoints,joint
    python -m scripts.measure_pretraining --parts joint --joint-budgets 1,100          # more label budgets
    EIAM_FASHION_MNIST=/usr/share/datasets/fashion-mnist \
        python -m scripts.measure_pretraining --dataset fashion_mnist --budgets 10 --joint-budgets 10

Parts (each replaces its own rows in the record and keeps the others'):

- ``baselines``: the four from-scratch baselines' rows, with the settings that made them (helpers.baselines.load_or_run
  with ``use_record=False``: loaded from the artifacts folder when computed there with the same settings, else
  about 16 minutes); notebooks 05 and 08 read them from the record;
- ``checkpoints``: every shipped checkpoint (each pretraining seed in helpers/hub/) probed frozen, fine-tuned,
  and its architecture trained from scratch, at 1, 10, 100 labels per class and all labels, on the 5 reported
  subsets (helpers.finetuning.run_grid);
- ``joint``: the joint objective at 10 labels per class on the 5 reported subsets, from random weights
  (``--joint-starts scratch``; ``contrastive`` starts from the contrastive checkpoints), about 5 minutes per
  subset on 2 cores.

A part measured at some label budgets only replaces its rows at those budgets (``--budgets`` for baselines and
checkpoints, ``--joint-budgets`` for joint), and records its wall time and command under a name of its own
(``"joint (1, 100 labels per class)"``). With ``--dataset fashion_mnist`` the same parts are measured on
Fashion-MNIST, with its own checkpoints (``helpers/hub/<name>_fashion_mnist.*``), into
``helpers/records/better_pretraining_fashion_mnist.json``.

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

from helpers import artifacts, baselines, checkpoints, config, finetuning, joint, measurements, splits

PARTS = ("baselines", "checkpoints", "joint")


def budget_list(text: str) -> list[int | str]:
    """``"1,10,all"`` -> ``[1, 10, "all"]``."""
    return [item if item == "all" else int(item) for item in text.split(",") if item]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--dataset", choices=checkpoints.DATASETS, default="mnist")
    parser.add_argument("--record", type=Path, default=None, help="default: helpers/records/ (see above)")
    parser.add_argument("--budgets", default=None,
                        help="labels per class for baselines and checkpoints, e.g. 1,10,100,all (default: all four)")
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
    record_file = args.record or measurements.record_path(args.dataset)
    data = splits.course_splits(args.dataset)
    record = artifacts.load_json(record_file) if record_file.is_file() else {"rows": [], "parts": {}}
    record.setdefault("parts", {})
    seeds, all_budgets = splits.subset_seeds(), splits.label_budgets()
    budgets = all_budgets if args.budgets is None else budget_list(args.budgets)
    joint_budgets = budget_list(args.joint_budgets)
    for part in parts:
        measured = joint_budgets if part == "joint" else budgets
        start = time.perf_counter()
        if part == "baselines":
            rows, where = baselines.load_or_run(data, budgets=budgets, seeds=seeds, use_record=False)
            print(f"baselines: {where}")
            record.setdefault("notes", {})["baselines"] = where
        elif part == "checkpoints":
            encoders = {f"{name} checkpoint": {seed: checkpoints.load(name, seed=seed, dataset=args.dataset)
                                               for seed in checkpoints.seeds(name, dataset=args.dataset)}
                        for name in checkpoints.NAMES
                        if checkpoints.paths(name, dataset=args.dataset)[1].is_file()}
            rows = finetuning.run_grid(encoders, data, budgets=budgets, seeds=seeds,
                                       schedule=finetuning.course_schedule())
        else:
            rows = []
            epochs = {key: int(value) for key, value in (item.split("=") for item in args.joint_epochs.split(","))}
            for start_name in args.joint_starts.split(","):
                start_from = None if start_name == "scratch" else {
                    seed: checkpoints.load(start_name, seed=seed, dataset=args.dataset)
                    for seed in checkpoints.seeds(start_name, dataset=args.dataset)}
                recipe = "joint" if start_from is None else f"joint from {start_name} checkpoint"
                schedule = joint.course_schedule()
                if not config.fast_mode():
                    schedule = dataclasses.replace(schedule, epochs=epochs[start_name])
                rows += joint.run(data, budgets=joint_budgets, seeds=seeds,
                                  start_from=start_from, recipe=recipe, schedule=schedule)
        record["rows"] = [row for row in record["rows"]
                          if row.get("part") != part or row["labels_per_class"] not in measured] + [
            {**row, "part": part} for row in rows]
        name = part if measured == (all_budgets if part != "joint" else [10]) else (
            f"{part} ({', '.join(map(str, measured))} labels per class)")
        record["parts"][name] = {"seconds": round(time.perf_counter() - start, 1), "mode": config.mode_name(),
                                 "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                                 "command": "python -m scripts.measure_pretraining " + " ".join(argv or sys.argv[1:])}
        if part == "baselines":  # what baselines.load_or_run compares before it reads these rows
            record["parts"][name]["settings"] = baselines.settings(budgets, seeds)
        artifacts.save_json(record, record_file)
        print(f"{name}: {len(rows)} rows in {record['parts'][name]['seconds'] / 60:.1f} min; record {record_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
