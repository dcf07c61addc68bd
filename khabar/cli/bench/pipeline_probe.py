"""What `khabar bench pipeline` asks Kafka and Elasticsearch while it measures.

Searchability is asked the way a user sees it: `count` and `ids` searches without forcing a
refresh, so a document counts once a refresh has made it visible.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError

from khabar.settings import Settings

BUSY = (429, 500, 502, 503, 504)  # e.g. a new monthly index whose shards are still starting


def count_docs(es: Elasticsearch, settings: Settings) -> int:
    try:
        return int(es.count(index=settings.index("articles"), ignore_unavailable=True)["count"])
    except NotFoundError:
        return 0
    except ApiError as exc:
        if exc.meta.status in BUSY:
            return -1
        raise


def found_ids(es: Elasticsearch, settings: Settings, ids: Iterable[str]) -> set[str]:
    """Which of `ids` are searchable now."""
    wanted = list(ids)
    found: set[str] = set()
    for i in range(0, len(wanted), 1000):
        chunk = wanted[i:i + 1000]
        try:
            res = es.search(index=settings.index("articles"), query={"ids": {"values": chunk}},
                            size=len(chunk), source=False, ignore_unavailable=True)
        except NotFoundError:
            continue
        except ApiError as exc:
            if exc.meta.status in BUSY:
                continue
            raise
        found.update(hit["_id"] for hit in res["hits"]["hits"])
    return found


def dedup_statuses(es: Elasticsearch, settings: Settings, ids: list[str]) -> dict[str, int]:
    """Documents among `ids` per dedup status (near copies the pipeline recognised)."""
    res = es.search(index=settings.index("articles"), size=0, ignore_unavailable=True,
                    query={"ids": {"values": ids}},
                    aggs={"s": {"terms": {"field": "dedup.status", "size": 10}}})
    return {b["key"]: b["doc_count"] for b in res["aggregations"]["s"]["buckets"]}


def final_documents(es: Elasticsearch, settings: Settings, ids: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(index, id, source) of the indexed articles among `ids`: what the raw chain carries."""
    from elasticsearch import helpers

    hits = helpers.scan(es, index=settings.index("articles"), query={"query": {"ids": {"values": ids}}},
                        size=1000)
    return [(h["_index"], h["_id"], h["_source"]) for h in hits]


def end_offsets(bootstrap: str, names: list[str]) -> dict[str, int]:
    """Records ever written to each topic (sum of its partitions' end offsets)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        out = {}
        for name in names:
            tps = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name) or ()]
            out[name] = sum(consumer.end_offsets(tps).values()) if tps else 0
        return out
    finally:
        consumer.close()


def list_topics(bootstrap: str) -> list[str]:
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return list(admin.list_topics())
    finally:
        admin.close()


def group_members(bootstrap: str, group: str) -> tuple[str, int]:
    """(state, member count) of a consumer group, ("", 0) when it does not exist yet."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        info = admin.describe_consumer_groups([group])[0]
        return str(info.state), len(info.members)
    except Exception:  # noqa: BLE001 - not there yet / coordinator loading: ask again
        return "", 0
    finally:
        admin.close()
