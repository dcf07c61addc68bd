"""The figures `khabar status` prints: scraped from the services' /metrics and /readyz, consumer
lag and dead letters read from Kafka, document counts from Elasticsearch.

The same names as in Prometheus (README "Operating khabar"), so the terminal and a dashboard
never disagree about what a number means.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from khabar import topics
from khabar.settings import Settings

Samples = dict[str, list[tuple[dict[str, str], float]]]


def default_ports(settings: Settings, workers: int = 8) -> list[int]:
    """The pollers' port and the ports local workers take (metrics_port, +1, ...)."""
    return [settings.ingest_metrics_port, *range(settings.metrics_port, settings.metrics_port + workers)]


def scrape(host: str, ports: list[int], timeout_s: float = 2.0) -> tuple[list[dict[str, Any]], Samples]:
    """Each answering endpoint's readiness, and every sample summed over the endpoints."""
    services: list[dict[str, Any]] = []
    samples: Samples = defaultdict(list)
    with httpx.Client(timeout=timeout_s) as client:
        for port in ports:
            base = f"http://{host}:{port}"
            try:
                text = client.get(f"{base}/metrics").text
            except httpx.HTTPError:
                continue
            entry: dict[str, Any] = {"port": port, "service": "?", "ready": None, "waiting_for": []}
            try:
                body = client.get(f"{base}/readyz").json()
                entry.update(service=body.get("service", "?"), ready=body.get("ready"),
                             waiting_for=body.get("waiting_for", []))
            except (httpx.HTTPError, ValueError):
                entry["waiting_for"] = ["no /readyz (an older khabar?)"]
            services.append(entry)
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    samples[sample.name].append((dict(sample.labels), sample.value))
    return services, samples


def total(samples: Samples, name: str, by: str | None = None, **match: str) -> Any:
    """Sum of a sample over endpoints: a number, or {label value: sum} when `by` is given."""
    sums: dict[str, float] = defaultdict(float)
    whole = 0.0
    for labels, value in samples.get(name, []):
        if any(labels.get(k) != v for k, v in match.items()):
            continue
        whole += value
        if by is not None:
            sums[labels.get(by, "?")] += value
    return dict(sums) if by is not None else whole


def quantile(samples: Samples, name: str, q: float) -> float | None:
    """Quantile estimated from summed histogram buckets (linear inside a bucket, as PromQL does)."""
    buckets: dict[float, float] = defaultdict(float)
    for labels, value in samples.get(f"{name}_bucket", []):
        buckets[float(labels["le"])] += value
    if not buckets:
        return None
    edges = sorted(buckets)
    count = buckets[edges[-1]]
    if count == 0:
        return None
    rank = q * count
    lower, below = 0.0, 0.0
    for edge in edges:
        if buckets[edge] >= rank:
            if math.isinf(edge):
                return lower
            inside = buckets[edge] - below
            return lower + (edge - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = edge, buckets[edge]
    return lower


def metric_figures(samples: Samples) -> dict[str, Any]:
    """Stages, end-to-end delay, sink, feeds and alerts from the scraped samples."""
    stages_in = total(samples, "khabar_stage_in_total", by="stage")
    stages_out = total(samples, "khabar_stage_out_total", by="stage")
    dead = total(samples, "khabar_dead_letters_total", by="stage")
    ingest_dead = total(samples, "khabar_feed_dead_letters_total")
    if ingest_dead:
        dead["ingest"] = dead.get("ingest", 0) + ingest_dead
    stages = {s: {"in": stages_in.get(s, 0), "out": stages_out.get(s, 0), "dead": dead.get(s, 0)}
              for s in ("clean", "dedup", "index")}
    e2e_count = total(samples, "khabar_end_to_end_seconds_count")
    bulks = total(samples, "khabar_sink_bulk_docs_count")
    streaks = {labels["source"]: value for labels, value in samples.get("khabar_feed_error_streak", [])
               if value > 0}
    deliveries: dict[str, dict[str, float]] = defaultdict(dict)
    for labels, value in samples.get("khabar_alert_deliveries_total", []):
        channel = deliveries[labels.get("channel", "?")]
        channel[labels.get("outcome", "?")] = channel.get(labels.get("outcome", "?"), 0) + value
    return {
        "stages": stages,
        "dead_letters_by_stage": dead,
        "end_to_end": {
            "count": e2e_count,
            "mean_s": round(total(samples, "khabar_end_to_end_seconds_sum") / e2e_count, 2) if e2e_count else None,
            "p50_s": _round(quantile(samples, "khabar_end_to_end_seconds", 0.5)),
            "p95_s": _round(quantile(samples, "khabar_end_to_end_seconds", 0.95)),
        },
        "sink": {
            "bulks": bulks,
            "docs": total(samples, "khabar_sink_bulk_docs_sum"),
            "mean_bulk": round(total(samples, "khabar_sink_bulk_docs_sum") / bulks, 1) if bulks else None,
            "retries": total(samples, "khabar_sink_retries_total"),
        },
        "feeds": {
            "polls": total(samples, "khabar_feed_polls_total", by="outcome"),
            "items": total(samples, "khabar_feed_items_total"),
            "errors_by_kind": total(samples, "khabar_feed_errors_total", by="kind"),
            "failing": dict(sorted(streaks.items())),
        },
        "alerts": {
            "fired": total(samples, "khabar_alerts_fired_total"),
            "by_rule": total(samples, "khabar_alerts_fired_total", by="rule"),
            "deliveries": dict(deliveries),
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def kafka_figures(settings: Settings) -> dict[str, Any]:
    """Consumer lag of the workers' group per topic and partition, and dead letters kept."""
    from khabar.health.kafka import KafkaProbe

    probe = KafkaProbe(settings, timeout_ms=4000)
    try:
        lags = probe.group_lag(settings.faust_app_id, [settings.topic(t) for t in topics.IN_FLIGHT_TOPICS])
        dlq = probe.message_count(settings.topic(topics.DLQ))
    except Exception as exc:  # noqa: BLE001 - status reports, it does not fail
        return {"reachable": False, "error": f"Kafka not reachable at {settings.kafka_bootstrap}: "
                                              f"{type(exc).__name__}"}
    finally:
        probe.close()
    per_topic: dict[str, int] = defaultdict(int)
    for lag in lags:
        per_topic[lag.topic.removeprefix(settings.topic_prefix)] += lag.lag
    return {
        "reachable": True,
        "group": settings.faust_app_id,
        "lag_total": sum(lag.lag for lag in lags),
        "lag_by_topic": dict(per_topic),
        "lag_by_partition": [{"topic": lag.topic, "partition": lag.partition, "end": lag.end,
                              "committed": lag.committed, "lag": lag.lag} for lag in lags],
        "dead_letters_kept": dlq,
    }


def es_figures(settings: Settings, timeout_s: float = 5.0) -> dict[str, Any]:
    """Document counts: articles (and originals among them), alerts, feed health documents."""
    auth = (settings.es_username, settings.es_password or "") if settings.es_username else None
    base = settings.es_url.rstrip("/")
    queries = {
        "articles": (settings.index("articles"), None),
        "originals": (settings.index("articles"), {"term": {"dedup.status": "original"}}),
        "alerts": (settings.index("alerts"), None),
        "feeds": (settings.index("feeds"), None),
    }
    counts: dict[str, Any] = {"reachable": True}
    with httpx.Client(timeout=timeout_s, auth=auth) as client:
        for name, (index, query) in queries.items():
            try:
                resp = client.post(f"{base}/{index}/_count", params={"ignore_unavailable": "true"},
                                   json={"query": query} if query else None)
            except httpx.HTTPError as exc:
                return {"reachable": False,
                        "error": f"Elasticsearch not reachable at {settings.es_url}: {type(exc).__name__}"}
            if resp.status_code in (401, 403):
                return {"reachable": False, "error": f"Elasticsearch refused our credentials (HTTP {resp.status_code})"}
            counts[name] = resp.json().get("count", 0) if resp.status_code == 200 else 0
    return counts


def gather(settings: Settings, ports: list[int], host: str = "127.0.0.1") -> dict[str, Any]:
    services, samples = scrape(host, ports)
    return {"services": services, **metric_figures(samples), "kafka": kafka_figures(settings),
            "elasticsearch": es_figures(settings)}
