"""Pretrain one of the course's shipped checkpoints from nothing and write it with its model card.

    python -m scripts.train_checkpoint contrastive            # full mode: the complete MNIST pool
    python -m scripts.train_checkpoint masked --seed 1 --hub /tmp/hub
    python -m scripts.train_checkpoint contrastive --dataset fashion_mnist   # on Fashion-MNIST's pool
    python -m scripts.train_checkpoint contrastive --verify   # retrain, keep the file, record the rerun in its card

Full mode needs the complete MNIST (Keras's download or cache, or EIAM_MNIST=path/mnist.npz), or for
``--dataset fashion_mnist`` the complete Fashion-MNIST (EIAM_FASHION_MNIST). The files go
to helpers/hub/ unless --hub names another folder; an existing checkpoint there is replaced only with --force.

--verify retrains an existing checkpoint from nothing with its card's seed and epochs, keeps the shipped file,
and records in its card (``"retrained_alone"``) how long the rerun took and whether it reproduced the card's
loss history and validation probe. Run it with nothing else on the machine: its time is the from-nothing
pretraining time the course states.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from helpers import artifacts, checkpoints, config, splits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=checkpoints.NAMES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--dataset", choices=checkpoints.DATASETS, default="mnist")
    parser.add_argument("--hub", type=Path, default=checkpoints.HUB)
    parser.add_argument("--force", action="store_true", help="replace an existing checkpoint of that name")
    parser.add_argument("--verify", action="store_true",
                        help="retrain an existing checkpoint, keep its file, record the rerun in its card")
    args = parser.parse_args(argv)
    model_path, card_path = checkpoints.paths(args.name, args.hub, args.seed, args.dataset)
    if args.verify:
        return verify(args.name, args.seed, args.dataset, args.hub)
    if model_path.exists() and not args.force:
        print(f"{model_path} exists; pass --force to replace it (the old one stays in git history).", file=sys.stderr)
        return 2
    if config.fast_mode():
        print("Note: fast mode (EIAM_FAST is set): this trains on the bundled sample, not a checkpoint to ship.")
    data = splits.course_splits(args.dataset)
    encoder, card = checkpoints.train(args.name, data, seed=args.seed, epochs=args.epochs)
    for path in checkpoints.save(args.name, encoder, card, args.hub):
        print(f"wrote {path}")
    return 0


def verify(name: str, seed: int, dataset: str, hub: Path) -> int:
    """Retrain checkpoint ``name`` from nothing; write ``"retrained_alone"`` into its card (the file is kept)."""
    shipped = checkpoints.card(name, hub, seed, dataset)
    start = time.perf_counter()
    _, rerun = checkpoints.train(name, splits.course_splits(dataset), seed=seed, epochs=shipped["epochs"])
    same = rerun["history"] == shipped["history"] and rerun["validation_probe"] == shipped["validation_probe"]
    shipped["retrained_alone"] = {
        "date": dt.date.today().isoformat(), "training_seconds": rerun["wall_seconds"],
        "process_seconds": round(time.perf_counter() - start, 1),
        "machine": rerun["machine"] + ", nothing else running",
        "command": checkpoints.command(name, seed, dataset) + " --verify", "same_history_and_probe": same,
        "note": "wall_seconds above was measured by the run that made the file; this is the same training rerun "
                "from nothing" + (", and it reproduced the loss history and validation probe exactly" if same else "")}
    _, card_path = checkpoints.paths(name, hub, seed, dataset)
    artifacts.save_json(shipped, card_path)
    card_path.chmod(0o644)  # a file to commit and ship, as checkpoints.save leaves it
    print(f"{name}: rerun in {shipped['retrained_alone']['process_seconds'] / 60:.1f} min; same history and "
          f"probe: {same}; recorded in {card_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
