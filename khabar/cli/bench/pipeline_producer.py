"""The producing side of `khabar bench pipeline`, run as its own process so its CPU is its own.

It sends RawArticles (JSON lines in a file) to `articles.raw` through ingest's KafkaSink: the
pollers' producer settings, key and serialisation. `fetched_at` is stamped when an article is
handed to the producer. Either as fast as the sink takes them (batches of one feed's worth,
several in flight, like a cold start of many feeds) or at a steady rate. Protocol: prints
READY once connected, waits for a line on stdin, produces, writes a JSON result file:
{"cpu_s", "first_send", "last_ack", "sent": {id: epoch seconds}}.

    python -m khabar.cli.bench.pipeline_producer ARTICLES.jsonl RESULT.json [--rate R]
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("articles", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--rate", type=float, default=None, help="articles/s (default: as fast as possible)")
    args = parser.parse_args(argv)
    asyncio.run(_main(args.articles, args.result, args.rate))


if __name__ == "__main__":
    main()
