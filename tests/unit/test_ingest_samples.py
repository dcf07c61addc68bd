"""The bundled demo data: seeds copied unchanged, the sample feed up to date and readable."""

import random
from pathlib import Path

from ingest.fetch import Fetcher
from ingest.files import raw_articles_from_path
from ingest.poller import Poller
from ingest.producer import MemorySink
from ingest.sources import load_sources
from khabar.settings import CONFIG_DIR
from tests.scripts import load_script

SAMPLES = CONFIG_DIR / "samples"


def _builder():
    return load_script(SAMPLES / "build_seed_feed.py")


def test_seeds_are_the_shared_corpus_unchanged(seeds_dir: Path) -> None:
    bundled = sorted(p.name for p in (SAMPLES / "seeds").glob("*.txt"))
    assert bundled == sorted(p.name for p in seeds_dir.glob("*.txt")) and len(bundled) == 5
    for name in bundled:
        assert (SAMPLES / "seeds" / name).read_bytes() == (seeds_dir / name).read_bytes()
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert "demo data only" in readme and "shared/corpus/seeds/" in readme


def test_committed_sample_feed_is_what_the_script_builds() -> None:
    assert _builder().build() == (SAMPLES / "seeds-feed.xml").read_bytes()


def test_sample_feed_items_match_the_seed_texts() -> None:
    feed_articles = list(raw_articles_from_path(SAMPLES / "seeds-feed.xml"))
    text_articles = list(raw_articles_from_path(SAMPLES / "seeds"))
    assert [a.url for a in feed_articles] == [f"https://samples.khabar.invalid/seeds/{i:03d}" for i in range(5)]
    assert [a.title for a in feed_articles] == [a.title for a in text_articles]
    for from_feed, from_text in zip(feed_articles, text_articles, strict=True):
        paragraphs = [p.strip() for p in from_text.content.split("\n") if p.strip()]
        assert from_feed.content.count("<p>") == len(paragraphs)
        assert paragraphs[-1].replace("&", "&amp;").replace("<", "&lt;") in from_feed.content
        assert from_feed.language == "ar" and from_feed.published_at.year in range(2015, 2020)
        assert from_feed.notes == []


async def test_default_config_polls_the_sample_feed_once() -> None:
    sources = load_sources(CONFIG_DIR / "feeds.yaml")
    sink = MemorySink()
    async with Fetcher() as fetcher:
        poller = Poller(sources, {}, sink, fetcher, rng=random.Random(1))
        first = await poller.poll_all_once()
        second = await poller.poll_all_once()
    assert [(o.outcome, len(o.new_ids)) for o in first] == [("ok", 5)]
    assert [o.outcome for o in second] == ["not_modified"]
    assert {a.source.id for a in sink.articles} == {"samples-seeds"}
    assert sink.states["samples-seeds"]["items_total"] == 5
