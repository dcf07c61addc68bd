"""Rebuild the article indices after a mapping change, while the sink keeps writing.

Source: Elasticsearch itself, by scroll + bulk from this client (not the `_reindex` API: the
bare local build has no reindex module; not Kafka: the raw topic keeps 7 days, the indices
hold everything).

Per monthly index S behind the `<prefix>articles` alias (a concrete `<prefix>articles-YYYY.MM`
the sink created, or an earlier rebuild `<prefix>articles-YYYY.MM-r<stamp>`):

1. create N = `<prefix>articles-YYYY.MM-r<stamp>`: the index template gives it the current
   mappings; it is taken out of the search alias until it is complete;
2. copy S into N (scroll + bulk), keeping each document's version
   (`version_type: external`) while the sink goes on writing to S;
3. put a write block on S (the sink waits on blocked writes, it does not dead-letter them),
   refresh it (a scroll sees only refreshed writes) and copy again: only documents written or updated since step 2 have a newer version and
   are copied, the rest are skipped as version conflicts;
4. in one alias update: delete S, point the month's name `<prefix>articles-YYYY.MM` at N as
   its write index (the sink writes to that name) and add N to the search alias.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from khabar.settings import Settings

Progress = Callable[[str, int, int], None]  # (index, done, total)
BATCH = 500


@dataclass
class Rebuilt:
    source: str
    target: str
    month_alias: str
    copied: int = 0
    caught_up: int = 0


@dataclass
class ReindexReport:
    alias: str
    indices: list[Rebuilt] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"alias": self.alias, "method": "scroll + bulk from Elasticsearch (versions kept), then alias switch",
                "indices": [vars(r) for r in self.indices]}


def month_alias(alias: str, index: str) -> str:
    """`<alias>-YYYY.MM` for a monthly index or an earlier rebuild of one."""
    match = re.fullmatch(re.escape(alias) + r"-(\d{4}\.\d{2})(?:-r\d{14,})?", index)
    if match is None:
        raise ValueError(f"{index}: not a monthly article index of {alias}")
    return f"{alias}-{match.group(1)}"


async def _copy(client: AsyncElasticsearch, source: str, target: str, index_label: str,
                progress: Progress | None) -> int:
    """Scroll `source` and bulk-write into `target` keeping versions; returns documents written.

    Documents whose version in `target` is already as new are refused by Elasticsearch (409)
    and skipped: that is what makes the second pass a cheap catch-up.
    """
    from elasticsearch.helpers import async_scan, async_streaming_bulk

    total = (await client.count(index=source))["count"]
    done = written = 0

    async def actions():
        nonlocal done
        async for hit in async_scan(client, index=source, query={"query": {"match_all": {}}},
                                    size=BATCH, version=True, scroll="5m"):
            done += 1
            yield {"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": hit["_source"],
                   "version": hit["_version"], "version_type": "external"}

    async for ok, item in async_streaming_bulk(client, actions(), chunk_size=BATCH, raise_on_error=False,
                                               raise_on_exception=True, max_retries=5):
        info = next(iter(item.values()))
        if ok:
            written += 1
        elif info.get("status") != 409:
            raise RuntimeError(f"copy {source} -> {target} failed for {info.get('_id')}: {info.get('error')}")
        if progress is not None and (done % BATCH == 0 or done == total):
            progress(index_label, done, max(total, done))
    if progress is not None:
        progress(index_label, done, max(total, done))
    await client.indices.refresh(index=target)
    return written


async def rebuild_one(client: AsyncElasticsearch, alias: str, source: str, stamp: str,
                      progress: Progress | None = None) -> Rebuilt:
    month = month_alias(alias, source)
    target = f"{month}-r{stamp}"
    await client.indices.create(index=target)
    await client.indices.update_aliases(actions=[{"remove": {"index": target, "alias": alias}}])
    rebuilt = Rebuilt(source=source, target=target, month_alias=month)
    await client.indices.refresh(index=source)
    rebuilt.copied = await _copy(client, source, target, source, progress)
    await client.indices.add_block(index=source, block="write")
    try:
        await client.indices.refresh(index=source)  # a scroll sees only refreshed writes
        rebuilt.caught_up = await _copy(client, source, target, source, progress)
        await client.indices.update_aliases(actions=[
            {"remove_index": {"index": source}},
            {"add": {"index": target, "alias": month, "is_write_index": True}},
            {"add": {"index": target, "alias": alias}},
        ])
    except BaseException:
        await client.indices.put_settings(index=source, settings={"index.blocks.write": False})
        raise
    return rebuilt


async def reindex_articles(client: AsyncElasticsearch, settings: Settings,
                           progress: Progress | None = None,
                           on_start: Callable[[list[str]], None] | None = None) -> ReindexReport:
    """Rebuild every monthly index behind the articles alias (see the module docstring)."""
    alias = settings.index("articles")
    found = await client.options(ignore_status=404).indices.get_alias(name=alias)
    sources = sorted(name for name in found.body if name != "error" and isinstance(found.body[name], dict))
    if on_start is not None:
        on_start(sources)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")  # two runs in one second differ
    report = ReindexReport(alias=alias)
    for source in sources:
        report.indices.append(await rebuild_one(client, alias, source, stamp, progress))
    return report
