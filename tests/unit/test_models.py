"""The record contract: ids are stable, documents carry the contract's field names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from khabar.models import Article, RawArticle, SourceRef, stable_id


def raw(**kw) -> RawArticle:
    base = dict(id=stable_id("https://example.org/a"), url="https://example.org/a",
                source=SourceRef(id="ex", name="Example"), title="t", content="<p>x</p>",
                fetched_at=datetime(2024, 1, 2, tzinfo=UTC))
    return RawArticle(**(base | kw))


def test_stable_id_is_deterministic_and_separates_parts() -> None:
    assert stable_id("a", "b") == stable_id("a", "b")
    assert stable_id("ab", "c") != stable_id("a", "bc")
    assert len(stable_id("x")) == 32


def test_timestamp_is_published_else_fetched() -> None:
    published = datetime(2023, 5, 1, tzinfo=UTC)
    assert Article.from_raw(raw(published_at=published)).to_doc()["@timestamp"].startswith("2023-05-01")
    assert Article.from_raw(raw()).to_doc()["@timestamp"].startswith("2024-01-02")


def test_document_field_names_follow_the_contract() -> None:
    doc = Article.from_raw(raw()).to_doc()
    for name in ("id", "url", "source", "title", "summary", "body", "language", "published_at",
                 "fetched_at", "processed_at", "@timestamp", "dedup", "places", "actors", "persons",
                 "event_types", "casualties", "alerts"):
        assert name in doc, name
    assert doc["dedup"] == {"status": "original", "of": None, "similarity": 0.0, "copies": 0}
    assert set(doc["casualties"]) == {"killed", "injured", "killed_max", "injured_max", "notes"}
    assert "timestamp" not in doc


def test_article_round_trips_through_json() -> None:
    article = Article.from_raw(raw(title="الحسكة"))
    again = Article.model_validate_json(article.model_dump_json(by_alias=True))
    assert again == article and again.title == "الحسكة"


def test_a_casualty_figure_is_an_incident_toll_unless_told_otherwise() -> None:
    from khabar.models import CountMention

    assert CountMention(count=5, text="قتل 5").scope == "incident"
    long_run = CountMention(count=10000, text="منذ بدء التدخل قتل نحو 10 آلاف", scope="cumulative")
    assert long_run.model_dump()["scope"] == "cumulative"
    with pytest.raises(ValueError):
        CountMention(count=1, text="x", scope="weekly")
