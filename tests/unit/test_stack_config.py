"""Rendering of the stack's config files: ports, paths and the jvm.options patch."""

from __future__ import annotations

import re
from pathlib import Path

from khabar.stack import elasticsearch, kafka
from khabar.stack.artifacts import _DONE_RE, _PROGRESS_RE
from khabar.stack.common import paths_from, split_hostport


def _paths(tmp_path: Path, bootstrap: str = "127.0.0.1:19092", es: str = "http://127.0.0.1:19200"):
    return paths_from(tmp_path / "state", tmp_path / "cache", bootstrap, es)


def _props(text: str) -> dict[str, str]:
    return dict(ln.split("=", 1) for ln in text.splitlines() if ln and not ln.startswith("#"))


def test_kafka_properties_follow_the_bootstrap_setting(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    props = _props(kafka.render_properties(paths, tmp_path / "data"))
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert "controller.quorum.voters" not in props  # --standalone formatting forbids it
    assert props["log.dirs"] == str(tmp_path / "data")
    assert props["process.roles"] == "broker,controller"


def test_kafka_properties_single_node_settings(tmp_path: Path) -> None:
    props = _props(kafka.render_properties(_paths(tmp_path), tmp_path))
    assert props["auto.create.topics.enable"] == "true"
    assert props["num.partitions"] == "4"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert not any("$" in v for v in props.values())


def test_kafka_version_is_pinned_in_the_pom() -> None:
    assert re.fullmatch(r"4\.\d+\.\d+", kafka.version())


def test_cluster_id_is_a_kafka_uuid() -> None:
    ids = {kafka.new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", i) and not i.startswith("-") for i in ids)


def test_elasticsearch_yml(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    yml = elasticsearch.render_yml(paths)
    assert "http.port: 19200" in yml
    assert "transport.port: 19300" in yml
    assert "network.host: 127.0.0.1" in yml
    assert "xpack.security.enabled: false" in yml
    assert "discovery.type: single-node" in yml
    assert f"path.data: {paths.state_dir / 'elasticsearch' / 'data'}" in yml
    assert "cluster.routing.allocation.disk.threshold_enabled: false" in yml


JVM_OPTIONS = """\
-XX:+UseG1GC
-Djava.io.tmpdir=${ES_TMPDIR}
20-:--add-modules=jdk.incubator.vector
-XX:+HeapDumpOnOutOfMemoryError
-XX:ErrorFile=hs_err_pid%p.log
-Xlog:gc*,gc+age=trace,safepoint:file=gc.log:utctime,level,pid,tags:filecount=32,filesize=64m
"""


def test_jvm_options_patch(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    out = elasticsearch.patch_jvm_options(JVM_OPTIONS, logs)
    assert "jdk.incubator.vector" not in out
    assert f"file={logs}/gc.log:utctime" in out
    assert "filecount=4,filesize=16m" in out
    assert f"-XX:ErrorFile={logs}/hs_err_pid%p.log" in out
    assert f"-XX:HeapDumpPath={logs}" in out
    assert "-Djava.io.tmpdir=${ES_TMPDIR}" in out  # ES expands this itself


def test_jvm_options_patch_keeps_absolute_paths(tmp_path: Path) -> None:
    out = elasticsearch.patch_jvm_options("-Xlog:gc*:file=/var/log/es/gc.log:utctime\n", tmp_path)
    assert "file=/var/log/es/gc.log" in out


def test_hostport_and_derived_ports(tmp_path: Path) -> None:
    assert split_hostport("127.0.0.1:9092,other:9092", 1) == ("127.0.0.1", 9092)
    assert split_hostport("localhost", 9092) == ("localhost", 9092)
    paths = _paths(tmp_path, "127.0.0.1:9092", "http://127.0.0.1:9200/")
    assert kafka.ports(paths) == {"broker": 9092, "controller": 9093}
    assert elasticsearch.ports(paths) == {"http": 9200, "transport": 9300}
    assert paths.es_url == "http://127.0.0.1:9200"


def test_maven_progress_lines_are_understood() -> None:
    m = _PROGRESS_RE.search("Progress (1): 12.5/95 MB")
    assert m and m.groups() == ("12.5", "95", "MB")
    m = _PROGRESS_RE.search("Progress (2): kafka-clients-4.3.1.jar: 0.4/16 MB | zstd: 3/7 kB")
    assert m and m.groups() == ("0.4", "16", "MB")
    m = _DONE_RE.search("[INFO] Downloaded from central: https://example.invalid/a/b/x-1.jar (12 kB at 1 MB/s)")
    assert m and m.group(1) == "x-1.jar"
