"""A canned-response HTTP server on 127.0.0.1 for the ingest tests and benchmark.

Routes map a path to canned responses (status, headers, body, delay before answering,
gzip, ETag/Last-Modified with real conditional-GET behaviour). A list of responses is
served in order, the last one repeating. Every request is recorded so tests can check
what the poller sent (User-Agent, If-None-Match ...).

As a script it serves generated feeds for the benchmark:
    python tests/feedserver.py --items 20 [--latency 0.1]
prints `READY <base url>` and serves until stdin closes. Feeds with an even number never
change (conditional GET → 304); odd ones gain a new item on every request (200).
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Canned:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the response starts (a hanging server: large)
    encoding: str | None = None  # "gzip" or "deflate": compress the body and say so
    etag: str | None = None  # sent; a matching If-None-Match gets 304
    last_modified: str | None = None  # sent; an equal If-Modified-Since gets 304


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


Responder = Callable[[Seen], Canned]


class FeedServer:
    """Threaded server; `with FeedServer() as srv: srv.route("/a.xml", Canned(...))`."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Canned] | Responder] = {}
        self.requests: list[Seen] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, *responses: Canned | Responder) -> str:
        """Serve `responses` at `path` (in order, last repeats); returns the full URL."""
        if len(responses) == 1 and callable(responses[0]):
            self.routes[path] = responses[0]
        else:
            self.routes[path] = list(responses)
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _respond(self, seen: Seen) -> Canned:
        with self._lock:
            self.requests.append(seen)
            route = self.routes.get(seen.path.split("?")[0])
            if route is None:
                return Canned(b"not found", status=404)
            if callable(route):
                return route(seen)
            index = self._served.get(seen.path, 0)
            self._served[seen.path] = index + 1
            return route[min(index, len(route) - 1)]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 2048
    allow_reuse_address = True


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()})
            canned = server._respond(seen)
            if canned.delay and server._stopping.wait(canned.delay):
                return
            status, body = canned.status, canned.body
            headers = dict(canned.headers)
            if canned.etag:
                headers["ETag"] = canned.etag
            if canned.last_modified:
                headers["Last-Modified"] = canned.last_modified
            unchanged = (
                (canned.etag and seen.headers.get("if-none-match") == canned.etag)
                or (canned.last_modified and not canned.etag
                    and seen.headers.get("if-modified-since") == canned.last_modified)
            )
            if status == 200 and unchanged:
                status, body = 304, b""
            if body and canned.encoding == "gzip":
                body = gzip_module.compress(body)
                headers["Content-Encoding"] = "gzip"
            elif body and canned.encoding == "deflate":
                body = zlib.compress(body)
                headers["Content-Encoding"] = "deflate"
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def rss(items: list[dict[str, str]], title: str = "Test feed", link: str = "https://news.example/",
        encoding: str = "utf-8", declare: bool = True, language: str | None = None) -> bytes:
    """An RSS 2.0 document; items take title, link, guid, description, pubDate, category."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else ""]
    parts.append('<rss version="2.0"><channel>')
    parts.append(f"<title>{escape(title)}</title><link>{escape(link)}</link>")
    if language:
        parts.append(f"<language>{language}</language>")
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "description", "pubDate", "category", "author"):
            if key in item:
                parts.append(f"<{key}>{escape(item[key])}</{key}>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode(encoding)


def generated_feeds(items: int = 20, base_time: datetime | None = None, latency: float = 0.0) -> Responder:
    """Responder for /feeds/<n>.xml: even n never change, odd n gain an item per request.

    `latency` delays every response (a server across the internet, not on this machine).
    """
    base_time = base_time or datetime(2024, 1, 1, tzinfo=UTC)
    versions: dict[int, int] = {}
    lock = threading.Lock()

    def respond(seen: Seen) -> Canned:
        name = seen.path.rsplit("/", 1)[-1].split(".")[0]
        if not name.isdigit():
            return Canned(b"not found", status=404)
        number = int(name)
        with lock:
            version = 0 if number % 2 == 0 else versions.get(number, 0) + 1
            versions[number] = version
        entries = []
        for k in range(version, version + items):
            when = base_time + timedelta(minutes=k)
            entries.append({
                "title": f"Feed {number} story {k}: clashes reported in the north",
                "link": f"https://news{number % 50}.example/{number}/story-{k}?utm_source=rss",
                "guid": f"feed{number}-{k}",
                "description": f"<p>Story {k} of feed {number}. Fighting continued near the city.</p>",
                "pubDate": format_datetime(when, usegmt=True),
            })
        return Canned(rss(list(reversed(entries)), title=f"Feed {number}"),
                      headers={"Content-Type": "application/rss+xml; charset=utf-8"},
                      etag=f'"f{number}-v{version}"', delay=latency)

    return respond


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each response")
    args = parser.parse_args(argv)
    server = FeedServer()
    server.requests = _Discard()
    server.route("/feeds/", generated_feeds(args.items, latency=args.latency))
    server.routes = _PrefixRoutes(server.routes)
    server.start()
    print(f"READY {server.base_url}", flush=True)
    sys.stdin.read()
    server.stop()
    return 0


class _Discard(list):
    """Request log that keeps nothing (the benchmark makes many thousands of requests)."""

    def append(self, item: object) -> None:
        pass


class _PrefixRoutes(dict):
    """Routes looked up by the path's folder, so /feeds/<n>.xml all reach one responder."""

    def get(self, path: str, default: object = None) -> object:
        return super().get(path.rsplit("/", 1)[0] + "/", default)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
