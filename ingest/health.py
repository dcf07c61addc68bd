"""Feed health as data: Prometheus metrics and documents for the `khabar-feeds` index.

A feed that silently stops is the classic monitoring failure, so every poll updates both:
the metrics for alerting (the lead serves `prometheus_client.REGISTRY`), the index (one
document per source, `_id` = source id, overwritten each poll) for the dashboard.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from ingest.state import FeedState
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger(__name__)

HEALTH_FIELDS = ("id", "name", "url", "last_success", "last_error", "last_error_at",
                 "items_last_poll", "http_status", "next_poll", "error_streak", "polls_total",
                 "items_total", "@timestamp")


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def health_doc(state: FeedState, now: datetime | None = None) -> dict[str, Any]:
    """The `khabar-feeds` document of one source (field names fixed by the index template)."""
    return {
        "id": state.id,
        "name": state.name or state.id,
        "url": state.url,
        "last_success": _iso(state.last_success),
        "last_error": state.last_error,
        "last_error_at": _iso(state.last_error_at),
        "items_last_poll": state.items_last_poll,
        "http_status": state.http_status,
        "next_poll": _iso(state.next_poll),
        "error_streak": state.error_streak,
        "polls_total": state.polls_total,
        "items_total": state.items_total,
        "@timestamp": _iso(now or datetime.now(UTC)),
    }


# Feed error kinds, from the reasons ingest/fetch.py and ingest/poller.py record (label `kind`).
ERROR_KINDS = ("dns", "timeout", "connect", "http_429", "http_4xx", "http_5xx", "too_large",
               "refused", "redirect", "parse", "local_file", "kafka", "other")


def error_kind(reason: str | None, status: int | None = None) -> str:
    """Classify a failed poll's reason into one of ERROR_KINDS (a small, stable label set)."""
    text = (reason or "").lower()
    if status == 429:
        return "http_429"
    if status is not None and 400 <= status < 500:
        return "http_4xx"
    if status is not None and status >= 500:
        return "http_5xx"
    rules = (("cannot resolve", "dns"), ("kafka", "kafka"), ("broker", "kafka"), ("timed out", "timeout"), ("timeout", "timeout"),
             ("connection failed", "connect"), ("byte limit", "too_large"),
             ("redirect", "redirect"), ("refused", "refused"), ("no entries", "parse"),
             ("no such file", "local_file"))
    for needle, kind in rules:
        if needle in text:
            return kind
    return "other"


class FeedMetrics:
    """Per-source Prometheus metrics (label `source` = source id)."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.polls = Counter("khabar_feed_polls", "Feed polls by outcome (ok, not_modified, error)",
                             ["source", "outcome"], registry=registry)
        self.items = Counter("khabar_feed_items", "New articles produced per source",
                             ["source"], registry=registry)
        self.last_success = Gauge("khabar_feed_last_success_timestamp_seconds",
                                  "Unix time of the last successful poll", ["source"], registry=registry)
        self.next_poll = Gauge("khabar_feed_next_poll_timestamp_seconds",
                               "Unix time of the next scheduled poll", ["source"], registry=registry)
        self.error_streak = Gauge("khabar_feed_error_streak", "Consecutive failed polls",
                                  ["source"], registry=registry)
        self.http_status = Gauge("khabar_feed_http_status", "HTTP status of the last poll (0: none)",
                                 ["source"], registry=registry)
        self.items_last_poll = Gauge("khabar_feed_items_last_poll", "New articles in the last poll",
                                     ["source"], registry=registry)
        self.dead_letters = Counter("khabar_feed_dead_letters", "Feed entries sent to the dead-letter topic "
                                    "(stage ingest: could not be converted)", ["source"], registry=registry)
        self.errors = Counter("khabar_feed_errors", "Failed polls by source and kind (see ERROR_KINDS)",
                              ["source", "kind"], registry=registry)
        self.fetch_seconds = Histogram("khabar_feed_fetch_seconds", "Feed fetch duration",
                                       registry=registry,
                                       buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))

    def record(self, state: FeedState, outcome: str, fetch_seconds: float | None = None) -> None:
        source = state.id
        self.polls.labels(source, outcome).inc()
        self.items.labels(source).inc(state.items_last_poll if outcome == "ok" else 0)
        if outcome == "error":
            self.errors.labels(source, error_kind(state.last_error, state.http_status)).inc()
        if state.last_success:
            self.last_success.labels(source).set(state.last_success.timestamp())
        if state.next_poll:
            self.next_poll.labels(source).set(state.next_poll.timestamp())
        self.error_streak.labels(source).set(state.error_streak)
        self.http_status.labels(source).set(state.http_status or 0)
        self.items_last_poll.labels(source).set(state.items_last_poll)
        if fetch_seconds is not None:
            self.fetch_seconds.observe(fetch_seconds)


_default: FeedMetrics | None = None


def default_metrics() -> FeedMetrics:
    """The process-wide metrics on prometheus_client's default REGISTRY (created once)."""
    global _default
    if _default is None:
        _default = FeedMetrics()
    return _default


class HealthIndex:
    """Writes health documents to `settings.index("feeds")`; an unreachable ES is logged, not fatal."""

    def __init__(self, settings: Settings, timeout: float = 5.0) -> None:
        from elasticsearch import AsyncElasticsearch

        options: dict[str, Any] = {"hosts": [settings.es_url], "request_timeout": timeout,
                                   "max_retries": 0}
        if settings.es_username is not None:
            options["basic_auth"] = (settings.es_username, settings.es_password or "")
        self.index = settings.index("feeds")
        self.client = AsyncElasticsearch(**options)
        self._down_since: float | None = None
        self._retry_at = 0.0

    async def write(self, state: FeedState) -> bool:
        """Index one source's document; False (and one log line per outage) when ES is away."""
        now = time.monotonic()
        if self._down_since is not None and now < self._retry_at:
            return False
        try:
            await self.client.index(index=self.index, id=state.id, document=health_doc(state))
        except Exception as exc:  # noqa: BLE001 - any transport/API error: health is best effort
            if self._down_since is None:
                log.warning("feed health not indexed: Elasticsearch unavailable", index=self.index,
                            error=str(exc)[:200])
                self._down_since = now
            self._retry_at = now + 30.0
            return False
        if self._down_since is not None:
            log.info("feed health indexing resumed", index=self.index)
            self._down_since = None
        return True

    async def aclose(self) -> None:
        await self.client.close()
