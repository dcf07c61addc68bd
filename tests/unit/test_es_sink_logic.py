"""Pure parts of ArticleSink: how items become bulk actions, reasons, backoff."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from khabar.cli.bench.samples import sample_articles
from khabar.models import ArticleUpdate, DeadLetter
from khabar.settings import load_settings
from processors.sink.bulk import (
    ArticleSink,
    IndexArticle,
    IndexDoc,
    SinkConfig,
    _reason,
)

SETTINGS = load_settings(env={"KHABAR_INDEX_PREFIX": "u1-"})


async def _no_dlq(letter: DeadLetter) -> None:
    raise AssertionError("not expected")


def _sink(**config) -> ArticleSink:
    return ArticleSink(client=None, settings=SETTINGS, dlq=_no_dlq, config=SinkConfig(**config), text_mode="fallback")


def test_index_action_targets_the_monthly_index_by_id():
    article = sample_articles(1, seed=1)[0]
    op = _sink()._op(IndexArticle(article), "fallback")
    assert op.action == {"_op_type": "index", "_index": f"u1-articles-{article.timestamp:%Y.%m}", "_id": article.id}
    _sink()._build_sources([op])
    assert op.action["_source"]["id"] == article.id and op.action["_source"]["match"]["body"]


def test_update_action_is_a_partial_doc_update():
    op = _sink()._op(ArticleUpdate(id="x1", partial={"dedup": {"copies": 4}}, timestamp=datetime(2020, 2, 3, tzinfo=UTC)), "fallback")
    assert op.action == {"_op_type": "update", "_index": "u1-articles-2020.02", "_id": "x1",
                         "retry_on_conflict": 3, "doc": {"dedup": {"copies": 4}}}
    assert op.resolved is False  # a 404 there means: look it up through the alias
    aimless = _sink()._op(ArticleUpdate(id="x2", partial={"alerts": ["r"]}), "fallback")
    assert aimless.action["_index"] == ""


def test_side_documents_go_to_their_prefixed_index():
    op = _sink()._op(IndexDoc("feeds", "f1", {"id": "f1"}), "fallback")
    assert op.action == {"_op_type": "index", "_index": "u1-feeds", "_id": "f1", "_source": {"id": "f1"}}
    assert op.record() == {"index": "u1-feeds", "id": "f1", "doc": {"id": "f1"}}


def test_unknown_items_are_refused():
    with pytest.raises(TypeError):
        _sink()._op({"id": "x"}, "fallback")


def test_reason_names_type_reason_and_cause():
    error = {"type": "document_parsing_exception", "reason": "failed to parse field [places.location]",
             "caused_by": {"type": "illegal_argument_exception", "reason": "latitude must be between -90 and 90"}}
    assert _reason(400, error) == ("HTTP 400 document_parsing_exception: failed to parse field [places.location]"
                                   " (caused by illegal_argument_exception: latitude must be between -90 and 90)")
    assert _reason(503, "ConnectionError(refused)") == "HTTP 503 ConnectionError(refused)"


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    sink = _sink(initial_backoff_s=0.5, max_backoff_s=8.0)
    for attempt, cap in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0)]:
        delays = [sink._backoff(attempt) for _ in range(200)]
        assert all(cap / 2 <= d <= cap for d in delays)
        assert max(delays) - min(delays) > cap / 10  # jittered, not fixed


def test_a_document_id_elasticsearch_would_refuse_is_caught_at_decode() -> None:
    """Issue 12.1: rejected alone at decode, before it can fail a bulk request."""
    import json

    import pytest as _pytest

    from khabar.settings import load_settings as _load
    from processors.sink.stream import SinkMessage, UndecodableMessage, decode_message

    settings = _load(env={})
    base = {"source": {"id": "s"}, "fetched_at": "2026-11-30T12:00:00Z"}
    for doc_id in ("x" * 513, "", "_internal"):
        value = json.dumps({"id": doc_id, **base}).encode()
        with _pytest.raises(UndecodableMessage, match="Elasticsearch takes 1 to 512 bytes"):
            decode_message(settings, SinkMessage(settings.topic("articles.enriched"), b"k", value))
    ok = decode_message(settings, SinkMessage(settings.topic("articles.enriched"), b"k",
                                              json.dumps({"id": "a" * 512, **base}).encode()))
    assert ok.article.id == "a" * 512
