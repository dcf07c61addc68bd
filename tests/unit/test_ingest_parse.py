"""Parsing fetched bytes + headers: Arabic encodings, bozo feeds, JSON Feed, bombs, size cap."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/feedserver.py
from feedserver import rss  # noqa: E402

from ingest.parse import FeedRefused, declared_charset, parse_feed

TITLE = "طردت قوات النظام السوري تنظيم داعش من مدينة الحسكة في شمال شرق سوريا"
ITEMS = [{"title": TITLE, "link": "https://news.example/1", "description": "وقال مدير المرصد رامي عبد الرحمن"}]


@pytest.mark.parametrize("encoding", ["windows-1256", "iso-8859-6", "utf-8"])
def test_arabic_declared_in_the_xml_declaration(encoding: str) -> None:
    body = rss(ITEMS, title="أخبار", encoding=encoding)
    parsed = parse_feed(body, {"content-type": "application/rss+xml"}, "https://news.example/rss")
    assert parsed.entries[0]["title"] == TITLE
    assert parsed.feed["title"] == "أخبار"
    assert not parsed.bozo and parsed.encoding.replace("_", "-") == encoding


@pytest.mark.parametrize("encoding", ["windows-1256", "iso-8859-6"])
def test_arabic_declared_only_in_the_http_header(encoding: str) -> None:
    body = rss(ITEMS, encoding=encoding, declare=False)
    parsed = parse_feed(body, {"Content-Type": f"application/rss+xml; charset={encoding}"})
    assert parsed.entries[0]["title"] == TITLE
    assert parsed.entries[0]["summary"] == "وقال مدير المرصد رامي عبد الرحمن"


@pytest.mark.parametrize("encoding", ["windows-1256", "iso-8859-6"])
def test_arabic_declared_nowhere_is_detected_not_mojibake(encoding: str) -> None:
    body = rss(ITEMS * 3, encoding=encoding, declare=False)
    assert declared_charset(body, {"content-type": "text/xml"}) is None
    parsed = parse_feed(body, {"content-type": "text/xml"})
    assert parsed.entries[0]["title"] == TITLE
    assert any("charset undeclared" in n for n in parsed.notes)


def test_forced_source_encoding_beats_a_lying_header() -> None:
    body = rss(ITEMS, encoding="windows-1256", declare=False)
    parsed = parse_feed(body, {"content-type": "text/xml; charset=utf-8"}, encoding="windows-1256")
    assert parsed.entries[0]["title"] == TITLE


def test_bozo_feed_with_entries_is_used_and_its_problem_recorded() -> None:
    body = b"""<rss version="2.0"><channel><title>broken</title>
<item><title>first &amp; fine</title><link>https://news.example/a</link></item>
<item><title>unescaped & ampersand</title><link>https://news.example/b</link></item>
</channel>"""
    parsed = parse_feed(body, {"content-type": "application/rss+xml"})
    assert parsed.bozo and parsed.problem and "SAXParseException" in parsed.problem
    assert [e["link"] for e in parsed.entries] == ["https://news.example/a", "https://news.example/b"]


def test_garbage_yields_nothing_and_says_why() -> None:
    parsed = parse_feed(b"<html><body>Service temporarily unavailable", {"content-type": "text/html"})
    assert parsed.entries == [] and parsed.bozo and parsed.problem


def test_json_feed() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1", "title": "خلاصة", "language": "ar",
        "home_page_url": "https://news.example/",
        "items": [
            {"id": "1", "url": "https://news.example/1", "title": TITLE, "content_html": "<p>نص</p>",
             "date_published": "2019-01-10T12:00:00+02:00", "tags": ["سوريا"],
             "authors": [{"name": "مراسل"}]},
            {"id": "2", "content_text": "plain", "date_modified": "2019-01-11T00:00:00Z"},
        ],
    }
    parsed = parse_feed(json.dumps(doc, ensure_ascii=False).encode(), {"content-type": "application/feed+json"})
    assert not parsed.bozo and parsed.version == "json11" and parsed.language == "ar"
    first, second = parsed.entries
    assert first["title"] == TITLE and first["link"] == "https://news.example/1"
    assert first["content"][0]["value"] == "<p>نص</p>" and first["authors"][0]["name"] == "مراسل"
    assert tuple(first["published_parsed"])[:5] == (2019, 1, 10, 10, 0)
    assert second["content"][0]["type"] == "text/plain" and second["updated_parsed"].tm_mday == 11


def test_json_that_is_not_a_feed_is_bozo() -> None:
    parsed = parse_feed(b'{"hello": "world"}', {"content-type": "application/json"})
    assert parsed.bozo and "not a JSON Feed" in parsed.problem and parsed.entries == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title></channel></rss>"""


def test_entity_expansion_bomb_is_refused_with_a_reason() -> None:
    with pytest.raises(FeedRefused, match="entity-expansion bomb refused"):
        parse_feed(BILLION_LAUGHS, {"content-type": "application/rss+xml"})


def test_flat_entity_repeated_past_the_cap_is_refused() -> None:
    body = (b'<!DOCTYPE rss [<!ENTITY big "' + b"x" * 50_000 + b'">]><rss version="2.0"><channel><title>'
            + b"&big;" * 100 + b"</title></channel></rss>")
    with pytest.raises(FeedRefused, match=r"expansion would reach more than 1000000 bytes \(&big; used 100 times\)"):
        parse_feed(body, {"content-type": "application/rss+xml"}, max_bytes=1_000_000)


def test_small_harmless_entities_still_parse() -> None:
    body = b"""<!DOCTYPE rss [
  <!ENTITY site "tag:news.example,">
]>
<rss version="2.0"><channel><item><guid isPermaLink="false">&site;2024:1</guid></item></channel></rss>"""
    parsed = parse_feed(body, {"content-type": "application/rss+xml"})
    assert parsed.entries[0]["id"] == "tag:news.example,2024:1"


def test_oversized_document_is_refused() -> None:
    body = rss(ITEMS * 50)
    with pytest.raises(FeedRefused, match=f"document of {len(body)} bytes exceeds the 1000-byte limit"):
        parse_feed(body, {}, max_bytes=1000)


def test_relative_links_resolve_against_content_location_or_url() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>
<entry><title>x</title><id>urn:1</id><link rel="alternate" href="stories/1"/></entry></feed>"""
    parsed = parse_feed(body, {"content-type": "application/atom+xml"}, "https://news.example/feeds/atom.xml")
    assert parsed.entries[0]["link"] == "https://news.example/feeds/stories/1"
    parsed = parse_feed(body, {"content-type": "application/atom+xml", "Content-Location": "/other/"},
                        "https://news.example/feeds/atom.xml")
    assert parsed.entries[0]["link"] == "https://news.example/other/stories/1"
