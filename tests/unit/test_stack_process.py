"""Pidfiles, clean stops of whole process groups, port-conflict and disk messages (real processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from khabar.stack import process
from khabar.stack.common import StackError


def _listener() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, sock.getsockname()[1]


def test_port_conflict_names_port_and_owner() -> None:
    sock, port = _listener()
    try:
        assert process.port_in_use("127.0.0.1", port)
        with pytest.raises(StackError) as err:
            process.check_ports_free("kafka", "127.0.0.1", [port])
        msg = str(err.value)
        assert f"port {port} on 127.0.0.1 is already in use" in msg
        assert "cannot start kafka" in msg
        if os.geteuid() == 0:  # other users' sockets are hidden from non-root
            assert f"pid {os.getpid()}" in msg
        assert "\n" not in msg
    finally:
        sock.close()
    assert not process.port_in_use("127.0.0.1", port)


def test_conflict_message_without_known_owner() -> None:
    msg = process.port_conflict_message("elasticsearch", "127.0.0.1", 9200, None)
    assert msg.startswith("cannot start elasticsearch: port 9200 on 127.0.0.1")
    assert "an unknown process" in msg


def test_pidfile_roundtrip_and_stale_removal(tmp_path: Path) -> None:
    pf = tmp_path / "svc.pid"
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        data = process.write_pidfile(pf, proc.pid, version="1.2.3")
        assert data["pgid"] == proc.pid
        assert process.read_pidfile(pf)["version"] == "1.2.3"
    finally:
        proc.kill()
        proc.wait()
    assert process.read_pidfile(pf) is None
    assert not pf.exists()


def test_stop_kills_the_whole_group_even_if_term_is_ignored(tmp_path: Path) -> None:
    # A launcher whose child ignores SIGTERM: both must be gone afterwards.
    script = "import signal,subprocess,sys,time\n" \
        "subprocess.Popen([sys.executable,'-c','import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)'])\n" \
        "time.sleep(120)\n"
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 10
    while not psutil.Process(proc.pid).children() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = psutil.Process(proc.pid).children()[0]
    time.sleep(0.3)  # let the child install its handler
    killed = process.stop_process(proc.pid, proc.pid, timeout=2)
    proc.wait(timeout=5)
    assert killed
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


def test_disk_check_message(tmp_path: Path) -> None:
    with pytest.raises(StackError, match=r"not enough disk space for the test: .* GiB free on"):
        process.check_disk(tmp_path / "not" / "yet", 10**15, "the test")
    process.check_disk(tmp_path, 1, "the test")


def test_wait_until_reports_failure_fast_when_process_dies() -> None:
    t0 = time.monotonic()
    with pytest.raises(StackError, match="died"):
        process.wait_until(lambda: False, 30, lambda: "died", alive=lambda: False, interval=0.01)
    assert time.monotonic() - t0 < 5


def test_log_tail_prefers_errors(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("INFO a\nERROR bad thing happened\nINFO b\n")
    assert process.log_tail(log) == "ERROR bad thing happened"
    assert process.log_tail(tmp_path / "missing.log") == ""
