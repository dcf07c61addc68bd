"""Producing RawArticles (and feed state) to Kafka with kafka-python.

Records are keyed by article id (DESIGN §2), so a replay lands on the same partition and the
Elasticsearch `_id` makes it idempotent. `send_and_wait` turns kafka-python's futures into
awaitables: a poll marks entries as seen only after the broker acknowledged them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from typing import Any, Protocol

from khabar import topics
from khabar.errors import ServiceUnavailable
from khabar.models import DeadLetter, RawArticle
from khabar.settings import Settings


class ArticleSink(Protocol):
    """Where polled articles and feed state go (Kafka in production, memory in the benchmark)."""

    async def send_articles(self, articles: list[RawArticle]) -> None: ...

    async def send_state(self, key: str, value: dict[str, Any]) -> None: ...

    async def send_dead_letters(self, letters: list[DeadLetter]) -> None: ...

    async def flush(self) -> None: ...

    def close(self) -> None: ...


def make_kafka_producer(settings: Settings, client_id: str = "khabar-ingest") -> Any:
    """A KafkaProducer, or ServiceUnavailable naming the address tried."""
    from kafka import KafkaProducer
    from kafka.errors import KafkaError, NoBrokersAvailable

    try:
        return KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap.split(","),
            client_id=client_id,
            acks="all",
            linger_ms=20,
            retries=10,
            max_block_ms=30000,
            compression_type="gzip",
            key_serializer=lambda k: k.encode("utf-8"),
            value_serializer=lambda v: v if isinstance(v, bytes) else v.encode("utf-8"),
        )
    except NoBrokersAvailable:
        raise ServiceUnavailable(f"Kafka not reachable at {settings.kafka_bootstrap}") from None
    except KafkaError as exc:
        raise ServiceUnavailable(f"Kafka at {settings.kafka_bootstrap}: {exc}") from None


async def _wait(futures: Iterable[Any]) -> None:
    """Await kafka-python futures (resolved on its sender thread) without blocking the loop."""
    loop = asyncio.get_running_loop()
    waiters = []
    for future in futures:
        waiter = loop.create_future()

        def ok(_meta: Any, w: asyncio.Future = waiter) -> None:
            loop.call_soon_threadsafe(lambda: w.done() or w.set_result(None))

        def failed(exc: BaseException, w: asyncio.Future = waiter) -> None:
            loop.call_soon_threadsafe(lambda: w.done() or w.set_exception(exc))

        future.add_callback(ok)
        future.add_errback(failed)
        waiters.append(waiter)
    if waiters:
        await asyncio.gather(*waiters)


class KafkaSink:
    """Articles to `articles.raw` (key = id, value = RawArticle JSON), state to `feeds.state`."""

    def __init__(self, settings: Settings, producer: Any | None = None) -> None:
        self.raw_topic = settings.topic(topics.RAW)
        self.state_topic = settings.topic(topics.FEEDS_STATE)
        self.dlq_topic = settings.topic(topics.DLQ)
        self.producer = producer or make_kafka_producer(settings)

    async def send_articles(self, articles: list[RawArticle]) -> None:
        futures = [self.producer.send(self.raw_topic, key=a.id, value=a.model_dump_json())
                   for a in articles]
        await _wait(futures)

    async def send_state(self, key: str, value: dict[str, Any]) -> None:
        data = json.dumps(value, ensure_ascii=False, default=str)
        await _wait([self.producer.send(self.state_topic, key=key, value=data)])

    async def send_dead_letters(self, letters: list[DeadLetter]) -> None:
        """Entries ingest could not turn into RawArticles (key: the source id)."""
        futures = [self.producer.send(self.dlq_topic, key=str((d.record or {}).get("source", "ingest")),
                                      value=d.to_json()) for d in letters]
        await _wait(futures)

    def warm_up(self) -> None:
        """Fetch topic metadata now (blocking), so later sends never block the event loop."""
        for topic in (self.raw_topic, self.state_topic):
            self.producer.partitions_for(topic)

    async def flush(self) -> None:
        await asyncio.to_thread(self.producer.flush, 60)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.producer.close(timeout=10)


class MemorySink:
    """Keeps everything in lists: the benchmark's sink and the poller's unit tests."""

    def __init__(self) -> None:
        self.articles: list[RawArticle] = []
        self.states: dict[str, dict[str, Any]] = {}
        self.dead_letters: list[DeadLetter] = []

    async def send_articles(self, articles: list[RawArticle]) -> None:
        self.articles.extend(articles)

    async def send_state(self, key: str, value: dict[str, Any]) -> None:
        self.states[key] = value

    async def send_dead_letters(self, letters: list[DeadLetter]) -> None:
        self.dead_letters.extend(letters)

    async def flush(self) -> None:
        return None

    def close(self) -> None:
        return None
