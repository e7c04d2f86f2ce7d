"""The course's three splits of a data set: an unlabelled pool, a validation split, and the test set.

Every measurement of the course uses them the same way:

- **validation** (``x_val, y_val``): a fixed, stratified set of labelled images carved out of the
  training set once (500 per class, 5,000 in all, in full mode; 50 per class in fast mode). Every
  choice (epochs, learning rates, the probe's penalty, which representation to probe) is made on it.
- **pool** (``x_pool, y_pool``): the other training images (55,000 in full mode). Pretraining sees
  their pixels only, never a label; the labelled subsets of fine-tuning (10 per class, ...) are drawn
  from them, so they never overlap the validation split.
- **test** (``x_test, y_test``): the 10,000 test images, read once per final configuration to report it.

Images are preprocessed (float32 (n, 784) in [0, 1]) and labels int32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers import config, data, validation

#: The seed of the one draw of the validation split: the same split in every notebook, every run.
VALIDATION_SEED = 2010
#: Labelled subsets: ``"all"`` means every image of the pool, with its label.
ALL = "all"


def label_budgets() -> list[int | str]:
    """Labels per class the course measures: 1, 10, 100 and all in full mode; 10 and all in fast mode (the same
    code paths, for the tests, at a third less cost)."""
    return [1, 10, 100, ALL] if not config.fast_mode() else [10, ALL]


def subset_seeds() -> list[int]:
    """The labelled subsets the course reports (their seeds): 5 in full mode, 2 in fast mode."""
    return list(range(config.pick(full=5, fast=2)))


def validation_per_class() -> int:
    """Validation images per class: 500 in full mode (5,000 in all), 50 in fast mode (500 of the sample's 4,000)."""
    return config.pick(full=500, fast=50)


@dataclass(frozen=True)
class Splits:
    """A data set split three ways (see the module's docstring); arrays are preprocessed.

    Attributes:
        dataset: ``"mnist"`` or ``"fashion_mnist"``.
        x_pool, y_pool: the training images not held out, (n_pool, 784) float32, and their labels.
        x_val, y_val: the validation split.
        x_test, y_test: the test set.
        validation_index: positions of the validation images in the original training set.
    """

    dataset: str
    x_pool: np.ndarray
    y_pool: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    validation_index: np.ndarray

    def labelled(self, per_class: int | str, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """``per_class`` labelled images of each class drawn from the pool with ``seed`` (``"all"``: the whole pool).

        The same (per_class, seed) gives the same subset in every notebook, for every recipe: comparisons
        on it are paired.
        """
        if per_class == ALL:
            return self.x_pool, self.y_pool
        return data.stratified_sample(self.x_pool, self.y_pool, validation.positive_int(per_class, "per_class"),
                                      validation.seed(seed))

    def describe(self) -> str:
        """One line: the sizes of the three splits."""
        return (f"{self.dataset}: {len(self.x_pool):,} pool images (pretraining sees their pixels only; labelled "
                f"subsets come from them), {len(self.x_val):,} validation images (every choice is made on them), "
                f"{len(self.x_test):,} test images (read once per final configuration)")


def course_splits(dataset: str = "mnist", *, verbose: bool = True) -> Splits:
    """Load a data set (as :mod:`helpers.data` does, in the current mode) and split it three ways.

    Args:
        dataset: ``"mnist"`` or ``"fashion_mnist"``.
        verbose: print where the data came from and the sizes of the splits.
    """
    validation.choice(dataset, "dataset", ("mnist", "fashion_mnist"))
    loader = data.load_mnist if dataset == "mnist" else data.load_fashion_mnist
    (x_train, y_train), (x_test, y_test) = loader(verbose=verbose)
    held_out = np.sort(data.stratified_indices(y_train, validation_per_class(), VALIDATION_SEED))
    pool = np.setdiff1d(np.arange(len(y_train)), held_out)
    x_train = data.preprocess(x_train)
    splits = Splits(dataset, x_train[pool], y_train[pool].astype(np.int32), x_train[held_out],
                    y_train[held_out].astype(np.int32), data.preprocess(x_test), y_test.astype(np.int32), held_out)
    if verbose:
        print(splits.describe())
    return splits
