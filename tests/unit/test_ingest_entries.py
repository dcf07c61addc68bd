"""Entries → RawArticle: canonical URLs, stable ids (DESIGN §3), UTC dates, metadata."""

from datetime import UTC, datetime, timedelta

import pytest

from ingest.entries import checked_published, entry_to_raw, guid_id, text_id, url_id
from ingest.parse import parse_feed
from ingest.urls import canonical_url
from khabar.models import SourceRef, stable_id

FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SOURCE = SourceRef(id="test-src", name="Test", feed="https://news.example/feed.xml", language="ar")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM:443/a/b?id=7&utm_source=rss&utm_medium=feed#comments",
         "https://news.example.com/a/b?id=7"),
        ("http://news.example/x?fbclid=abc&gclid=1&p=2&mc_cid=9", "http://news.example/x?p=2"),
        ("http://news.example:8080/x", "http://news.example:8080/x"),
        ("https://news.example", "https://news.example/"),
        ("https://news.example/سوريا/حلب", "https://news.example/%D8%B3%D9%88%D8%B1%D9%8A%D8%A7/%D8%AD%D9%84%D8%A8"),
        ("https://news.example/%d8%b3", "https://news.example/%D8%B3"),
        ("https://news.example/a?q=1&flag", "https://news.example/a?q=1&flag"),
        ("  https://news.example/a  ", "https://news.example/a"),
        ("tag:news.example,2024:1", None),
        ("mailto:desk@news.example", None),
        ("", None),
    ],
)
def test_canonical_url(url: str, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_relative_links_resolve_against_the_feed_url() -> None:
    base = "https://news.example/syria/feed.xml"
    assert canonical_url("/2024/05/story.html?utm_campaign=x", base) == "https://news.example/2024/05/story.html"
    assert canonical_url("story-2", base) == "https://news.example/syria/story-2"


def test_share_links_of_one_article_get_one_id() -> None:
    variants = [
        "https://news.example/story/42",
        "HTTPS://NEWS.EXAMPLE/story/42#top",
        "https://news.example:443/story/42?utm_source=twitter&utm_medium=social",
        "https://news.example/story/42?fbclid=IwAR0xyz",
    ]
    ids = {url_id(canonical_url(v)) for v in variants}
    assert ids == {stable_id("https://news.example/story/42")}
    assert url_id(canonical_url("https://news.example/story/43")) not in ids


def test_id_helpers_are_deterministic_and_distinct() -> None:
    assert guid_id("a", "g1") == guid_id("a", "g1") != guid_id("b", "g1")
    # plain-text ids ignore Arabic spelling noise (alef forms, diacritics, tatweel)
    assert text_id("أعلنت الحكومة السورية") == text_id("اعلنت الحكـومة السوريّة")
    assert text_id("قتل 5") != text_id("قتل 6")


def test_checked_published() -> None:
    ok = datetime(2024, 4, 30, tzinfo=UTC)
    assert checked_published(ok, "x", FETCHED) == (ok, None)
    when, note = checked_published(None, None, FETCHED)
    assert when == FETCHED and note == "published_at missing: used fetch time"
    when, note = checked_published(None, "yesterday-ish", FETCHED)
    assert when == FETCHED and "unparseable" in note and "yesterday-ish" in note
    for absurd in (datetime(1970, 1, 1, tzinfo=UTC), FETCHED + timedelta(days=30)):
        when, note = checked_published(absurd, "x", FETCHED)
        assert when == FETCHED and note.startswith("published_at absurd")


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>T</title><link>https://news.example/</link><language>ar-SY</language>
<item>
  <title>اشتباكات في الحسكة</title>
  <link>/2015/07/hasakah.html?utm_source=rss#x</link>
  <guid isPermaLink="false">hasakah-1</guid>
  <pubDate>Tue, 28 Jul 2015 14:30:00 +0300</pubDate>
  <description>ملخص قصير</description>
  <content:encoded><![CDATA[<p>النص الكامل للخبر</p>]]></content:encoded>
  <dc:creator>مراسل</dc:creator>
  <category>سوريا</category><category>الحسكة</category>
</item>
<item><title>no link, guid only</title><guid isPermaLink="false">urn:x:2</guid>
  <pubDate>Sun, 01 Jan 2090 00:00:00 GMT</pubDate></item>
<item><title>nothing at all</title><description>just text</description></item>
</channel></rss>"""


def test_entry_to_raw_fields() -> None:
    parsed = parse_feed(RSS.encode(), {"content-type": "application/rss+xml"},
                        "https://news.example/feeds/rss.xml")
    first, second, third = (entry_to_raw(e, SOURCE, FETCHED, parsed.base_url, parsed.language)
                            for e in parsed.entries)
    assert first.url == "https://news.example/2015/07/hasakah.html"
    assert first.id == stable_id("https://news.example/2015/07/hasakah.html")
    assert first.guid == "hasakah-1"
    assert first.title == "اشتباكات في الحسكة"
    assert first.summary == "ملخص قصير"
    assert first.content == "<p>النص الكامل للخبر</p>" and first.content_type == "html"
    assert first.published_at == datetime(2015, 7, 28, 11, 30, tzinfo=UTC)
    assert first.authors == ["مراسل"] and first.categories == ["سوريا", "الحسكة"]
    assert first.language == "ar" and first.source == SOURCE and first.notes == []

    assert second.url is None and second.id == stable_id("test-src", "urn:x:2")
    assert second.published_at == FETCHED
    assert any(n.startswith("published_at absurd") for n in second.notes)

    assert third.url is None and third.guid is None
    assert third.id == entry_to_raw(parsed.entries[2], SOURCE, FETCHED).id  # stable
    assert "published_at missing: used fetch time" in third.notes
    assert third.content == "just text"
