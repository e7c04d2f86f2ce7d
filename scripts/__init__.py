"""The course's tooling: building the course, the exercises, the expected outputs and the samples.

Each script runs from the repository's root as a module, ``python -m scripts.<name>`` (the Makefile's
targets do so), and the conventions they share (where the notebooks are, how they are named, the
repository's name, the cell tags) are defined once, in :mod:`scripts.course_files`.
"""
