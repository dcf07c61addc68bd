"""The producing side of `khabar bench pipeline`, run as its own process so its CPU is its own.

It sends RawArticles (JSON lines in a file) to `articles.raw` through ingest's KafkaSink: the
pollers' producer settings, key and serialisation. `fetched_at` is stamped when an article is
handed to the producer. Either as fast as the sink takes them (batches of one feed's worth,
several in flight, like a cold start of many feeds) or at a steady rate. Protocol: prints
READY once connected, waits for a line on stdin, produces, writes a JSON result file:
{"cpu_s", "first_send", "last_ack", "sent": {id: epoch seconds}}.

With --plain-topic it is the raw chain's producer instead: lines of "key<TAB>value" sent as
they are by a plain kafka-python producer (no "sent" map in the result).

    python -m khabar.cli.bench.pipeline_producer ARTICLES.jsonl RESULT.json [--rate R]
    python -m khabar.cli.bench.pipeline_producer RECORDS.tsv RESULT.json --plain-topic TOPIC
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from ingest.producer import KafkaSink
from khabar.models import RawArticle
from khabar.settings import get_settings

FEED_BATCH = 20  # a feed's new entries go out together (Poller -> sink.send_articles)
IN_FLIGHT = 16  # feeds polled concurrently
TICK_S = 0.05


def _stamp(chunk: list[RawArticle], sent: dict[str, float]) -> list[RawArticle]:
    now = datetime.now(UTC)
    for raw in chunk:
        sent[raw.id] = now.timestamp()
    return [raw.model_copy(update={"fetched_at": now}) for raw in chunk]


async def produce_fast(sink: KafkaSink, raws: list[RawArticle], sent: dict[str, float]) -> None:
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(chunk: list[RawArticle]) -> None:
        try:
            await sink.send_articles(chunk)
        finally:
            slots.release()

    tasks = []
    for i in range(0, len(raws), FEED_BATCH):
        await slots.acquire()
        tasks.append(asyncio.create_task(one(_stamp(raws[i:i + FEED_BATCH], sent))))
    await asyncio.gather(*tasks)


async def produce_steady(sink: KafkaSink, raws: list[RawArticle], rate: float, sent: dict[str, float]) -> None:
    start = time.monotonic()
    done = 0
    tasks = []
    while done < len(raws):
        due = min(len(raws), int((time.monotonic() - start) * rate) + 1)
        if due > done:
            tasks.append(asyncio.create_task(sink.send_articles(_stamp(raws[done:due], sent))))
            done = due
        await asyncio.sleep(TICK_S)
    await asyncio.gather(*tasks)


async def _main(articles: Path, result: Path, rate: float | None) -> None:
    raws = [RawArticle.model_validate_json(line) for line in articles.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    sink = KafkaSink(get_settings())
    sink.warm_up()
    print("READY", flush=True)
    sys.stdin.readline()
    sent: dict[str, float] = {}
    cpu = time.process_time()
    first = time.time()
    if rate:
        await produce_steady(sink, raws, rate, sent)
    else:
        await produce_fast(sink, raws, sent)
    await sink.flush()
    last_ack = time.time()
    cpu = time.process_time() - cpu
    sink.close()
    result.write_text(json.dumps({"cpu_s": cpu, "first_send": first, "last_ack": last_ack, "sent": sent}))


def _plain(records: Path, result: Path, topic: str) -> None:
    from kafka import KafkaProducer

    lines = records.read_text(encoding="utf-8").splitlines()
    # batching like the workers' Faust producer (5 ms linger, 512 KB batches, 4 MB requests):
    # with kafka-python's 16 KB default a batch holds two or three of these documents
    producer = KafkaProducer(bootstrap_servers=get_settings().kafka_bootstrap, linger_ms=5,
                             batch_size=512 * 1024, max_request_size=4 * 1024 * 1024)
    producer.partitions_for(topic)
    print("READY", flush=True)
    sys.stdin.readline()
    cpu, first = time.process_time(), time.time()
    for line in lines:
        key, _, value = line.partition("\t")
        producer.send(topic, key=key.encode(), value=value.encode())
    producer.flush()
    last_ack = time.time()
    cpu = time.process_time() - cpu
    producer.close()
    result.write_text(json.dumps({"cpu_s": cpu, "first_send": first, "last_ack": last_ack}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("articles", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--rate", type=float, default=None, help="articles/s (default: as fast as possible)")
    parser.add_argument("--plain-topic", default=None, help="raw chain: send key<TAB>value lines to this topic")
    args = parser.parse_args(argv)
    if args.plain_topic:
        _plain(args.articles, args.result, args.plain_topic)
    else:
        asyncio.run(_main(args.articles, args.result, args.rate))


if __name__ == "__main__":
    main()
