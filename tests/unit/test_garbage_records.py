"""Bad records never cost good ones (issue 12.2, 12.5): garbage rules in the clean stage, and
dead letters that can always be serialised and sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from khabar.models import DEAD_LETTER_RECORD_MAX, DeadLetter, RawArticle, SourceRef
from processors.clean import BODY_MAX_CHARS, clean
from processors.pipeline import StageError, clean_and_tag

FETCHED = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _raw(**kw) -> RawArticle:
    base = {"id": "g1", "source": SourceRef(id="s"), "title": "قصف على حلب",
            "content": "قصفت الطائرات أحياء في مدينة حلب.", "content_type": "text", "fetched_at": FETCHED}
    return RawArticle(**(base | kw))


def test_an_article_without_any_text_is_dead_lettered_with_the_reason() -> None:
    with pytest.raises(StageError) as err:
        clean_and_tag(_raw(title="", content="<p> </p>", content_type="html"))
    assert err.value.stage == "clean" and "no text" in err.value.reason


@pytest.mark.parametrize("year", [1900, 1989, 9999])
def test_dates_outside_a_sane_range_become_the_fetch_time_with_a_note(year: int) -> None:
    article = clean(_raw(published_at=datetime(year, 1, 1, tzinfo=UTC)))
    assert article.published_at == FETCHED and article.timestamp == FETCHED
    assert any("out of range" in n and str(year) in n for n in article.notes)


def test_a_plausible_date_and_a_naive_one_are_kept() -> None:
    when = datetime(2016, 2, 21, 9, tzinfo=UTC)
    assert clean(_raw(published_at=when)).published_at == when
    assert clean(_raw(published_at=datetime(2016, 2, 21, 9))).notes == []


def test_a_5_mb_body_is_capped_with_a_note_and_fits_a_message() -> None:
    article = clean(_raw(content="خبر " * 1_300_000))
    assert len(article.body) < BODY_MAX_CHARS + 100 and "[… truncated:" in article.body
    assert any(n.startswith("body truncated") for n in article.notes)
    assert len(article.model_dump_json().encode()) < 1_000_000


def _sendable(letter: DeadLetter, fallback: str | None = None) -> dict:
    data = letter.to_json(fallback)
    assert len(data) < 1_000_000
    return json.loads(data)


def test_a_lone_surrogate_dead_letter_is_serialisable() -> None:
    body = _sendable(DeadLetter(record={"title": "bad \ud800 text"}, stage="decode", error="x \udfff"))
    assert body["record"]["title"] == "bad \ud800 text" and body["stage"] == "decode"


def test_deeply_nested_json_becomes_a_dead_letter_with_the_text_as_received() -> None:
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(RecursionError):
        json.loads(text)
    deep: list = []
    node = deep
    for _ in range(100_000):
        node.append([])
        node = node[0]
    body = _sendable(DeadLetter(record=deep, stage="decode", error="RecursionError"), fallback=text[:1000])
    assert body["record"] == text[:1000]
    assert _sendable(DeadLetter(record=deep, stage="decode", error="e"))["record"].startswith("<record not")


def test_a_huge_record_is_cut_with_its_size_noted() -> None:
    body = _sendable(DeadLetter(record={"body": "x" * 5_000_000}, stage="clean", error="e"))
    assert body["record"]["record_bytes"] > 5_000_000
    assert len(body["record"]["truncated"]) == DEAD_LETTER_RECORD_MAX
