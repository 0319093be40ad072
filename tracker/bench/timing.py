"""Timing one operation: the median wall time of several runs, and the CPU time they took."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


LAST_CPU: list[float] = [0.0]


def median_time(fn: Callable[[int], Any], repeats: int, warmup: bool = False) -> float:
    """Median wall seconds of ``fn(i)`` over ``repeats`` runs (``i`` = run number).

    The median CPU seconds (this process and the children it waited for, so git
    and whole tracker processes count) is left in ``LAST_CPU[0]``: on a busy
    machine it predicts the quiet machine's wall time better than the wall time does.
    """
    if warmup:
        fn(-1)
    times, cpus = [], []
    for i in range(repeats):
        c0 = _cpu()
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
        cpus.append(_cpu() - c0)
    LAST_CPU[0] = statistics.median(cpus)
    return statistics.median(times)
