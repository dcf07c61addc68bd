"""State logs on Kafka topics, for the stateful agent's local stores (dedup index, alert state).

A Faust table writes one changelog message per key it sets; the stateful stages set several
keys per article. Instead, each stage keeps its state in a local RocksDB store (no changelog,
rebuilt whenever a worker takes `articles.cleaned`) and logs ONE message per article to its
own topic (khabar/topics.py): dedup its record (processors/dedup/log.py), alerts the keys
one evaluation wrote (processors/alerts/store.py). This module reads such a topic back and
opens the local stores.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decode(value: bytes) -> Any:
    return json.loads(value)


def open_local_store(path: Path) -> Any:
    """An empty RocksDB store (rocksdict) at `path`: it is always rebuilt from its log."""
    from rocksdict import Options, Rdict, WriteOptions

    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = Options()
    options.create_if_missing(True)
    store = Rdict(str(path), options)
    write = WriteOptions()
    write.disable_wal = True  # nothing here needs to survive a crash: the log is the truth
    store.set_write_options(write)
    return store


async def read_messages(bootstrap: str, topic: str, on_message: Callable[[str, bytes | None], None]) -> int:
    """Feed every message of the topic, up to its end now, to `on_message(key, value)` in order
    (per partition); returns how many were read."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=8 << 20,
                                fetch_max_bytes=32 << 20)
    await consumer.start()
    read = 0
    try:
        partitions = consumer.partitions_for_topic(topic) or {0}
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        await consumer.seek_to_beginning(*tps)
        remaining = {tp for tp in tps if ends[tp] > 0}
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=1000, max_records=5000)
            for tp, messages in batches.items():
                for message in messages:
                    if message.offset < ends[tp]:
                        read += 1
                        on_message(message.key.decode() if message.key else "", message.value)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return read
