"""Article -> indexed document and its monthly index."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from khabar.es.docs import (
    article_doc,
    article_index,
    article_source,
    monthly_index,
    partial_with_match,
)
from khabar.models import Article, SourceRef
from khabar.settings import load_settings

SETTINGS = load_settings(env={"KHABAR_INDEX_PREFIX": "t1-"})


def _article(**kw) -> Article:
    base = dict(id="a1", source=SourceRef(id="s", name="S"), title="قصف إسرائيلي على دمشق",
                body="قالت مصادر إنّ الطائرات الإسرائيلية قصفت", fetched_at=datetime(2024, 3, 9, tzinfo=UTC))
    return Article(**{**base, **kw})


def test_monthly_index_uses_utc_month():
    east = timezone(timedelta(hours=3))
    assert monthly_index(SETTINGS, datetime(2024, 5, 1, 1, 0, tzinfo=east)) == "t1-articles-2024.04"
    assert monthly_index(SETTINGS, datetime(2019, 12, 31, 23, 0)) == "t1-articles-2019.12"


def test_article_index_prefers_timestamp_then_published_then_fetched():
    assert article_index(SETTINGS, _article()) == "t1-articles-2024.03"
    published = _article(published_at=datetime(2018, 7, 2, tzinfo=UTC))
    assert article_index(SETTINGS, published) == "t1-articles-2018.07"
    stamped = _article(published_at=datetime(2018, 7, 2, tzinfo=UTC), timestamp=datetime(2017, 1, 5, tzinfo=UTC))
    assert article_index(SETTINGS, stamped) == "t1-articles-2017.01"


def test_doc_always_has_timestamp_and_contract_names():
    doc = article_doc(_article(), "arabic")
    assert doc["@timestamp"].startswith("2024-03-09")
    assert "timestamp" not in doc
    assert "match" not in doc


def _same_times(doc: dict) -> dict:
    return {k: datetime.fromisoformat(v) if k.endswith("_at") or k == "@timestamp" else v
            for k, v in doc.items() if v is not None}


def test_source_bytes_are_the_doc():
    """The bulk request's pre-encoded `_source` is the document, field for field."""
    from khabar.models import CountMention

    rich = _article(published_at=datetime(2018, 7, 2, tzinfo=UTC), event_types=["airstrike"],
                    casualties={"killed": [CountMention(count=3, text="مقتل 3", scope="incident")], "killed_max": 3})
    for article in (_article(), rich, _article(timestamp=datetime(2017, 1, 5, tzinfo=UTC))):
        source = article_source(article, "arabic")
        assert isinstance(source, bytes)
        assert _same_times(json.loads(source)) == _same_times(article_doc(article, "arabic"))
        assert json.loads(source)["@timestamp"] is not None
    assert article_source(_article(), "fallback") == article_doc(_article(), "fallback")  # adds match: a dict


def test_fallback_doc_carries_matching_form():
    doc = article_doc(_article(summary=""), "fallback")
    assert doc["match"]["title"] == "قصف اسراييلي علي دمشق"
    assert "ان" in doc["match"]["body"].split()
    assert "summary" not in doc["match"]  # empty text: nothing to index
    assert doc["title"] == "قصف إسرائيلي على دمشق"  # the original is untouched


def test_partial_updates_keep_match_in_step():
    assert partial_with_match({"dedup": {"copies": 2}}, "fallback") == {"dedup": {"copies": 2}}
    assert partial_with_match({"title": "أخبار"}, "arabic") == {"title": "أخبار"}
    assert partial_with_match({"title": "أخبار"}, "fallback") == {"title": "أخبار", "match": {"title": "اخبار"}}
