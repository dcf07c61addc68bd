"""One HTTP port per service for `/metrics`, `/healthz` and `/readyz`.

Why one port: Prometheus, docker-compose health checks and `khabar status` then need to know
a single address per process. `/healthz` answers as long as the process serves requests
(liveness); `/readyz` is 200 only when every named check passed, and its JSON body says
which checks failed and why, so an operator reads the cause, not just a 503.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest

from khabar.logs import get_logger

log = get_logger("khabar.health")

READY = Gauge("khabar_ready", "1 when the process's /readyz passes, else 0", ["service"])


@dataclass
class CheckResult:
    ok: bool
    detail: str
    at: float


class Readiness:
    """Named checks and their last results; ready when all `required` checks are ok."""

    def __init__(self, service: str, required: list[str]) -> None:
        self.service = service
        self.required = list(required)
        self.started = time.time()
        self._results: dict[str, CheckResult] = {}
        self._lock = threading.Lock()
        self.extra: dict[str, Any] = {}  # shared facts set by the service (e.g. its assignment)

    def set(self, name: str, ok: bool, detail: str) -> None:
        with self._lock:
            self._results[name] = CheckResult(ok, detail, time.time())
        READY.labels(self.service).set(1 if self.ready() else 0)

    def ready(self) -> bool:
        with self._lock:
            return all(name in self._results and self._results[name].ok for name in self.required)

    def snapshot(self) -> dict[str, Any]:
        """The /readyz body: ready, each check with ok/detail/age, and what is still awaited."""
        now = time.time()
        with self._lock:
            results = dict(self._results)
        checks = {}
        waiting = []
        for name in self.required:
            result = results.get(name)
            if result is None:
                checks[name] = {"ok": False, "detail": "not checked yet"}
                waiting.append(f"{name}: not checked yet")
                continue
            checks[name] = {"ok": result.ok, "detail": result.detail, "age_s": round(now - result.at, 1)}
            if not result.ok:
                waiting.append(f"{name}: {result.detail}")
        return {"service": self.service, "ready": not waiting, "checks": checks, "waiting_for": waiting}

    def liveness(self) -> dict[str, Any]:
        return {"service": self.service, "status": "alive", "pid": os.getpid(),
                "uptime_s": round(time.time() - self.started, 1)}


def _handler(readiness: Readiness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            path = self.path.split("?", 1)[0].rstrip("/") or "/"
            if path == "/metrics":
                self._send(200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                self._json(200, readiness.liveness())
            elif path == "/readyz":
                body = readiness.snapshot()
                self._json(200 if body["ready"] else 503, body)
            else:
                self._json(404, {"error": f"no such path {path}; try /metrics, /healthz, /readyz"})

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json")

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # scrapes every few seconds: keep logs quiet
            pass

    return Handler


def serve(readiness: Readiness, port: int, host: str, tries: int = 20) -> int | None:
    """Serve on `port` (or the next free one: several local workers share a host); the port used."""
    for candidate in range(port, port + tries):
        try:
            server = ThreadingHTTPServer((host, candidate), _handler(readiness))
        except OSError:
            continue
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name=f"health-{candidate}", daemon=True).start()
        return candidate
    log.warning("metrics_port_unavailable", tried=f"{port}-{port + tries - 1}")
    return None
