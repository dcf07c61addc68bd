"""Probe feeds once (the pollers' fetch and parse code) for `khabar feeds add|import|check`.

A probe fetches a feed once, parses it like a poll would and reports what an operator needs
before adding or while checking it: HTTP status, entries, the charset the document was read
in, its language (declared, else detected from the entries' text) and the error, if any.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ingest.fetch import Fetcher, FetchError
from ingest.parse import FeedRefused, parse_feed
from ingest.sources import Source

SAMPLE_ENTRIES = 10
CONCURRENCY = 8


@dataclass
class Probe:
    """One feed's answer to one fetch."""

    id: str
    url: str
    ok: bool = False
    status: str = "-"  # HTTP status, "file" for local sources
    items: int = 0
    encoding: str | None = None
    language: str | None = None
    title: str | None = None
    error: str | None = None
    encoding_detected: bool = False  # the feed declared no charset: pin it in feeds.yaml
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _language(declared: str | None, entries: list[Any]) -> str | None:
    from processors.langid import UNDETERMINED, detect_language

    text = " ".join(f"{e.get('title', '')}. {e.get('summary', '')}" for e in entries[:SAMPLE_ENTRIES])
    text = re.sub(r"<[^>]+>", " ", text)
    lang = detect_language(text, declared)
    return None if lang == UNDETERMINED else lang


async def probe_source(source: Source, fetcher: Fetcher) -> Probe:
    """Fetch and parse `source` once; failures are in `.error`, never raised."""
    if source.kind != "feed":
        return await asyncio.to_thread(_probe_local, source)
    probe = Probe(id=source.id, url=source.url or "")
    try:
        result = await fetcher.fetch(source.url or "", timeout=source.timeout, max_bytes=source.max_bytes)
        probe.status = str(result.status)
        parsed = await asyncio.to_thread(parse_feed, result.body, result.headers, result.url,
                                         source.max_bytes, source.encoding)
    except FetchError as exc:
        probe.status = str(exc.status or "-")
        probe.error = str(exc)
        return probe
    except FeedRefused as exc:
        probe.error = f"refused: {exc}"
        return probe
    probe.items = len(parsed.entries)
    probe.encoding = parsed.encoding or None
    probe.title = (parsed.feed.get("title") or "").strip() or None
    probe.notes = list(parsed.notes)
    probe.encoding_detected = any(n.startswith("charset undeclared") for n in parsed.notes)
    probe.language = source.language or _language(parsed.language, list(parsed.entries))
    if not parsed.entries and (parsed.bozo or not parsed.version):
        probe.error = f"not a feed: {parsed.problem or 'no feed format recognised'}"
    else:
        probe.ok = True
    return probe


def _probe_local(source: Source) -> Probe:
    from ingest.poller import read_local

    probe = Probe(id=source.id, url=source.location, status="file", language=source.language)
    try:
        probe.items = len(read_local(source, datetime.now(UTC)))
        probe.ok = True
    except Exception as exc:  # noqa: BLE001 - any unreadable file is this source's error
        probe.error = " ".join(str(exc).split())[:300]
    return probe


async def probe_all(sources: list[Source]) -> list[Probe]:
    """Probe every source, a few at a time, in the given order."""
    limit = asyncio.Semaphore(CONCURRENCY)
    async with Fetcher() as fetcher:
        async def one(source: Source) -> Probe:
            async with limit:
                return await probe_source(source, fetcher)

        return list(await asyncio.gather(*(one(s) for s in sources)))


def run_probes(sources: list[Source]) -> list[Probe]:
    return asyncio.run(probe_all(sources))


def normalise_url(url: str) -> str:
    """The form URLs are compared in to find duplicates (scheme/host case, trailing '/')."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def source_id(title: str | None, url: str, taken: set[str]) -> str:
    """A free source id from the feed title (ASCII letters), else from the URL's host and path."""
    ascii_title = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60]
    if len(base) < 3:
        parts = urlsplit(url)
        host = (parts.hostname or "feed").removeprefix("www.")
        path = re.sub(r"[^a-z0-9]+", "-", parts.path.lower()).strip("-")
        base = re.sub(r"[^a-z0-9.-]+", "-", f"{host}-{path}" if path and path not in ("feed", "rss") else host)
        base = base.strip("-.")[:60] or "feed"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
