"""Speed of the pretraining objectives of notebook 08: each step against its network's floor, and time to target.

For each objective (the two shipped checkpoints' recipes, :data:`helpers.checkpoints.RECIPES`, and the joint
objective, :mod:`helpers.joint`), on the same machine, alternately:

- its real training step (:meth:`helpers.training.Trainer.train_steps`: batch, augmentations, loss, Adam), as
  :func:`helpers.training.train` runs it;
- its floor (:func:`helpers.speed.network_floor`): the same network's forward and backward passes alone, as
  many per step as the objective makes (two views for SimCLR; for the joint objective a labelled batch, the
  pseudo-labelling pass without gradient, and the strongly distorted pass).

Seconds per epoch are per-step times × the steps of one epoch over the 55,000 pool images. The time to reach
each recipe's validation metric is read from what was recorded when it was trained (the checkpoints' model
cards, the joint runs' curves in ``helpers/records/better_pretraining.json``), not trained again here: it
needs 15 to 30 minutes per recipe.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import keras
import numpy as np

from helpers import checkpoints, data, joint, measurements, objectives, speed, training

POOL = 55_000


def _setups(x: np.ndarray, y: np.ndarray) -> dict[str, tuple[Callable[[], keras.Model], Callable, list, int]]:
    """name -> (build the trained model, make its objective, its floor's passes, batch size)."""
    joint_schedule = joint.JointSchedule()
    contrastive, masked = checkpoints.RECIPES["contrastive"], checkpoints.RECIPES["masked"]
    labelled = data.stratified_indices(y, 10, seed=0)  # the joint objective's labelled set: 10 per class
    return {
        "contrastive": (lambda: contrastive.build(0)[0], lambda: contrastive.make_objective(0),
                        [(contrastive.batch_size, True)] * 2, contrastive.batch_size),
        "masked": (lambda: masked.build(0)[0], lambda: masked.make_objective(0),
                   [(masked.batch_size, True)], masked.batch_size),
        "joint": (lambda: joint.classifier(0),
                  lambda: objectives.Joint(x[labelled], y[labelled], labelled_batch=joint_schedule.labelled_batch),
                  [(joint_schedule.labelled_batch, True), (joint_schedule.batch_size, False),
                   (joint_schedule.batch_size, True)], joint_schedule.batch_size),
    }


def recorded_time_to_target(record: dict | None = None) -> dict:
    """From the recorded trainings: wall time to come within a tolerance of each recipe's final validation metric.

    Checkpoints: the frozen linear probe (measured every 10 epochs), tolerance 1 point, timed by the card's
    rerun from nothing with nothing else running (``retrained_alone``) where it has one, else by the run that
    made the file; joint: validation accuracy after every epoch, tolerance 0.3 points (the standard error
    behind ``helpers.joint.EPOCHS``), the median over the reported runs at 10 labels per class.
    """
    out = {}
    for name in checkpoints.NAMES:
        card = checkpoints.card(name)
        probes = card["validation_probe"]
        final = probes[-1]["val_probe_accuracy"]
        reached = next(p["epoch"] for p in probes if p["val_probe_accuracy"] >= final - 0.01)
        alone = card.get("retrained_alone")
        total = alone["training_seconds"] if alone else card["wall_seconds"]
        out[name] = {"metric": "validation probe accuracy (10 labels per class)", "final": final,
                     "tolerance": 0.01, "epochs_to_target": reached,
                     "seconds_to_target": reached * total / card["epochs"],
                     "seconds_total": total, "epochs_total": card["epochs"], "alone": alone is not None,
                     "machine": alone["machine"] if alone else card["machine"]}
    rows = [r for r in (record or measurements.load_record())["rows"]
            if r.get("part") == "joint" and r["recipe"] == "joint" and r["labels_per_class"] == 10]
    if rows:
        epochs, seconds = [], []
        for row in rows:
            curve, final = row["curve"], row["curve"][-1]["val_accuracy"]
            first = next(i for i, point in enumerate(curve) if point["val_accuracy"] >= final - 0.003)
            epochs.append(curve[first]["epoch"])
            seconds.append(curve[first]["seconds"])
        out["joint"] = {"metric": "validation accuracy (10 labels per class)", "tolerance": 0.003,
                        "final": float(np.median([r["curve"][-1]["val_accuracy"] for r in rows])),
                        "epochs_to_target": float(np.median(epochs)), "seconds_to_target": float(np.median(seconds)),
                        "seconds_total": float(np.median([r["curve"][-1]["seconds"] for r in rows])),
                        "epochs_total": rows[0]["curve"][-1]["epoch"], "runs": len(rows)}
    return out


def objective_steps(x: np.ndarray, y: np.ndarray, *, steps: int = 20, rounds: int = 3,
                    progress: Callable[[str], None] = print) -> dict:
    """Per-step time of each objective's real step and of its floor, measured alternately; see the module.

    Args:
        x: (n, 784) training images in [0, 1] (the steps draw batches from them); y: their labels (n,), of
            which 10 per class serve as the joint objective's labelled set.
        steps: steps per timed call; rounds: timed rounds after one warm-up round (dropped).

    Returns:
        ``{"settings", "seconds_per_step": {name: {"step": [...], "floor": [...]}}, "seconds_per_epoch":
        {name: {"step", "floor"}}, "ratio_to_floor": {name}, "time_to_target": {...}}``.
    """
    results: dict = {"seconds_per_step": {}, "seconds_per_epoch": {}, "ratio_to_floor": {}}
    for name, (build, make_objective, passes, batch_size) in _setups(x, y).items():
        trainer = training.Trainer(build(), loss=make_objective(), optimizer=keras.optimizers.Adam(1e-3),
                                   batch_size=batch_size)
        floor_model = build()
        data = trainer.prepare(x)
        trainer.train_steps(data, steps=2)  # trace and warm up
        speed.network_floor(floor_model, passes, steps=1, repeats=1)
        measured: dict[str, list[float]] = {"step": [], "floor": []}
        for round_index in range(rounds):
            order = ("step", "floor") if round_index % 2 == 0 else ("floor", "step")
            for which in order:
                if which == "step":
                    start = time.perf_counter()
                    trainer.train_steps(data, steps=steps, seed=round_index, fresh_optimizer=False)
                    measured["step"].append((time.perf_counter() - start) / steps)
                else:
                    measured["floor"].append(speed.network_floor(floor_model, passes, steps=steps, repeats=1))
            progress(f"  {name}, round {round_index + 1}/{rounds}: step {measured['step'][-1] * 1e3:.0f} ms, "
                     f"floor {measured['floor'][-1] * 1e3:.0f} ms")
        per_epoch = math.ceil(POOL / batch_size)
        results["seconds_per_step"][name] = measured
        results["seconds_per_epoch"][name] = {k: float(np.median(v)) * per_epoch for k, v in measured.items()}
        results["ratio_to_floor"][name] = float(np.median([a / b for a, b in zip(measured["step"], measured["floor"])]))
    results["settings"] = {"steps_per_call": steps, "rounds": rounds, "images": len(x),
                           "epoch": f"{POOL:,} pool images in batches of each recipe's size",
                           "floor": "the network's forward and backward passes alone (helpers.speed.network_floor), "
                                    "as many per step as the objective makes"}
    results["time_to_target"] = recorded_time_to_target()
    return results
