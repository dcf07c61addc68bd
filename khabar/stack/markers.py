"""Finding our JVMs by a marker in their command line, even when a pidfile got lost.

Every JVM the stack starts carries `-Dkhabar.stack=<service>.<hash of state_dir>` (no spaces:
it travels through ES_JAVA_OPTS), so `down` can sweep orphans of this state dir without
touching anyone else's Java processes.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import psutil


def marker(service: str, state_dir: Path) -> str:
    """The JVM system property that tags a service's processes."""
    digest = hashlib.sha1(str(state_dir).encode()).hexdigest()[:12]
    return f"-Dkhabar.stack={service}.{digest}"


def find_marked(service: str, state_dir: Path) -> list[psutil.Process]:
    """Live processes carrying the marker."""
    tag = marker(service, state_dir)
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error):
            if tag in (proc.info.get("cmdline") or []):
                found.append(proc)
    return found
