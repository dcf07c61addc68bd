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
import time
from dataclasses import dataclass
from typing import Any

from processors.statelog import decode, encode, open_local_store, read_messages

__all__ = ["Journal", "RebuildStats", "decode", "encode", "open_local_store", "read_latest", "rebuild"]

RESTORE_CHUNK = 2000


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


@dataclass
class RebuildStats:
    records: int  # messages read (every version, before compaction caught up)
    keys: int  # distinct docs in the log
    kept: int  # inside the window, restored
    seconds: float


async def read_latest(bootstrap: str, topic: str) -> tuple[dict[str, dict[str, Any]], int]:
    """Latest record per key of the log (what compaction converges to); and messages read."""
    latest: dict[str, dict[str, Any]] = {}

    def apply(key: str, value: bytes | None) -> None:
        latest.pop(key, None)  # keep the order of last writes
        if value is not None:
            latest[key] = decode(value)

    read = await read_messages(bootstrap, topic, apply)
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
