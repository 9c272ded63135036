"""Wall-clock timing shared by the benchmark scripts (a helper, not a benchmark)."""

from __future__ import annotations

import time

import numpy as np


def best_time(function, repeats: int) -> float:
    """Best wall-clock time of ``repeats`` calls of ``function``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def best_times_interleaved(functions: dict, repeats: int) -> dict:
    """Best wall-clock time of each function, run in turn (round robin).

    On a shared machine the load changes from second to second; taking turns
    lets a busy spell hit every function alike instead of one whole series.
    """
    best = dict.fromkeys(functions, np.inf)
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best
