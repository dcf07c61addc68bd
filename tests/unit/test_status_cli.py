"""`khabar status`: figures scraped over real HTTP from a served registry, 80-column text, exit code."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from khabar.cli.status import WIDTH, healthy, render
from khabar.cli.status_data import es_figures, kafka_figures, metric_figures, quantile, scrape
from khabar.health.server import Readiness, serve
from khabar.settings import load_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _samples(registry: CollectorRegistry) -> dict:
    from prometheus_client import generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    out: dict = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        for s in family.samples:
            out.setdefault(s.name, []).append((dict(s.labels), s.value))
    return out


def test_quantile_interpolates_inside_buckets() -> None:
    registry = CollectorRegistry()
    hist = Histogram("khabar_end_to_end_seconds", "x", buckets=(1, 10, 100), registry=registry)
    for value in (0.5, 5, 5, 50):
        hist.observe(value)
    samples = _samples(registry)
    assert quantile(samples, "khabar_end_to_end_seconds", 0.5) == 5.5  # rank 2 of 4: 1 + 9 * (1/2)
    assert quantile(samples, "khabar_end_to_end_seconds", 1.0) == 100
    assert quantile({}, "khabar_end_to_end_seconds", 0.5) is None


def test_figures_from_metrics_sum_stages_feeds_and_alerts() -> None:
    registry = CollectorRegistry()
    stage_in = Counter("khabar_stage_in_total", "x", ["stage"], registry=registry)
    stage_in.labels("clean").inc(7)
    Counter("khabar_dead_letters_total", "x", ["stage"], registry=registry).labels("index").inc(2)
    Counter("khabar_feed_dead_letters_total", "x", ["source"], registry=registry).labels("a").inc(3)
    errors = Counter("khabar_feed_errors_total", "x", ["source", "kind"], registry=registry)
    errors.labels("a", "timeout").inc(3)
    errors.labels("b", "timeout").inc(1)
    Gauge("khabar_feed_error_streak", "x", ["source"], registry=registry).labels("a").set(3)
    deliveries = Counter("khabar_alert_deliveries_total", "x", ["channel", "outcome"], registry=registry)
    deliveries.labels("ops-webhook", "delivered").inc(4)
    deliveries.labels("ops-webhook", "failed").inc(1)
    figures = metric_figures(_samples(registry))
    assert figures["stages"]["clean"] == {"in": 7, "out": 0, "dead": 0}
    assert figures["dead_letters_by_stage"] == {"index": 2, "ingest": 3}
    assert figures["stages"]["index"]["dead"] == 2
    assert figures["feeds"]["errors_by_kind"] == {"timeout": 4}
    assert figures["feeds"]["failing"] == {"a": 3}
    assert figures["alerts"]["deliveries"] == {"ops-webhook": {"delivered": 4, "failed": 1}}


def test_scrape_reads_readiness_and_metrics_of_a_served_process() -> None:
    readiness = Readiness("worker", ["lag"])
    readiness.set("lag", False, "lag 20000 above the threshold 10000 (worst khabar.articles.raw[2]: 9000)")
    port = serve(readiness, _free_port(), "127.0.0.1")
    services, samples = scrape("127.0.0.1", [port, _free_port()])  # the second answers nothing
    assert services == [{"port": port, "service": "worker", "ready": False,
                         "waiting_for": ["lag: lag 20000 above the threshold 10000 (worst khabar.articles.raw[2]: 9000)"]}]
    assert "khabar_ready" in samples


def _figures(**overrides) -> dict:
    figures = {
        "services": [{"port": 9464, "service": "worker", "ready": False,
                      "waiting_for": ["lag: " + "a very long reason " * 10]}],
        **metric_figures({}),
        "kafka": {"reachable": True, "group": "khabar-processors", "lag_total": 12,
                  "lag_by_topic": {f"some.long.topic.name.{i}": i for i in range(12)},
                  "lag_by_partition": [], "dead_letters_kept": 3},
        "elasticsearch": {"reachable": True, "articles": 10, "originals": 8, "alerts": 2, "feeds": 4},
    }
    figures["feeds"]["errors_by_kind"] = {k: 1 for k in ("dns", "timeout", "connect", "http_4xx", "http_5xx",
                                                          "too_large", "refused", "parse", "other")}
    figures["feeds"]["failing"] = {f"a-rather-long-source-id-{i}": i for i in range(1, 9)}
    figures.update(overrides)
    return figures


def test_render_fits_80_columns_and_says_what_matters() -> None:
    text = render(_figures(), now=datetime(2026, 1, 1, tzinfo=UTC))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert ":9464   worker   NOT READY" in text
    assert "consumer lag (group khabar-processors): 12" in text
    assert "some.long.topic.name.11=11" in text  # wrapped, not cut
    assert "a-rather-long-source-id-8=8" in text
    assert "dead letters kept in Kafka: 3" in text
    assert "elasticsearch: articles 10 (originals 8), alerts 2, feeds 4" in text


def test_healthy_needs_ready_services_and_both_backends() -> None:
    ready = [{"port": 1, "service": "worker", "ready": True, "waiting_for": []}]
    assert healthy(_figures(services=ready))
    assert not healthy(_figures())
    assert not healthy(_figures(services=[]))  # nothing running is not healthy
    assert not healthy(_figures(services=ready, kafka={"reachable": False, "error": "x"}))


def test_unreachable_backends_are_reported_with_the_address() -> None:
    port = _free_port()
    settings = load_settings(env={"KHABAR_ES_URL": f"http://127.0.0.1:{port}",
                                  "KHABAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}"})
    es = es_figures(settings, timeout_s=1.0)
    assert es["reachable"] is False and f"http://127.0.0.1:{port}" in es["error"]
    kafka = kafka_figures(settings)
    assert kafka["reachable"] is False and f"127.0.0.1:{port}" in kafka["error"]
    text = render(_figures(kafka=kafka, elasticsearch=es))
    assert f"kafka: Kafka not reachable at 127.0.0.1:{port}" in text
