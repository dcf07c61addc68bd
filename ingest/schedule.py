"""When to poll next: adaptive intervals within a source's bounds, backoff with jitter.

Busy feeds (new items on a poll) are polled more often, quiet ones (nothing new, 304)
less, always within [min_interval, max_interval]. Failures back off exponentially from
min_interval with jitter (so a hundred feeds on one broken host do not retry in lockstep),
and a server's Retry-After is never undercut.
"""

from __future__ import annotations

import random

FASTER = 0.5  # interval factor after a poll with new items
SLOWER = 1.5  # interval factor after a poll with nothing new
JITTER = 0.1  # +-10% on regular intervals
BACKOFF_CAP = 6 * 3600.0  # longest wait after errors (at least the source's max_interval)


def next_interval(current: float | None, new_items: int, min_interval: float, max_interval: float) -> float:
    """The adaptive interval after a successful poll."""
    if current is None:
        current = min_interval
    current = current * (FASTER if new_items > 0 else SLOWER)
    return min(max(current, min_interval), max_interval)


def jittered(interval: float, rng: random.Random) -> float:
    return interval * rng.uniform(1 - JITTER, 1 + JITTER)


def backoff_delay(
    error_streak: int,
    min_interval: float,
    max_interval: float,
    rng: random.Random,
    retry_after: float | None = None,
) -> float:
    """Wait after the `error_streak`-th consecutive failure ("equal jitter" backoff)."""
    cap = max(BACKOFF_CAP, max_interval)
    ceiling = min(cap, min_interval * 2 ** max(0, error_streak - 1))
    delay = rng.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay
