"""The readiness checks each service runs in a background thread, every few seconds.

Checks are cached rather than run per request, so `/readyz` answers at once even while a
broker is hanging, and the same loop keeps the consumer-lag gauge current for Prometheus.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from prometheus_client import Gauge

from khabar import topics
from khabar.health.es import es_check
from khabar.health.kafka import KafkaProbe
from khabar.health.server import Readiness
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger("khabar.health")

CONSUMER_LAG = Gauge("khabar_consumer_lag",
                     "Messages not yet committed by the workers, per partition this worker is assigned",
                     ["topic", "partition"])

Check = Callable[[], tuple[bool, str]]


def kafka_check(probe: KafkaProbe) -> Check:
    def check() -> tuple[bool, str]:
        try:
            names = probe.topics()
        except Exception as exc:  # noqa: BLE001 - any client error means "not connected"
            return False, f"Kafka not reachable at {probe.settings.kafka_bootstrap}: {type(exc).__name__}"
        wanted = probe.settings.topic(topics.RAW)
        if wanted not in names:
            return False, f"connected to {probe.settings.kafka_bootstrap} but topic {wanted} is missing"
        return True, f"connected to {probe.settings.kafka_bootstrap}"
    return check


def assignment_check(readiness: Readiness, settings: Settings) -> Check:
    """Ok once the worker's consumer holds partitions of the pipeline topics."""
    pipeline = {settings.topic(t) for t in topics.IN_FLIGHT_TOPICS}

    def check() -> tuple[bool, str]:
        assigned = readiness.extra.get("assignment")
        if assigned is None:
            return False, "consumer not started yet"
        if readiness.extra.get("rebalancing"):
            return False, "consumer group is rebalancing"
        mine = sorted((t, p) for t, p in assigned if t in pipeline)
        if not mine:
            return False, (f"no partitions of the pipeline topics assigned (group {settings.faust_app_id}; "
                           "more workers than partitions?)")
        per_topic: dict[str, int] = {}
        for t, _ in mine:
            per_topic[t.removeprefix(settings.topic_prefix)] = per_topic.get(t.removeprefix(settings.topic_prefix), 0) + 1
        return True, "assigned " + ", ".join(f"{t}×{n}" for t, n in sorted(per_topic.items()))
    return check


def lag_check(readiness: Readiness, settings: Settings, probe: KafkaProbe) -> Check:
    """Ok when the lag over this worker's partitions is at most settings.ready_max_lag."""
    pipeline = [settings.topic(t) for t in topics.IN_FLIGHT_TOPICS]
    shown: set[tuple[str, str]] = set()

    def check() -> tuple[bool, str]:
        assigned = readiness.extra.get("assignment")
        if not assigned:
            return False, "no partitions assigned yet"
        try:
            lags = probe.group_lag(settings.faust_app_id, pipeline, only=set(assigned))
        except Exception as exc:  # noqa: BLE001
            return False, f"cannot read offsets from Kafka: {type(exc).__name__}"
        labels = {(lag.topic, str(lag.partition)) for lag in lags}
        for topic, partition in shown - labels:  # partitions another worker took over
            CONSUMER_LAG.remove(topic, partition)
        for lag in lags:
            CONSUMER_LAG.labels(lag.topic, str(lag.partition)).set(lag.lag)
        shown.clear()
        shown.update(labels)
        total = sum(lag.lag for lag in lags)
        limit = settings.ready_max_lag
        if total > limit:
            worst = max(lags, key=lambda lag: lag.lag)
            return False, (f"lag {total} above the threshold {limit} "
                           f"(worst {worst.topic}[{worst.partition}]: {worst.lag})")
        return True, f"lag {total} (threshold {limit})"
    return check


def workers_check(ports: Callable[[], list[int]]) -> Check:
    """For `khabar run`: ok when every local worker's /readyz passes."""
    def check() -> tuple[bool, str]:
        found = ports()
        if not found:
            return True, "no local workers (they run elsewhere)"
        waiting = []
        for port in found:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2.0).json()
            except (httpx.HTTPError, ValueError):
                waiting.append(f":{port} not answering")
                continue
            if not body.get("ready"):
                waiting.append(f":{port} " + "; ".join(body.get("waiting_for", []))[:160])
        if waiting:
            return False, f"{len(found) - len(waiting)}/{len(found)} workers ready; " + " | ".join(waiting)
        return True, f"{len(found)}/{len(found)} workers ready"
    return check


class Checker:
    """Runs `checks` every `interval_s` seconds in a daemon thread, storing results in `readiness`."""

    def __init__(self, readiness: Readiness, checks: dict[str, Check], interval_s: float = 5.0) -> None:
        self.readiness = readiness
        self.checks = checks
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="readiness", daemon=True)

    def run_once(self) -> None:
        for name, check in self.checks.items():
            try:
                ok, detail = check()
            except Exception as exc:  # noqa: BLE001 - a broken check must not stop the others
                ok, detail = False, f"check failed: {type(exc).__name__}: {exc}"[:300]
            self.readiness.set(name, ok, detail)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval_s)

    def start(self) -> Checker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()


def base_checks(settings: Settings, probe: KafkaProbe) -> dict[str, Check]:
    """What every service needs: the broker with the pipeline topics, and Elasticsearch."""
    return {"kafka": kafka_check(probe), "elasticsearch": lambda: es_check(settings)}
