"""Rebuild the bundled samples in helpers/samples/ from the complete data sets.

Usage (from the repository root, with the course installed):

    python -m scripts.build_samples --mnist PATH/mnist.npz --fashion /usr/share/datasets/fashion-mnist

Each sample holds TRAIN_PER_CLASS training and TEST_PER_CLASS test images of every class,
drawn with helpers.data.stratified_indices from fixed seeds, in the layout of Keras's mnist.npz.
The result is deterministic: the same source files give byte-identical arrays.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from helpers import data

TRAIN_PER_CLASS = 400
TEST_PER_CLASS = 100
TRAIN_SEED = 2006  # Hinton & Salakhutdinov's year; any fixed number would do.
TEST_SEED = 2008


def build_sample(splits: data.Splits, destination: Path) -> None:
    """Draw a class-balanced sample from ``splits`` and save it, compressed, to ``destination``."""
    (x_train, y_train), (x_test, y_test) = data.check_splits(splits, "source")
    train = data.stratified_indices(y_train, TRAIN_PER_CLASS, TRAIN_SEED)
    test = data.stratified_indices(y_test, TEST_PER_CLASS, TEST_SEED)
    np.savez_compressed(
        destination,
        x_train=x_train[train], y_train=y_train[train],
        x_test=x_test[test], y_test=y_test[test],
        train_index=train, test_index=test,
    )
    print(f"wrote {destination} ({destination.stat().st_size / 1e6:.2f} MB): "
          f"{len(train)} train, {len(test)} test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mnist", type=Path, help="complete MNIST .npz (Keras layout)")
    parser.add_argument("--fashion", type=Path, help="complete Fashion-MNIST: .npz or folder of the four .gz files")
    args = parser.parse_args()
    if not (args.mnist or args.fashion):
        parser.error("give --mnist, --fashion or both")
    if args.mnist:
        build_sample(data.load_mnist(args.mnist), data.MNIST_SAMPLE)
    if args.fashion:
        build_sample(data.load_fashion_mnist(args.fashion), data.FASHION_MNIST_SAMPLE)


if __name__ == "__main__":
    main()
