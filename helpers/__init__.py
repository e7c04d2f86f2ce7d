"""Helpers for the course *Everything Is a Mapping*: one module per concern.

- ``config``: the settings, read from environment variables in one place (fast mode, data, artifacts).
- ``validation``: the one argument check every public function uses; the course's own errors.
- ``data``: MNIST and Fashion-MNIST, preprocessing, labelled subsets.
- ``models``: the article's autoencoder and the deeper one, a linear encoder; predicting, accuracy, seeds.
- ``training``: the one training engine (``Trainer``, ``train``) and its objectives.
- ``finetuning``: adapting an encoder to labels in three regimes, and the grid that measures them.
- ``tables``: the grid's rows, summaries, Markdown tables and saved results (no TensorFlow).
- ``pretrained``: the course's pretrained encoders, trained once, saved and loaded.
- ``artifacts``: saving and loading models and results, all or nothing.
- ``linear``, ``losses``: PCA and the reconstruction losses, written out in NumPy.
- ``plotting``, ``diagrams``, ``widgets``: figures, explanatory drawings and interactive explorers.
- ``speed``: the matrix-product floor under every training loop.
- ``checks``: the exercises' self-checks, one module per notebook.
- ``environment``: the environment report of notebook 00.

Modules are imported on demand (``from helpers import data``) so that importing the package itself
stays cheap and does not start TensorFlow.
"""

__version__ = "0.1.0"
