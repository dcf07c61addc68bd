"""Fault injection: a stream of articles, a fault in the middle, and the books balanced after.

Every scenario produces N articles to the raw topic the way the pollers do, injects its fault
while they flow, waits until every id is in Elasticsearch or in the dead letters, and counts:
lost (neither), duplicated (more than one document for an id, or indexed AND dead-lettered),
dead letters without a stage or reason (unexplained), and the recovery time (fault over ->
the last article searchable).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kafka import KafkaProducer

from khabar import topics
from khabar.models import RawArticle, SourceRef, utcnow
from khabar.settings import Settings
from tests.integration.pipeline_support import Workers, search_all

PLACES = ["حلب", "إدلب", "حمص", "دير الزور", "درعا", "الرقة", "حماة", "اللاذقية"]


def articles(n: int, tag: str) -> list[RawArticle]:
    """N distinct Arabic articles (unique ids and texts: no article is another's copy)."""
    out = []
    for i in range(n):
        place = PLACES[i % len(PLACES)]
        body = (f"أفادت مصادر محلية بأن قصفا استهدف حيا سكنيا في مدينة {place} اليوم، في الحادثة رقم {i} "
                f"من سلسلة {tag}. وقال شهود إن فرق الإنقاذ عملت لساعات {uuid.uuid4().hex}.")
        out.append(RawArticle(id=f"{tag}-{i:05d}", source=SourceRef(id=f"src{i % 5}", name=f"src{i % 5}"),
                              title=f"قصف في {place} ({i})", content=body, content_type="text",
                              published_at=utcnow(), fetched_at=utcnow()))
    return out


@dataclass
class Report:
    scenario: str
    sent: int
    indexed: int = 0
    dead_lettered: int = 0
    dead_reasons: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    duplicated: int = 0
    unexplained: int = 0
    recovery_s: float | None = None

    def line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


class Stream:
    """Produce records at a steady rate from a thread (the pollers' side)."""

    def __init__(self, settings: Settings, records: list[tuple[bytes, bytes]], rate: float) -> None:
        self.settings, self.records, self.rate = settings, records, rate
        self.sent = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        producer = KafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap, acks="all", retries=50,
                                 max_block_ms=120000, request_timeout_ms=30000, linger_ms=5)
        try:
            for key, value in self.records:
                producer.send(self.settings.topic(topics.RAW), key=key, value=value)
                self.sent += 1
                time.sleep(1 / self.rate)
            producer.flush(timeout=180)
        finally:
            producer.close()

    def start(self) -> Stream:
        self.thread.start()
        return self

    def join(self) -> None:
        self.thread.join(timeout=600)


def run_scenario(name: str, settings: Settings, env: dict[str, str], log_dir: Path,
                 fault: Callable[[Workers], None], n: int = 300, rate: float = 40.0,
                 extra: list[tuple[bytes, bytes]] | None = None, timeout: float = 300) -> Report:
    """Stream `n` articles (plus `extra` raw records), call `fault` at the half, balance the books."""
    from khabar.cli.dlq import read_letters

    good = articles(n, f"{name}{uuid.uuid4().hex[:4]}")
    records = [(a.id.encode(), a.model_dump_json().encode()) for a in good] + list(extra or [])
    expected = {a.id for a in good} | {k.decode() for k, _ in extra or []}
    workers = Workers(env, log_dir)
    report = Report(scenario=name, sent=len(records))
    try:
        workers.start(1)
        started = time.monotonic()
        stream = Stream(settings, records, rate).start()
        while stream.sent < len(records) // 2 or not search_all(settings, size=1):
            time.sleep(0.2)  # the half sent, and the pipeline seen indexing
            if time.monotonic() - started > timeout:
                raise AssertionError(f"{name}: nothing indexed before the fault; logs:\n{workers.logs()}")
        fault(workers)
        fault_over = time.monotonic()
        stream.join()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hits = search_all(settings, size=10000)
            indexed = {h["_id"] for h in hits}
            dead = {x.article_id for x in read_letters(settings)}
            if expected <= indexed | dead:
                report.recovery_s = round(time.monotonic() - fault_over, 1)
                break
            time.sleep(1)
    finally:
        workers.stop()
    time.sleep(2)
    hits = search_all(settings, size=10000)
    letters = read_letters(settings)
    counts = Counter(h["_id"] for h in hits)
    indexed, dead = set(counts), {x.article_id for x in letters}
    report.indexed = len(indexed & expected)
    report.dead_lettered = len(dead & expected)
    report.dead_reasons = dict(Counter(f"{x.stage}: {x.error[:60]}" for x in letters))
    report.lost = len(expected - indexed - dead)
    report.duplicated = sum(c - 1 for c in counts.values() if c > 1) + len(indexed & dead)
    report.unexplained = sum(1 for x in letters if not x.stage or x.stage == "?" or not x.error)
    (log_dir / "report.json").write_text(report.line(), encoding="utf-8")
    print(report.line())
    if report.lost:
        print(workers.logs()[-4000:])
    return report
