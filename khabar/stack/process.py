"""Processes we start: pidfiles, liveness, clean stops, port and disk checks.

A pidfile is JSON (pid, pgid, process create time, version, ...) so a reused pid is never
mistaken for our JVM, and `down` can kill the whole process group the service ran in.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from khabar.stack.common import GIB, StackError


def write_pidfile(path: Path, pid: int, **meta: Any) -> dict[str, Any]:
    """Record a started process; create_time pins the pid to this very process."""
    proc = psutil.Process(pid)
    data = {"pid": pid, "pgid": os.getpgid(pid), "create_time": proc.create_time(), **meta}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    tmp.replace(path)
    return data


def read_pidfile(path: Path) -> dict[str, Any] | None:
    """The pidfile's data if it names a live process (stale files are removed)."""
    try:
        data = json.loads(path.read_text())
        proc = psutil.Process(int(data["pid"]))
        if abs(proc.create_time() - float(data["create_time"])) > 1 or proc.status() == "zombie":
            raise psutil.NoSuchProcess(int(data["pid"]))
        return data
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, psutil.Error):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return None


def _group_members(pgid: int) -> list[psutil.Process]:
    """Processes still in a process group (JVMs a launcher left behind)."""
    members = []
    for proc in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(proc.pid) == pgid:
                members.append(proc)
    return members


def stop_process(pid: int, pgid: int | None, timeout: float = 60.0) -> bool:
    """SIGTERM, wait up to `timeout`, then SIGKILL the process, its children and its group.

    Returns True when the process had to be killed. Never signals our own group.
    """
    own_group = os.getpgid(0)
    try:
        proc = psutil.Process(pid)
        family = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    if pgid and pgid not in (own_group, 0, 1):
        family += [p for p in _group_members(pgid) if p not in family]
    for p in family:
        with contextlib.suppress(psutil.Error):
            p.send_signal(signal.SIGTERM)
    _, alive = psutil.wait_procs(family, timeout=timeout)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=10)
    return bool(alive)


def rss_bytes(pid: int) -> int | None:
    """Resident memory of a process and its children (the JVM is what counts)."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs)
    except psutil.Error:
        return None


def port_owner(port: int) -> psutil.Process | None:
    """The process listening on a TCP port, if we may see it."""
    with contextlib.suppress(psutil.Error, OSError):
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                return psutil.Process(conn.pid) if conn.pid else None
    return None


def port_in_use(host: str, port: int) -> bool:
    """True if something listens on host:port (bind test as servers do: SO_REUSEADDR on)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def describe_process(proc: psutil.Process | None) -> str:
    """'pid 123 (java kafka.Kafka ...)' for error messages; 'an unknown process' if hidden."""
    if proc is None:
        return "an unknown process"
    try:
        cmd = " ".join(proc.cmdline()[:1] + [a for a in proc.cmdline()[1:] if not a.startswith("-")][:2])
        return f"pid {proc.pid} ({cmd[:80] or proc.name()})"
    except psutil.Error:
        return f"pid {proc.pid}"


def port_conflict_message(service: str, host: str, port: int, owner: psutil.Process | None) -> str:
    """The one-line error for a taken port."""
    return (
        f"cannot start {service}: port {port} on {host} is already in use by "
        f"{describe_process(owner)}; stop it or change the port in settings"
    )


def check_ports_free(service: str, host: str, ports: list[int]) -> None:
    """Raise a StackError naming the first taken port and who holds it."""
    for port in ports:
        if port_in_use(host, port):
            raise StackError(port_conflict_message(service, host, port, port_owner(port)))


def check_disk(path: Path, need_bytes: int, what: str) -> None:
    """Fail early, before a download or a start fills the disk."""
    probe = path
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < need_bytes:
        raise StackError(
            f"not enough disk space for {what}: {free / GIB:.1f} GiB free on {probe}, "
            f"need {need_bytes / GIB:.1f} GiB"
        )


def wait_until(
    check: Callable[[], bool],
    timeout: float,
    on_fail: Callable[[], str],
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.5,
) -> None:
    """Poll `check` until true; raise StackError(on_fail()) on timeout or if `alive` says no."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if not alive() or time.monotonic() > deadline:
            raise StackError(on_fail())
        time.sleep(interval)


def log_tail(path: Path, lines: int = 1) -> str:
    """Last meaningful line(s) of a log, for an error message."""
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    picked = [ln for ln in text if "ERROR" in ln or "Exception" in ln or "FATAL" in ln]
    return " | ".join((picked or text)[-lines:])[:300]
