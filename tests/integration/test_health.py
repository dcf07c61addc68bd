"""A real `khabar worker` against the local stack serves /healthz, /readyz and /metrics on one port,
and its /readyz body says why it is ready (Kafka, Elasticsearch, partitions assigned, lag)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.pipeline_support import Workers, khabar

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=2.0)
    except httpx.HTTPError:
        return None


def test_worker_becomes_ready_and_says_why(isolated_env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    workers = Workers({**isolated_env, "KHABAR_HEALTH_INTERVAL_S": "1"}, tmp_path / "logs")
    workers.start(1, metrics_port=port)
    base = f"http://127.0.0.1:{port}"
    try:
        alive = None
        ready = None
        bodies = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert workers.procs[0].poll() is None, f"worker exited:\n{workers.logs()}"
            alive = alive or _get(f"{base}/healthz")
            resp = _get(f"{base}/readyz")
            if resp is not None:
                bodies.append(resp.json())
                if resp.status_code == 200:
                    ready = resp
                    break
            time.sleep(1.0)
        assert alive is not None and alive.status_code == 200, workers.logs()
        assert alive.json()["status"] == "alive" and alive.json()["service"] == "worker"
        assert ready is not None, f"never ready; last answers: {bodies[-3:]}\n{workers.logs()}"
        body = ready.json()
        assert body["ready"] is True and body["waiting_for"] == []
        checks = body["checks"]
        assert set(checks) == {"kafka", "elasticsearch", "consumer", "lag"}
        assert all(c["ok"] for c in checks.values())
        assert "connected to 127.0.0.1:" in checks["kafka"]["detail"]
        assert "cluster" in checks["elasticsearch"]["detail"]
        assert "articles.raw×" in checks["consumer"]["detail"]
        assert "threshold 10000" in checks["lag"]["detail"]
        # a 503 before that said what it was waiting for (a reason, not just a status)
        waiting = [b for b in bodies if not b["ready"]]
        assert all(b["waiting_for"] for b in waiting)
        metrics = httpx.get(f"{base}/metrics", timeout=5.0).text
        assert 'khabar_ready{service="worker"} 1.0' in metrics
        prefix = isolated_env["KHABAR_TOPIC_PREFIX"]
        assert f'khabar_consumer_lag{{partition="0",topic="{prefix}articles.raw"}}' in metrics
        assert _get(f"{base}/nope").status_code == 404

        # `khabar status` reads the same figures: this worker ready, the group's lag, ES counts
        proc = khabar(["status", "--json", "--port", str(port)], isolated_env, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        figures = json.loads(proc.stdout)
        assert figures["services"] == [{"port": port, "service": "worker", "ready": True, "waiting_for": []}]
        assert figures["kafka"]["group"] == isolated_env["KHABAR_FAUST_APP_ID"]
        assert set(figures["kafka"]["lag_by_topic"]) >= {"articles.raw", "articles.cleaned"}
        assert figures["elasticsearch"]["reachable"] is True
        text = khabar(["status", "--port", str(port)], isolated_env, timeout=120).stdout
        assert max(len(line) for line in text.splitlines()) <= 80
        assert "worker   ready" in text
    finally:
        workers.stop()



def test_run_is_ready_when_pollers_and_its_worker_are(isolated_env: dict[str, str], tmp_path: Path) -> None:
    """`khabar run`: its /readyz covers the pollers and the local worker, found on the port the
    worker really took (its asked-for port is busy here)."""
    import os
    import signal
    import subprocess

    from khabar.settings import CONFIG_DIR, PROJECT_ROOT
    from tests.integration.pipeline_support import KHABAR

    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources:\n  - id: seeds\n    kind: file\n"
                     f"    path: {CONFIG_DIR / 'samples' / 'seeds-feed.xml'}\n", encoding="utf-8")
    ingest_port = _free_port()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    worker_port = busy.getsockname()[1]
    env = {**os.environ, **isolated_env, "KHABAR_HEALTH_INTERVAL_S": "1", "KHABAR_LOG_FORMAT": "json",
           "KHABAR_INGEST_METRICS_PORT": str(ingest_port), "KHABAR_METRICS_PORT": str(worker_port)}
    log = open(tmp_path / "run.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen([*KHABAR, "run", "--no-stack", "--workers", "1", "--feeds", str(feeds)], env=env,
                            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    try:
        body = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            resp = _get(f"http://127.0.0.1:{ingest_port}/readyz")
            if resp is not None:
                body = resp.json()
                if resp.status_code == 200:
                    break
            time.sleep(1.0)
        assert body is not None and body["ready"], f"{body}\n{(tmp_path / 'run.log').read_text()[-3000:]}"
        assert body["service"] == "run"
        assert body["checks"]["pollers"]["detail"] == "1 sources scheduled, feed state read back"
        assert body["checks"]["workers"]["detail"] == "1/1 workers ready"
        took = int((Path(isolated_env["KHABAR_STATE_DIR"]) / "logs" / "worker-0.port").read_text())
        assert took != worker_port
        worker = httpx.get(f"http://127.0.0.1:{took}/readyz", timeout=5).json()
        assert worker["service"] == "worker" and worker["ready"] is True
    finally:
        busy.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
