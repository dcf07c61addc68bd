"""Feed health documents match the `khabar-feeds` index mapping; the status table rows."""

import json
from datetime import UTC, datetime

from ingest.health import HEALTH_FIELDS, health_doc
from ingest.sources import Source
from ingest.state import SEEN_MIN, FeedState
from khabar.cli.feeds import health_rows
from khabar.settings import CONFIG_DIR

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_health_doc_fields_are_the_index_mapping_fields() -> None:
    mapping = json.loads((CONFIG_DIR / "elasticsearch" / "component" / "feeds-mappings.json").read_text())
    properties = set(mapping["template"]["mappings"]["properties"])
    state = FeedState(id="a", name="A", url="https://a.example/rss", last_success=NOW, error_streak=0,
                      http_status=200, items_last_poll=4, polls_total=9, items_total=40, next_poll=NOW)
    doc = health_doc(state, now=NOW)
    assert set(doc) == set(HEALTH_FIELDS) == properties
    assert doc["last_success"] == "2024-05-01T12:00:00+00:00" and doc["@timestamp"] == doc["last_success"]
    assert (doc["id"], doc["items_last_poll"], doc["http_status"], doc["last_error"]) == ("a", 4, 200, None)


def test_seen_ids_are_bounded_per_feed() -> None:
    state = FeedState(id="a")
    state.remember([f"id{i}" for i in range(SEEN_MIN + 500)], feed_size=50)
    assert len(state.seen) == SEEN_MIN and state.seen[0] == "id500" and state.seen[-1] == f"id{SEEN_MIN + 499}"
    state.remember(["id600", "new"], feed_size=50)  # known ids are not duplicated
    assert state.seen.count("id600") == 1 and state.seen[-1] == "new"
    big = FeedState(id="b")
    big.remember([f"x{i}" for i in range(5000)], feed_size=1500)  # 3x a large feed is kept
    assert len(big.seen) == 4500


def test_status_rows_cover_configured_and_orphaned_feeds() -> None:
    sources = [Source(id="ok", url="https://a.example/"), Source(id="new", url="https://b.example/"),
               Source(id="off", url="https://c.example/", enabled=False),
               Source(id="bad", url="https://d.example/")]
    docs = {
        "ok": health_doc(FeedState(id="ok", polls_total=3), now=NOW),
        "bad": health_doc(FeedState(id="bad", polls_total=3, error_streak=2, last_error="HTTP 500"), now=NOW),
        "old": health_doc(FeedState(id="old", polls_total=1), now=NOW),
    }
    rows = {r["id"]: r for r in health_rows(sources, docs)}
    assert {k: r["status"] for k, r in rows.items()} == {
        "ok": "ok", "new": "never polled", "off": "disabled", "bad": "failing ×2", "old": "ok"}
    assert rows["bad"]["last_error"] == "HTTP 500" and rows["old"]["enabled"] is None


def test_status_table_is_readable_in_80_columns() -> None:
    from datetime import timedelta

    from rich.console import Console

    from khabar.cli.feeds import status_table

    sources = [Source(id="syrian-observatory-for-human-rights-arabic", url="https://a.example/"),
               Source(id="samples-seeds", url="https://b.example/")]
    docs = {
        "syrian-observatory-for-human-rights-arabic": health_doc(FeedState(
            id="syrian-observatory-for-human-rights-arabic", polls_total=9, error_streak=4, http_status=503,
            last_error="HTTP 503, Retry-After 120s from the upstream server", last_error_at=NOW - timedelta(minutes=3),
            next_poll=NOW + timedelta(minutes=8)), now=NOW),
        "samples-seeds": health_doc(FeedState(id="samples-seeds", polls_total=3, items_last_poll=2, items_total=5,
                                              last_success=NOW - timedelta(seconds=30),
                                              next_poll=NOW + timedelta(seconds=50)), now=NOW),
    }
    console = Console(width=80, record=True, color_system=None)
    console.print(status_table(health_rows(sources, docs), "kafka", NOW))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    seeds = next(line for line in text.splitlines() if "samples-seeds" in line)
    assert "ok" in seeds and "30s ago" in seeds and "2/5" in seeds and "in 50s" in seeds
    failing = next(line for line in text.splitlines() if "syrian-observatory" in line)
    assert "failing ×4 503" in failing and "in 8m" in failing
    assert "Retry-After" in text and "upstream" in text  # the error wraps, it is not cut
