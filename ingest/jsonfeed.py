"""JSON Feed 1.0/1.1 (jsonfeed.org) into the same shape feedparser gives for XML feeds.

feedparser 6.0 reads only XML, so JSON Feeds are mapped here onto feedparser's key names
(`title`, `link`, `id`, `summary`, `content`, `published_parsed`, `authors`, `tags`) and
entries.py handles both alike.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from feedparser import FeedParserDict


def looks_like_json(body: bytes) -> bool:
    """JSON Feeds are objects; XML starts with '<' (servers' content types are unreliable)."""
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _parsed_date(value: Any) -> time.struct_time | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).utctimetuple()


def _authors(item: dict) -> list[FeedParserDict]:
    raw = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    return [FeedParserDict(name=a.get("name", ""), href=a.get("url", ""))
            for a in raw if isinstance(a, dict) and a.get("name")]


def _entry(item: dict, feed_lang: str | None) -> FeedParserDict:
    content = []
    if isinstance(item.get("content_html"), str):
        content.append(FeedParserDict(value=item["content_html"], type="text/html",
                                      language=item.get("language") or feed_lang))
    if isinstance(item.get("content_text"), str):
        content.append(FeedParserDict(value=item["content_text"], type="text/plain",
                                      language=item.get("language") or feed_lang))
    entry = FeedParserDict(
        id=str(item["id"]) if item.get("id") is not None else None,
        link=item.get("url") or item.get("external_url"),
        title=item.get("title") or "",
        summary=item.get("summary") or "",
        content=content,
        published=item.get("date_published"),
        published_parsed=_parsed_date(item.get("date_published")),
        updated=item.get("date_modified"),
        updated_parsed=_parsed_date(item.get("date_modified")),
        authors=_authors(item),
        tags=[FeedParserDict(term=t) for t in item.get("tags") or [] if isinstance(t, str)],
        language=item.get("language") or feed_lang,
    )
    if entry.get("authors"):
        entry["author"] = entry["authors"][0]["name"]
    return entry


def parse_json_feed(body: bytes) -> FeedParserDict:
    """A feedparser-like result; problems set `bozo` and `bozo_exception`, never raise."""
    result = FeedParserDict(bozo=False, entries=[], feed=FeedParserDict(), version="",
                            encoding="utf-8", headers={})
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.update(bozo=True, bozo_exception=exc)
        return result
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        result.update(bozo=True, bozo_exception=ValueError("not a JSON Feed: no `items` list"))
        return result
    version = str(data.get("version") or "")
    if "jsonfeed.org/version/" not in version:
        result.update(bozo=True, bozo_exception=ValueError(f"unknown JSON Feed version {version!r}"))
    result["version"] = "json1" + ("1" if version.endswith("1.1") else "0")
    lang = data.get("language") if isinstance(data.get("language"), str) else None
    result["feed"] = FeedParserDict(title=data.get("title") or "", link=data.get("home_page_url"),
                                    language=lang, description=data.get("description") or "")
    result["entries"] = [_entry(item, lang) for item in data["items"] if isinstance(item, dict)]
    return result
