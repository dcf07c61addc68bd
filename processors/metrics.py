"""Prometheus metrics of the stream processors (served on each worker's /metrics port).

Names are part of the operating contract (README "Operating khabar"): keep them stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

STAGE_IN = Counter("khabar_stage_in_total", "Records a stage received", ["stage"])
STAGE_OUT = Counter("khabar_stage_out_total", "Records a stage passed on", ["stage"])
DEAD_LETTERS = Counter("khabar_dead_letters_total", "Records sent to the dead-letter topic", ["stage"])
DEDUP_STATUS = Counter("khabar_dedup_total", "Articles by dedup status", ["status"])
ALERTS_FIRED = Counter("khabar_alerts_fired_total", "Alerts fired", ["rule"])
SINK_BATCH_SECONDS = Gauge("khabar_sink_last_batch_seconds", "Duration of the last bulk write")
SINK_RETRIES = Counter("khabar_sink_retries_total",
                       "Bulk rounds repeated after a transient Elasticsearch error (429, 5xx, outage)")
SINK_BULK_DOCS = Histogram("khabar_sink_bulk_docs", "Items per bulk write to Elasticsearch",
                           buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000))
END_TO_END = Histogram("khabar_end_to_end_seconds",
                       "Fetch -> indexed delay of each article (fetched_at to Elasticsearch acknowledged)",
                       buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600))


def record_sink_batch(items: Sequence[Any], result: Any, seconds: float,
                      now: datetime | None = None) -> None:
    """Bulk size, retries, duration, and the end-to-end delay of every article acknowledged."""
    SINK_BULK_DOCS.observe(len(items))
    SINK_BATCH_SECONDS.set(seconds)
    if result.retries:
        SINK_RETRIES.inc(result.retries)
    indexed = set(result.indexed)
    now = now or datetime.now(UTC)
    for item in items:
        article = getattr(item, "article", None)  # IndexArticle; updates and alerts carry none
        if article is not None and article.id in indexed:
            fetched = article.fetched_at
            if fetched.tzinfo is None:
                fetched = fetched.replace(tzinfo=UTC)
            END_TO_END.observe(max(0.0, (now - fetched).total_seconds()))
