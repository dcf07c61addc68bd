"""Expiring entries over a plain mapping (a dict offline, a Faust RocksDB table in the stream).

The alert state must stay bounded by time but may only use get/set/del/contains (a Faust
table cannot be scanned per record, and every write is a changelog message). Each value is
stored as `{"v": value, "exp": epoch, "s": slot}`; its key is also listed under an expiry slot key
`x:<slot>` (5-minute slots). Each call sweeps the slots that have ended since the last sweep
(`x:cursor` remembers where it stopped, so a restarted engine carries on), deleting keys whose
stored expiry has passed. Values are plain JSON (lists, dicts, str, numbers) so the store
survives a JSON round trip, which is what the Faust changelog does to it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

SLOT_SECONDS = 300
MAX_SLOTS_PER_SWEEP = 48  # a long downtime is caught up over several calls
_CURSOR = "x:cursor"


def _slot(epoch: float) -> int:
    return int(epoch // SLOT_SECONDS)


class TimedStore:
    """get/put with an absolute expiry (epoch seconds), swept incrementally."""

    def __init__(self, store: MutableMapping[str, Any]) -> None:
        self.store = store
        self._cursor: int | None = None

    def get(self, key: str, now: float) -> Any:
        """The value, or None if absent or expired."""
        entry = self.store.get(key)
        if not isinstance(entry, dict) or entry.get("exp", 0) <= now:
            return None
        return entry.get("v")

    def put(self, key: str, value: Any, expires: float) -> None:
        old = self.store.get(key)
        old_slot = old.get("s") if isinstance(old, dict) else None
        # never list a key in a slot that was already swept (it would never be deleted)
        slot = max(_slot(expires), self._load_cursor(_slot(expires)) + 1)
        self.store[key] = {"v": value, "exp": expires, "s": slot}
        if slot != old_slot:
            slot_key = f"x:{slot}"
            listed = self.store.get(slot_key) or []
            if key not in listed:
                self.store[slot_key] = [*listed, key]

    def delete(self, key: str) -> None:
        if key in self.store:
            del self.store[key]

    def _load_cursor(self, current: int) -> int:
        """Last swept slot (from the store after a restart; else just before `current`)."""
        if self._cursor is None:
            stored = self.store.get(_CURSOR)
            if stored is None:
                stored = self.store[_CURSOR] = current - 1
            self._cursor = int(stored)
        return self._cursor

    def sweep(self, now: float) -> int:
        """Delete expired keys from the slots that ended before `now`; returns how many."""
        current = _slot(now)
        self._load_cursor(current)
        if self._cursor >= current - 1:
            return 0
        removed = 0
        last = min(current - 1, self._cursor + MAX_SLOTS_PER_SWEEP)
        for slot in range(self._cursor + 1, last + 1):
            slot_key = f"x:{slot}"
            keys = self.store.get(slot_key)
            if keys is None:
                continue
            for key in keys:
                entry = self.store.get(key)
                # a key re-written with a later expiry is listed again in its later slot
                if isinstance(entry, dict) and entry.get("exp", 0) <= now:
                    del self.store[key]
                    removed += 1
            del self.store[slot_key]
        self._cursor = last
        self.store[_CURSOR] = last
        return removed
