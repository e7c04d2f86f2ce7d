"""Is the best baseline strong enough? Train it for more steps than `make select`'s grid, and measure it if that helps.

    EIAM_MNIST=../shared/data/mnist.npz python -m scripts.check_baseline_steps      # about 12 minutes on 2 cores

At 10 labels per class, `make select` chose the grid's largest number of steps (1,600) for the CNN with
augmentation, the best model trained on the labels alone: its validation accuracy was still rising there,
so the baseline notebook 08's gains are measured against might be weaker than it could be. This script:

1. continues that search past the grid, on the same selection subsets and by the same rule
   (:func:`helpers.selection.search_baselines`: one run per subset, validation accuracy after each number of
   steps; the smallest within one standard error of the best);
2. trains the baseline with the chosen steps on the 5 reported subsets (:func:`helpers.baselines.run`) and reads
   the test set once per run;
3. pairs it, subset by subset, with the recorded joint objective at 10 labels per class, as the bar does
   (:func:`helpers.measurements.against_the_bar`).

It writes the result into the record's ``"selection"`` entry, ``"baseline_steps"``
(``helpers/records/better_pretraining.json``), which notebook 08 prints. It does not change the course's
schedules: ``helpers.baselines.SCHEDULES`` stay as `make select` chose them, and notebook 05's table with them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from helpers import artifacts, baselines, config, measurements, selection, splits

NAME, BUDGET = "CNN + augmentation", 10
STEPS = (800, 1600, 3200, 6400)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default=",".join(map(str, STEPS)), help="numbers of steps to validate")
    args = parser.parse_args(argv)
    steps = tuple(int(s) for s in args.steps.split(",") if s)
    if config.fast_mode():
        print("Note: fast mode is on (EIAM_FAST): the record would hold sample-sized runs; unset it.", file=sys.stderr)
        return 2
    start = time.perf_counter()
    data = splits.course_splits()
    searched = selection.search_baselines(data, names=(NAME,), budgets=(BUDGET,), checkpoints=steps, all_epochs=())
    chosen = searched[NAME]["steps"][BUDGET]
    schedule = dataclasses.replace(baselines.SCHEDULES[NAME], steps=((BUDGET, chosen["setting"]["steps"]),))
    rows = baselines.run(data, names=[NAME], budgets=[BUDGET], seeds=splits.subset_seeds(), schedules={NAME: schedule})
    record_file = measurements.record_path()
    record = artifacts.load_json(record_file)
    joint = [r for r in record["rows"]
             if r["part"] == "joint" and r["recipe"] == "joint" and r["labels_per_class"] == BUDGET]
    bar = measurements.against_the_bar(joint + rows, budget=BUDGET)  # the bar's own paired comparison and ratio
    gain, test = bar["gain"], bar["best_scratch"]["test"]
    record.setdefault("selection", {})["baseline_steps"] = {
        "what": f"{NAME} at {BUDGET} labels per class with more steps than make select's grid: validation search on "
                f"the selection subsets, then the chosen steps on the reported subsets, paired with the joint runs",
        "command": "python -m scripts.check_baseline_steps " + " ".join(argv if argv is not None else sys.argv[1:]),
        "searched": chosen, "validation_rows": searched["rows"],
        "course_steps": dict(baselines.SCHEDULES[NAME].steps)[BUDGET], "chosen_steps": chosen["setting"]["steps"],
        "rows": rows, "test_accuracy": test,
        "joint_gain": {"mean": gain.mean, "low": gain.low, "high": gain.high},
        "joint_error_ratio": bar["error_ratio"],
        "seconds": round(time.perf_counter() - start, 1)}
    artifacts.save_json(record, record_file)
    print(f"{NAME}, {BUDGET}/class: {chosen['setting']['steps']} steps chosen on validation "
          f"({100 * chosen['val_accuracy']:.1f} %); test {test:.1f} %; joint minus it {gain}; record {record_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
