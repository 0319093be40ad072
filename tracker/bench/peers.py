"""Taskwarrior and Fossil holding the same items, timed on the same operations."""
from __future__ import annotations
from typing import Any
def measure_peers(bench: Any) -> None:
    """Placeholder until written."""
