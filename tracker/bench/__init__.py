"""Synthetic stores and the benchmark: ``python -m tracker.bench generate|run``."""
