"""Where a dead letter is replayed to, and the time filters of `khabar dlq` (issue 12.4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from khabar.cli.dlq import Letter, parse_when, replay_topic
from khabar.errors import UserError


def _letter(stage: str, record) -> Letter:
    return Letter(partition=0, offset=1, at=datetime.now(UTC), key="", stage=stage, error="e", record=record)


@pytest.mark.parametrize(("stage", "record", "topic"), [
    ("clean", {"id": "a", "content": "x"}, "articles.raw"),
    ("tag", {"id": "a", "content": "x"}, "articles.raw"),
    ("dedup", {"id": "a", "body": "x"}, "articles.cleaned"),
    ("alert", {"id": "a", "body": "x"}, "articles.cleaned"),
    ("index", {"id": "a", "body": "x"}, "articles.enriched"),
    ("index", {"id": "a", "partial": {"dedup": {"copies": 2}}}, "articles.updates"),
    ("decode", {"id": "a", "content": "x"}, "articles.raw"),
    ("decode", {"id": "a", "body": "x"}, "articles.cleaned"),
    ("decode", "{not json", None),
    ("clean-process", {"id": "a", "content": "x"}, "articles.raw"),
    ("clean_and_tag", {"id": "a", "content": "x"}, "articles.raw"),
    ("dedup_and_alert", {"id": "a", "body": "x"}, "articles.cleaned"),
    ("ingest", {"source": "s", "entry": {}}, None),
])
def test_each_stage_replays_to_the_topic_it_reads(stage, record, topic) -> None:
    assert replay_topic(_letter(stage, record)) == topic


def test_the_article_id_comes_from_the_key_else_the_record() -> None:
    assert _letter("clean", {"id": "from-record"}).article_id == "from-record"
    letter = _letter("clean", {"id": "from-record"})
    letter.key = "from-key"
    assert letter.article_id == "from-key"


def test_since_accepts_durations_and_iso_times() -> None:
    hour_ago = parse_when("1h")
    assert abs((datetime.now(UTC) - hour_ago) - timedelta(hours=1)) < timedelta(seconds=5)
    assert parse_when("2026-11-30T10:00:00") == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert parse_when(None) is None
    with pytest.raises(UserError, match="expected a duration"):
        parse_when("yesterday-ish")
