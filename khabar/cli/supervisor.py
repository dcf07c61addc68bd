"""Start and stop local worker processes for `khabar run` (each with its own state and port)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from khabar.errors import UserError
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger("khabar.run")


class Supervisor:
    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self.log_dir: Path = settings.state_dir / "logs"
        self.procs: list[subprocess.Popen] = []

    def port_file(self, i: int) -> Path:
        return self.log_dir / f"worker-{i}.port"

    def metrics_ports(self) -> list[int]:
        """The port each worker serves on: what it wrote (it takes the next free one if its
        port is busy), else the one it was asked to use."""
        ports = []
        for i in range(len(self.procs)):
            try:
                ports.append(int(self.port_file(i).read_text()))
            except (OSError, ValueError):
                ports.append(self.settings.metrics_port + i)
        return ports

    def start_workers(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for i in range(self.count):
            self.port_file(i).unlink(missing_ok=True)  # a stale one from an earlier run
            env = dict(os.environ, KHABAR_WORKER_ID=str(i), KHABAR_METRICS_PORT=str(self.settings.metrics_port + i),
                       KHABAR_METRICS_PORT_FILE=str(self.port_file(i)), KHABAR_LOG_FORMAT="json")
            logfile = open(self.log_dir / f"worker-{i}.log", "ab")  # noqa: SIM115 - owned by the child
            proc = subprocess.Popen([sys.executable, "-m", "khabar.cli", "worker"], env=env,
                                    stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
            logfile.close()
            self.procs.append(proc)
            log.info("worker_started", worker=i, pid=proc.pid, log=str(self.log_dir / f"worker-{i}.log"))

    def check_alive(self) -> None:
        """Fail loudly (with the log to read) if a worker died."""
        for i, proc in enumerate(self.procs):
            if proc.poll() is not None:
                raise UserError(f"worker {i} exited with code {proc.returncode}; "
                                f"see {self.log_dir / f'worker-{i}.log'}")

    def stop_workers(self, timeout_s: float = 30.0) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()
