"""Wait until everything `khabar run --once` produced is indexed or dead-lettered."""

from __future__ import annotations

import json
import time
from datetime import datetime

from khabar import topics
from khabar.errors import ServiceUnavailable
from khabar.settings import Settings


def dlq_end_offsets(settings: Settings) -> dict:
    """Current end offsets of the DLQ topic, taken before producing, to read only new letters."""
    from kafka import TopicPartition

    consumer = _consumer(settings)
    try:
        parts = consumer.partitions_for_topic(settings.topic(topics.DLQ)) or set()
        tps = [TopicPartition(settings.topic(topics.DLQ), p) for p in parts]
        return consumer.end_offsets(tps) if tps else {}
    finally:
        consumer.close()


def _consumer(settings: Settings):
    from kafka import KafkaConsumer
    from kafka.errors import NoBrokersAvailable

    try:
        return KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=500, request_timeout_ms=15000)
    except NoBrokersAvailable:
        raise ServiceUnavailable(f"Kafka not reachable at {settings.kafka_bootstrap}") from None


def read_dead_letter_ids(settings: Settings, start: dict) -> set[str]:
    """Ids (message keys, else record.id) of letters that arrived after `start` offsets."""
    from kafka import TopicPartition

    consumer = _consumer(settings)
    topic = settings.topic(topics.DLQ)
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in parts]
        if not tps:
            return set()
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, start.get(tp, 0))
        ids: set[str] = set()
        for msg in consumer:
            key = msg.key.decode() if msg.key else ""
            if not key:
                try:
                    rec = json.loads(msg.value).get("record") or {}
                    key = rec.get("id", "") if isinstance(rec, dict) else ""
                except ValueError:
                    key = ""
            if key:
                ids.add(key)
        return ids
    finally:
        consumer.close()


def indexed_ids(settings: Settings, ids: list[str], since: datetime) -> set[str]:
    """Which of `ids` are searchable with processed_at >= since."""
    from elasticsearch import ApiError, Elasticsearch, NotFoundError
    from elasticsearch import ConnectionError as ESConnectionError

    from khabar.es.client import make_sync_client

    es: Elasticsearch = make_sync_client(settings)
    found: set[str] = set()
    try:
        for i in range(0, len(ids), 1000):
            chunk = ids[i : i + 1000]
            query = {"bool": {"filter": [{"ids": {"values": chunk}},
                                         {"range": {"processed_at": {"gte": since.isoformat()}}}]}}
            try:
                res = es.search(index=settings.index("articles"), query=query, size=len(chunk),
                                source=False, ignore_unavailable=True)
            except NotFoundError:
                continue
            except ESConnectionError:
                break  # not reachable right now: ask again on the next round
            except ApiError as exc:
                if exc.meta.status in (429, 500, 502, 503, 504):
                    break  # e.g. a new monthly index whose shards are still starting
                raise
            found.update(hit["_id"] for hit in res["hits"]["hits"])
    finally:
        es.close()
    return found


def wait_drained(settings: Settings, ids: list[str], since: datetime, dlq_start: dict,
                 timeout_s: float = 180.0, on_progress=None) -> tuple[set[str], set[str]]:
    """Poll until every id is indexed or dead-lettered (or the timeout passes)."""
    wanted = set(ids)
    deadline = time.monotonic() + timeout_s
    indexed: set[str] = set()
    dead: set[str] = set()
    while True:
        dead = read_dead_letter_ids(settings, dlq_start) & wanted
        pending = sorted(wanted - dead - indexed)
        if pending:
            indexed |= indexed_ids(settings, pending, since)
        if on_progress:
            on_progress(len(indexed), len(dead), len(wanted))
        if not (wanted - dead - indexed) or time.monotonic() > deadline:
            return indexed, dead
        time.sleep(0.5)


def wait_idle(settings: Settings, topic_names: tuple[str, ...], timeout_s: float = 60.0) -> bool:
    """Wait until the workers' consumer group has committed every message of `topics`.

    Indexed ids are not the end of the work: an original's copy count and alert updates travel
    after it, so `run --once` must not stop the workers while those are still in flight.
    """
    from kafka import TopicPartition
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    consumer = _consumer(settings)
    deadline = time.monotonic() + timeout_s
    try:
        names = [settings.topic(t) for t in topic_names]
        tps = [TopicPartition(t, p) for t in names for p in (consumer.partitions_for_topic(t) or ())]
        while True:
            ends = consumer.end_offsets(tps)
            committed = admin.list_consumer_group_offsets(settings.faust_app_id)
            lagging = [tp for tp in tps if ends.get(tp, 0) > (committed[tp].offset if tp in committed else 0)]
            if not lagging:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)
    finally:
        consumer.close()
        admin.close()
