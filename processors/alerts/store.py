"""Expiring entries over a plain mapping (a dict offline, a Faust RocksDB table in the stream).

The alert state must stay bounded by time but may only use get/set/del/contains (a Faust
table cannot be scanned per record, and every write is a changelog message). Each value is
stored as `{"v": value, "exp": epoch, "s": slot}`; its key is also listed under an expiry slot key
`x:<slot>` (5-minute slots). Each call sweeps the slots that have ended since the last sweep
(`x:cursor` remembers where it stopped, so a restarted engine carries on), deleting keys whose
stored expiry has passed. Values are plain JSON (lists, dicts, str, numbers) so the store
survives a JSON round trip, which is what the Faust changelog does to it.

The slot lists are derived from the entries (each entry names its slot), so the stream keeps
them in a local mapping (`slots`, not logged) and rebuilds them from the entries when a worker
takes the partition (`rebuild_slots`): every logged write is then an entry itself, and
`WriteBuffer` folds the writes of one article to the same key into one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

SLOT_SECONDS = 300
MAX_SLOTS_PER_SWEEP = 48  # a long downtime is caught up over several calls
_CURSOR = "x:cursor"


def _slot(epoch: float) -> int:
    return int(epoch // SLOT_SECONDS)


class TimedStore:
    """get/put with an absolute expiry (epoch seconds), swept incrementally."""

    def __init__(self, store: MutableMapping[str, Any], slots: MutableMapping[str, Any] | None = None) -> None:
        self.store = store
        self.slots = store if slots is None else slots  # x:<slot> lists (derived, see above)
        # slots kept apart are local: each is an ordered set changed in place (one key added
        # in O(1)); slots inside the store stay JSON lists, rewritten whole
        self._local_slots = slots is not None
        self._cursor: int | None = None

    def rebuild_slots(self, items: Iterable[tuple[str, Any]]) -> int:
        """List every entry of `items` (the store's contents) under its slot; returns how many."""
        listed = 0
        cursor = self._cursor if self._cursor is not None else self.store.get(_CURSOR)
        for key, entry in items:
            if key.startswith("x:") or not isinstance(entry, dict) or "s" not in entry:
                continue
            slot = int(entry["s"])
            if cursor is not None:
                slot = max(slot, int(cursor) + 1)  # never under a slot already swept
            self._list(f"x:{slot}", key)
            listed += 1
        return listed

    def _list(self, slot_key: str, key: str) -> None:
        """Add `key` to a slot's list once."""
        if self._local_slots:
            self.slots.setdefault(slot_key, {})[key] = None
            return
        listed = self.slots.get(slot_key) or []
        if key not in listed:
            self.slots[slot_key] = [*listed, key]

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
            self._list(f"x:{slot}", key)

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
            keys = self.slots.get(slot_key)
            if keys is None:
                continue
            for key in keys:
                entry = self.store.get(key)
                # a key re-written with a later expiry is listed again in its later slot
                if isinstance(entry, dict) and entry.get("exp", 0) <= now:
                    del self.store[key]
                    removed += 1
            del self.slots[slot_key]
        self._cursor = last
        self.store[_CURSOR] = last
        return removed


_DELETED = object()


class WriteBuffer(MutableMapping):
    """Reads through, writes held until `flush()`: one logged write per key per article.

    `journal`, if given, is told each flush's writes as one dict (key -> value, None for a
    deletion): the stream logs them as ONE message per article (processors/statelog.py).
    """

    def __init__(self, store: MutableMapping[str, Any],
                 journal: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.store = store
        self.journal = journal
        self.pending: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self.pending.get(key, self)
        if value is self:
            return self.store[key]
        if value is _DELETED:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self.pending.get(key, self)
        if value is self:
            found = self.store.get(key)
            return default if found is None else found
        return default if value is _DELETED else value

    def __contains__(self, key: object) -> bool:
        value = self.pending.get(key, self)  # type: ignore[call-overload]
        if value is self:
            return key in self.store
        return value is not _DELETED

    def __setitem__(self, key: str, value: Any) -> None:
        self.pending[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.pending[key] = _DELETED

    def __iter__(self) -> Iterator[str]:
        self.flush()
        return iter(self.store)

    def __len__(self) -> int:
        self.flush()
        return len(self.store)

    def flush(self) -> None:
        store = self.store
        for key, value in self.pending.items():
            if value is _DELETED:
                if key in store:
                    del store[key]
            else:
                store[key] = value
        if self.journal is not None and self.pending:
            self.journal({k: None if v is _DELETED else v for k, v in self.pending.items()})
        self.pending.clear()


def apply_writes(store: MutableMapping[str, Any], writes: dict[str, Any]) -> None:
    """Replay one journaled flush onto a store (None = deleted)."""
    for key, value in writes.items():
        if value is None:
            if key in store:
                del store[key]
        else:
            store[key] = value
