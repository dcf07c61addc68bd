"""Keep an original's `dedup.copies` from going down when messages are replayed or reordered.

An original's document and the updates to its copy count travel on different topics, and
at-least-once delivery replays messages after a crash or a rebalance: a replayed original
(written with the count it had when first emitted) or a stale update would otherwise lower
the count. The count only ever grows, so the sink writes the highest of what it is given and
what is already indexed. (The local Elasticsearch build has no painless, so this is a read
before the write, one mget per batch, rather than a scripted max.)
"""

from __future__ import annotations

from typing import Any

from khabar.es.docs import article_index, monthly_index
from khabar.logs import get_logger
from khabar.models import ArticleUpdate
from khabar.settings import Settings
from processors.sink.items import IndexArticle, SinkItem

log = get_logger("khabar.processors.copies")


def _copies_of(item: SinkItem) -> int | None:
    if isinstance(item, IndexArticle) and item.article.dedup.status == "original":
        return item.article.dedup.copies
    if isinstance(item, ArticleUpdate):
        return item.copies
    return None


def _with_copies(item: SinkItem, copies: int) -> SinkItem:
    if isinstance(item, IndexArticle):
        dedup = item.article.dedup.model_copy(update={"copies": copies})
        return IndexArticle(item.article.model_copy(update={"dedup": dedup}))
    partial = {**item.partial, "dedup": {**item.partial["dedup"], "copies": copies}}
    return item.model_copy(update={"partial": partial})


async def keep_highest_copies(client: Any, settings: Settings, items: list[SinkItem]) -> list[SinkItem]:
    """The items, with every original's copy count raised to the highest known one."""
    docs: dict[str, str] = {}
    highest: dict[str, int] = {}
    for item in items:
        copies = _copies_of(item)
        if copies is None:
            continue
        ident = item.article.id if isinstance(item, IndexArticle) else item.id
        highest[ident] = max(highest.get(ident, 0), copies)
        if isinstance(item, IndexArticle):
            docs[ident] = article_index(settings, item.article)
        elif item.timestamp is not None:
            docs.setdefault(ident, monthly_index(settings, item.timestamp))
    if not highest:
        return items
    if docs:
        try:
            res = await client.mget(docs=[{"_index": idx, "_id": i, "_source": ["dedup.copies"]}
                                          for i, idx in docs.items()])
            for doc in res["docs"]:
                indexed = ((doc.get("_source") or {}).get("dedup") or {}).get("copies")
                if doc.get("found") and isinstance(indexed, int):
                    highest[doc["_id"]] = max(highest[doc["_id"]], indexed)
        except Exception as exc:  # noqa: BLE001 - the sink itself retries; the batch's own max still holds
            log.warning("copies_lookup_failed", error=f"{type(exc).__name__}: {exc}")
    out = []
    for item in items:
        copies = _copies_of(item)
        ident = item.article.id if isinstance(item, IndexArticle) else getattr(item, "id", None)
        out.append(_with_copies(item, highest[ident]) if copies is not None and copies < highest[ident] else item)
    return out
