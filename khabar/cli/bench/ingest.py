"""`khabar bench ingest`: feeds polled per minute and entries parsed per second.

A canned feed server (tests/feedserver.py) runs in its own process on 127.0.0.1 and
serves 1,000 RSS feeds of 20 items: even-numbered feeds never change (conditional GET →
304), odd ones gain an item on every request (200). The poller (ingest.poller: httpx,
conditional GET, feedparser in worker threads, entries → RawArticle, state bookkeeping)
polls them all twice — a cold round (all 200) and a mixed round (half 304) — into an
in-memory sink, so the number is ingest's own cost, not Kafka's.

Baselines measured in the same run, on the same server and bytes:
- polling: plain feedparser fetching each feed itself (`feedparser.parse(url, etag=...)`,
  one after another — how feedparser is used when nothing is built around it);
- parsing: `feedparser.parse(bytes, response_headers=...)` on the fetched documents,
  beside ingest's parse path (safety checks + feedparser + entries → RawArticle).

A second variant repeats the polling with 100 ms added to every response, where a
sequential fetcher is bound by latency and concurrency shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import random
import subprocess
import sys
import time
from typing import Any

from khabar.settings import PROJECT_ROOT

SERVER_SCRIPT = PROJECT_ROOT / "tests" / "feedserver.py"
ITEMS_PER_FEED = 20
TARGET_FEEDS_PER_MIN = 1000
LATENCY = 0.1  # second variant: every response 100 ms late, like a server across the internet


@contextlib.contextmanager
def feed_server(items: int, latency: float = 0.0):
    """The canned feed server as a subprocess; yields its base URL."""
    if not SERVER_SCRIPT.exists():
        raise FileNotFoundError(f"{SERVER_SCRIPT} is missing (the benchmark's feed server)")
    proc = subprocess.Popen([sys.executable, str(SERVER_SCRIPT), "--items", str(items),
                             "--latency", str(latency)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"feed server did not start: {line!r}")
        yield line.split(" ", 1)[1]
    finally:
        with contextlib.suppress(Exception):
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _round(label: str, seconds: float, cpu: float, outcomes: list[Any]) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for o in outcomes:
        key = o.outcome if o.outcome != "ok" else str(o.http_status)
        statuses[key] = statuses.get(key, 0) + 1
    return {
        "round": label,
        "feeds": len(outcomes),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "feeds_per_min": round(len(outcomes) / seconds * 60),
        "outcomes": statuses,
        "new_articles": sum(len(o.new_ids) for o in outcomes),
    }


async def _poll_rounds(base: str, n: int, per_host: int) -> tuple[list[dict], dict]:
    from ingest.fetch import Fetcher
    from ingest.poller import Poller
    from ingest.producer import MemorySink
    from ingest.sources import Source

    sources = [Source(id=f"f{i}", url=f"{base}/feeds/{i}.xml", min_interval=60, max_interval=3600)
               for i in range(n)]
    sink = MemorySink()
    states: dict = {}
    rounds = []
    async with Fetcher(per_host=per_host, max_connections=per_host) as fetcher:
        poller = Poller(sources, states, sink, fetcher, max_concurrent=per_host, rng=random.Random(1))
        for label in ("cold (all 200)", "mixed (200/304)"):
            wall, cpu = time.perf_counter(), time.process_time()
            outcomes = await poller.poll_all_once()
            rounds.append(_round(label, time.perf_counter() - wall, time.process_time() - cpu, outcomes))
    errors = [o.error for o in outcomes if o.outcome == "error"]
    return rounds, {"errors": errors[:5], "error_count": len(errors)}


def _baseline_poll(base: str, n: int) -> list[dict[str, Any]]:
    """Plain feedparser fetching the same feeds itself, sequentially, with ETags."""
    import feedparser

    etags: dict[int, str | None] = {}
    rounds = []
    for label in ("cold (all 200)", "mixed (200/304)"):
        statuses: dict[str, int] = {}
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            result = feedparser.parse(f"{base}/feeds/{i}.xml", etag=etags.get(i))
            etags[i] = result.get("etag")
            key = str(result.get("status", "error"))
            statuses[key] = statuses.get(key, 0) + 1
        seconds = time.perf_counter() - wall
        rounds.append({"round": label, "feeds": n, "seconds": round(seconds, 3),
                       "cpu_seconds": round(time.process_time() - cpu, 3),
                       "feeds_per_min": round(n / seconds * 60), "outcomes": statuses})
    return rounds


def _documents(base: str, count: int) -> list[tuple[bytes, dict[str, str], str]]:
    import httpx

    docs = []
    with httpx.Client() as client:
        for i in range(count):
            url = f"{base}/feeds/{i}.xml"
            response = client.get(url)
            docs.append((response.content, dict(response.headers), url))
    return docs


def _parse_rates(docs: list[tuple[bytes, dict[str, str], str]], min_seconds: float) -> dict[str, Any]:
    """Entries/s: ingest's parse path (with RawArticle conversion) vs plain feedparser."""
    from datetime import UTC, datetime

    import feedparser

    from ingest.entries import entry_to_raw
    from ingest.parse import parse_feed
    from khabar.models import SourceRef

    ref = SourceRef(id="bench", name="bench")
    now = datetime.now(UTC)

    def ours() -> int:
        entries = 0
        for body, headers, url in docs:
            parsed = parse_feed(body, headers, url)
            entries += len([entry_to_raw(e, ref, now, parsed.base_url, parsed.language) for e in parsed.entries])
        return entries

    def plain() -> int:
        entries = 0
        for body, headers, url in docs:
            # the feed URL as base, as feedparser sets it when it fetches the URL itself
            headers = {**headers, "content-location": url}
            entries += len(feedparser.parse(io.BytesIO(body), response_headers=headers).entries)
        return entries

    def rate(fn) -> dict[str, Any]:
        entries, start = 0, time.process_time()
        passes = 0
        while passes < 1 or time.process_time() - start < min_seconds:
            entries += fn()
            passes += 1
        cpu = time.process_time() - start
        return {"entries": entries, "cpu_seconds": round(cpu, 3), "entries_per_s": round(entries / cpu)}

    # alternate so machine noise hits both alike
    first_ours, first_plain = rate(ours), rate(plain)
    second_plain, second_ours = rate(plain), rate(ours)
    best_ours = max(first_ours, second_ours, key=lambda r: r["entries_per_s"])
    best_plain = max(first_plain, second_plain, key=lambda r: r["entries_per_s"])
    return {
        "documents": len(docs),
        "khabar_parse_path": best_ours,
        "baseline_plain_feedparser": best_plain,
        "ratio_vs_baseline": round(best_ours["entries_per_s"] / best_plain["entries_per_s"], 3),
    }


def run(quick: bool = False) -> dict[str, Any]:
    n = 200 if quick else 1000
    per_host = 16
    with feed_server(ITEMS_PER_FEED) as base:
        rounds, errors = asyncio.run(_poll_rounds(base, n, per_host))
        baseline = _baseline_poll(base, n)
        docs = _documents(base, 50 if quick else 200)
    with feed_server(ITEMS_PER_FEED, latency=LATENCY) as base:
        slow_rounds, slow_errors = asyncio.run(_poll_rounds(base, n, per_host))
        slow_baseline = _baseline_poll(base, n // 10)
    parse = _parse_rates(docs, min_seconds=0.5 if quick else 2.0)
    mixed = rounds[-1]
    return {
        "benchmark": "ingest",
        "quick": quick,
        "feeds": n,
        "items_per_feed": ITEMS_PER_FEED,
        "setup": ("canned RSS server in a separate process on 127.0.0.1; even feeds unchanged "
                  "(304 on conditional GET), odd feeds gain an item per request (200); "
                  f"per-host limit {per_host} (all feeds share one host here); in-memory sink"),
        "poll": rounds,
        "poll_errors": errors,
        "baseline_plain_feedparser_poll": baseline,
        "feeds_per_min_mixed": mixed["feeds_per_min"],
        "baseline_feeds_per_min_mixed": baseline[-1]["feeds_per_min"],
        "target_feeds_per_min": TARGET_FEEDS_PER_MIN,
        "meets_target": mixed["feeds_per_min"] >= TARGET_FEEDS_PER_MIN,
        "with_latency": {
            "server_latency_s": LATENCY,
            "poll": slow_rounds,
            "poll_errors": slow_errors,
            "baseline_plain_feedparser_poll": slow_baseline,
            "note": f"baseline on {n // 10} feeds (sequential: latency-bound); rates are per minute",
        },
        "parse": parse,
    }
