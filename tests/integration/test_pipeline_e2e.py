"""End to end on the real local stack: feed -> Kafka -> Faust workers -> Elasticsearch.

Runs the `khabar` CLI as a user would (`khabar run --once`), each test with its own topic
prefix, index prefix and state dir.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from kafka import KafkaProducer

from khabar.models import Article, SourceRef, stable_id, utcnow
from khabar.settings import PROJECT_ROOT, load_settings
from tests.integration.pipeline_support import Workers, read_topic, run_once, search_all, wait_for

pytestmark = pytest.mark.integration

SAMPLE_FEED = PROJECT_ROOT / "config" / "samples" / "seeds-feed.xml"


def feed_titles(path: Path) -> list[str]:
    import feedparser

    return [e.title for e in feedparser.parse(path.read_bytes()).entries]


def feeds_file(tmp_path: Path, *feeds: tuple[str, Path]) -> Path:
    lines = ["sources:"]
    for sid, path in feeds:
        lines += [f"  - id: {sid}", f"    name: {sid}", "    kind: file", f"    path: {path}",
                  "    language: ar", "    country: SY"]
    out = tmp_path / "feeds.yaml"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def test_seed_feed_is_searchable_and_a_second_run_adds_nothing(isolated_env, tmp_path) -> None:
    settings = load_settings(env={**os.environ, **isolated_env})
    feeds = feeds_file(tmp_path, ("seeds", SAMPLE_FEED))
    first = run_once(feeds, isolated_env)
    assert first["sources"] == 1 and first["produced"] == 5, first
    assert first["indexed"] == 5 and first["dead_lettered"] == 0 and first["errors"] == [], first

    hits = search_all(settings)
    assert len(hits) == 5
    titles = sorted(h["_source"]["title"] for h in hits)
    assert titles == sorted(feed_titles(SAMPLE_FEED))  # Arabic titles intact, byte for byte
    assert all(re.search("[\u0600-\u06ff]", t) for t in titles)
    assert all(h["_source"]["language"] == "ar" for h in hits)
    ids_before = sorted(h["_id"] for h in hits)

    second = run_once(feeds, isolated_env)
    assert second["produced"] == 0 and second["errors"] == [], second
    hits_after = search_all(settings)
    assert sorted(h["_id"] for h in hits_after) == ids_before


def _article(title: str, lat: float = 36.5) -> Article:
    from khabar.models import GeoPoint, PlaceTag

    now = utcnow()
    return Article(id=stable_id("e2e", title), source=SourceRef(id="e2e", name="e2e"), title=title,
                   body=title, language="ar", fetched_at=now, published_at=now, **{"@timestamp": now},
                   places=[PlaceTag(id="p", name="الحسكة", location=GeoPoint(lat=lat, lon=40.7))])


def test_rejected_records_reach_the_dlq_and_the_stream_goes_on(isolated_env, tmp_path) -> None:
    settings = load_settings(env={**os.environ, **isolated_env})
    workers = Workers(isolated_env, tmp_path / "logs")
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    bad = _article("خبر بإحداثيات مستحيلة", lat=500.0)  # Elasticsearch rejects latitude 500
    good = _article("خبر سليم بعده")
    try:
        workers.start(1)
        producer.send(settings.topic("articles.raw"), key=b"junk", value=b"{not json")
        producer.send(settings.topic("articles.enriched"), key=bad.id.encode(),
                      value=bad.model_dump_json(by_alias=True).encode())
        producer.send(settings.topic("articles.enriched"), key=good.id.encode(),
                      value=good.model_dump_json(by_alias=True).encode())
        producer.flush()
        wait_for(lambda: [h for h in search_all(settings) if h["_id"] == good.id], timeout=180,
                 what=f"the good article to be indexed; worker log:\n{workers.logs()}")
        letters = wait_for(lambda: len(read_topic(settings, "articles.dlq")) >= 2 and read_topic(settings, "articles.dlq"),
                           timeout=60, what="two dead letters")
    finally:
        producer.close()
        workers.stop()
    by_stage = {v["stage"]: (k, v) for k, v in letters}
    assert "decode" in by_stage and by_stage["decode"][0] == "junk"
    index_letters = [v for k, v in letters if k == bad.id]
    assert index_letters, letters
    assert index_letters[0]["stage"] == "index"
    assert "lat" in index_letters[0]["error"].lower() or "geo" in index_letters[0]["error"].lower()
    assert index_letters[0]["record"]["title"] == bad.title
    assert bad.id not in {h["_id"] for h in search_all(settings)}


def test_two_outlets_two_workers_one_original_per_story(isolated_env, tmp_path) -> None:
    """The same stories published by a second outlet under other URLs, two worker processes."""
    settings = load_settings(env={**os.environ, **isolated_env})
    text = SAMPLE_FEED.read_text(encoding="utf-8")
    mirror = tmp_path / "mirror-feed.xml"
    mirror.write_text(text.replace("samples.khabar.invalid", "mirror.khabar.invalid"), encoding="utf-8")
    assert mirror.read_text(encoding="utf-8") != text
    feeds = feeds_file(tmp_path, ("seeds", SAMPLE_FEED), ("mirror", mirror))
    summary = run_once(feeds, isolated_env, workers=2)
    assert summary["produced"] == 10 and summary["indexed"] == 10, summary

    docs = [h["_source"] for h in search_all(settings)]
    originals = [d for d in docs if d["dedup"]["status"] == "original"]
    copies = [d for d in docs if d["dedup"]["status"] != "original"]
    assert len(originals) == 5 and len(copies) == 5
    original_ids = {d["id"] for d in originals}
    assert {d["dedup"]["of"] for d in copies} == original_ids
    wait_for(lambda: all(d["_source"]["dedup"]["copies"] == 1 for d in search_all(settings)
                         if d["_source"]["dedup"]["status"] == "original"),
             timeout=60, what="copies counted on every original")
    enriched = read_topic(settings, "articles.enriched")
    assert len({k for k, _ in enriched}) == 10  # every processed article, duplicates included
    assert json.dumps(enriched[0][1], ensure_ascii=False).count("dedup") >= 1
