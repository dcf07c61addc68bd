"""`khabar reindex` on the real Elasticsearch: same documents, new indices, aliases switched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from khabar.es.client import make_client
from khabar.es.setup import ensure_setup
from khabar.settings import load_settings

pytestmark = pytest.mark.integration

MONTHS = {"2016.02": ["a1", "a2", "a3"], "2019.01": ["b1", "b2"]}


def _docs(month: str, ids: list[str]) -> list[dict]:
    year, mon = month.split(".")
    return [{"_id": i, "title": f"خبر {i}", "@timestamp": f"{year}-{mon}-10T12:00:00+00:00",
             "source": {"id": "wire", "name": "Wire"}, "language": "ar"} for i in ids]


async def _setup(settings) -> None:
    client = make_client(settings)
    try:
        await ensure_setup(client, settings)
    finally:
        await client.close()


def test_reindex_keeps_every_document_and_switches_the_aliases(isolated_env: dict[str, str]) -> None:
    import asyncio

    settings = load_settings(env={**os.environ, **isolated_env})
    asyncio.run(_setup(settings))
    alias = settings.index("articles")
    es = Elasticsearch(settings.es_url, request_timeout=60)
    try:
        for month, ids in MONTHS.items():
            for doc in _docs(month, ids):
                doc_id = doc.pop("_id")
                es.index(index=f"{alias}-{month}", id=doc_id, document=doc)  # as the sink does
        es.indices.refresh(index=alias)
        before = sorted(h["_id"] for h in es.search(index=alias, size=100)["hits"]["hits"])
        assert before == sorted(i for ids in MONTHS.values() for i in ids)

        exe = Path(sys.executable).with_name("khabar")
        done = subprocess.run([str(exe), "reindex", "--json"], capture_output=True, text=True, timeout=300,
                              env={**os.environ, **isolated_env})
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert [r["source"] for r in report["indices"]] == [f"{alias}-{m}" for m in sorted(MONTHS)]
        assert [r["copied"] for r in report["indices"]] == [3, 2]

        es.indices.refresh(index=alias)
        after = sorted(h["_id"] for h in es.search(index=alias, size=100)["hits"]["hits"])
        assert after == before and es.count(index=alias)["count"] == 5
        behind = es.indices.get_alias(name=alias).body
        targets = sorted(r["target"] for r in report["indices"])
        assert sorted(behind) == targets and all("-r" in t for t in targets)
        for month in MONTHS:
            month_alias = es.indices.get_alias(name=f"{alias}-{month}").body
            [(index, info)] = month_alias.items()
            assert index.startswith(f"{alias}-{month}-r") and info["aliases"][f"{alias}-{month}"]["is_write_index"]
        # the sink goes on writing to the month's name: it lands in the new index
        late = {k: v for k, v in _docs("2016.02", ["a4"])[0].items() if k != "_id"}
        es.index(index=f"{alias}-2016.02", id="a4", document=late, refresh=True)
        [hit] = es.search(index=alias, query={"ids": {"values": ["a4"]}})["hits"]["hits"]
        assert hit["_index"].startswith(f"{alias}-2016.02-r")

        # a second rebuild starts from the first one's indices
        again = subprocess.run([str(exe), "reindex", "--json"], capture_output=True, text=True, timeout=300,
                               env={**os.environ, **isolated_env})
        assert again.returncode == 0, again.stderr
        assert [r["copied"] for r in json.loads(again.stdout)["indices"]] == [4, 2]
        es.indices.refresh(index=alias)
        assert es.count(index=alias)["count"] == 6
    finally:
        es.close()


async def test_the_sink_keeps_writing_while_the_indices_are_rebuilt(isolated_env: dict[str, str]) -> None:
    """Articles the real sink writes during a rebuild (some hit the write block) all end up
    in the new indices; none is dead-lettered."""
    import asyncio

    from khabar.cli.bench.samples import sample_articles
    from khabar.es.reindex import reindex_articles
    from processors.sink.bulk import ArticleSink, IndexArticle, SinkConfig

    settings = load_settings(env={**os.environ, **isolated_env})
    client = make_client(settings)
    letters: list = []

    async def dlq(letter) -> None:
        letters.append(letter)

    try:
        await ensure_setup(client, settings)
        sink = ArticleSink(client, settings, dlq, text_mode="fallback",
                           config=SinkConfig(chunk_size=20, initial_backoff_s=0.05, max_backoff_s=0.2))
        articles = sample_articles(400, seed=31)
        first, later = articles[:200], articles[200:]
        await sink.write([IndexArticle(a) for a in first])
        alias = settings.index("articles")
        rebuilding = asyncio.create_task(reindex_articles(client, settings))
        written = 0
        while written < len(later) or not rebuilding.done():  # small writes all through the rebuild
            start = written % len(later)  # once all are written, write them again (idempotent)
            batch = later[start:start + 10]
            result = await asyncio.wait_for(sink.write([IndexArticle(a) for a in batch]), timeout=120)
            assert len(result.indexed) == len(batch)
            written += len(batch)
            await asyncio.sleep(0.02)
        report = await asyncio.wait_for(rebuilding, timeout=300)
        assert report.indices and not letters
        await client.indices.refresh(index=alias)
        found = await client.search(index=alias, size=1000, source=False, query={"match_all": {}})
        assert sorted(h["_id"] for h in found["hits"]["hits"]) == sorted({a.id for a in articles})
        rebuilt = {r.source for r in report.indices}
        assert not any(h["_index"] in rebuilt for h in found["hits"]["hits"])  # the old indices are gone
    finally:
        await client.close()


async def test_an_update_aimed_at_an_index_a_rebuild_deleted_finds_the_new_one(isolated_env: dict[str, str]) -> None:
    """A copy-count update the sink resolved to an index just before `khabar reindex`
    deleted it is resolved again, not reported missing."""
    from khabar.cli.bench.samples import sample_articles
    from khabar.es.reindex import reindex_articles
    from khabar.models import ArticleUpdate
    from processors.sink.bulk import ArticleSink, IndexArticle

    class RebuildAfterLocating(ArticleSink):
        """The real sink, with a real rebuild run right after it located the document."""

        rebuilt = False

        async def _locate(self, ids: list[str]) -> dict[str, str]:
            found = await super()._locate(ids)
            if not self.rebuilt:
                self.rebuilt = True
                await reindex_articles(self.client, self.settings)
            return found

    settings = load_settings(env={**os.environ, **isolated_env})
    client = make_client(settings)
    letters: list = []

    async def dlq(letter) -> None:
        letters.append(letter)

    try:
        await ensure_setup(client, settings)
        [article] = sample_articles(1, seed=5)
        await ArticleSink(client, settings, dlq, text_mode="fallback").write([IndexArticle(article)])
        await reindex_articles(client, settings)  # the document now lives in a `-r` index
        sink = RebuildAfterLocating(client, settings, dlq, text_mode="fallback")
        result = await sink.write([ArticleUpdate(id=article.id, partial={"dedup": {"copies": 5}})])
        assert sink.rebuilt and result.missing == [] and result.indexed == [article.id] and not letters
        alias = settings.index("articles")
        await client.indices.refresh(index=alias)
        [hit] = (await client.search(index=alias, query={"ids": {"values": [article.id]}}))["hits"]["hits"]
        assert hit["_source"]["dedup"]["copies"] == 5 and "-r" in hit["_index"]
    finally:
        await client.close()
