"""Elasticsearch unreachable mid-stream, then back: nothing lost, nothing duplicated.

The shared ES cannot be stopped, so a second sink talks to it through a small TCP forwarder on
127.0.0.1 that the test closes (dropping live connections, refusing new ones) and reopens.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from khabar.cli.bench.samples import sample_articles
from khabar.es.client import make_client
from khabar.es.setup import ensure_setup
from khabar.models import DeadLetter
from khabar.settings import load_settings
from processors.sink.bulk import ArticleSink, IndexArticle, SinkConfig
from tests.integration.test_es_setup import drop_everything

pytestmark = pytest.mark.integration


class Outage:
    """Asyncio TCP forwarder to ES that can go dark and come back on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.server: asyncio.base_events.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.drop_next_response = asyncio.Event()  # cut right after ES has done the work
        self.dropped_responses = 0
        self.dark_after_reads: int | None = None  # go dark after forwarding this many response reads
        self.went_dark = asyncio.Event()

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening and reset every live connection (like a crashed node)."""
        if self.server is not None:
            self.server.close()
            for w in list(self.writers):
                w.transport.abort()
            await self.server.wait_closed()
            self.server = None

    async def _go_dark(self) -> None:
        await self.close()
        self.went_dark.set()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}

        async def pipe(src, dst, downstream: bool):
            try:
                while data := await src.read(65536):
                    if downstream and self.drop_next_response.is_set():
                        # ES answered, the client will never know: it must retry, and the
                        # retry must overwrite (same _id, same index), not duplicate
                        self.drop_next_response.clear()
                        self.dropped_responses += 1
                        asyncio.get_running_loop().create_task(self.close())
                        return
                    dst.write(data)
                    await dst.drain()
                    if downstream and self.dark_after_reads is not None:
                        self.dark_after_reads -= 1
                        if self.dark_after_reads <= 0:
                            self.dark_after_reads = None
                            asyncio.get_running_loop().create_task(self._go_dark())
                            return
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer, False), pipe(up_reader, writer, True))
        self.writers -= {writer, up_writer}


@pytest.fixture
async def outage_env():
    prefix = f"t{uuid.uuid4().hex[:10]}-"
    base = {"KHABAR_INDEX_PREFIX": prefix, "KHABAR_TOPIC_PREFIX": f"{prefix[:-1]}."}
    direct_settings = load_settings(env=base)
    direct = make_client(direct_settings)
    await ensure_setup(direct, direct_settings)
    host, port = direct_settings.es_url.rsplit("//", 1)[1].split(":")
    proxy = Outage(host, int(port))
    await proxy.open()
    proxied_settings = load_settings(env={**base, "KHABAR_ES_URL": f"http://127.0.0.1:{proxy.port}"})
    proxied = make_client(proxied_settings, max_retries=0, request_timeout=10)
    yield direct, direct_settings, proxied, proxied_settings, proxy
    await proxy.close()
    await proxied.close()
    await drop_everything(direct, prefix)
    await direct.close()


async def test_outage_mid_stream_loses_nothing_and_duplicates_nothing(outage_env):
    direct, settings, proxied, proxied_settings, proxy = outage_env
    letters: list[DeadLetter] = []

    async def dlq(letter: DeadLetter) -> None:
        letters.append(letter)

    sink = ArticleSink(proxied, proxied_settings, dlq, text_mode="fallback",
                       config=SinkConfig(chunk_size=20, initial_backoff_s=0.2, max_backoff_s=1.0))
    articles = sample_articles(300, seed=11)
    batches = [articles[i:i + 50] for i in range(0, len(articles), 50)]
    acknowledged: list[str] = []
    retries = 0

    # batch 1 normally; batch 2: its response is cut after ES indexed it, and ES stays dark
    for n, batch in enumerate(batches):
        if n == 1:
            proxy.drop_next_response.set()
        if n == 3:
            proxy.dark_after_reads = 1
        write = asyncio.create_task(sink.write([IndexArticle(a) for a in batch]))
        if n == 1:
            while proxy.dropped_responses == 0:
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.5)  # several refused reconnects and backoff rounds
            assert not write.done(), "write returned while Elasticsearch was unreachable"
            await proxy.open()
        if n == 3:
            await proxy.went_dark.wait()  # mid-batch: the first chunk answered, the rest not sent
            await asyncio.sleep(1.0)
            assert not write.done()
            await proxy.open()
        result = await write
        assert result.rejected == [] and result.missing == []
        acknowledged += result.indexed
        retries += result.retries

    assert letters == []
    assert proxy.dropped_responses == 1 and retries >= 2
    assert sorted(acknowledged) == sorted(a.id for a in articles)  # every item acknowledged once
    await direct.indices.refresh(index=settings.index("articles"))
    assert (await direct.count(index=settings.index("articles")))["count"] == 300
    resp = await direct.search(index=settings.index("articles"), size=300, source=False, version=True)
    ids = [h["_id"] for h in resp["hits"]["hits"]]
    assert sorted(ids) == sorted(a.id for a in articles) and len(set(ids)) == 300
    # the batch whose answer was lost was written again over the same documents
    assert any(h["_version"] > 1 for h in resp["hits"]["hits"])
