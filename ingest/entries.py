"""Feed entries → RawArticle: stable id, canonical URL, UTC dates, source metadata.

The id rule (DESIGN §3): hash of the canonical URL; without a usable URL, of source id +
entry guid (or, failing that, title + summary); plain files hash their normalised text.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ingest.urls import canonical_url
from khabar.models import RawArticle, SourceRef, stable_id
from khabar.textnorm import matching_form

EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=2)  # time zones and sloppy clocks, not next year


def url_id(url: str) -> str:
    return stable_id(url)


def guid_id(source_id: str, guid: str) -> str:
    return stable_id(source_id, guid)


def text_id(text: str) -> str:
    """Id of a plain-text article: same words (modulo Arabic spelling noise) → same id."""
    return stable_id(matching_form(text))


def struct_to_utc(value: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed tuples are UTC; None or out-of-range → None."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def checked_published(
    published: datetime | None, raw_text: str | None, fetched_at: datetime
) -> tuple[datetime, str | None]:
    """Published time to use, and a note when the feed's own value could not be used."""
    if published is None:
        if raw_text:
            return fetched_at, f"published_at unparseable ({raw_text[:60]!r}): used fetch time"
        return fetched_at, "published_at missing: used fetch time"
    if published < EARLIEST_PLAUSIBLE or published > fetched_at + FUTURE_TOLERANCE:
        return fetched_at, f"published_at absurd ({published.isoformat()}): used fetch time"
    return published, None


def _first(entry: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = entry.get(key)
        if value:
            return value
    return None


def _language(value: str | None) -> str | None:
    """Primary language subtag, lowercased: 'ar-SY' → 'ar'."""
    if not value or not isinstance(value, str):
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _content(entry: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """(content, content_type, xml:lang) from the richest content element."""
    best: Mapping[str, Any] | None = None
    for item in entry.get("content") or []:
        if best is None or len(item.get("value") or "") > len(best.get("value") or ""):
            best = item
    if best is None:
        detail = entry.get("summary_detail") or {}
        value, ctype, lang = entry.get("summary") or "", detail.get("type"), detail.get("language")
    else:
        value, ctype, lang = best.get("value") or "", best.get("type"), best.get("language")
    kind = "text" if ctype == "text/plain" else "html"
    return value, kind, lang


def entry_identity(
    entry: Mapping[str, Any], source_id: str, base_url: str | None = None
) -> tuple[str, str | None, str | None, str | None]:
    """(article id, canonical URL, guid, note on how the id was made) — cheap, no conversion."""
    link = _first(entry, "link") or _link_from_links(entry)
    guid = _first(entry, "id", "guid")
    guid = str(guid).strip() if guid else None
    url = canonical_url(link, base_url)
    if url is None and guid and entry.get("guidislink", False):
        url = canonical_url(guid, base_url)
    if url is not None:
        return url_id(url), url, guid, None
    if guid:
        return guid_id(source_id, guid), None, guid, "no usable link: id from source + guid"
    basis = f"{entry.get('title') or ''}\n{entry.get('summary') or ''}"
    return (guid_id(source_id, "text:" + matching_form(basis)), None, None,
            "no link or guid: id from source + title + summary")


def entry_to_raw(
    entry: Mapping[str, Any],
    source: SourceRef,
    fetched_at: datetime,
    base_url: str | None = None,
    feed_language: str | None = None,
    notes: list[str] | None = None,
) -> RawArticle:
    """One feedparser-style entry as a RawArticle (works for JSON Feed items too)."""
    notes = list(notes or [])
    article_id, url, guid, id_note = entry_identity(entry, source.id, base_url)
    if id_note:
        notes.append(id_note)

    published = struct_to_utc(_first(entry, "published_parsed", "updated_parsed", "created_parsed"))
    raw_date = _first(entry, "published", "updated", "created")
    published_at, date_note = checked_published(published, raw_date, fetched_at)
    if date_note:
        notes.append(date_note)

    content, content_type, content_lang = _content(entry)
    summary = entry.get("summary") or ""
    if summary == content and entry.get("content"):
        summary = ""  # feedparser copies content into summary when there is no description
    authors = [a.get("name") for a in entry.get("authors") or [] if isinstance(a, Mapping) and a.get("name")]
    if not authors and entry.get("author"):
        authors = [str(entry["author"])]
    categories = []
    for tag in entry.get("tags") or []:
        term = (tag.get("term") or tag.get("label")) if isinstance(tag, Mapping) else None
        if term and term not in categories:
            categories.append(str(term).strip())
    language = (_language(content_lang) or _language(entry.get("language"))
                or _language(feed_language) or _language(source.language))
    return RawArticle(
        id=article_id,
        url=url,
        guid=guid,
        source=source,
        title=(entry.get("title") or "").strip(),
        summary=summary,
        content=content,
        content_type=content_type,
        language=language,
        published_at=published_at,
        fetched_at=fetched_at,
        authors=authors,
        categories=categories,
        notes=notes,
    )


def _link_from_links(entry: Mapping[str, Any]) -> str | None:
    for link in entry.get("links") or []:
        if isinstance(link, Mapping) and link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None
