"""Helpers for the course *Everything Is a Mapping*: one module per concern.

- ``config``: the settings, read from environment variables in one place (fast mode, data, artifacts).
- ``validation``: the one argument check every public function uses; the course's own errors.
- ``data``: MNIST and Fashion-MNIST, preprocessing, labelled subsets.
- ``splits``: the three splits every measurement uses: an unlabelled pool, a validation split, the test set.
- ``models``: the article's autoencoder and the deeper one, a linear encoder; predicting, accuracy, seeds.
- ``training``: the one training engine (``Trainer``, ``train``) and its objectives.
- ``finetuning``: adapting an encoder to labels in three regimes, and the grid that measures them.
- ``baselines``: the strongest models trained on the labels alone (MLP and CNN, with and without augmentation).
- ``statistics``: the paired 95 % interval every comparison uses (no TensorFlow).
- ``tables``: the grid's rows, summaries with intervals, verdicts and saved results (no TensorFlow).
- ``selection``: the searches on the validation split that chose the course's settings (``make select``).
- ``pretrained``: the course's pretrained encoders, trained once, saved and loaded.
- ``artifacts``: saving and loading models and results, all or nothing.
- ``linear``, ``losses``: PCA and the reconstruction losses, written out in NumPy.
- ``latent``: the latent space measured: interpolation, nearest neighbours, anomaly scores (no TensorFlow).
- ``plotting``, ``figures``, ``diagrams``, ``widgets``: figures of data and of results, explanatory
  drawings and interactive explorers.
- ``speed``: the matrix-product floor under every training loop.
- ``checks``: the exercises' self-checks, one module per notebook.
- ``environment``: the environment report of notebook 00.

Modules are imported on demand (``from helpers import data``) so that importing the package itself
stays cheap and does not start TensorFlow.
"""

__version__ = "0.1.0"
