"""Helpers for end-to-end tests: run the real `khabar` CLI and workers with an isolated env."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from khabar.settings import PROJECT_ROOT, Settings

KHABAR = [sys.executable, "-m", "khabar.cli"]


def khabar(args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*KHABAR, *args], env={**os.environ, **env}, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def run_once(feeds: Path, env: dict[str, str], workers: int = 1) -> dict:
    proc = khabar(["run", "--once", "--feeds", str(feeds), "--workers", str(workers)], env)
    assert proc.returncode == 0, f"khabar run --once failed:\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout)


class Workers:
    """`khabar worker` processes for a test, stopped (and their logs shown) at the end."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir, self.procs = env, log_dir, []
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, count: int = 1, metrics_port: int = 19464) -> None:
        for _ in range(count):
            i = len(self.procs)
            env = {**os.environ, **self.env, "KHABAR_WORKER_ID": str(i),
                   "KHABAR_METRICS_PORT": str(metrics_port + 20 * i)}
            log = open(self.log_dir / f"worker-{i}.log", "ab")  # noqa: SIM115
            self.procs.append(subprocess.Popen([*KHABAR, "worker"], env=env, cwd=PROJECT_ROOT,
                                               stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True))
            log.close()

    def logs(self, tail: int | None = 3000) -> str:
        """The workers' logs: the last `tail` characters of each (for failure messages), or all."""
        return "\n".join(p.read_text(errors="replace")[-tail if tail else 0:]
                         for p in sorted(self.log_dir.glob("*.log")))

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def es(settings: Settings):
    from khabar.es.client import make_sync_client

    return make_sync_client(settings)


def wait_for(predicate, timeout: float = 120, what: str = "condition", interval: float = 0.5):
    """Poll until predicate() is truthy; return its value (fail with `what` on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def search_all(settings: Settings, query: dict | None = None, size: int = 1000) -> list[dict]:
    """Every article document; [] while a new index's shards are still starting (503)."""
    from elasticsearch import ApiError

    client = es(settings)
    try:
        client.indices.refresh(index=settings.index("articles*"), ignore_unavailable=True)
        res = client.search(index=settings.index("articles"), query=query or {"match_all": {}},
                            size=size, ignore_unavailable=True)
        return res["hits"]["hits"]
    except ApiError as exc:
        if exc.meta.status == 503:
            return []
        raise
    finally:
        client.close()


def read_topic(settings: Settings, name: str, timeout_ms: int = 3000) -> list[tuple[str | None, dict]]:
    """Every message of a topic from the beginning, as (key, decoded JSON value)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=timeout_ms)
    try:
        topic = settings.topic(name)
        parts = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in parts])
        consumer.seek_to_beginning()
        out = []
        for msg in consumer:
            try:
                value = json.loads(msg.value)
            except ValueError:
                value = {"_raw": msg.value.decode("utf-8", "replace")}
            out.append((msg.key.decode() if msg.key else None, value))
        return out
    finally:
        consumer.close()
