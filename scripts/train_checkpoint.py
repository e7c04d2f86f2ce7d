"""Pretrain one of the course's shipped checkpoints from nothing and write it with its model card.

    python -m scripts.train_checkpoint contrastive            # full mode: the complete MNIST pool
    python -m scripts.train_checkpoint masked --seed 1 --hub /tmp/hub
    python -m scripts.train_checkpoint contrastive --dataset fashion_mnist   # on Fashion-MNIST's pool

Full mode needs the complete MNIST (Keras's download or cache, or EIAM_MNIST=path/mnist.npz), or for
``--dataset fashion_mnist`` the complete Fashion-MNIST (EIAM_FASHION_MNIST). The files go
to helpers/hub/ unless --hub names another folder; an existing checkpoint there is replaced only with --force.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers import checkpoints, config, splits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=checkpoints.NAMES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--dataset", choices=checkpoints.DATASETS, default="mnist")
    parser.add_argument("--hub", type=Path, default=checkpoints.HUB)
    parser.add_argument("--force", action="store_true", help="replace an existing checkpoint of that name")
    args = parser.parse_args(argv)
    model_path, card_path = checkpoints.paths(args.name, args.hub, args.seed, args.dataset)
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


if __name__ == "__main__":
    sys.exit(main())
