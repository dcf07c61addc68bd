"""Transient answers from Elasticsearch (429 per item, 503 for a whole request, a document that
keeps failing with 500) through an HTTP-level stand-in on 127.0.0.1 that fakes those answers for
chosen requests and forwards everything else to the real local Elasticsearch."""

from __future__ import annotations

import asyncio
import json
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


class FlakyElasticsearch:
    """Answers `_bulk` requests from a script of faults, forwards the rest (and later bulks) to ES."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.script: list[str] = []  # per bulk request: "429-items", "503", or "forward"
        self.always_500_for: set[str] = set()  # ids answered 500 in every bulk response we fake
        self.bulk_requests = 0
        self.server: asyncio.base_events.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length) if length else b""
                path = head.split(b" ")[1].decode()
                fault = "forward"
                if "/_bulk" in path:
                    self.bulk_requests += 1
                    fault = self.script.pop(0) if self.script else "forward"
                    if fault == "forward" and self.always_500_for:
                        fault = "500-for-some"
                if fault == "forward":
                    writer.write(await self._forward(head, body))
                else:
                    writer.write(await self._fake(fault, head, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        lines = [ln for ln in head.split(b"\r\n") if ln and not ln.lower().startswith(b"connection:")]
        request = b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body
        r, w = await asyncio.open_connection(*self.target)
        w.write(request)
        await w.drain()
        response = await r.read()
        w.close()
        return response

    async def _fake(self, fault: str, head: bytes, body: bytes) -> bytes:
        if fault == "503":
            payload = {"error": {"type": "cluster_block_exception", "reason": "blocked"}, "status": 503}
            return self._http(503, "Service Unavailable", payload)
        actions = [json.loads(line) for line in body.decode().splitlines()[0::2] if line]
        if fault == "429-items":
            items = [{op: {**meta, "status": 429, "error": {"type": "es_rejected_execution_exception",
                                                             "reason": "queue full"}}}
                     for a in actions for op, meta in a.items()]
            return self._http(200, "OK", {"took": 1, "errors": True, "items": items})
        # 500-for-some: forward the other documents for real, fake 500 for the chosen ids
        kept, faked = [], []
        pairs = list(zip(body.decode().splitlines()[0::2], body.decode().splitlines()[1::2], strict=True))
        for action_line, source_line in pairs:
            meta = next(iter(json.loads(action_line).values()))
            (faked if meta["_id"] in self.always_500_for else kept).append((action_line, source_line, meta))
        real_items = []
        if kept:
            new_body = "".join(f"{a}\n{s}\n" for a, s, _ in kept).encode()
            new_head = b"\r\n".join(ln if not ln.lower().startswith(b"content-length:") else
                                    f"Content-Length: {len(new_body)}".encode() for ln in head.split(b"\r\n"))
            raw = await self._forward(new_head, new_body)
            real_items = json.loads(_http_body(raw))["items"]
        by_id = {next(iter(i.values()))["_id"]: i for i in real_items}
        items = []
        for _, _, meta in pairs_meta(pairs):
            if meta["_id"] in self.always_500_for:
                items.append({"index": {**meta, "status": 500, "error": {"type": "illegal_state_exception",
                                                                         "reason": "boom"}}})
            else:
                items.append(by_id[meta["_id"]])
        return self._http(200, "OK", {"took": 1, "errors": True, "items": items})

    @staticmethod
    def _http(status: int, reason: str, payload: dict) -> bytes:
        data = json.dumps(payload).encode()
        return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"X-Elastic-Product: Elasticsearch\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data


def _http_body(raw: bytes) -> bytes:
    """The body of a raw HTTP/1.1 response read to EOF (plain or chunked)."""
    head, body = raw.split(b"\r\n\r\n", 1)
    if b"transfer-encoding: chunked" not in head.lower():
        return body
    out = b""
    while True:
        size_line, rest = body.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out += rest[:size]
        body = rest[size + 2:]


def pairs_meta(pairs):
    for action_line, source_line in pairs:
        yield action_line, source_line, next(iter(json.loads(action_line).values()))


@pytest.fixture
async def flaky_env():
    prefix = f"t{uuid.uuid4().hex[:10]}-"
    base = {"KHABAR_INDEX_PREFIX": prefix, "KHABAR_TOPIC_PREFIX": f"{prefix[:-1]}."}
    settings = load_settings(env=base)
    direct = make_client(settings)
    await ensure_setup(direct, settings)
    host, port = settings.es_url.rsplit("//", 1)[1].split(":")
    flaky = FlakyElasticsearch((host, int(port)))
    flaky_port = await flaky.start()
    proxied_settings = load_settings(env={**base, "KHABAR_ES_URL": f"http://127.0.0.1:{flaky_port}"})
    proxied = make_client(proxied_settings, max_retries=0)
    letters: list[DeadLetter] = []

    async def dlq(letter: DeadLetter) -> None:
        letters.append(letter)

    sink = ArticleSink(proxied, proxied_settings, dlq, text_mode="fallback",
                       config=SinkConfig(chunk_size=50, initial_backoff_s=0.05, max_backoff_s=0.2, max_item_retries=3))
    yield direct, settings, flaky, sink, letters
    await proxied.close()
    await flaky.stop()
    await drop_everything(direct, prefix)
    await direct.close()


async def _ids_in_es(direct, settings) -> list[str]:
    await direct.indices.refresh(index=settings.index("articles"))
    resp = await direct.search(index=settings.index("articles"), size=1000, source=False)
    return sorted(h["_id"] for h in resp["hits"]["hits"])


async def test_429_items_and_503_requests_are_retried_until_indexed(flaky_env):
    direct, settings, flaky, sink, letters = flaky_env
    articles = sample_articles(120, seed=21)
    # round 1: chunks of 50 answered 429 per item, 503, 429 per item; round 2: the first chunk 503
    flaky.script = ["429-items", "503", "429-items", "503"]
    result = await asyncio.wait_for(sink.write([IndexArticle(a) for a in articles]), timeout=120)
    assert letters == [] and result.rejected == []
    assert sorted(result.indexed) == sorted(a.id for a in articles)
    assert result.retries == 2  # round 3 succeeds
    assert flaky.bulk_requests == 3 + 3 + 1
    assert await _ids_in_es(direct, settings) == sorted(a.id for a in articles)


async def test_a_document_failing_for_ever_is_dead_lettered_after_bounded_retries(flaky_env):
    direct, settings, flaky, sink, letters = flaky_env
    articles = sample_articles(30, seed=22)
    cursed = articles[7].id
    flaky.always_500_for = {cursed}
    result = await asyncio.wait_for(sink.write([IndexArticle(a) for a in articles]), timeout=120)
    assert result.rejected == [(cursed, result.rejected[0][1])]
    assert "gave up after 4 attempts" in result.rejected[0][1] and "illegal_state_exception" in result.rejected[0][1]
    assert [(dl.stage, dl.record["id"]) for dl in letters] == [("index", cursed)]
    assert sorted(result.indexed) == sorted(a.id for a in articles if a.id != cursed)
    assert await _ids_in_es(direct, settings) == sorted(a.id for a in articles if a.id != cursed)


async def test_one_bad_id_costs_only_itself_not_its_batch(flaky_env):
    """Issue 12.1: an _id over 512 bytes makes Elasticsearch refuse the whole bulk request
    (400); the sink sends each item of that request alone, so only the bad one is rejected."""
    direct, settings, flaky, sink, letters = flaky_env
    articles = sample_articles(40, seed=23)
    bad = articles[5].model_copy(update={"id": "x" * 600})
    articles[5] = bad
    result = await asyncio.wait_for(sink.write([IndexArticle(a) for a in articles]), timeout=120)
    assert [i for i, _ in result.rejected] == [bad.id]
    assert [(dl.stage, dl.record["id"]) for dl in letters] == [("index", bad.id)]
    assert await _ids_in_es(direct, settings) == sorted(a.id for a in articles if a.id != bad.id)
