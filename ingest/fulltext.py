"""Full article text for sources with `fulltext: true`: fetch the page, extract with trafilatura.

Page fetches use the same limits as feeds (deadline, size cap, redirect limit) and refuse
private, loopback and link-local addresses unless the source is marked `local: true`: the
links come from a feed, i.e. from outside, and must not steer the poller into an internal
network. A failed fetch or empty extraction keeps the feed's own content and says why.
"""

from __future__ import annotations

import asyncio
import re

from ingest.fetch import PAGE_ACCEPT, Fetcher, FetchError
from ingest.sources import Source
from khabar.models import RawArticle

PAGE_CONCURRENCY = 4  # pages fetched at once for one feed (the per-host limit also applies)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\"';\s]+)", re.IGNORECASE)


def extract_main_text(html: bytes | str, url: str | None = None) -> str | None:
    """Main text of an article page (paragraphs separated by newlines), or None."""
    import trafilatura

    text = trafilatura.extract(html, url=url, output_format="txt", include_comments=False,
                               include_tables=False, include_images=False, deduplicate=True)
    return text.strip() if text and text.strip() else None


def _decode(body: bytes, content_type: str) -> bytes | str:
    match = _CHARSET.search(content_type)
    if match:
        try:
            return body.decode(match.group(1), "replace")
        except LookupError:
            pass
    return body  # trafilatura guesses from <meta charset> and the bytes


async def with_fulltext(article: RawArticle, source: Source, fetcher: Fetcher) -> RawArticle:
    """The article with its page's main text as `content` (feed HTML moves to `summary`)."""
    if not article.url:
        return article.model_copy(update={"notes": [*article.notes, "fulltext: no article URL"]})
    try:
        page = await fetcher.fetch(article.url, timeout=source.timeout, max_bytes=source.max_bytes,
                                   allow_private=source.local, accept=PAGE_ACCEPT)
    except FetchError as exc:
        return article.model_copy(update={"notes": [*article.notes, f"fulltext failed: {exc}"]})
    html = _decode(page.body, page.headers.get("content-type", ""))
    text = await asyncio.to_thread(extract_main_text, html, page.url)
    if not text:
        return article.model_copy(update={"notes": [*article.notes,
                                                    "fulltext: nothing extracted; kept feed content"]})
    return article.model_copy(update={
        "summary": article.summary or article.content,
        "content": text,
        "content_type": "text",
        "notes": [*article.notes, "content: main text extracted from the article page"],
    })


async def add_fulltext(articles: list[RawArticle], source: Source, fetcher: Fetcher) -> list[RawArticle]:
    """Full text for every article of one poll, a few pages at a time."""
    slots = asyncio.Semaphore(PAGE_CONCURRENCY)

    async def one(article: RawArticle) -> RawArticle:
        async with slots:
            return await with_fulltext(article, source, fetcher)

    return list(await asyncio.gather(*(one(a) for a in articles)))
