"""Pure arithmetic and small probes for `khabar bench pipeline`: percentiles, CPU counters of
processes by pid, and the record counts of the topics the workers keep their state in."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping, Sequence

from khabar import topics

# The pipeline's data topics, named one by one: every other topic the workers write under the
# run's prefixes (e.g. the compacted dedup fingerprint log) counts as state.
DATA_TOPICS = (topics.RAW, topics.CLEANED, topics.ENRICHED, topics.UPDATES, topics.ALERTS, topics.DLQ,
               topics.FEEDS_STATE)
FAUST_INTERNAL = ("__assignor-__leader",)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks (numpy's default method)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_summary(delays_s: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds, rounded to 0.1 ms."""
    return {f"p{q}": round(percentile(delays_s, q) * 1000, 1) for q in (50, 95, 99)}


def per_article_ms(cpu_before: Mapping[str, float], cpu_after: Mapping[str, float], n: int) -> dict[str, float]:
    """CPU seconds consumed by each process between two snapshots, as ms per article, plus a total."""
    out = {name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / n, 3)
           for name in cpu_after}
    out["total"] = round(sum(out.values()), 3)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live children (ES runs a native controller)."""
    import psutil

    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def state_topics(all_topics: Iterable[str], topic_prefix: str, app_id: str,
                 exclude: Iterable[str] = ()) -> list[str]:
    """Topics holding worker state: the Faust app's own topics (table changelogs) and any topic
    under the run's prefix that is not one of the pipeline's data topics (e.g. a compacted
    fingerprint log)."""
    data = {topic_prefix + name for name in DATA_TOPICS} | set(exclude)
    out = []
    for name in all_topics:
        if name.startswith(app_id + "-"):
            if not name.endswith(FAUST_INTERNAL) and not name.endswith("-repartition"):
                out.append(name)
        elif name.startswith(topic_prefix) and name not in data:
            out.append(name)
    return sorted(out)


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0
