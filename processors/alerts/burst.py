"""Burst windows: "at least N reports (or N distinct sources) within W, per group".

State lives in the engine's store as time-bucketed keys `b:<rule>:<group>:<bucket>`, one
bucket per window length W, each holding the `[time, article id, source id]` entries that
fell in it. That is what makes a window survive a restart: the keys are in the Faust table
(RocksDB + changelog), not in process memory. The count itself is an exact sliding window:
a new entry at time t reads its own bucket and both neighbours and looks for a window of
length W containing t that reaches the threshold. Entries are unique per article id, so a
replayed article does not count twice. Buckets expire once no window can include them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from processors.alerts.rules import Burst
from processors.alerts.store import TimedStore

MAX_ENTRIES_PER_BUCKET = 1000  # bounds a value; thresholds are far smaller


@dataclass
class BurstState:
    met: bool
    window_start: float | None = None  # time of the first report in the window that fired
    articles: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    best: tuple[int, int] = (0, 0)  # (reports, distinct sources) in the fullest window seen

    def progress(self, burst: Burst) -> str:
        parts = []
        if burst.min_originals:
            parts.append(f"{self.best[0]}/{burst.min_originals} reports")
        if burst.min_sources:
            parts.append(f"{self.best[1]}/{burst.min_sources} sources")
        return " and ".join(parts)


class BurstCounter:
    def __init__(self, timed: TimedStore) -> None:
        self.timed = timed

    def add(self, rule_id: str, burst: Burst, group: str, at: float, article_id: str,
            source_id: str, now: float) -> BurstState:
        """Record one matching report and say whether a window containing it reached the threshold."""
        width = burst.window.total_seconds()
        bucket = int(at // width)
        keys = {b: f"b:{rule_id}:{group}:{b}" for b in (bucket - 1, bucket, bucket + 1)}
        buckets = {b: self.timed.get(k, now) or [] for b, k in keys.items()}
        if not any(e[1] == article_id for entries in buckets.values() for e in entries):
            own = [*buckets[bucket], [at, article_id, source_id]][-MAX_ENTRIES_PER_BUCKET:]
            buckets[bucket] = own
            # the bucket is needed until the last window that can include it has closed
            expires = max((bucket + 2) * width, now + width)
            self.timed.put(keys[bucket], own, expires)
        entries = sorted((e for es in buckets.values() for e in es), key=lambda e: (e[0], e[1]))
        return _find_window(entries, at, width, burst)


def _find_window(entries: list, at: float, width: float, burst: Burst) -> BurstState:
    """Earliest window [s, s + width) with s at a report, containing `at`, that meets the burst."""
    best = (0, 0)
    for i, (start, _, _) in enumerate(entries):
        if start > at:
            break
        if start + width <= at:
            continue
        inside = [e for e in entries[i:] if e[0] < start + width]
        articles = list(dict.fromkeys(e[1] for e in inside))
        sources = list(dict.fromkeys(e[2] for e in inside))
        best = max(best, (len(articles), len(sources)))
        if (burst.min_originals is None or len(articles) >= burst.min_originals) and (
            burst.min_sources is None or len(sources) >= burst.min_sources
        ):
            return BurstState(True, start, articles, sources, best)
    return BurstState(False, best=best)
