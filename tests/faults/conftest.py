"""The slow fault cases run on a stack of their own (other ports, own state dir), because they
kill and freeze Kafka and Elasticsearch: `make faults` starts it and stops it afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from khabar.cleanup import delete_created
from khabar.settings import PROJECT_ROOT, load_settings

STACK_ENV = {
    "KHABAR_KAFKA_BOOTSTRAP": "127.0.0.1:39092",
    "KHABAR_ES_URL": "http://127.0.0.1:39200",
    "KHABAR_STATE_DIR": str(PROJECT_ROOT / ".khabar-faults"),
}


def stack(command: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "khabar.cli", "stack", command], cwd=PROJECT_ROOT,
                          env={**os.environ, **STACK_ENV}, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"stack {command} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"


def service_pid(name: str) -> int:
    """The pid of the fault stack's `kafka` or `elasticsearch` (from its pidfile)."""
    (pidfile,) = Path(STACK_ENV["KHABAR_STATE_DIR"]).rglob(f"{name}.pid")
    return int(json.loads(pidfile.read_text())["pid"])


def kill(name: str, sig: int) -> None:
    os.kill(service_pid(name), sig)


@pytest.fixture(scope="session")
def fault_stack():
    stack("up")
    yield STACK_ENV
    stack("down")


@pytest.fixture
def fault_env(fault_stack, tmp_path):
    tag = uuid.uuid4().hex[:8]
    env = {**fault_stack, "KHABAR_TOPIC_PREFIX": f"f{tag}.", "KHABAR_INDEX_PREFIX": f"f{tag}-",
           "KHABAR_STATE_DIR": str(tmp_path / "state"), "KHABAR_FAUST_APP_ID": f"khabar-fault-{tag}"}
    yield env
    for _ in range(3):  # the stack may still be catching up after the fault
        try:
            delete_created(load_settings(env={**os.environ, **env}))
            break
        except Exception:  # noqa: BLE001 - cleanup only
            time.sleep(10)


__all__ = ["kill", "signal", "stack"]
