"""TimedStore: expiring keys over a plain mapping, swept incrementally, restart-safe."""

from __future__ import annotations

import json

from processors.alerts.store import MAX_SLOTS_PER_SWEEP, SLOT_SECONDS, TimedStore, WriteBuffer

T = 1_700_000_000.0


def test_expired_values_read_as_absent_even_before_a_sweep():
    ts = TimedStore({})
    ts.put("k", {"n": 1}, T + 60)
    assert ts.get("k", T) == {"n": 1}
    assert ts.get("k", T + 61) is None
    assert ts.get("missing", T) is None


def test_sweep_deletes_expired_keys_and_their_slot_lists():
    store: dict = {}
    ts = TimedStore(store)
    ts.sweep(T)
    ts.put("short", 1, T + 10)
    ts.put("long", 2, T + 5 * SLOT_SECONDS)
    assert ts.sweep(T + 2 * SLOT_SECONDS) == 1
    assert "short" not in store and store["long"]["v"] == 2
    assert ts.sweep(T + 7 * SLOT_SECONDS) == 1
    assert [k for k in store if not k.startswith("x:")] == []
    assert list(store) == ["x:cursor"]


def test_rewriting_a_key_with_a_later_expiry_keeps_it_past_its_first_slot():
    store: dict = {}
    ts = TimedStore(store)
    ts.sweep(T)
    ts.put("k", 1, T + 10)
    ts.put("k", 2, T + 10 * SLOT_SECONDS)
    ts.sweep(T + 3 * SLOT_SECONDS)
    assert ts.get("k", T + 3 * SLOT_SECONDS) == 2


def test_a_new_instance_continues_from_the_stored_cursor():
    store: dict = {}
    ts = TimedStore(store)
    ts.sweep(T)
    ts.put("k", 1, T + 10)
    restored = TimedStore(json.loads(json.dumps(store)))
    assert restored.sweep(T + 2 * SLOT_SECONDS) == 1
    assert "k" not in restored.store


def test_a_key_expiring_in_an_already_swept_slot_is_still_collected():
    store: dict = {}
    ts = TimedStore(store)
    ts.sweep(T + 10 * SLOT_SECONDS)
    ts.put("late", 1, T)  # expiry in the past (a replayed old record)
    ts.sweep(T + 12 * SLOT_SECONDS)
    assert "late" not in store


def test_a_long_gap_is_caught_up_over_several_calls():
    store: dict = {}
    ts = TimedStore(store)
    ts.sweep(T)
    ts.put("k", 1, T + (MAX_SLOTS_PER_SWEEP + 5) * SLOT_SECONDS)
    far = T + 10 * MAX_SLOTS_PER_SWEEP * SLOT_SECONDS
    ts.sweep(far)
    assert "k" in store  # its slot is beyond the first batch
    ts.sweep(far)
    assert "k" not in store


def test_slot_lists_kept_apart_are_rebuilt_from_the_entries_alone():
    """The stream logs only the entries; a new worker re-derives the expiry lists from them."""
    store: dict = {}
    ts = TimedStore(store, slots={})
    ts.sweep(T)
    ts.put("short", 1, T + 10)
    ts.put("long", 2, T + 5 * SLOT_SECONDS)
    assert not any(k.startswith("x:") and k != "x:cursor" for k in store)  # nothing derived logged
    logged = json.loads(json.dumps(store))  # what the changelog restores on another machine
    restored = TimedStore(logged, slots={})
    assert restored.rebuild_slots(logged.items()) == 2
    assert restored.sweep(T + 2 * SLOT_SECONDS) == 1
    assert "short" not in logged and logged["long"]["v"] == 2
    assert restored.sweep(T + 7 * SLOT_SECONDS) == 1
    assert list(logged) == ["x:cursor"]


def test_write_buffer_folds_writes_and_reads_its_own():
    class Counting(dict):
        writes = 0

        def __setitem__(self, key, value):
            Counting.writes += 1
            super().__setitem__(key, value)

    store = Counting(old=1)
    buffer = WriteBuffer(store)
    for i in range(5):
        buffer["k"] = i
    del buffer["old"]
    assert buffer.get("k") == 4 and "old" not in buffer and buffer.get("old") is None
    assert store == {"old": 1} and Counting.writes == 0
    buffer.flush()
    assert store == {"k": 4} and Counting.writes == 1
