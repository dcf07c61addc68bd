"""The httpx fetcher against canned responses on 127.0.0.1."""

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/feedserver.py
from feedserver import Canned, FeedServer, rss  # noqa: E402

from ingest.fetch import USER_AGENT, Fetcher, FetchError, parse_retry_after  # noqa: E402

BODY = rss([{"title": "عاجل: اشتباكات في إدلب", "link": "https://news.example/1"}])


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


async def test_conditional_get_304_and_headers_sent(server: FeedServer) -> None:
    url = server.route("/feed.xml", Canned(BODY, etag='"v1"', last_modified="Tue, 28 Jul 2015 10:00:00 GMT"))
    async with Fetcher() as fetcher:
        first = await fetcher.fetch(url)
        second = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert (first.status, first.body, first.etag) == (200, BODY, '"v1"')
    assert first.last_modified == "Tue, 28 Jul 2015 10:00:00 GMT"
    assert second.not_modified and second.body == b""
    sent = server.hits("/feed.xml")
    assert sent[0].headers["user-agent"] == USER_AGENT == "khabar/0.1.0 (+news monitoring)"
    assert "if-none-match" not in sent[0].headers
    assert sent[1].headers["if-none-match"] == '"v1"'
    assert sent[1].headers["if-modified-since"] == "Tue, 28 Jul 2015 10:00:00 GMT"
    assert "gzip" in sent[0].headers["accept-encoding"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compressed_bodies_are_decoded(server: FeedServer, encoding: str) -> None:
    url = server.route("/z.xml", Canned(BODY, encoding=encoding))
    async with Fetcher() as fetcher:
        result = await fetcher.fetch(url)
    assert result.body == BODY and result.headers["content-encoding"] == encoding


async def test_redirects_are_followed_and_recorded(server: FeedServer) -> None:
    final = server.route("/new.xml", Canned(BODY))
    server.route("/old.xml", Canned(status=301, headers={"Location": "/mid.xml"}))
    server.route("/mid.xml", Canned(status=308, headers={"Location": final}))
    server.route("/temp.xml", Canned(status=302, headers={"Location": "/new.xml"}))
    async with Fetcher() as fetcher:
        moved = await fetcher.fetch(server.url("/old.xml"))
        temporary = await fetcher.fetch(server.url("/temp.xml"))
    assert moved.body == BODY and moved.url == final
    assert [code for code, _ in moved.redirects] == [301, 308]
    assert moved.moved_permanently_to == final
    assert temporary.body == BODY and temporary.moved_permanently_to is None


async def test_redirect_limit(server: FeedServer) -> None:
    server.route("/loop", Canned(status=302, headers={"Location": "/loop"}))
    async with Fetcher(max_redirects=3) as fetcher:
        with pytest.raises(FetchError, match="more than 3 redirects"):
            await fetcher.fetch(server.url("/loop"))
    assert len(server.hits("/loop")) == 4


async def test_retry_after_on_429_and_503(server: FeedServer) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    server.route("/busy", Canned(status=429, headers={"Retry-After": "120"}))
    server.route("/down", Canned(status=503, headers={"Retry-After": format_datetime(later, usegmt=True)}))
    server.route("/gone", Canned(status=404))
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError) as busy:
            await fetcher.fetch(server.url("/busy"))
        with pytest.raises(FetchError) as down:
            await fetcher.fetch(server.url("/down"))
        with pytest.raises(FetchError) as gone:
            await fetcher.fetch(server.url("/gone"))
    assert (busy.value.status, busy.value.retry_after) == (429, 120.0)
    assert down.value.status == 503 and 3500 < down.value.retry_after <= 3600
    assert (gone.value.status, gone.value.retry_after, str(gone.value)) == (404, None, "HTTP 404")


def test_parse_retry_after() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("999999") == 24 * 3600.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


async def test_a_hanging_server_times_out_while_other_feeds_proceed(server: FeedServer) -> None:
    hanging = server.route("/hang.xml", Canned(BODY, delay=300))
    fast = [server.route(f"/fast{i}.xml", Canned(BODY)) for i in range(5)]
    async with Fetcher(per_host=2) as fetcher:
        slow_task = asyncio.create_task(fetcher.fetch(hanging, timeout=3))
        results = await asyncio.gather(*(fetcher.fetch(u) for u in fast))
        assert not slow_task.done()  # the fast feeds finished while the slow one still waits
        with pytest.raises(FetchError, match="timed out after 3s"):
            await slow_task
    assert [r.body for r in results] == [BODY] * 5


async def test_size_cap_counts_decompressed_bytes(server: FeedServer) -> None:
    bomb = b"<rss>" + b" " * 2_000_000 + b"</rss>"
    url = server.route("/big.xml", Canned(bomb, encoding="gzip"))
    declared = server.route("/declared.xml", Canned(b"x" * 5000))
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError, match="larger than the 100000-byte limit"):
            await fetcher.fetch(url, max_bytes=100_000)
        with pytest.raises(FetchError, match="response of 5000 bytes exceeds the 1000-byte limit"):
            await fetcher.fetch(declared, max_bytes=1000)


async def test_private_addresses_refused_unless_allowed(server: FeedServer) -> None:
    url = server.route("/page.html", Canned(b"<html>hi</html>"))
    redirecting = server.route("/r", Canned(status=302, headers={"Location": url}))
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a private/loopback"):
            await fetcher.fetch(url, allow_private=False)
        with pytest.raises(FetchError, match="refused"):
            await fetcher.fetch(redirecting.replace("127.0.0.1", "localhost"), allow_private=False)
        assert (await fetcher.fetch(url, allow_private=True)).body == b"<html>hi</html>"
    assert len(server.hits("/page.html")) == 1  # the refused fetches never reached the server


async def test_connection_refused_is_a_clear_error() -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError, match="connection failed"):
            await fetcher.fetch("http://127.0.0.1:9/feed.xml", timeout=5)
