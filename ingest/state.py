"""Per-feed state, kept in the compacted topic `khabar.feeds.state` (key = source id).

It holds what makes a restart (or a poller on another machine) resume without re-sending:
the conditional-GET validators, the ids already emitted (bounded per feed), the next poll
time and adaptive interval, the error streak — plus the health counters shown by
`khabar feeds status`. Compaction keeps only the latest value per feed.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from khabar import topics
from khabar.errors import ServiceUnavailable
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger(__name__)

SEEN_MIN = 1000  # ids remembered per feed, at least ...
SEEN_FACTOR = 3  # ... and this many times the entries in the feed's latest document,
SEEN_MAX = 20000  # ... but never more (keeps one state record well under 1 MB)


class FeedState(BaseModel):
    id: str
    name: str = ""
    url: str | None = None
    etag: str | None = None  # for local files: "file:<mtime_ns>:<size>"
    last_modified: str | None = None
    seen: list[str] = Field(default_factory=list)  # emitted article ids, oldest first
    next_poll: datetime | None = None
    interval: float | None = None  # current adaptive interval, seconds
    error_streak: int = 0
    last_poll: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    http_status: int | None = None
    items_last_poll: int = 0
    entries_last_poll: int = 0
    polls_total: int = 0
    items_total: int = 0
    problem: str | None = None  # last parse problem of a feed that was still used
    moved_to: str | None = None  # final URL of a permanent redirect: update feeds.yaml

    def remember(self, ids: list[str], feed_size: int) -> None:
        """Add newly emitted ids, dropping the oldest beyond the bound."""
        known = set(self.seen)
        self.seen.extend(i for i in ids if i not in known)
        bound = min(max(SEEN_MIN, SEEN_FACTOR * feed_size), SEEN_MAX)
        if len(self.seen) > bound:
            del self.seen[: len(self.seen) - bound]


def ensure_state_topic(settings: Settings, timeout: float = 15.0) -> None:
    """Create the compacted state topic if missing (kafka-python admin)."""
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic
    from kafka.errors import KafkaError, NoBrokersAvailable, TopicAlreadyExistsError

    topic = settings.topic(topics.FEEDS_STATE)
    ms = int(timeout * 1000)
    try:
        admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap.split(","),
                                 client_id="khabar-ingest-admin", request_timeout_ms=ms)
    except NoBrokersAvailable:
        raise ServiceUnavailable(f"Kafka not reachable at {settings.kafka_bootstrap}") from None
    try:
        if topic in admin.list_topics():
            return
        brokers = len(admin.describe_cluster().get("brokers") or []) or 1
        new = NewTopic(topic, num_partitions=topics.FEEDS_STATE_PARTITIONS, replication_factor=min(3, brokers),
                       topic_configs={"cleanup.policy": "compact",
                                      "min.cleanable.dirty.ratio": "0.1",
                                      "segment.ms": str(6 * 3600 * 1000)})
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics([new], timeout_ms=ms)
        log.info("created compacted state topic", topic=topic)
    except KafkaError as exc:
        raise ServiceUnavailable(f"Kafka at {settings.kafka_bootstrap}: cannot create {topic}: {exc}") from None
    finally:
        with contextlib.suppress(Exception):
            admin.close()


def read_states(settings: Settings, timeout: float = 30.0) -> dict[str, FeedState]:
    """The latest state of every feed: the state topic read from the start to its end."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.errors import KafkaError, NoBrokersAvailable

    topic = settings.topic(topics.FEEDS_STATE)
    try:
        consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap.split(","),
                                 client_id="khabar-ingest-state", group_id=None,
                                 enable_auto_commit=False, request_timeout_ms=int(timeout * 1000) + 1000)
    except NoBrokersAvailable:
        raise ServiceUnavailable(f"Kafka not reachable at {settings.kafka_bootstrap}") from None
    states: dict[str, FeedState] = {}
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return states
        begin = consumer.beginning_offsets(tps)
        end = consumer.end_offsets(tps)
        todo = {tp for tp in tps if end[tp] > begin[tp]}
        if not todo:
            return states
        consumer.assign(sorted(todo, key=lambda tp: tp.partition))
        for tp in todo:
            consumer.seek(tp, begin[tp])
        deadline = time.monotonic() + timeout
        while todo:
            if time.monotonic() > deadline:
                raise ServiceUnavailable(f"Kafka at {settings.kafka_bootstrap}: reading {topic} "
                                         f"timed out after {timeout:g}s")
            for tp, records in consumer.poll(timeout_ms=500).items():
                for record in records:
                    _apply(states, record.key, record.value)
                if records and records[-1].offset + 1 >= end[tp]:
                    todo.discard(tp)
    except KafkaError as exc:
        raise ServiceUnavailable(f"Kafka at {settings.kafka_bootstrap}: cannot read {topic}: {exc}") from None
    finally:
        with contextlib.suppress(Exception):
            consumer.close()
    return states


def _apply(states: dict[str, FeedState], key: bytes | None, value: bytes | None) -> None:
    if key is None:
        return
    feed_id = key.decode("utf-8", "replace")
    if value is None:  # tombstone: the feed's state was deleted
        states.pop(feed_id, None)
        return
    try:
        states[feed_id] = FeedState.model_validate_json(value)
    except ValueError as exc:
        log.warning("unreadable feed state ignored", feed=feed_id, error=str(exc)[:200])


def state_value(state: FeedState) -> dict[str, Any]:
    return state.model_dump(mode="json")
