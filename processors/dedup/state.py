"""Dedup state in a key-value store: a plain dict offline, a Faust table in the stream.

Only `get`, `[]=`, `del` and `in` are used, values are JSON (str/int/list/dict) and never
mutated in place (a Faust table would not see the change), and no call walks the whole
store. Keys:

    d:<doc>            record of one article: id, status, of, similarity, copies, timestamp,
                       hour bucket, exact key, MOD-m sample and LSH bands (packed base64)
    x:<exact>          first doc seen with this normalised content
    b<band>:<hash>     LSH bucket -> [doc, ...]
    s:<hash>           MOD-m sampled shingle -> [doc, ...] (the most recent POSTING_CAP)
    w:<hour>           number of docs registered in that hour; w:<hour>:<n> chunks of them
    w:cursor           the oldest hour not yet expired

`<doc>` is a 72-bit hash of the article id (12 base64 characters), so posting lists stay
small. Expiry walks only the hour buckets that left the window since the last call, and
drops each of their docs from every key that names it.

Only the `d:` records carry information; every other key is derived from them. So the stream
logs nothing but the records (`journal`: one compact record per article, plus the original's
when its copies count goes up) and keeps the derived keys in a local store that `restore`
rebuilds from those records (processors/dedup/log.py), instead of one changelog write per key.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Callable, MutableMapping
from typing import Any

HOUR = 3600
CHUNK = 64  # doc keys per bucket chunk: small values, small changelog messages
POSTING_CAP = 32  # a shingle shared by more docs than this is boilerplate, not evidence


def doc_key(article_id: str) -> str:
    return base64.urlsafe_b64encode(hashlib.blake2b(article_id.encode("utf-8"), digest_size=9).digest()).decode()


def pack_ints(values: tuple[int, ...] | list[int]) -> str:
    """32-bit ints -> compact base64 (4 bytes each instead of ~11 JSON characters)."""
    return base64.b64encode(struct.pack(f">{len(values)}I", *values)).decode() if values else ""


def unpack_ints(packed: str) -> tuple[int, ...]:
    if not packed:
        return ()
    raw = base64.b64decode(packed)
    return struct.unpack(f">{len(raw) // 4}I", raw)


def pack_bands(bands: tuple[str, ...]) -> str:
    """LSH band keys "<band>:<8 hex>" -> base64 of their hashes (band = position)."""
    return pack_ints([int(b.split(":", 1)[1], 16) for b in bands])


def unpack_bands(packed: str) -> list[str]:
    return [f"{i}:{h:08x}" for i, h in enumerate(unpack_ints(packed))]


class DedupState:
    """Typed access to the dedup keys of one store (see module docstring)."""

    def __init__(self, store: MutableMapping[str, Any],
                 journal: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self.store = store
        self.journal = journal  # told every record written (not the derived keys)

    # --- records --------------------------------------------------------------------
    def record(self, key: str) -> dict[str, Any] | None:
        return self.store.get(f"d:{key}")

    def put_record(self, key: str, record: dict[str, Any]) -> None:
        self.store[f"d:{key}"] = record
        if self.journal is not None:
            self.journal(key, record)

    def restore(self, key: str, record: dict[str, Any]) -> None:
        """Apply one logged record (a rebuild): replace the doc's record and re-derive its keys.

        Records come in log order, which compaction may change between keys (an original's
        last write, its copies count, can follow its copy's), so an original always takes the
        exact key from a copy that happened to be restored first.
        """
        old = self.record(key)
        if old is not None:
            self.unindex(key, old)
        self.store[f"d:{key}"] = record
        exact = record.get("x")
        if exact and record.get("st") == "original":
            owner = self.exact_owner(exact)
            owner_record = self.record(owner) if owner else None
            if owner_record is not None and owner_record.get("st") != "original":
                del self.store[f"x:{exact}"]
        if record.get("i"):
            self.index(key, exact, unpack_bands(record.get("b", "")), unpack_ints(record.get("s", "")))
        else:
            self.index(key, exact, (), ())
        self.register(key, record["t"])

    def exact_owner(self, exact: str) -> str | None:
        return self.store.get(f"x:{exact}") if exact else None

    # --- posting lists --------------------------------------------------------------
    def postings(self, name: str) -> list[str]:
        return self.store.get(name) or []

    def fetch(self, names: list[str]) -> dict[str, list[str] | None]:
        """These posting lists as they are now, read once: the lookup and the indexing of one
        article then share the reads (a RocksDB get costs ~4 µs, ~70 names per article)."""
        get = self.store.get
        return {name: get(name) for name in names}

    def add_posting(self, name: str, key: str) -> None:
        current = self.store.get(name) or []
        if key not in current:
            self.store[name] = [*current, key][-POSTING_CAP:]

    def remove_posting(self, name: str, key: str) -> None:
        current = self.store.get(name)
        if not current or key not in current:
            return
        rest = [k for k in current if k != key]
        if rest:
            self.store[name] = rest
        else:
            del self.store[name]

    def index(self, key: str, exact: str, bands: tuple[str, ...] | list[str],
              samples: tuple[int, ...] | list[int],
              fetched: dict[str, list[str] | None] | None = None) -> None:
        """Make a doc findable: exact key (if no doc holds it yet), LSH bands, samples.
        `fetched`: posting lists read by `fetch` since the last write (not re-read)."""
        store = self.store
        if exact and f"x:{exact}" not in store:
            store[f"x:{exact}"] = key
        names = [f"b{band}" for band in bands]
        names += [f"s:{sample:08x}" for sample in samples]
        fetched = fetched or {}
        for name in names:  # add_posting, inlined: this runs ~70 times per article
            current = fetched[name] if name in fetched else store.get(name)
            if not current:
                store[name] = [key]
            elif key not in current:
                store[name] = [*current, key][-POSTING_CAP:]

    def unindex(self, key: str, record: dict[str, Any]) -> None:
        exact = record.get("x")
        if exact and self.store.get(f"x:{exact}") == key:
            del self.store[f"x:{exact}"]
        for band in unpack_bands(record.get("b", "")):
            self.remove_posting(f"b{band}", key)
        for sample in unpack_ints(record.get("s", "")):
            self.remove_posting(f"s:{sample:08x}", key)

    # --- the window -----------------------------------------------------------------
    def bucket_for(self, hour: int) -> int:
        """The bucket to register in: never one expiry has already passed (clock went back)."""
        cursor = self.store.get("w:cursor")
        return hour if cursor is None else max(hour, cursor)

    def register(self, key: str, hour: int) -> None:
        """Remember that `key` was (re)written in this hour, for its expiry."""
        count = self.store.get(f"w:{hour}") or 0
        chunk_name = f"w:{hour}:{count // CHUNK}"
        self.store[chunk_name] = [*(self.store.get(chunk_name) or []), key]
        self.store[f"w:{hour}"] = count + 1

    def expire_before(self, limit_hour: int) -> int:
        """Forget every doc last written in an hour < limit_hour; returns how many."""
        cursor = self.store.get("w:cursor")
        if cursor is None:  # first use: nothing older than now exists
            self.store["w:cursor"] = limit_hour
            return 0
        expired = 0
        for hour in range(cursor, limit_hour):
            count = self.store.get(f"w:{hour}")
            if count is None:
                continue
            for chunk in range((count + CHUNK - 1) // CHUNK):
                chunk_name = f"w:{hour}:{chunk}"
                for key in self.store.get(chunk_name) or []:
                    expired += self._expire_doc(key, hour)
                if chunk_name in self.store:
                    del self.store[chunk_name]
            del self.store[f"w:{hour}"]
        if limit_hour > cursor:
            self.store["w:cursor"] = limit_hour
        return expired

    def _expire_doc(self, key: str, hour: int) -> int:
        record = self.record(key)
        if record is None or record.get("t") != hour:  # gone, or revised later: kept
            return 0
        self.unindex(key, record)
        del self.store[f"d:{key}"]
        return 1
