"""Indexing through ArticleSink on the real local Elasticsearch: geo, aggregations, Arabic search,
dead letters, partial updates, and every dashboard panel's query."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from khabar.cli.bench.samples import sample_articles
from khabar.es.client import make_client
from khabar.es.docs import monthly_index
from khabar.es.search import search_originals
from khabar.es.setup import ensure_setup
from khabar.kibana.importer import SAVED_OBJECTS
from khabar.kibana.objects import build_saved_objects
from khabar.kibana.panels import field_problems, index_suffix, load_objects, panel_queries
from khabar.models import (
    ActorTag,
    Alert,
    Article,
    ArticleUpdate,
    DeadLetter,
    Dedup,
    GeoPoint,
    PlaceTag,
    SourceRef,
)
from khabar.settings import load_settings
from processors.sink.bulk import ArticleSink, IndexArticle, IndexDoc
from tests.integration.test_es_setup import drop_everything

pytestmark = pytest.mark.integration

T0 = datetime(2019, 10, 14, 9, 30, tzinfo=UTC)


def _article(aid: str, title: str, body: str, *, places=(), actors=(), events=(), killed=None,
             status="original", when=T0) -> Article:
    return Article(
        id=aid, url=f"https://example.test/{aid}", source=SourceRef(id="enab", name="عنب بلدي", language="ar"),
        title=title, body=body, language="ar", published_at=when, fetched_at=when, timestamp=when,
        dedup=Dedup(status=status, of=None if status == "original" else "a1"),
        places=list(places), actors=list(actors), event_types=list(events),
        casualties={"killed_max": killed} if killed is not None else {},
    )


HASAKA = PlaceTag(id="SY08", name="الحسكة", name_en="Al-Hasakah", kind="governorate",
                  location=GeoPoint(lat=36.5, lon=40.75), forms=["الحسكة", "البركة"], mentions=2)
ALEPPO = PlaceTag(id="SY02", name="حلب", name_en="Aleppo", kind="governorate",
                  location=GeoPoint(lat=36.2021, lon=37.1343), forms=["حلب"], mentions=1)
SDF = ActorTag(id="sdf", name="قوات سوريا الديمقراطية", name_en="Syrian Democratic Forces", forms=["قسد"])
TURKEY = ActorTag(id="turkey", name="تركيا", name_en="Turkey", forms=["تركيا"])


def seed_like() -> list[Article]:
    return [
        _article("a1", "غارات تركية على رأس العين", "قصفت الطائرات التركية مواقع قسد في ريف الحسكة وقتل 12 مدنياً",
                 places=[HASAKA], actors=[SDF, TURKEY], events=["air_drone_strike"], killed=12),
        _article("a2", "اشتباكات في حلب", "اشتباكات عنيفة بين فصائل في ريف حلب الشمالي", places=[ALEPPO],
                 actors=[TURKEY], events=["armed_clash"], killed=3),
        _article("a3", "إسرائيل تقصف مواقع قرب دمشق", "أعلنت إسرائيل أنها قصفت مواقع عسكرية",
                 events=["air_drone_strike"], when=datetime(2019, 11, 2, tzinfo=UTC)),
        _article("a4", "غارات تركية على رأس العين", "نسخة من الخبر", places=[HASAKA], actors=[SDF],
                 events=["air_drone_strike"], status="duplicate"),
    ]


@pytest.fixture
async def env():
    prefix = f"t{uuid.uuid4().hex[:10]}-"
    settings = load_settings(env={"KHABAR_INDEX_PREFIX": prefix, "KHABAR_TOPIC_PREFIX": f"{prefix[:-1]}."})
    client = make_client(settings)
    await ensure_setup(client, settings)
    letters: list[DeadLetter] = []

    async def dlq(letter: DeadLetter) -> None:
        letters.append(letter)

    sink = ArticleSink(client, settings, dlq)
    yield client, settings, sink, letters
    await drop_everything(client, prefix)
    await client.close()


async def _refresh(client, settings):
    await client.indices.refresh(index=settings.index("articles"))


async def test_articles_land_in_monthly_indices_with_their_ids(env):
    client, settings, sink, letters = env
    result = await sink.write([IndexArticle(a) for a in seed_like()])
    assert sorted(result.indexed) == ["a1", "a2", "a3", "a4"] and result.rejected == [] and letters == []
    await _refresh(client, settings)
    october = monthly_index(settings, T0)
    assert (await client.count(index=october))["count"] == 3
    assert (await client.get(index=f"{settings.index('articles')}-2019.11", id="a3"))["_source"]["title"].startswith("إسرائيل")


async def test_geo_points_answer_geo_distance(env):
    client, settings, sink, _ = env
    await sink.write([IndexArticle(a) for a in seed_like()])
    await _refresh(client, settings)
    resp = await client.search(index=settings.index("articles"), query={"geo_distance": {
        "distance": "50km", "places.location": {"lat": 36.45, "lon": 40.7}}})
    assert sorted(h["_id"] for h in resp["hits"]["hits"]) == ["a1", "a4"]


async def test_keyword_aggregations_give_expected_buckets(env):
    client, settings, sink, _ = env
    await sink.write([IndexArticle(a) for a in seed_like()])
    await _refresh(client, settings)
    resp = await client.search(index=settings.index("articles"), size=0,
                               query={"term": {"dedup.status": "original"}}, aggs={
        "actors": {"terms": {"field": "actors.name"}},
        "places": {"terms": {"field": "places.name_en"}},
        "events": {"terms": {"field": "event_types"}},
        "killed": {"sum": {"field": "casualties.killed_max"}},
    })
    buckets = {k: {b["key"]: b["doc_count"] for b in v.get("buckets", [])} for k, v in resp["aggregations"].items()}
    assert buckets["actors"] == {"تركيا": 2, "قوات سوريا الديمقراطية": 1}
    assert buckets["places"] == {"Al-Hasakah": 1, "Aleppo": 1}
    assert buckets["events"] == {"air_drone_strike": 2, "armed_clash": 1}
    assert resp["aggregations"]["killed"]["value"] == 15


async def test_arabic_alef_variant_finds_the_document_on_the_fallback(env):
    client, settings, sink, _ = env
    await sink.write([IndexArticle(a) for a in seed_like()])
    await _refresh(client, settings)
    hits = await search_originals(client, settings, "اسرائيل")  # written إسرائيل in the article
    assert [h["id"] for h in hits] == ["a3"]
    plain = await client.search(index=settings.index("articles"), query={"match": {"title": "اسرائيل"}})
    assert plain["hits"]["hits"] == []  # the standard analyzer alone would have missed it


async def test_search_filters_and_originals_only(env):
    client, settings, sink, _ = env
    await sink.write([IndexArticle(a) for a in seed_like()])
    await _refresh(client, settings)
    hits = await search_originals(client, settings, "غارات تركية")
    assert [h["id"] for h in hits] == ["a1"]  # a4 is a duplicate
    assert "match" not in hits[0] and "body" not in hits[0]
    by_place = await search_originals(client, settings, "*", place="al-hasakah")
    assert [h["id"] for h in by_place] == ["a1"]
    by_form = await search_originals(client, settings, "*", place="البركة")
    assert [h["id"] for h in by_form] == ["a1"]
    by_actor = await search_originals(client, settings, "*", actor="Turkey")
    assert sorted(h["id"] for h in by_actor) == ["a1", "a2"]
    by_form_query = await search_originals(client, settings, "Syrian Democratic Forces")  # a tag, not in the text
    assert [h["id"] for h in by_form_query] == ["a1"]
    by_type = await search_originals(client, settings, "*", event_type="armed_clash")
    assert [h["id"] for h in by_type] == ["a2"]
    assert await search_originals(client, settings, "*", since="1h") == []  # all from 2019


async def test_mapping_rejections_reach_the_dead_letter_callback(env):
    client, settings, sink, letters = env
    good = seed_like()[0]
    bad_geo = good.model_copy(update={"id": "bad-geo", "places": [HASAKA.model_copy(
        update={"location": GeoPoint(lat=123.0, lon=40.0)})]})
    bad_date = IndexDoc("feeds", "feed-1", {"id": "feed-1", "name": "x", "last_success": "yesterday-ish"})
    result = await sink.write([IndexArticle(good), IndexArticle(bad_geo), bad_date])
    assert result.indexed == ["a1"]
    assert [r[0] for r in result.rejected] == ["bad-geo", "feed-1"]
    assert [(dl.stage, (dl.record.get("id"))) for dl in letters] == [("index", "bad-geo"), ("index", "feed-1")]
    assert "HTTP 400" in letters[0].error and "location" in letters[0].error
    assert "last_success" in letters[1].error
    assert letters[0].record["places"][0]["location"]["lat"] == 123.0  # the record is kept whole


async def test_partial_updates_touch_only_the_named_fields(env):
    client, settings, sink, _ = env
    await sink.write([IndexArticle(a) for a in seed_like()])
    result = await sink.write([
        ArticleUpdate(id="a1", partial={"dedup": {"copies": 3}}, timestamp=T0),
        ArticleUpdate(id="a2", partial={"alerts": ["rule-x"]}, timestamp=None),  # no timestamp: found through the alias
        ArticleUpdate(id="ghost", partial={"dedup": {"copies": 1}}, timestamp=T0),  # not indexed anywhere
        ArticleUpdate(id="a3", partial={"dedup": {"copies": 1}}, timestamp=T0),  # wrong month given: looked up
    ])
    assert sorted(result.indexed) == ["a1", "a2", "a3"] and result.missing == ["ghost"] and result.rejected == []
    await _refresh(client, settings)
    doc = (await client.get(index=monthly_index(settings, T0), id="a1"))["_source"]
    assert doc["dedup"] == {"status": "original", "of": None, "similarity": 0.0, "copies": 3}
    assert doc["title"] == "غارات تركية على رأس العين" and doc["match"]["title"]
    assert (await client.get(index=monthly_index(settings, T0), id="a2"))["_source"]["alerts"] == ["rule-x"]


async def test_update_and_its_article_in_one_batch(env):
    client, settings, sink, _ = env
    original = seed_like()[0]
    result = await sink.write([ArticleUpdate(id="a1", partial={"dedup": {"copies": 2}}, timestamp=None), IndexArticle(original)])
    assert sorted(result.indexed) == ["a1", "a1"] and result.missing == []
    got = await client.get(index=monthly_index(settings, T0), id="a1")
    assert got["_source"]["dedup"]["copies"] == 2


async def test_replay_overwrites_never_duplicates(env):
    client, settings, sink, _ = env
    articles = sample_articles(40, seed=3)
    await sink.write([IndexArticle(a) for a in articles])
    await sink.write([IndexArticle(a) for a in articles[:25]])
    await _refresh(client, settings)
    assert (await client.count(index=settings.index("articles")))["count"] == 40


async def test_alerts_and_feed_health_documents(env):
    client, settings, sink, _ = env
    alert = Alert(id="al-1", rule_id="mass-casualty", title="12 killed in Hasakah", severity="high",
                  article_ids=["a1"], sources=["enab"], at=T0, timestamp=T0)
    feed = {"id": "enab", "name": "Enab Baladi", "url": "https://example.test/feed", "last_success": T0.isoformat(),
            "last_error": None, "last_error_at": None, "items_last_poll": 20, "http_status": 200,
            "next_poll": T0.isoformat(), "error_streak": 0, "polls_total": 7, "items_total": 140,
            "@timestamp": T0.isoformat()}
    result = await sink.write([IndexDoc("alerts", alert.id, alert.to_doc()), IndexDoc("feeds", "enab", feed)])
    assert result.indexed == ["al-1", "enab"] and result.rejected == []
    assert (await client.get(index=settings.index("alerts"), id="al-1"))["_source"]["rule_id"] == "mass-casualty"


async def test_every_dashboard_panel_runs_on_real_elasticsearch(env):
    client, settings, sink, _ = env
    prefix = settings.index_prefix
    alert = Alert(id="al-1", rule_id="mass-casualty", title="x", severity="high", at=T0, timestamp=T0)
    feed = {"id": "enab", "name": "Enab", "error_streak": 2, "http_status": 503, "last_success": T0.isoformat(),
            "items_last_poll": 0, "items_total": 9, "@timestamp": T0.isoformat()}
    await sink.write([IndexArticle(a) for a in seed_like() + sample_articles(30, seed=1)]
                     + [IndexDoc("alerts", "al-1", alert.to_doc()), IndexDoc("feeds", "enab", feed)])
    for suffix in ("articles", "alerts", "feeds"):
        await client.indices.refresh(index=settings.index(suffix))
    shipped = panel_queries(load_objects(SAVED_OBJECTS))
    queries = panel_queries(build_saved_objects(prefix))
    assert [q.title for q in queries] == [q.title for q in shipped]
    for q in queries:
        suffix = index_suffix(q.data_view, prefix)
        live = await client.indices.get_mapping(index=q.data_view)
        for index, body in live.body.items():
            assert field_problems(q, body["mappings"]) == [], index
        resp = await client.search(index=q.data_view, body=q.request)
        if q.object_type == "search":
            assert resp["hits"]["hits"], q.title
            assert all(h["_source"].get("title") for h in resp["hits"]["hits"])
            continue
        (agg,) = resp["aggregations"].values()
        assert agg["buckets"], f"{q.title} ({suffix}) returned no buckets"
