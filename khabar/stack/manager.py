"""up / down / status of the whole local stack, as plain functions (the CLI and tests use them).

`up` is idempotent and serialised by a lock file in the state dir, so a test session and a
user starting the stack at the same moment do not launch two brokers.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from khabar.stack import elasticsearch, kafka, markers, process
from khabar.stack.common import StackError, StackPaths, console, stack_paths

SERVICES: dict[str, ModuleType] = {"kafka": kafka, "elasticsearch": elasticsearch}
HEALTH_TIMEOUT = 180.0
_started_for_tests: list[str] = []


def _host(paths: StackPaths, name: str) -> str:
    return paths.kafka_host if name == "kafka" else paths.es_host


def _main_port(paths: StackPaths, name: str) -> int:
    return paths.kafka_port if name == "kafka" else paths.es_port


@contextlib.contextmanager
def _lock(paths: StackPaths) -> Iterator[None]:
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    with (paths.state_dir / "stack.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def service_status(paths: StackPaths, name: str) -> dict[str, Any]:
    """Running/healthy, pid, version, ports, log, data dir, memory of one service."""
    mod = SERVICES[name]
    data = process.read_pidfile(mod.pidfile(paths))
    healthy = mod.healthy(paths)
    pid: int | None = data["pid"] if data else None
    if pid is None and (healthy or process.port_in_use(_host(paths, name), _main_port(paths, name))):
        owner = process.port_owner(_main_port(paths, name))
        pid = owner.pid if owner else None
    version = data.get("version") if data else None
    if version is None and healthy:
        version = mod.detected_version(paths, pid)
    rss = process.rss_bytes(pid) if pid else None
    return {
        "running": bool(data) or healthy,
        "healthy": healthy,
        "managed": bool(data),
        "pid": pid,
        "version": version,
        "address": f"{_host(paths, name)}:{_main_port(paths, name)}",
        "ports": mod.ports(paths),
        "log": str(mod.log_file(paths)),
        "data": str(mod.data_dir(paths)),
        "rss_mb": round(rss / 2**20, 1) if rss else None,
        "uptime_s": round(time.time() - data["create_time"]) if data else None,
    }


def stack_status() -> dict[str, dict[str, Any]]:
    """Status of every service, keyed by name."""
    paths = stack_paths()
    return {name: service_status(paths, name) for name in SERVICES}


def is_up() -> bool:
    """Both services answer health checks (whoever started them)."""
    paths = stack_paths()
    return all(mod.healthy(paths) for mod in SERVICES.values())


def _launch(paths: StackPaths, name: str) -> str:
    """Start one service unless it already runs; returns what happened."""
    mod = SERVICES[name]
    if process.read_pidfile(mod.pidfile(paths)):
        return "running"
    if mod.healthy(paths):
        return "external"
    for proc in markers.find_marked(name, paths.state_dir):  # orphan of a lost pidfile
        process.stop_process(proc.pid, None, timeout=30)
    process.check_ports_free(name, _host(paths, name), list(mod.ports(paths).values()))
    mod.start(paths)
    return "started"


def _wait_healthy(paths: StackPaths, name: str, timeout: float) -> None:
    mod = SERVICES[name]
    alive = [True]

    def still_alive() -> bool:
        alive[0] = process.read_pidfile(mod.pidfile(paths)) is not None
        return alive[0]

    def failure() -> str:
        what = "exited during startup" if not alive[0] else f"was not healthy within {timeout:.0f}s"
        return mod.fail_message(paths, what)

    with console().status(f"Waiting for {name} to be healthy"):
        process.wait_until(lambda: mod.healthy(paths), timeout, failure, still_alive)


def stack_up(timeout: float = HEALTH_TIMEOUT) -> dict[str, Any]:
    """Bring Kafka and Elasticsearch up (idempotent); returns status plus what was started.

    Both are launched first and waited for afterwards, so their JVM start-ups overlap.
    """
    paths = stack_paths()
    t0 = time.monotonic()
    with _lock(paths):
        outcome = {name: _launch(paths, name) for name in SERVICES}
        ready_after: dict[str, float] = {}
        for name, what in outcome.items():
            if what != "external":
                _wait_healthy(paths, name, timeout)
            ready_after[name] = time.monotonic() - t0
    status = stack_status()
    for name, what in outcome.items():
        s = status[name]
        note = {"started": f"started, healthy after {ready_after[name]:.1f}s", "running": "already running",
                "external": f"already running (pid {s['pid']}, not started from {paths.state_dir})"}[what]
        console().print(f"[bold]{name}[/bold] {s['version']} on {s['address']}: {note}")
    return {"started": [n for n, w in outcome.items() if w == "started"], "services": status}


def stack_down(only: str | list[str] | None = None) -> dict[str, str]:
    """Stop our services (SIGTERM, wait, SIGKILL; whole process groups, no orphan JVMs)."""
    paths = stack_paths()
    names = [only] if isinstance(only, str) else list(only or SERVICES)
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise StackError(f"unknown service {unknown[0]!r}: choose from {', '.join(SERVICES)}")
    result: dict[str, str] = {}
    with _lock(paths):
        for name in names:
            mod = SERVICES[name]
            data = process.read_pidfile(mod.pidfile(paths))
            orphans = markers.find_marked(name, paths.state_dir)
            if data:
                with console().status(f"Stopping {name}"):
                    killed = process.stop_process(data["pid"], data.get("pgid"), timeout=90)
                result[name] = "killed" if killed else "stopped"
            elif orphans:
                result[name] = "stopped"
            elif mod.healthy(paths):
                result[name] = "not managed here (left running)"
            else:
                result[name] = "not running"
            for proc in markers.find_marked(name, paths.state_dir):
                process.stop_process(proc.pid, None, timeout=30)
            mod.pidfile(paths).unlink(missing_ok=True)
            console().print(f"[bold]{name}[/bold]: {result[name]}")
    return result


def ensure_up_for_tests() -> bool:
    """Start what is not up; True if this call started anything (see teardown_for_tests)."""
    if is_up():
        return False
    started = stack_up()["started"]
    _started_for_tests.extend(started)
    return bool(started)


def teardown_for_tests() -> None:
    """Stop only the services ensure_up_for_tests started."""
    if _started_for_tests:
        stack_down(only=list(_started_for_tests))
        _started_for_tests.clear()
