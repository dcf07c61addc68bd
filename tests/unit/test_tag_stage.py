"""The tagging stage as the pipeline calls it: tag(Article) -> Article."""

from __future__ import annotations

from datetime import UTC, datetime

from khabar.models import Article, SourceRef
from processors.tagging.stage import article_text, get_tagger, tag


def make_article(title: str = "", summary: str = "", body: str = "") -> Article:
    return Article(id="a1", source=SourceRef(id="test"), title=title, summary=summary, body=body,
                   fetched_at=datetime(2024, 1, 1, tzinfo=UTC))


def test_tag_fills_every_field_from_title_and_body() -> None:
    article = make_article(
        title="غارات على إدلب",
        body="قتل 7 مدنيين في غارات شنتها طائرات روسية على مدينة إدلب، بحسب الدفاع المدني السوري.")
    out = tag(article)
    assert [p.id for p in out.places] == ["sy-town-idlib"]
    assert out.places[0].mentions == 2 and out.places[0].forms == ["إدلب"]
    # "طائرات روسية" is the indefinite form of الطائرات الروسية (issue 14)
    assert [a.id for a in out.actors] == ["russian_forces", "white_helmets"]
    assert out.event_types == ["air_drone_strike"]
    assert [m.count for m in out.casualties.killed] == [7] and out.casualties.killed_max == 7
    # the input is not modified, other fields are kept
    assert article.places == [] and out.id == "a1" and out.body == article.body


def test_title_is_its_own_sentence() -> None:
    # no full stop after the title: its number must not join the body's first clause
    out = tag(make_article(title="حصيلة جديدة 2019", body="قتل مدني في القصف"))
    assert out.casualties.killed == []


def test_summary_repeating_the_body_is_not_counted_twice() -> None:
    body = "وصلت قافلة مساعدات إلى دوما صباح اليوم. وقال مسؤولون إن القافلة ستعود غدا."
    out = tag(make_article(summary="وصلت قافلة مساعدات إلى دوما صباح اليوم.", body=body))
    assert out.places[0].id == "sy-town-douma" and out.places[0].mentions == 1
    assert "دوما" in article_text(make_article(summary="عن دوما", body="نص آخر"))


def test_empty_article() -> None:
    out = tag(make_article())
    assert (out.places, out.actors, out.persons, out.event_types) == ([], [], [], [])
    assert out.casualties.killed == [] and out.casualties.killed_max is None


def test_tagger_is_built_once() -> None:
    assert get_tagger() is get_tagger()


def test_english_article() -> None:
    out = tag(make_article(title="Airstrikes hit Raqqa",
                           body="Coalition airstrikes killed 12 people in Raqqa, "
                                "the Syrian Observatory for Human Rights said."))
    assert [p.id for p in out.places] == ["sy-town-raqqa"]
    assert "sohr" in [a.id for a in out.actors]
    assert "air_drone_strike" in out.event_types
    assert out.casualties.killed_max == 12
