"""Parse fetched feed bytes with feedparser, using the HTTP headers for the encoding.

feedparser never fetches here: it gets the body and the response headers, so the charset
in `Content-Type` (or the XML declaration) decides the decoding — windows-1256 and
ISO-8859-6 Arabic come out right. A feed declaring no charset at all whose bytes are not
UTF-8 is decoded with charset-normalizer's guess (and says so) instead of feedparser's
windows-1252 fallback, which turns Arabic into mojibake. Bozo feeds are still used; their
problem travels along in `problem`. Bombs and oversized documents raise FeedRefused.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from ingest.jsonfeed import looks_like_json, parse_json_feed
from ingest.xmlsafety import UnsafeXML, check_entities

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class FeedRefused(ValueError):
    """A document not parsed for safety (entity bomb, over the size cap); str() says why."""


@dataclass
class ParsedFeed:
    """What the poller needs from a parse: entries plus what went wrong, if anything."""

    entries: list[Mapping[str, Any]]
    feed: Mapping[str, Any]
    version: str = ""
    encoding: str = ""
    bozo: bool = False
    problem: str | None = None
    base_url: str | None = None
    notes: list[str] = field(default_factory=list)
    result: Mapping[str, Any] = field(default_factory=dict)  # the full feedparser dict

    @property
    def language(self) -> str | None:
        return self.feed.get("language") or None


def declared_charset(body: bytes, headers: Mapping[str, str]) -> str | None:
    """Charset from the Content-Type header, a BOM or the XML declaration (None if none)."""
    match = _CHARSET.search(headers.get("content-type", ""))
    if match:
        return match.group(1)
    if body.startswith(_BOMS):
        return "bom"
    match = _XML_ENCODING.match(body[:512])
    return match.group(1).decode("ascii") if match else None


def _with_charset(content_type: str, charset: str) -> str:
    media = content_type.split(";")[0].strip() or "application/xml"
    return f"{media}; charset={charset}"


def _guess_charset(body: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(body[:65536]).best()
    return best.encoding if best else None


def _problem(result: Mapping[str, Any]) -> str | None:
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    text = f"{type(exc).__name__}: {exc}" if exc is not None else "malformed feed"
    return " ".join(text.split())[:300]


def parse_feed(
    body: bytes,
    headers: Mapping[str, str] | None = None,
    url: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    encoding: str | None = None,
) -> ParsedFeed:
    """Parse one feed document (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed).

    `headers` are the HTTP response headers (any case); `url` the final URL, used to
    resolve relative links; `encoding` forces a charset (source config) over what the
    server declares.
    """
    if len(body) > max_bytes:
        raise FeedRefused(f"document of {len(body)} bytes exceeds the {max_bytes}-byte limit")
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    base = _base_url(url, hdrs.get("content-location"))
    if base:
        hdrs["content-location"] = base
    else:
        hdrs.pop("content-location", None)
    notes: list[str] = []
    if looks_like_json(body):
        return _wrap(parse_json_feed(body), base, notes)
    try:
        check_entities(body, max_bytes)
    except UnsafeXML as exc:
        raise FeedRefused(str(exc)) from None
    if encoding:
        hdrs["content-type"] = _with_charset(hdrs.get("content-type", ""), encoding)
    elif declared_charset(body, hdrs) is None and not _is_utf8(body):
        guess = _guess_charset(body)
        if guess:
            hdrs["content-type"] = _with_charset(hdrs.get("content-type", ""), guess)
            notes.append(f"charset undeclared and not UTF-8: decoded as detected {guess}")
    result = feedparser.parse(io.BytesIO(body), response_headers=hdrs)
    return _wrap(result, base, notes)


def _base_url(url: str | None, location: str | None) -> str | None:
    """Content-Location resolved against the URL; only http(s) bases are used."""
    candidates = [urljoin(url, location) if url and location else location, url]
    for candidate in candidates:
        if candidate and urlsplit(candidate).scheme in ("http", "https"):
            return candidate
    return None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _wrap(result: Mapping[str, Any], base: str | None, notes: list[str]) -> ParsedFeed:
    return ParsedFeed(
        entries=list(result.get("entries") or []),
        feed=result.get("feed") or {},
        version=result.get("version") or "",
        encoding=result.get("encoding") or "",
        bozo=bool(result.get("bozo")),
        problem=_problem(result),
        base_url=base,
        notes=notes,
        result=result,
    )
