"""The dedup state log: one compact record per article on a compacted topic, the index local.

A Faust table logs every key it writes; the dedup index writes ~90 keys per article (LSH
bands, sampled shingles, window buckets), all derived from the article's record. So the
stream keeps the index in a local RocksDB store (no changelog) and logs only the records
(`khabar.dedup.fingerprints`, key = doc key, value = the record as JSON: id, status, of,
similarity, copies, timestamp, hour, exact key, shingle count, MOD-m sample, LSH bands).
When a worker takes `articles.cleaned` (start, restart after kill -9, another machine with
an empty state dir, a rebalance), it empties the local store and rebuilds it from the topic
(latest record per key, those inside the window), then goes on from the committed offset.
Records are sent before the batch's offsets are committed (Faust flushes the producer before
a commit), so a replayed article finds its own record and is treated as a revision.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESTORE_CHUNK = 2000


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decode(value: bytes) -> dict[str, Any]:
    return json.loads(value)


class Journal:
    """Collects the records written while a batch is processed (the last write per key wins)."""

    def __init__(self) -> None:
        self.pending: dict[str, dict[str, Any]] = {}

    def __call__(self, key: str, record: dict[str, Any]) -> None:
        self.pending.pop(key, None)  # keep write order: a re-written key moves to the end
        self.pending[key] = record

    def drain(self) -> list[tuple[bytes, bytes]]:
        """(key, value) messages for the log, oldest first; empties the journal."""
        out = [(key.encode(), encode(record)) for key, record in self.pending.items()]
        self.pending.clear()
        return out


def open_local_store(path: Path) -> Any:
    """An empty RocksDB store (rocksdict) at `path`: the index is always rebuilt from the log."""
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


@dataclass
class RebuildStats:
    records: int  # messages read (every version, before compaction caught up)
    keys: int  # distinct docs in the log
    kept: int  # inside the window, restored
    seconds: float


async def read_latest(bootstrap: str, topic: str,
                      progress: Callable[[int, int], None] | None = None) -> tuple[dict[str, dict[str, Any]], int]:
    """Latest record per key of the (one-partition) log, up to its end now; and messages read."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=8 << 20,
                                fetch_max_bytes=32 << 20)
    await consumer.start()
    latest: dict[str, dict[str, Any]] = {}
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
                    if message.offset >= ends[tp]:
                        continue
                    read += 1
                    key = message.key.decode()
                    if message.value is None:
                        latest.pop(key, None)
                    else:
                        latest.pop(key, None)
                        latest[key] = decode(message.value)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
            if progress is not None:
                progress(read, sum(ends.values()))
    finally:
        await consumer.stop()
    return latest, read


async def rebuild(deduplicator: Any, bootstrap: str, topic: str) -> RebuildStats:
    """Fill a fresh Deduplicator's store from the log (see module docstring)."""
    started = time.monotonic()
    latest, read = await read_latest(bootstrap, topic)
    items = list(latest.items())
    del latest
    kept = 0
    for start in range(0, len(items), RESTORE_CHUNK):  # let heartbeats run in between
        kept += deduplicator.restore(items[start:start + RESTORE_CHUNK])
        await asyncio.sleep(0)
    return RebuildStats(read, len(items), kept, time.monotonic() - started)
