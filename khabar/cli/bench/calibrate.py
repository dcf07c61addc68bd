"""A fixed pure-Python loop's CPU time: how fast this machine is at this moment.

The dev machine is a VM whose speed varies by up to 3x over minutes (the same loop took 0.32 s
and 0.90 s on one day). Benchmarks report it next to their numbers so that runs are compared
at equal speed, or normalised by it."""

from __future__ import annotations

import time


def python_loop_cpu_s() -> float:
    """CPU seconds of summing 10 million integers in a Python loop."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return round(time.process_time() - started, 3)
