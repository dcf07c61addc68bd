"""Processes `khabar bench pipeline` starts: real `khabar worker`s and the producer, each with the
run's own prefixes, app id and state directory; and the stack's JVMs, found by their pidfiles."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from khabar.errors import UserError
from khabar.settings import PROJECT_ROOT


class WorkerProcs:
    """K `khabar worker` processes, as `khabar run` starts them (own id, metrics port, state)."""

    def __init__(self, env: dict[str, str], metrics_port: int, log_dir: Path) -> None:
        self.env, self.metrics_port, self.log_dir = env, metrics_port, log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, count: int) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            env = {**os.environ, **self.env, "KHABAR_WORKER_ID": str(i),
                   "KHABAR_METRICS_PORT": str(self.metrics_port + i), "KHABAR_LOG_FORMAT": "json"}
            with open(self.log_dir / f"worker-{i}.log", "ab") as log:
                self.procs.append(subprocess.Popen([sys.executable, "-m", "khabar.cli", "worker"], env=env,
                                                   cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                                   start_new_session=True))

    def pids(self) -> dict[str, int]:
        return {f"worker_{i}": p.pid for i, p in enumerate(self.procs)}

    def check_alive(self) -> None:
        for i, proc in enumerate(self.procs):
            if proc.poll() is not None:
                tail = (self.log_dir / f"worker-{i}.log").read_text(errors="replace")[-1500:]
                raise UserError(f"worker {i} exited with code {proc.returncode}; last log lines:\n{tail}")

    def stop(self, timeout_s: float = 30.0) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class Producer:
    """One run of khabar.cli.bench.pipeline_producer: connect, then produce on `go()`."""

    def __init__(self, env: dict[str, str], articles: Path, result: Path, rate: float | None = None,
                 plain_topic: str | None = None) -> None:
        self.result = result
        cmd = [sys.executable, "-m", "khabar.cli.bench.pipeline_producer", str(articles), str(result)]
        if rate:
            cmd += ["--rate", str(rate)]
        if plain_topic:
            cmd += ["--plain-topic", plain_topic]
        self.proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=PROJECT_ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if line != "READY":
            self.kill()
            raise UserError(f"bench producer did not start (said {line!r})")

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def running(self) -> bool:
        return self.proc.poll() is None

    def finish(self, timeout_s: float = 600.0) -> dict[str, Any]:
        code = self.proc.wait(timeout=timeout_s)
        if code != 0:
            raise UserError(f"bench producer exited with code {code}")
        return json.loads(self.result.read_text())

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def stack_pids() -> dict[str, int]:
    """The local stack's Kafka and Elasticsearch JVMs (pidfiles, else the owner of their port)."""
    from khabar.stack.manager import stack_status

    status = stack_status()
    return {name: s["pid"] for name, s in (("kafka", status.get("kafka", {})),
                                           ("elasticsearch", status.get("elasticsearch", {})))
            if s.get("pid")}
