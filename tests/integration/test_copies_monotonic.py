"""A replayed original or a stale update never lowers an original's copy count in the index."""

from __future__ import annotations

import pytest

from khabar.cli.bench.samples import sample_articles
from khabar.es.client import make_client
from khabar.es.setup import ensure_setup
from khabar.models import ArticleUpdate
from processors.sink.bulk import ArticleSink, IndexArticle
from processors.sink.copies import keep_highest_copies

pytestmark = pytest.mark.integration


async def test_replays_keep_the_highest_copy_count(isolated_settings) -> None:
    settings = isolated_settings
    client = make_client(settings)
    letters = []

    async def dlq(letter) -> None:
        letters.append(letter)

    try:
        await ensure_setup(client, settings)
        sink = ArticleSink(client, settings, dlq)
        original = sample_articles(1, id_prefix="copies")[0]
        ts = original.timestamp
        first = original.model_copy(update={"dedup": original.dedup.model_copy(update={"copies": 0})})
        await sink.write([IndexArticle(first)])
        await sink.write(await keep_highest_copies(client, settings, [ArticleUpdate(id=original.id, partial={"dedup": {"copies": 3}}, timestamp=ts)]))

        # a replay of the original as first emitted, and a stale update, arrive afterwards
        replayed = await keep_highest_copies(client, settings, [
            IndexArticle(first), ArticleUpdate(id=original.id, partial={"dedup": {"copies": 1}}, timestamp=ts)])
        assert replayed[0].article.dedup.copies == 3
        assert replayed[1].partial["dedup"]["copies"] == 3
        assert replayed[0].article.title == first.title  # nothing else changed
        await sink.write(replayed)

        await client.indices.refresh(index=settings.index("articles*"))
        doc = await client.search(index=settings.index("articles"), query={"ids": {"values": [original.id]}})
        assert doc["hits"]["hits"][0]["_source"]["dedup"]["copies"] == 3

        # within one batch, the highest count wins even before anything is indexed
        other = sample_articles(1, id_prefix="fresh")[0]
        batch = await keep_highest_copies(client, settings, [
            ArticleUpdate(id=other.id, partial={"dedup": {"copies": 2}}, timestamp=other.timestamp), IndexArticle(other)])
        assert batch[1].article.dedup.copies == 2
        assert letters == []
    finally:
        await client.close()
