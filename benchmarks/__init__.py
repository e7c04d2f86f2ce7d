"""`make bench`: the course's speed and its results, measured; run as ``python -m benchmarks.bench`` (see bench.py)."""
