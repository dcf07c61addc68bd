"""The real local stack: status, idempotent up, Kafka and Elasticsearch round trips.

Starts the stack if it is not up and stops only what this module started.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from khabar.cli.stack import app
from khabar.settings import get_settings
from khabar.stack import ensure_up_for_tests, stack_status, stack_up, teardown_for_tests

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def stack() -> Iterator[None]:
    get_settings.cache_clear()
    ensure_up_for_tests()
    yield
    teardown_for_tests()


def test_status_json_reports_both_healthy() -> None:
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    st = json.loads(result.stdout)
    kafka, es = st["kafka"], st["elasticsearch"]
    assert kafka["healthy"] and es["healthy"]
    assert kafka["version"].startswith("4.")
    assert es["version"].startswith("9.")
    settings = get_settings()
    broker = int(settings.kafka_bootstrap.rsplit(":", 1)[1])
    http = urlsplit(settings.es_url).port
    assert kafka["ports"] == {"broker": broker, "controller": broker + 1}
    assert es["ports"] == {"http": http, "transport": http + 100}
    for svc in (kafka, es):
        assert isinstance(svc["pid"], int)
        assert svc["rss_mb"] and svc["rss_mb"] > 50


def test_up_is_idempotent() -> None:
    before = {n: s["pid"] for n, s in stack_status().items()}
    result = stack_up()
    assert result["started"] == []
    assert {n: s["pid"] for n, s in result["services"].items()} == before
    cli = CliRunner().invoke(app, ["up"])
    assert cli.exit_code == 0
    assert "already running" in cli.output


def test_kafka_produce_consume_roundtrip() -> None:
    from kafka import KafkaConsumer, KafkaProducer

    bootstrap = get_settings().kafka_bootstrap
    topic = f"khabar.test.stack.{uuid.uuid4().hex[:8]}"
    payload = "خبر عاجل".encode()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        # the first send auto-creates the topic (4 partitions)
        producer.send(topic, key=b"k1", value=payload).get(timeout=30)
    finally:
        producer.close()
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"g-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest", consumer_timeout_ms=20000,
    )
    got = []
    try:
        for m in consumer:  # stops at the first message, or after 20 s of silence
            got.append((m.key, m.value))
            break
    finally:
        consumer.close()
    assert got == [(b"k1", payload)]


def test_kafka_auto_created_topic_has_four_partitions() -> None:
    from kafka import KafkaAdminClient, KafkaProducer

    bootstrap = get_settings().kafka_bootstrap
    topic = f"khabar.test.parts.{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    producer.send(topic, b"x").get(timeout=30)
    producer.close()
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        desc = admin.describe_topics([topic])[0]
        assert len(desc["partitions"]) == 4
        admin.delete_topics([topic])
    finally:
        admin.close()


def test_elasticsearch_index_search_roundtrip() -> None:
    from elasticsearch import Elasticsearch

    es = Elasticsearch(get_settings().es_url, request_timeout=30)
    index = f"khabar-test-stack-{uuid.uuid4().hex[:8]}"
    try:
        es.indices.create(index=index, settings={"number_of_replicas": 0})
        es.index(index=index, id="a1", document={"title": "shelling near Aleppo", "lang": "en"},
                 refresh=True)
        deadline = time.monotonic() + 10
        while True:
            hits = es.search(index=index, query={"match": {"title": "aleppo"}})["hits"]["hits"]
            if hits or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert [h["_id"] for h in hits] == ["a1"]
        assert es.get(index=index, id="a1")["_source"]["lang"] == "en"
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)
        es.close()
