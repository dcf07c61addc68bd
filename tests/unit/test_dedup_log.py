"""The dedup state log: the stream logs one record per article and rebuilds its index from them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from processors.dedup.log import Journal, decode, encode
from processors.dedup.stage import Deduplicator
from tests.unit.test_dedup import DEVSET, T0, _file, _outcome_key


def _pairs_order() -> list[str]:
    names = [line.split("\t")[:2] for line in (DEVSET / "pairs.tsv").read_text().splitlines()[1:]]
    return list(dict.fromkeys(n for pair in names for n in pair))


def _compacted(log: list[tuple[bytes, bytes]]) -> list[tuple[str, dict[str, Any]]]:
    """What a compacted topic keeps: the last value per key, in the order of those last writes."""
    latest: dict[str, dict[str, Any]] = {}
    for key, value in log:
        latest.pop(key.decode(), None)
        latest[key.decode()] = decode(value)
    return list(latest.items())


def test_a_worker_rebuilt_from_the_log_decides_like_the_one_that_wrote_it() -> None:
    articles = [_file(name) for name in _pairs_order()]
    half = len(articles) // 2
    reference = Deduplicator({})
    expected = [_outcome_key(reference.check(a, T0 + timedelta(minutes=i))) for i, a in enumerate(articles)]

    journal, log = Journal(), []
    first = Deduplicator({}, journal=journal)
    got = []
    for i, article in enumerate(articles[:half]):
        got.append(_outcome_key(first.check(article, T0 + timedelta(minutes=i))))
        log += journal.drain()
    # at most one record per article, plus the original's when a copy raises its count
    copies = sum(1 for key in got if key[1] != "original")
    assert half <= len(log) <= half + copies

    # another machine, empty store: rebuild from the compacted log, then go on
    second = Deduplicator({}, journal=Journal())
    kept = second.restore(_compacted(log), T0 + timedelta(minutes=half))
    assert kept == len({k for k, _ in log})
    got += [_outcome_key(second.check(a, T0 + timedelta(minutes=half + i)))
            for i, a in enumerate(articles[half:])]
    assert got == expected
    assert any(key[1] != "original" for key in got[half:])  # copies of pre-restart articles found


def test_a_replayed_article_after_a_rebuild_is_a_revision_and_counts_no_copy() -> None:
    journal, log = Journal(), []
    dedup = Deduplicator({}, journal=journal)
    seed, copy = _file("001_seed.txt"), _file("001_outlet.txt")
    dedup.check(seed, T0)
    counted = dedup.check(copy, T0)
    assert counted.original_update.copies == 1
    log += journal.drain()
    rebuilt = Deduplicator({})
    rebuilt.restore(_compacted(log), T0)
    again = rebuilt.check(copy, T0 + timedelta(minutes=5))  # at-least-once replay
    assert again.article.dedup == counted.article.dedup and again.original_update is None
    assert rebuilt.check(_file("001_dropped.txt"), T0).original_update.copies == 2


def test_records_outside_the_window_are_not_restored() -> None:
    journal = Journal()
    dedup = Deduplicator({}, window_days=14, journal=journal)
    seed = _file("004_seed.txt")
    dedup.check(seed, T0)
    log = journal.drain()
    assert [decode(v)["id"] for _, v in log] == [seed.id]
    assert encode(decode(log[0][1])) == log[0][1]
    late = Deduplicator({}, window_days=14)
    assert late.restore(_compacted(log), T0 + timedelta(days=15)) == 0
    assert late.check(_file("004_outlet.txt"), T0 + timedelta(days=15)).article.dedup.status == "original"
    inside = Deduplicator({}, window_days=14)
    assert inside.restore(_compacted(log), T0 + timedelta(days=13)) == 1
    assert inside.check(_file("004_outlet.txt"), T0 + timedelta(days=13)).article.dedup.of == seed.id
