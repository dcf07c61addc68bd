"""The raw chain of `khabar bench pipeline`: the least any stream path must do with the same articles.

The pipeline's final documents (read back from Elasticsearch after its run) are produced with
a plain kafka-python producer (its own process, like the pollers) to a fresh topic, read back by
a bare consumer in this process that decodes each value and sends every batch through
`helpers.bulk` to fresh indices with the same templates, until all are searchable. Producer and
consumer+bulk run at the same time, as the pipeline's stages do; the clock runs from the
producer's go to the last document searchable.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from khabar.cli.bench.pipeline_probe import count_docs
from khabar.cli.bench.pipeline_procs import Producer
from khabar.cli.bench.pipeline_stats import cpu_seconds
from khabar.settings import Settings

PARTITIONS = 4
BATCH = 500


def _setup_indices(settings: Settings) -> None:
    from khabar.es.client import make_client
    from khabar.es.setup import ensure_setup

    async def go() -> None:
        client = make_client(settings)
        try:
            await ensure_setup(client, settings)
        finally:
            await client.close()

    asyncio.run(go())


def run_raw_chain(settings: Settings, raw_settings: Settings, topic: str,
                  docs: list[tuple[str, str, dict[str, Any]]], pids: dict[str, int], env: dict[str, str],
                  scratch: Path, timeout_s: float = 600.0) -> dict[str, Any]:
    """Time N documents through produce -> consume -> bulk -> searchable; CPU of each process."""
    from elasticsearch import helpers
    from kafka import KafkaConsumer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic

    from khabar.es.client import make_sync_client

    n = len(docs)
    _setup_indices(raw_settings)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    finally:
        admin.close()
    swap = (settings.index_prefix, raw_settings.index_prefix)
    records = scratch / "rawchain.tsv"
    records.write_text("".join(
        doc_id + "\t" + json.dumps({"_index": index.replace(*swap, 1), "doc": source}, ensure_ascii=False) + "\n"
        for index, doc_id, source in docs), encoding="utf-8")
    producer = Producer(env, records, scratch / "rawchain.json", plain_topic=topic)
    es = make_sync_client(raw_settings)
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                             max_poll_records=BATCH)
    tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    consumer.poll(timeout_ms=100)  # connect and fetch metadata before the clock starts
    errors: list[str] = []
    try:
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        own_before = time.process_time()
        started = time.time()
        producer.go()
        seen = 0
        while seen < n and time.time() - started < timeout_s:
            batch = consumer.poll(timeout_ms=500, max_records=BATCH)
            actions = []
            for recs in batch.values():
                for rec in recs:
                    value = json.loads(rec.value)
                    actions.append({"_index": value["_index"], "_id": rec.key.decode(), "_source": value["doc"]})
            if actions:
                _, failed = helpers.bulk(es, actions, chunk_size=BATCH, raise_on_error=False, stats_only=True)
                if failed:
                    errors.append(f"{failed} bulk item(s) failed")
                seen += len(actions)
        bulked = time.time()
        while count_docs(es, raw_settings) < n and time.time() - started < timeout_s:
            time.sleep(0.05)
        searchable = time.time()
        in_index = count_docs(es, raw_settings)
        own = time.process_time() - own_before
        cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        sent = producer.finish()
    finally:
        producer.kill()
        consumer.close()
        es.close()
    elapsed = searchable - started
    cpu = {"producer": sent["cpu_s"], "consumer_bulk": own, **{k: cpu_after[k] - cpu_before[k] for k in cpu_after}}
    return {
        "documents": n,
        "searchable": in_index,
        "seconds": round(elapsed, 3),
        "articles_per_s": round(n / elapsed, 1) if elapsed > 0 else 0.0,
        "produce_s": round(sent["last_ack"] - sent["first_send"], 3),
        "consume_bulk_s": round(bulked - started, 3),
        "cpu_ms_per_article": {k: round(v * 1000 / n, 3) for k, v in cpu.items()}
        | {"total": round(sum(cpu.values()) * 1000 / n, 3)},
        "errors": errors,
    }
