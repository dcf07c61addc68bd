"""Async HTTP fetching for feeds and article pages (httpx, never feedparser's fetcher).

Every request has a whole-request deadline (a server dripping one byte every few seconds
cannot hold a poller), a size cap counted on the decompressed body, a redirect limit,
conditional GET, a per-host concurrency limit and a clear User-Agent. Article pages can be
restricted to public addresses, checked on every redirect hop, so a feed cannot make the
poller probe an internal network.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import urljoin, urlsplit

import httpx

from khabar import __version__

USER_AGENT = f"khabar/{__version__} (+news monitoring)"
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECTS = {301, 302, 303, 307, 308}
RETRY_AFTER_STATUSES = {429, 503}
MAX_RETRY_AFTER = 24 * 3600.0
SMALL_BODY = 65536  # error/redirect bodies up to this size are read and dropped (keep-alive)


class FetchError(Exception):
    """A fetch that produced no usable document; str() is the one-line reason."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


@dataclass
class FetchResult:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]  # lowercased names
    body: bytes = b""
    elapsed: float = 0.0
    redirects: list[tuple[int, str]] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def moved_permanently_to(self) -> str | None:
        """Final URL if every redirect on the way was permanent (the feed has moved)."""
        if self.redirects and all(code in (301, 308) for code, _ in self.redirects):
            return self.url
        return None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped at a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now_ts = time.time() if now is None else now
    return min(max(0.0, when.timestamp() - now_ts), MAX_RETRY_AFTER)


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def ensure_public_host(url: str) -> None:
    """Raise FetchError unless every address the URL's host resolves to is public."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FetchError(f"cannot resolve {host}: {exc}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for ip in addresses:
        if not _is_public(ip):
            raise FetchError(f"refused: {host} is a private/loopback/link-local address ({ip}); "
                             "mark the source `local: true` to allow it")


class _Host:
    """One origin's connection pool and concurrency slots."""

    def __init__(self, client: httpx.AsyncClient, per_host: int) -> None:
        self.client = client
        self.slots = asyncio.Semaphore(per_host)
        self.in_use = 0


class Fetcher:
    """httpx clients per host (bounded LRU) with per-host and total limits.

    One small pool per origin instead of one big shared pool: httpcore checks every idle
    connection of a pool on each request, so a single pool over hundreds of hosts costs
    O(pool) CPU per request; per-host pools keep that O(per_host). Pools of hosts not used
    recently are closed, so thousands of feeds do not pin thousands of idle sockets.
    """

    def __init__(
        self,
        per_host: int = 4,
        max_connections: int = 200,
        max_redirects: int = 5,
        connect_timeout: float = 10.0,
        user_agent: str = USER_AGENT,
        max_hosts: int = 256,
    ) -> None:
        self.per_host = per_host
        self.max_redirects = max_redirects
        self.connect_timeout = connect_timeout
        self.max_hosts = max_hosts
        self._headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
        self._hosts: OrderedDict[str, _Host] = OrderedDict()
        self._total = asyncio.Semaphore(max_connections)
        self._closing: set[asyncio.Task] = set()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        hosts, self._hosts = list(self._hosts.values()), OrderedDict()
        await asyncio.gather(*(h.client.aclose() for h in hosts), *self._closing,
                             return_exceptions=True)

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"
        host = self._hosts.get(key)
        if host is not None:
            self._hosts.move_to_end(key)
            return host
        client = httpx.AsyncClient(
            headers=self._headers, follow_redirects=False,
            limits=httpx.Limits(max_connections=self.per_host, max_keepalive_connections=self.per_host,
                                keepalive_expiry=30.0),
        )
        host = self._hosts[key] = _Host(client, self.per_host)
        self._evict()
        return host

    def _evict(self) -> None:
        """Close the least recently used idle pools beyond `max_hosts`."""
        for key in list(self._hosts):
            if len(self._hosts) <= self.max_hosts:
                break
            host = self._hosts[key]
            if host.in_use == 0:
                del self._hosts[key]
                task = asyncio.ensure_future(host.client.aclose())
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        timeout: float = 20.0,
        max_bytes: int = 10 * 1024 * 1024,
        allow_private: bool = True,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET with conditional headers; 304 comes back as a result, failures as FetchError."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        redirects: list[tuple[int, str]] = []
        current = url
        try:
            async with asyncio.timeout(timeout):
                while True:
                    if not allow_private:
                        await ensure_public_host(current)
                    host = self._host(current)
                    host.in_use += 1
                    try:
                        async with host.slots, self._total:  # host first: no hoarding
                            result = await self._get_once(host.client, current, headers, timeout,
                                                          max_bytes)
                    finally:
                        host.in_use -= 1
                    if result.status in REDIRECTS and "location" in result.headers:
                        if len(redirects) >= self.max_redirects:
                            raise FetchError(f"more than {self.max_redirects} redirects",
                                             status=result.status)
                        current = urljoin(current, result.headers["location"].strip())
                        if urlsplit(current).scheme not in ("http", "https"):
                            raise FetchError(f"redirect to a non-http URL refused: {current}")
                        redirects.append((result.status, current))
                        continue
                    break
        except TimeoutError:
            raise FetchError(f"timed out after {timeout:g}s") from None
        except httpx.ConnectTimeout:
            raise FetchError(f"connect timeout after {self.connect_timeout:g}s") from None
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {timeout:g}s") from None
        except httpx.ConnectError as exc:
            raise FetchError(f"connection failed: {exc or type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}") from None
        result.elapsed = time.monotonic() - started
        result.redirects = redirects
        status = result.status
        if status == 304 or 200 <= status < 300:
            return result
        retry_after = parse_retry_after(result.headers.get("retry-after"))
        if status in RETRY_AFTER_STATUSES:
            raise FetchError(f"HTTP {status}" + (f", Retry-After {retry_after:g}s" if retry_after is not None else ""),
                             status=status, retry_after=retry_after)
        raise FetchError(f"HTTP {status}", status=status)

    async def _get_once(self, client: httpx.AsyncClient, url: str, headers: Mapping[str, str],
                        timeout: float, max_bytes: int) -> FetchResult:
        request_timeout = httpx.Timeout(timeout, connect=min(self.connect_timeout, timeout))
        async with client.stream("GET", url, headers=headers, timeout=request_timeout) as resp:
            resp_headers = {k.lower(): v for k, v in resp.headers.items()}
            if not 200 <= resp.status_code < 300:
                declared = resp_headers.get("content-length", "")
                if resp.status_code == 304 or (declared.isdigit() and int(declared) <= SMALL_BODY):
                    await resp.aread()  # drained, so the connection can be reused
                return FetchResult(url=url, status=resp.status_code, headers=resp_headers)
            declared = resp_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes and "content-encoding" not in resp_headers:
                raise FetchError(f"response of {declared} bytes exceeds the {max_bytes}-byte limit: refused")
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"response larger than the {max_bytes}-byte limit: refused")
                chunks.append(chunk)
            return FetchResult(url=url, status=resp.status_code, headers=resp_headers,
                               body=b"".join(chunks))
