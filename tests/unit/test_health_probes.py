"""/healthz, /readyz and /metrics served over real HTTP on 127.0.0.1; the checks say why they fail."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client import REGISTRY, CollectorRegistry

from ingest.health import ERROR_KINDS, FeedMetrics, error_kind
from ingest.state import FeedState
from khabar.health.checks import Checker, assignment_check, kafka_check
from khabar.health.es import es_check
from khabar.health.kafka import KafkaProbe
from khabar.health.server import Readiness, serve
from khabar.models import Article, RawArticle
from khabar.settings import load_settings
from processors.metrics import record_sink_batch
from processors.sink.items import IndexArticle, SinkResult


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


@pytest.fixture
def served():
    readiness = Readiness("test-svc", ["kafka", "pollers"])
    port = serve(readiness, _dead_port(), "127.0.0.1")
    assert port is not None
    return readiness, f"http://127.0.0.1:{port}"


def test_readyz_says_what_it_waits_for_then_turns_ready(served) -> None:
    readiness, base = served
    resp = httpx.get(f"{base}/readyz")
    assert resp.status_code == 503
    assert resp.json()["waiting_for"] == ["kafka: not checked yet", "pollers: not checked yet"]
    readiness.set("kafka", True, "connected to 127.0.0.1:9092")
    readiness.set("pollers", False, "feed state not read back yet")
    body = httpx.get(f"{base}/readyz").json()
    assert body["ready"] is False and body["waiting_for"] == ["pollers: feed state not read back yet"]
    assert body["checks"]["kafka"]["ok"] is True
    assert 'khabar_ready{service="test-svc"} 0.0' in httpx.get(f"{base}/metrics").text
    readiness.set("pollers", True, "3 sources scheduled")
    resp = httpx.get(f"{base}/readyz")
    assert resp.status_code == 200 and resp.json()["ready"] is True
    assert 'khabar_ready{service="test-svc"} 1.0' in httpx.get(f"{base}/metrics").text


def test_healthz_answers_while_not_ready(served) -> None:
    _, base = served
    resp = httpx.get(f"{base}/healthz")
    assert resp.status_code == 200
    assert resp.json()["status"] == "alive" and resp.json()["service"] == "test-svc"
    assert httpx.get(f"{base}/other").status_code == 404


def test_second_server_takes_the_next_port(served) -> None:
    _, base = served
    taken = int(base.rsplit(":", 1)[1])
    assert serve(Readiness("again", []), taken, "127.0.0.1") not in (None, taken)


def test_unreachable_services_fail_with_the_address() -> None:
    port = _dead_port()
    settings = load_settings(env={"KHABAR_ES_URL": f"http://127.0.0.1:{port}",
                                  "KHABAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}"})
    ok, detail = es_check(settings, timeout_s=1.0)
    assert not ok and f"not reachable at http://127.0.0.1:{port}" in detail
    probe = KafkaProbe(settings, timeout_ms=1000)
    ok, detail = kafka_check(probe)()
    assert not ok and f"Kafka not reachable at 127.0.0.1:{port}" in detail


def test_assignment_check_names_its_reason() -> None:
    settings = load_settings(env={"KHABAR_TOPIC_PREFIX": "x."})
    readiness = Readiness("worker", ["consumer"])
    check = assignment_check(readiness, settings)
    assert check() == (False, "consumer not started yet")
    readiness.extra["assignment"] = {("khabar-processors-dedup-state-changelog", 0)}
    ok, detail = check()
    assert not ok and "no partitions of the pipeline topics" in detail
    readiness.extra["assignment"] = {("x.articles.raw", 0), ("x.articles.raw", 1), ("x.alerts", 2)}
    readiness.extra["rebalancing"] = True
    assert check() == (False, "consumer group is rebalancing")
    readiness.extra["rebalancing"] = False
    assert check() == (True, "assigned alerts×1, articles.raw×2")


def test_a_broken_check_is_reported_not_raised() -> None:
    readiness = Readiness("svc", ["boom", "fine"])

    def boom() -> tuple[bool, str]:
        raise RuntimeError("kaput")

    Checker(readiness, {"boom": boom, "fine": lambda: (True, "ok")}).run_once()
    body = readiness.snapshot()
    assert body["checks"]["fine"]["ok"] is True
    assert body["waiting_for"] == ["boom: check failed: RuntimeError: kaput"]


@pytest.mark.parametrize(("reason", "status", "kind"), [
    ("cannot resolve feeds.example: [Errno -2]", None, "dns"),
    ("timed out after 20s", None, "timeout"),
    ("connect timeout after 5s", None, "timeout"),
    ("connection failed: refused", None, "connect"),
    ("HTTP 429, Retry-After 60s", 429, "http_429"),
    ("HTTP 404", 404, "http_4xx"),
    ("HTTP 503", 503, "http_5xx"),
    ("response larger than the 5000000-byte limit: refused", None, "too_large"),
    ("refused: 10.0.0.1 is a private/loopback/link-local address", None, "refused"),
    ("more than 5 redirects", None, "redirect"),
    ("no entries: not well-formed (invalid token)", None, "parse"),
    ("/data/x.txt: no such file", None, "local_file"),
    ("KafkaTimeoutError: Failed to update metadata", None, "kafka"),
    ("ValueError: odd", None, "other"),
])
def test_feed_error_kinds(reason: str, status: int | None, kind: str) -> None:
    assert error_kind(reason, status) == kind
    assert kind in ERROR_KINDS


def test_feed_errors_are_counted_by_kind() -> None:
    registry = CollectorRegistry()
    metrics = FeedMetrics(registry)
    state = FeedState(id="f1", url="https://example.org/rss", last_error="HTTP 503", http_status=503,
                      error_streak=2)
    metrics.record(state, "error")
    metrics.record(state, "error")
    metrics.record(state, "ok")
    assert registry.get_sample_value("khabar_feed_errors_total", {"source": "f1", "kind": "http_5xx"}) == 2


def _article(aid: str, fetched: datetime) -> Article:
    raw = RawArticle(id=aid, url=f"https://example.org/{aid}", source={"id": "s", "name": "S"},
                     title="t", body="b", fetched_at=fetched)
    return Article.from_raw(raw)


def test_sink_batch_records_sizes_retries_and_end_to_end_delay() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)

    def value(name: str, labels: dict | None = None) -> float:
        return REGISTRY.get_sample_value(name, labels or {}) or 0.0

    before = {n: value(n) for n in ("khabar_end_to_end_seconds_count", "khabar_end_to_end_seconds_sum",
                                    "khabar_sink_retries_total", "khabar_sink_bulk_docs_count")}
    items = [IndexArticle(_article("a1", now - timedelta(seconds=7))),
             IndexArticle(_article("a2", now - timedelta(seconds=3))),
             IndexArticle(_article("a3", now - timedelta(seconds=100)))]  # rejected: not observed
    record_sink_batch(items, SinkResult(indexed=["a1", "a2"], rejected=[("a3", "mapping")], retries=2),
                      0.5, now=now)
    assert value("khabar_end_to_end_seconds_count") - before["khabar_end_to_end_seconds_count"] == 2
    assert value("khabar_end_to_end_seconds_sum") - before["khabar_end_to_end_seconds_sum"] == pytest.approx(10)
    assert value("khabar_sink_retries_total") - before["khabar_sink_retries_total"] == 2
    assert value("khabar_sink_bulk_docs_count") - before["khabar_sink_bulk_docs_count"] == 1
    assert value("khabar_sink_last_batch_seconds") == 0.5
