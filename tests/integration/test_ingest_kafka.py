"""Ingest against the real local Kafka and Elasticsearch: produce, state, restart, health.

Feeds are canned on 127.0.0.1; each test uses its own topic and index prefix and deletes
what it created.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/feedserver.py
from feedserver import Canned, FeedServer, rss  # noqa: E402

from ingest.run import poll_all_once, poll_forever  # noqa: E402
from ingest.sources import Source  # noqa: E402
from ingest.state import read_states  # noqa: E402
from khabar.cli.feeds import read_health  # noqa: E402
from khabar.models import RawArticle  # noqa: E402
from khabar.settings import Settings  # noqa: E402

pytestmark = pytest.mark.integration


def items(start: int, n: int) -> list[dict[str, str]]:
    return [{"title": f"اشتباكات عنيفة في الحسكة ({i})", "link": f"https://news.example/hasakah/{i}",
             "guid": f"urn:hasakah:{i}", "pubDate": "Tue, 28 Jul 2015 10:00:00 GMT",
             "description": "<p>قال المرصد السوري إن الاشتباكات مستمرة</p>"} for i in range(start, start + n)]


def consume_all(settings: Settings, topic: str) -> list[tuple[str, bytes]]:
    """Every (key, value) of a topic, read from the beginning to the current end."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                             enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        begin, end = consumer.beginning_offsets(tps), consumer.end_offsets(tps)
        todo = {tp for tp in tps if end[tp] > begin[tp]}
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, begin[tp])
        out = []
        while todo:
            for tp, records in consumer.poll(timeout_ms=1000).items():
                out.extend((r.key.decode(), r.value) for r in records)
                if records and records[-1].offset + 1 >= end[tp]:
                    todo.discard(tp)
        return out
    finally:
        consumer.close()


@pytest.fixture
def cleanup(isolated_settings: Settings):
    yield isolated_settings
    from elasticsearch import Elasticsearch
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=isolated_settings.kafka_bootstrap)
    try:
        mine = [t for t in admin.list_topics() if t.startswith(isolated_settings.topic_prefix)]
        if mine:
            admin.delete_topics(mine)
    finally:
        admin.close()
    with Elasticsearch(isolated_settings.es_url) as es:
        es.options(ignore_status=404).indices.delete(index=isolated_settings.index("feeds"))


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


async def test_produce_state_and_restart_emit_nothing_twice(cleanup: Settings, server: FeedServer) -> None:
    settings = cleanup
    steady = server.route("/steady.xml", Canned(rss(items(0, 3)), etag='"s1"'))
    growing = server.route("/growing.xml", Canned(rss(items(10, 2))), Canned(rss(items(10, 3))))
    broken = server.route("/broken.xml", Canned(status=500))
    sources = [Source(id="steady", url=steady), Source(id="growing", url=growing),
               Source(id="broken", url=broken)]

    first = await poll_all_once(settings, sources)
    assert first.sources == 3 and len(first.produced_ids) == 5
    assert first.errors == ["broken: HTTP 500"]

    records = consume_all(settings, settings.topic("articles.raw"))
    assert sorted(k for k, _ in records) == sorted(first.produced_ids)
    articles = [RawArticle.model_validate_json(v) for _, v in records]
    assert all(a.id == k for (k, _), a in zip(records, articles, strict=True))
    assert {a.title for a in articles} == {f"اشتباكات عنيفة في الحسكة ({i})" for i in (0, 1, 2, 10, 11)}

    # a restarted poller (new producer, state read back from the compacted topic)
    states = read_states(settings)
    assert set(states) == {"steady", "growing", "broken"}
    assert set(states["steady"].seen) | set(states["growing"].seen) == set(first.produced_ids)
    assert states["steady"].etag == '"s1"' and states["broken"].error_streak == 1

    second = await poll_all_once(settings, sources)
    assert second.errors == ["broken: HTTP 500"]
    (new_id,) = second.produced_ids
    records = consume_all(settings, settings.topic("articles.raw"))
    assert len(records) == 6 and len({k for k, _ in records}) == 6
    assert RawArticle.model_validate_json(dict(records)[new_id]).guid == "urn:hasakah:12"
    assert server.hits("/steady.xml")[1].headers["if-none-match"] == '"s1"'

    # the state topic is compacted, one partition
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, settings.topic("feeds.state"))])
        configs = {c[0]: c[1] for c in described[0].resources[0][4]}
    finally:
        admin.close()
    assert configs["cleanup.policy"] == "compact"

    # feed health in Elasticsearch, _id = source id
    from elasticsearch import Elasticsearch

    with Elasticsearch(settings.es_url) as es:
        es.indices.refresh(index=settings.index("feeds"))
        docs = {h["_id"]: h["_source"] for h in es.search(index=settings.index("feeds"), size=10)["hits"]["hits"]}
    assert set(docs) == {"steady", "growing", "broken"}
    assert docs["broken"]["error_streak"] == 2 and docs["broken"]["last_error"] == "HTTP 500"
    assert docs["steady"]["http_status"] == 304 and docs["steady"]["items_total"] == 3
    assert docs["growing"]["items_last_poll"] == 1 and docs["growing"]["polls_total"] == 2
    origin, health = read_health(settings)
    assert origin == "elasticsearch" and health["growing"]["items_total"] == 3


async def test_poll_forever_reports_status_and_stops(cleanup: Settings, server: FeedServer) -> None:
    settings = cleanup
    url = server.route("/live.xml", Canned(rss(items(0, 2)), etag='"l"'))
    sources = [Source(id="live", url=url, min_interval=0.2, max_interval=0.5)]
    statuses: list[dict] = []
    stop = asyncio.Event()

    def on_status(status: dict) -> None:
        if status.get("saved"):  # each source's saved state, reported once before any poll
            assert status["outcome"] == "never polled" and not statuses
            return
        statuses.append(status)
        if len(statuses) >= 2:
            stop.set()

    await asyncio.wait_for(poll_forever(settings, sources, stop, on_status), timeout=120)
    assert [s["outcome"] for s in statuses[:2]] == ["ok", "not_modified"]
    assert statuses[0]["items"] == 2 and statuses[1]["items"] == 0
    records = consume_all(settings, settings.topic("articles.raw"))
    assert len(records) == 2
    states = read_states(settings)
    assert states["live"].polls_total >= 2 and len(states["live"].seen) == 2
