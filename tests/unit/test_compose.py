"""docker-compose.yml, Dockerfile, .dockerignore and .env.example, checked without a Docker engine.

No engine runs on the development and CI machines, so the compose path is checked here:
the official Compose JSON Schema, then what the schema cannot know (services, pinned images
in step with the local stack, ports, volumes, depends_on, the scalable worker, the image
the khabar services build, their KHABAR_* settings, the .env keys).

Each check is a function that returns the problems it finds. The tests assert the real files
have none, and that a deliberately broken copy is caught, so no check can silently pass.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import jsonschema
import pytest
import typer.main
import yaml

from khabar.settings import ENV_PREFIX, Settings, load_settings
from khabar.stack import elasticsearch as local_es
from khabar.stack import kafka as local_kafka

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
ENV_EXAMPLE = REPO / ".env.example"
COMPOSE_SCHEMA = SHARED / "data" / "compose-spec" / "compose-spec.json"

INFRA = {"kafka", "elasticsearch", "kibana"}
ONE_SHOT = {"es-users", "khabar-init", "kibana-setup"}
KHABAR_SERVICES = {"khabar-init", "kibana-setup", "ingest", "worker"}
MONITORING = {"prometheus"}  # the optional `monitoring` profile
EXPECTED_SERVICES = INFRA | ONE_SHOT | KHABAR_SERVICES | MONITORING
# Jobs that may use the `elastic` superuser; everything long-running logs in as `khabar`.
ADMIN_JOBS = {"es-users", "khabar-init", "kibana-setup"}
ROLE_FILE = REPO / "config" / "elasticsearch" / "security" / "khabar-role.json"
ROLE_CLUSTER_PRIVILEGES = {"monitor", "manage_index_templates", "manage_ilm", "read_ilm"}
ROLE_INDEX_PRIVILEGES = {"create_index", "read", "write", "view_index_metadata", "manage", "create", "index",
                         "delete", "create_doc", "auto_configure", "monitor"}
PROMETHEUS_DIR = REPO / "config" / "prometheus"

HEALTHY, DONE = "service_healthy", "service_completed_successfully"
EXPECTED_DEPENDENCIES = {
    "kafka": {},
    "elasticsearch": {},
    "es-users": {"elasticsearch": HEALTHY},
    "kibana": {"elasticsearch": HEALTHY, "es-users": DONE},
    "khabar-init": {"elasticsearch": HEALTHY},
    "kibana-setup": {"kibana": HEALTHY, "khabar-init": DONE},
    "ingest": {"kafka": HEALTHY, "elasticsearch": HEALTHY, "es-users": DONE, "khabar-init": DONE},
    "worker": {"kafka": HEALTHY, "elasticsearch": HEALTHY, "es-users": DONE, "khabar-init": DONE},
    "prometheus": {},
}
# khabar sub-commands (after the image's ENTRYPOINT ["khabar"]) each khabar service runs.
EXPECTED_COMMANDS = {
    "khabar-init": ["es", "setup"],
    "kibana-setup": ["kibana", "import", "--url", "http://kibana:5601"],
    "ingest": ["run", "--ingest-only"],
    "worker": ["worker"],
}
# Host port each infrastructure service publishes (with .env.example), always on 127.0.0.1.
EXPECTED_HOST_PORTS = {"kafka": 9092, "elasticsearch": 9200, "kibana": 5601, "prometheus": 9090}
OFFICIAL_IMAGES = {
    "kafka": "apache/kafka",
    "elasticsearch": "docker.elastic.co/elasticsearch/elasticsearch",
    "es-users": "docker.elastic.co/elasticsearch/elasticsearch",
    "kibana": "docker.elastic.co/kibana/kibana",
    "prometheus": "prom/prometheus",
}
ES_DATA_PATH = "/usr/share/elasticsearch/data"
REQUIRED_KHABAR_ENV = {"KAFKA_BOOTSTRAP", "ES_URL", "ES_USERNAME", "ES_PASSWORD"}
# Kafka launcher variables of the apache/kafka image that are not broker properties.
KAFKA_LAUNCHER_VARS = {"KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS",
                       "KAFKA_LOG4J_OPTS", "KAFKA_JMX_OPTS", "KAFKA_GC_LOG_OPTS"}
# Local-stack properties the compose broker sets differently on purpose: compose uses a static
# voter (what the image formats storage for) and adds a HOST listener for clients on the host.
KAFKA_TOPOLOGY_KEYS = {"controller.quorum.bootstrap.servers", "listener.security.protocol.map"}
SAFE_VALUE = re.compile(r"^[A-Za-z0-9._-]+$")


# --------------------------------------------------------------------------- interpolation

class MissingVariable(ValueError):
    """A `${VAR:?message}` (or `${VAR}` in strict mode) with VAR unset, as compose reports it."""


_VAR = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable syntax: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR:+a}."""

    def sub(m: re.Match[str]) -> str:
        if m["escaped"]:
            return "$"
        name = m["braced"] or m["named"]
        op, arg = m["op"], m["arg"] or ""
        value = env.get(name)
        unset_or_empty = not value
        if op in (":-", "-"):
            return arg if (unset_or_empty if op == ":-" else value is None) else value
        if op in (":?", "?"):
            if unset_or_empty if op == ":?" else value is None:
                raise MissingVariable(f"{name}: {arg or 'required'}")
            return value
        if op in (":+", "+"):
            return arg if not (unset_or_empty if op == ":+" else value is None) else ""
        return value or ""

    return _VAR.sub(sub, text)


def interpolate_tree(node: Any, env: dict[str, str]) -> Any:
    """Interpolate every string value (not keys), as compose does before validating."""
    if isinstance(node, dict):
        return {k: interpolate_tree(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(v, env) for v in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def variables(node: Any) -> dict[str, bool]:
    """Variables the file reads -> whether every use of it has a fallback (`:-`, `-`, `:+`)."""
    found: dict[str, bool] = {}
    if isinstance(node, dict):
        for v in node.values():
            for k, has in variables(v).items():
                found[k] = found.get(k, True) and has
    elif isinstance(node, list):
        for v in node:
            for k, has in variables(v).items():
                found[k] = found.get(k, True) and has
    elif isinstance(node, str):
        for m in _VAR.finditer(node):
            if m["escaped"]:
                continue
            name = m["braced"] or m["named"]
            has = (m["op"] or "") in (":-", "-", ":+", "+")
            found[name] = found.get(name, True) and has
    return found


def parse_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines of a compose .env file (comments and blank lines skipped)."""
    env: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            raise ValueError(f".env line {number}: expected KEY=VALUE, got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key.strip()] = value
    return env


# --------------------------------------------------------------------------- the project

@dataclass(frozen=True)
class Project:
    """Everything the checks look at; a test mutates a copy to prove a check can fail."""

    raw: dict[str, Any]
    env: dict[str, str]
    dockerfile: str
    dockerignore: str
    local: dict[str, Any] = field(default_factory=dict)
    role: str = ""  # config/elasticsearch/security/khabar-role.json
    prometheus: dict[str, str] = field(default_factory=dict)  # file name -> text (overrides for tests)

    @property
    def resolved(self) -> dict[str, Any]:
        """The compose file as `docker compose` sees it with .env = .env.example."""
        return interpolate_tree(self.raw, self.env)

    def services(self) -> dict[str, dict[str, Any]]:
        return self.resolved.get("services", {})

    def defaults_only(self, text: str) -> str:
        """A value as it is with no .env at all (only the file's own fallbacks)."""
        return interpolate(text, {})


def load_compose(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """Parse with PyYAML (anchors and `<<` merges resolved), as a tree with no shared nodes."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8"))))


def local_stack() -> dict[str, Any]:
    """What the local stack (`khabar stack`) runs: versions, heaps, Kafka broker properties."""
    properties: dict[str, str] = {}
    for line in local_kafka.PROPERTIES_TEMPLATE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            properties[key.strip()] = value.strip()
    es_config = yaml.safe_load(local_es.YML_TEMPLATE.read_text(encoding="utf-8"))
    return {
        "kafka_version": local_kafka.version(),
        "es_version": local_es.version(),
        "kafka_heap": list(local_kafka.HEAP),
        "es_heap": list(local_es.HEAP),
        "kafka_properties": properties,
        "es_config": es_config,
    }


@pytest.fixture(scope="module")
def project() -> Project:
    return Project(
        raw=load_compose(),
        env=parse_env_file(ENV_EXAMPLE.read_text(encoding="utf-8")),
        dockerfile=DOCKERFILE.read_text(encoding="utf-8"),
        dockerignore=DOCKERIGNORE.read_text(encoding="utf-8"),
        local=local_stack(),
        role=ROLE_FILE.read_text(encoding="utf-8"),
    )


# --------------------------------------------------------------------------- helpers

def split_image(image: str) -> tuple[str, str | None]:
    """'repo/name:tag@sha256:..' -> ('repo/name', 'tag'); a missing tag is None."""
    name = image.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:]
    return name, None


def env_of(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict (compose allows a list of KEY=VALUE too)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return {k: v for k, _, v in (item.partition("=") for item in env)}
    return {k: "" if v is None else str(v) for k, v in env.items()}


def published_ports(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(host ip, host port, container port) of every port published on the host."""
    out = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            if entry.get("published") is not None:
                out.append((entry.get("host_ip", ""), int(entry["published"]), int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].rsplit(":", 2)
        if len(parts) == 3:
            out.append((parts[0], int(parts[1]), int(parts[2])))
        elif len(parts) == 2:
            out.append(("", int(parts[0]), int(parts[1])))
    return out


def named_volume_mounts(service: dict[str, Any]) -> dict[str, str]:
    """target path -> named volume, for the service's named-volume mounts."""
    mounts = {}
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            if entry.get("type", "volume") == "volume" and entry.get("source"):
                mounts[entry["target"]] = entry["source"]
            continue
        source, _, rest = str(entry).partition(":")
        target = rest.split(":")[0]
        if target and not source.startswith((".", "/", "~")):
            mounts[target] = source
    return mounts


def kafka_properties(service: dict[str, Any]) -> dict[str, str]:
    """The broker properties the apache/kafka image derives from KAFKA_* variables
    (`_` -> `.`, `__` -> `_`, `___` -> `-`)."""
    props = {}
    for key, value in env_of(service).items():
        if not key.startswith("KAFKA_") or key in KAFKA_LAUNCHER_VARS:
            continue
        name = key[len("KAFKA_"):].lower()
        name = name.replace("___", "\0").replace("__", "\1").replace("_", ".")
        props[name.replace("\0", "-").replace("\1", "_")] = value
    return props


def listeners(value: str) -> dict[str, tuple[str, int]]:
    """'A://host:1,B://:2' -> {'A': ('host', 1), 'B': ('', 2)}."""
    out = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        name, _, address = item.partition("://")
        host, _, port = address.rpartition(":")
        out[name] = (host, int(port))
    return out


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, args = line.strip().partition(" ")
            out.append((word.upper(), " ".join(args.split())))
    return out


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    return command.split() if isinstance(command, str) else list(command or [])


# --------------------------------------------------------------------------- checks

def check_schema(p: Project) -> list[str]:
    """The official Compose JSON Schema, on the file as written and as interpolated."""
    validator = jsonschema.Draft7Validator(json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8")))
    problems = []
    for label, doc in (("as written", p.raw), ("with .env.example", p.resolved)):
        for error in validator.iter_errors(doc):
            problems.append(f"schema ({label}) at {error.json_path}: {error.message[:200]}")
    return problems


def check_services(p: Project) -> list[str]:
    return [f"service {name!r} is missing" for name in sorted(EXPECTED_SERVICES - set(p.services()))]


def check_images_pinned(p: Project) -> list[str]:
    """Every image has an explicit tag other than `latest`, with .env.example and with no .env."""
    problems = []
    for name, raw_service in p.raw.get("services", {}).items():
        image = raw_service.get("image")
        if image is None:
            continue
        for label, value in (("with .env.example", interpolate(image, p.env)),
                             ("with no .env", p.defaults_only(image))):
            repo, tag = split_image(value)
            if not repo or tag is None or tag in ("", "latest"):
                problems.append(f"{name}: image {value!r} ({label}) is not pinned to a version tag")
    return problems


def check_official_images(p: Project) -> list[str]:
    """Official images; Elasticsearch, its setup service and Kibana on one version."""
    services = p.services()
    problems = []
    for name, repo in OFFICIAL_IMAGES.items():
        image_repo, _ = split_image(services.get(name, {}).get("image", ""))
        if image_repo != repo:
            problems.append(f"{name}: image {image_repo!r}, expected the official {repo!r}")
    tags = {name: split_image(services.get(name, {}).get("image", ""))[1]
            for name in ("elasticsearch", "es-users", "kibana")}
    if len(set(tags.values())) != 1:
        problems.append(f"Elasticsearch and Kibana versions differ: {tags}")
    return problems


def check_versions_match_local_stack(p: Project) -> list[str]:
    """Kafka and Elasticsearch/Kibana tags equal the local stack's versions."""
    want = {"kafka": p.local["kafka_version"], "elasticsearch": p.local["es_version"],
            "es-users": p.local["es_version"], "kibana": p.local["es_version"]}
    problems = []
    for name, version in want.items():
        image = p.raw.get("services", {}).get(name, {}).get("image", "")
        for label, value in (("with .env.example", interpolate(image, p.env)),
                             ("with no .env", p.defaults_only(image))):
            tag = split_image(value)[1]
            if tag != version:
                problems.append(f"{name}: image tag {tag!r} ({label}), the local stack runs {version}")
    return problems


def check_kafka_kraft(p: Project) -> list[str]:
    """One KRaft node whose listeners agree with each other and with the khabar services."""
    services = p.services()
    kafka = services.get("kafka", {})
    env = env_of(kafka)
    props = kafka_properties(kafka)
    problems = []
    if set(props.get("process.roles", "").split(",")) != {"broker", "controller"}:
        problems.append(f"kafka: process.roles {props.get('process.roles')!r}, expected broker,controller")
    if any("zookeeper" in key for key in props):
        problems.append("kafka: ZooKeeper settings in a KRaft broker")
    try:
        cluster_id = env.get("CLUSTER_ID", "")
        if len(cluster_id) != 22 or len(base64.urlsafe_b64decode(cluster_id + "==")) != 16:
            raise ValueError
    except (ValueError, binascii.Error):
        problems.append(f"kafka: CLUSTER_ID {env.get('CLUSTER_ID')!r} is not 22 base64url characters")
    try:
        bound = listeners(props.get("listeners", ""))
        advertised = listeners(props.get("advertised.listeners", ""))
    except ValueError as exc:
        return problems + [f"kafka: unreadable listeners: {exc}"]
    protocols = dict(item.split(":", 1) for item in props.get("listener.security.protocol.map", "").split(",") if item)
    for name in bound:
        if name not in protocols:
            problems.append(f"kafka: listener {name} has no entry in listener.security.protocol.map")
    controller = props.get("controller.listener.names", "")
    if controller not in bound:
        problems.append(f"kafka: controller listener {controller!r} is not among the listeners")
    voters = props.get("controller.quorum.voters", "")
    node_id = props.get("node.id")
    if controller in bound and voters != f"{node_id}@kafka:{bound[controller][1]}":
        problems.append(f"kafka: controller.quorum.voters {voters!r}, expected "
                        f"'{node_id}@kafka:{bound[controller][1]}'")
    for name, (_host, port) in advertised.items():
        if name not in bound or bound[name][1] != port and name != "HOST":
            problems.append(f"kafka: advertised listener {name} port {port} is not a listener port")
    internal = {f"{host}:{port}" for host, port in advertised.values() if host == "kafka"}
    for name in sorted(KHABAR_SERVICES & set(services)):
        bootstrap = env_of(services[name]).get("KHABAR_KAFKA_BOOTSTRAP")
        if bootstrap not in internal:
            problems.append(f"{name}: KHABAR_KAFKA_BOOTSTRAP {bootstrap!r} is not an advertised "
                            f"listener on the compose network ({sorted(internal)})")
    host_listener = advertised.get("HOST")
    published = {(target, port) for _ip, port, target in published_ports(kafka)}
    if host_listener is None or "HOST" not in bound:
        problems.append("kafka: no HOST listener for clients on this machine")
    elif (bound["HOST"][1], host_listener[1]) not in published:
        problems.append(f"kafka: HOST listener advertises port {host_listener[1]} but publishes {published}")
    return problems


def check_kafka_in_step(p: Project) -> list[str]:
    """Broker properties and heap equal the local stack's, except the listener topology."""
    kafka = p.services().get("kafka", {})
    props = kafka_properties(kafka)
    problems = []
    for key, value in p.local["kafka_properties"].items():
        if "${" in value or key in KAFKA_TOPOLOGY_KEYS:
            continue
        if props.get(key) != value:
            problems.append(f"kafka: {key} is {props.get(key)!r}, the local stack has {value!r}")
    heap = env_of(kafka).get("KAFKA_HEAP_OPTS", "").split()
    if heap != p.local["kafka_heap"]:
        problems.append(f"kafka: KAFKA_HEAP_OPTS {heap}, the local stack uses {p.local['kafka_heap']}")
    return problems


def check_elasticsearch(p: Project) -> list[str]:
    """Single node, security on with ELASTIC_PASSWORD from .env, the local stack's heap."""
    raw_es = env_of(p.raw.get("services", {}).get("elasticsearch", {}))
    es = env_of(p.services().get("elasticsearch", {}))
    problems = []
    if es.get("xpack.security.enabled") != "true":
        problems.append("elasticsearch: xpack.security.enabled must be \"true\"")
    if "ELASTIC_PASSWORD" not in variables(raw_es.get("ELASTIC_PASSWORD", "")):
        problems.append("elasticsearch: ELASTIC_PASSWORD must come from .env (${ELASTIC_PASSWORD})")
    for key in ("discovery.type", "cluster.name"):
        if es.get(key) != str(p.local["es_config"].get(key)):
            problems.append(f"elasticsearch: {key} {es.get(key)!r}, the local stack has "
                            f"{p.local['es_config'].get(key)!r}")
    heap = es.get("ES_JAVA_OPTS", "").split()
    if heap != p.local["es_heap"]:
        problems.append(f"elasticsearch: ES_JAVA_OPTS {heap}, expected the 1 GiB heap {p.local['es_heap']}")
    return problems


def check_kibana(p: Project) -> list[str]:
    """Kibana logs in as kibana_system, whose password the one-shot setup service sets."""
    services = p.services()
    raw_kibana = env_of(p.raw.get("services", {}).get("kibana", {}))
    kibana = env_of(services.get("kibana", {}))
    problems = []
    if kibana.get("ELASTICSEARCH_USERNAME") != "kibana_system":
        problems.append("kibana: ELASTICSEARCH_USERNAME must be kibana_system")
    if "KIBANA_PASSWORD" not in variables(raw_kibana.get("ELASTICSEARCH_PASSWORD", "")):
        problems.append("kibana: ELASTICSEARCH_PASSWORD must come from .env (${KIBANA_PASSWORD})")
    hosts = json.loads(kibana.get("ELASTICSEARCH_HOSTS", "[]") or "[]")
    if [urlsplit(h).netloc for h in hosts] != ["elasticsearch:9200"]:
        problems.append(f"kibana: ELASTICSEARCH_HOSTS {hosts} is not the compose elasticsearch")
    setup = services.get("es-users", {})
    script = " ".join(command_of(setup) + list(setup.get("entrypoint") or []))
    if "/_security/user/kibana_system/_password" not in script or "KIBANA_PASSWORD" not in script:
        problems.append("es-users: does not set the kibana_system password from KIBANA_PASSWORD")
    if "KIBANA_PASSWORD" not in env_of(setup):
        problems.append("es-users: KIBANA_PASSWORD is not in its environment")
    return problems


def check_ports(p: Project) -> list[str]:
    """Only Kafka, Elasticsearch and Kibana publish, each its port, on 127.0.0.1, no clashes."""
    problems = []
    seen: dict[int, str] = {}
    for name, service in p.services().items():
        ports = published_ports(service)
        host_ports = sorted(port for _ip, port, _target in ports)
        if name in EXPECTED_HOST_PORTS and host_ports != [EXPECTED_HOST_PORTS[name]]:
            problems.append(f"{name}: publishes {host_ports}, expected [{EXPECTED_HOST_PORTS[name]}]")
        if name not in EXPECTED_HOST_PORTS and ports:
            problems.append(f"{name}: publishes host ports {host_ports}; only {sorted(EXPECTED_HOST_PORTS)} should")
        for ip, port, _target in ports:
            if ip != "127.0.0.1":
                problems.append(f"{name}: port {port} bound to {ip or 'all interfaces'}, not 127.0.0.1")
            if port in seen:
                problems.append(f"{name}: host port {port} also published by {seen[port]}")
            seen[port] = name
    return problems


def check_volumes(p: Project) -> list[str]:
    """Named volumes declared and used; Kafka, Elasticsearch and worker data on named volumes."""
    declared = set((p.raw.get("volumes") or {}).keys())
    services = p.services()
    used: set[str] = set()
    problems = []
    for name, service in services.items():
        for target, volume in named_volume_mounts(service).items():
            used.add(volume)
            if volume not in declared:
                problems.append(f"{name}: volume {volume!r} (at {target}) is not declared under volumes:")
    for volume in sorted(declared - used):
        problems.append(f"volume {volume!r} is declared but no service uses it")
    data_paths = {
        "kafka": kafka_properties(services.get("kafka", {})).get("log.dirs"),
        "elasticsearch": ES_DATA_PATH,
        "worker": env_of(services.get("worker", {})).get("KHABAR_STATE_DIR"),
    }
    for name, path in data_paths.items():
        if not path or path not in named_volume_mounts(services.get(name, {})):
            problems.append(f"{name}: its data directory {path!r} is not on a named volume")
    return problems


def check_depends_on(p: Project) -> list[str]:
    """Targets exist, conditions are the intended ones and fit the target (healthcheck / one-shot)."""
    services = p.services()
    problems = []
    graph: dict[str, set[str]] = {}
    for name, service in services.items():
        deps = service.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {target: {"condition": "service_started"} for target in deps}
        conditions = {target: (spec or {}).get("condition", "service_started") for target, spec in deps.items()}
        graph[name] = set(conditions)
        for target, condition in conditions.items():
            if target not in services:
                problems.append(f"{name}: depends_on {target!r}, which is not a service")
                continue
            if condition == HEALTHY and not (services[target].get("healthcheck") or {}).get("test"):
                problems.append(f"{name}: waits for {target} to be healthy, but it has no healthcheck")
            if condition == DONE and services[target].get("restart", "no") != "no":
                problems.append(f"{name}: waits for {target} to complete, but it restarts")
        if name in EXPECTED_DEPENDENCIES and conditions != EXPECTED_DEPENDENCIES[name]:
            problems.append(f"{name}: depends_on {conditions}, expected {EXPECTED_DEPENDENCIES[name]}")

    def cycle_from(node: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
        if node in path:
            return path + (node,)
        for nxt in sorted(graph.get(node, ())):
            found = cycle_from(nxt, path + (node,))
            if found:
                return found
        return None

    for name in sorted(graph):
        cycle = cycle_from(name, ())
        if cycle:
            problems.append(f"depends_on cycle: {' -> '.join(cycle)}")
            break
    return problems


def check_healthchecks(p: Project) -> list[str]:
    problems = []
    for name in sorted(INFRA):
        health = p.services().get(name, {}).get("healthcheck") or {}
        test = health.get("test")
        if not test or health.get("disable") or test in (["NONE"], "NONE"):
            problems.append(f"{name}: no healthcheck")
    return problems


def check_one_shots(p: Project) -> list[str]:
    """Setup services run once: restart "no"; long-running services restart."""
    problems = []
    for name, service in p.services().items():
        restart = service.get("restart", "no")
        if name in ONE_SHOT and restart != "no":
            problems.append(f"{name}: a one-shot service must not restart (restart: {restart!r})")
        if name not in ONE_SHOT and restart == "no":
            problems.append(f"{name}: a long-running service without a restart policy")
    return problems


def check_scalable_worker(p: Project) -> list[str]:
    """`--scale worker=3` works: nothing fixed per container, and each replica its own RocksDB."""
    worker = p.services().get("worker", {})
    problems = []
    for key in ("container_name", "hostname"):
        if key in worker:
            problems.append(f"worker: {key} is set, so replicas would clash")
    if published_ports(worker):
        problems.append(f"worker: publishes host ports {published_ports(worker)}, so replicas would clash")
    worker_id = env_of(worker).get("KHABAR_WORKER_ID")
    if worker_id != "auto":
        problems.append(f"worker: KHABAR_WORKER_ID={worker_id!r}; a fixed id makes replicas share one "
                        "RocksDB directory (use `auto`: the container's hostname)")
    if worker.get("entrypoint"):
        problems.append("worker: overrides the image's `khabar` entrypoint")
    return problems


def check_khabar_build(p: Project) -> list[str]:
    """The khabar services build one image from the repository's Dockerfile."""
    services = p.services()
    images = set()
    problems = []
    for name in sorted(KHABAR_SERVICES & set(services)):
        service = services[name]
        build = service.get("build")
        if isinstance(build, str):
            build = {"context": build}
        if not build:
            problems.append(f"{name}: no build section")
            continue
        context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        if context != REPO:
            problems.append(f"{name}: builds from {context}, not the repository root")
        if dockerfile != DOCKERFILE or not dockerfile.is_file():
            problems.append(f"{name}: Dockerfile {dockerfile} is not the repository's Dockerfile")
        images.add(service.get("image"))
    if len(images) > 1:
        problems.append(f"khabar services tag different images {sorted(map(str, images))}; one build should serve all")
    return problems


def check_dockerfile(p: Project) -> list[str]:
    """python:3.11-slim, the lock, the project with --no-deps, a non-root user, ENTRYPOINT khabar."""
    steps = dockerfile_instructions(p.dockerfile)
    problems = []
    froms = [args for word, args in steps if word == "FROM"]
    if froms[-1:] != ["python:3.11-slim"]:
        problems.append(f"Dockerfile: FROM {froms}, expected python:3.11-slim")
    runs = [args for word, args in steps if word == "RUN"]
    if not any(re.search(r"(-r|--requirement) requirements\.lock", run) for run in runs):
        problems.append("Dockerfile: dependencies are not installed from requirements.lock")
    if not any("--no-deps" in run and re.search(r"(-e|--editable)? ?\.(\s|$)", run) for run in runs):
        problems.append("Dockerfile: the project is not installed with --no-deps")
    copies = [args for word, args in steps if word == "COPY"]
    if "requirements.lock ./" not in copies[:1]:
        problems.append("Dockerfile: requirements.lock is not copied (and installed) before the sources")
    users = [args for word, args in steps if word == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append(f"Dockerfile: runs as root (USER {users[-1:] or 'unset'})")
    entrypoints = [args for word, args in steps if word == "ENTRYPOINT"]
    try:
        entrypoint = json.loads(entrypoints[-1]) if entrypoints else None
    except json.JSONDecodeError:
        entrypoint = entrypoints[-1]
    if entrypoint != ["khabar"]:
        problems.append(f"Dockerfile: ENTRYPOINT {entrypoint!r}, expected [\"khabar\"]")
    return problems


def check_dockerignore(p: Project) -> list[str]:
    """Secrets and local state never enter the build context."""
    patterns = {line.strip() for line in p.dockerignore.splitlines() if line.strip() and not line.startswith("#")}
    return [f".dockerignore: {entry} is not excluded" for entry in (".env", ".git", ".venv", ".khabar")
            if entry not in patterns]


def check_khabar_environment(p: Project) -> list[str]:
    """KHABAR_* names are real Settings fields and load; secrets come from .env."""
    services = p.services()
    raw_services = p.raw.get("services", {})
    problems = []
    for name in sorted(KHABAR_SERVICES & set(services)):
        env = env_of(services[name])
        for key in sorted(env):
            if not key.startswith(ENV_PREFIX):
                problems.append(f"{name}: {key} is not a khabar setting (KHABAR_*)")
            elif key[len(ENV_PREFIX):].lower() not in Settings.model_fields:
                problems.append(f"{name}: {key} is not a field of khabar.settings.Settings")
        missing = {ENV_PREFIX + key for key in REQUIRED_KHABAR_ENV} - set(env)
        if missing:
            problems.append(f"{name}: missing {sorted(missing)}")
            continue
        password = env_of(raw_services.get(name, {})).get(f"{ENV_PREFIX}ES_PASSWORD", "")
        secret = "ELASTIC_PASSWORD" if name in ADMIN_JOBS else "KHABAR_ES_PASSWORD"
        if secret not in variables(password):
            problems.append(f"{name}: {ENV_PREFIX}ES_PASSWORD is not taken from .env ({secret})")
        try:
            settings = load_settings(env={k: v for k, v in env.items() if k.startswith(ENV_PREFIX)})
        except Exception as exc:  # any refusal of the values is the finding
            problems.append(f"{name}: its KHABAR_* values do not load: {exc}")
            continue
        if settings.kafka_bootstrap.rpartition(":")[0] != "kafka":
            problems.append(f"{name}: kafka_bootstrap {settings.kafka_bootstrap!r} is not the kafka service")
        if urlsplit(settings.es_url).hostname != "elasticsearch":
            problems.append(f"{name}: es_url {settings.es_url!r} is not the elasticsearch service")
        user = "elastic" if name in ADMIN_JOBS else "khabar"
        if settings.es_username != user or settings.es_password != p.env.get(secret):
            problems.append(f"{name}: Elasticsearch credentials are not {user} / {secret}")
    return problems


def check_commands(p: Project) -> list[str]:
    services = p.services()
    return [f"{name}: command {command_of(services.get(name, {}))}, expected {want}"
            for name, want in EXPECTED_COMMANDS.items() if command_of(services.get(name, {})) != want]


def check_commands_exist_in_cli(p: Project) -> list[str]:
    """Each service's sub-command and options exist in the real `khabar` CLI."""
    from khabar.cli import app

    root = typer.main.get_command(app)
    problems = []
    for name in sorted(KHABAR_SERVICES & set(p.services())):
        command: click.Command = root
        args = command_of(p.services()[name])
        words = list(args)
        while words and isinstance(command, click.Group) and words[0] in command.commands:
            command = command.commands[words.pop(0)]
        if command is root or isinstance(command, click.Group):
            problems.append(f"{name}: `khabar {' '.join(args)}` is not a khabar command")
            continue
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        for word in words:
            if word.startswith("--") and word.split("=")[0] not in options:
                problems.append(f"{name}: `khabar {' '.join(args)}`: no option {word}")
    return problems


def check_env_example(p: Project) -> list[str]:
    """.env.example defines what the file needs, nothing stale, and usable values."""
    used = variables(p.raw)
    problems = [f".env.example: {name} is required by docker-compose.yml but not defined"
                for name, has_fallback in sorted(used.items()) if not has_fallback and name not in p.env]
    problems += [f".env.example: {name} is not used by docker-compose.yml"
                 for name in sorted(set(p.env) - set(used))]
    for name, value in sorted(p.env.items()):
        if not SAFE_VALUE.match(value):
            problems.append(f".env.example: {name}={value!r} has characters other than letters, digits, . _ -")
    for name in ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "KHABAR_ES_PASSWORD"):
        if len(p.env.get(name, "")) < 6:
            problems.append(f".env.example: {name} shorter than 6 characters")
    if len(p.env.get("KIBANA_ENCRYPTION_KEY", "")) < 32:
        problems.append(".env.example: KIBANA_ENCRYPTION_KEY shorter than 32 characters")
    for name, local in (("STACK_VERSION", p.local["es_version"]), ("KAFKA_VERSION", p.local["kafka_version"])):
        if p.env.get(name) != local:
            problems.append(f".env.example: {name}={p.env.get(name)!r}, the local stack runs {local}")
    return problems


# --------------------------------------------------------------------------- checks: operating it

PROBE_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/(readyz|healthz)")
MEMORY = re.compile(r"^(\d+(?:\.\d+)?)([bkmg]?)b?$", re.IGNORECASE)


def memory_bytes(value: Any) -> int | None:
    """Compose memory sizes: 512m, 1g, 1536m, plain bytes; None if unreadable."""
    m = MEMORY.match(str(value).strip())
    if not m:
        return None
    return int(float(m[1]) * 1024 ** " kmg".index(m[2].lower() or " "))


def mem_limit_of(service: dict[str, Any]) -> Any:
    limits = ((service.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    return service.get("mem_limit", limits.get("memory"))


def heap_max(options: str) -> int | None:
    for word in options.split():
        if word.startswith("-Xmx"):
            return memory_bytes(word[4:])
    return None


def check_service_healthchecks(p: Project) -> list[str]:
    """ingest and worker probe /readyz or /healthz on the port their settings serve it on."""
    services = p.services()
    problems = []
    for name, setting in (("ingest", "ingest_metrics_port"), ("worker", "metrics_port")):
        service = services.get(name, {})
        env = {k: v for k, v in env_of(service).items() if k.startswith(ENV_PREFIX)}
        try:
            settings = load_settings(env=env)
        except Exception as exc:  # noqa: BLE001 - reported by check_khabar_environment too
            problems.append(f"{name}: settings do not load: {exc}")
            continue
        if settings.metrics_host != "0.0.0.0":
            problems.append(f"{name}: KHABAR_METRICS_HOST {settings.metrics_host!r}: Prometheus on the "
                            "compose network cannot scrape it")
        health = service.get("healthcheck") or {}
        test = health.get("test") or []
        found = PROBE_URL.search(" ".join(test) if isinstance(test, list) else str(test))
        if not found or health.get("disable"):
            problems.append(f"{name}: no healthcheck probing /readyz or /healthz")
            continue
        if int(found[1]) != getattr(settings, setting):
            problems.append(f"{name}: healthcheck probes port {found[1]}, but it serves on "
                            f"{getattr(settings, setting)} ({setting})")
    return problems


def check_memory_limits(p: Project) -> list[str]:
    """Every service has a memory limit, readable with and without .env, above its JVM heap."""
    problems = []
    for name, raw in p.raw.get("services", {}).items():
        limit = mem_limit_of(raw)
        if limit is None:
            problems.append(f"{name}: no memory limit (mem_limit)")
            continue
        for label, value in (("with .env.example", interpolate(str(limit), p.env)),
                             ("with no .env", p.defaults_only(str(limit)))):
            size = memory_bytes(value)
            if size is None or size < 64 * 1024 ** 2:
                problems.append(f"{name}: memory limit {value!r} ({label}) unreadable or below 64m")
                continue
            env = env_of(p.services().get(name, {}))
            heap = heap_max(str(env.get("ES_JAVA_OPTS", env.get("KAFKA_HEAP_OPTS", ""))))
            needed = (2 * heap if name == "elasticsearch" else heap + 1) if heap else 0  # ES: file cache
            if size < needed:
                problems.append(f"{name}: memory limit {value} ({label}) leaves no room beside its "
                                f"{heap // 1024 ** 2}m heap")
    return problems


def role_problems(role: dict[str, Any]) -> list[str]:
    """The khabar role reaches khabar-* indices and templates only."""
    problems = []
    extra = set(role.get("cluster", [])) - ROLE_CLUSTER_PRIVILEGES
    if extra:
        problems.append(f"role: cluster privileges {sorted(extra)} beyond {sorted(ROLE_CLUSTER_PRIVILEGES)}")
    if role.get("run_as"):
        problems.append(f"role: run_as {role['run_as']}")
    if role.get("applications"):
        problems.append("role: application privileges (e.g. Kibana) are not needed")
    for entry in role.get("indices", []):
        for index in entry.get("names", []):
            if not index.startswith("khabar-"):
                problems.append(f"role: index pattern {index!r} outside khabar-*")
        extra = set(entry.get("privileges", [])) - ROLE_INDEX_PRIVILEGES
        if extra:
            problems.append(f"role: index privileges {sorted(extra)} on {entry.get('names')}")
        if entry.get("allow_restricted_indices"):
            problems.append("role: allow_restricted_indices reaches system indices")
    if not role.get("indices"):
        problems.append("role: no index privileges (khabar cannot write)")
    return problems


def check_least_privilege(p: Project) -> list[str]:
    """es-users creates the khabar role and user as elastic; only setup jobs know ELASTIC_PASSWORD."""
    services = p.services()
    raw_services = p.raw.get("services", {})
    problems = []
    try:
        role = json.loads(p.role)
    except json.JSONDecodeError as exc:
        return [f"role: {ROLE_FILE.name} is not JSON: {exc}"]
    problems += role_problems(role)
    setup = services.get("es-users", {})
    script = " ".join(command_of(setup) + list(setup.get("entrypoint") or []))
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in setup.get("volumes") or [] if ":" in str(v)}
    role_call = re.search(r"/_security/role/(\w+) @(\S+)", script)
    if not role_call:
        problems.append("es-users: does not PUT the khabar role from a file (/_security/role/<name> @<file>)")
    else:
        folder = role_call[2].rsplit("/", 1)[0]
        source = (COMPOSE_FILE.parent / mounts.get(folder, "/nonexistent")).resolve()
        if source / role_call[2].rsplit("/", 1)[1] != ROLE_FILE:
            problems.append(f"es-users: role file {role_call[2]} is not {ROLE_FILE.relative_to(REPO)} mounted")
        if not re.search(rf"/_security/user/khabar .*roles.*{role_call[1]}", script):
            problems.append(f"es-users: does not create the `khabar` user with role {role_call[1]}")
    if "KHABAR_ES_PASSWORD" not in variables(env_of(raw_services.get("es-users", {})).get("KHABAR_ES_PASSWORD", "")):
        problems.append("es-users: KHABAR_ES_PASSWORD is not taken from .env")
    for name, raw in raw_services.items():
        if "ELASTIC_PASSWORD" in variables(raw) and name not in ADMIN_JOBS | {"elasticsearch"}:
            problems.append(f"{name}: knows ELASTIC_PASSWORD, but only setup jobs may use the superuser")
    return problems


def check_monitoring(p: Project) -> list[str]:
    """Prometheus only in the `monitoring` profile, scraping ingest and every worker replica on
    their metrics ports; its alert rules use metrics khabar really exports."""
    services = p.services()
    prometheus = services.get("prometheus", {})
    problems = []
    if prometheus.get("profiles") != ["monitoring"]:
        problems.append(f"prometheus: profiles {prometheus.get('profiles')}, expected ['monitoring']")
    for name, service in services.items():
        if name != "prometheus" and service.get("profiles"):
            problems.append(f"{name}: in profiles {service['profiles']}: a plain `up` would leave it out")
    mounts = {}
    for volume in prometheus.get("volumes") or []:
        parts = str(volume).split(":")
        if parts[0].startswith("./"):
            mounts[parts[1]] = (COMPOSE_FILE.parent / parts[0]).resolve()
    config_path = mounts.get("/etc/prometheus/prometheus.yml")
    if config_path is None or not config_path.is_file():
        return problems + ["prometheus: no scrape config mounted at /etc/prometheus/prometheus.yml"]
    config = yaml.safe_load(p.prometheus.get(config_path.name, config_path.read_text()))
    jobs = {job["job_name"]: job for job in config.get("scrape_configs", [])}
    ingest_port = load_settings(env={}).ingest_metrics_port
    worker_port = load_settings(env={}).metrics_port
    targets = {t for job in jobs.values() for sc in job.get("static_configs", []) for t in sc.get("targets", [])}
    if f"ingest:{ingest_port}" not in targets:
        problems.append(f"prometheus: does not scrape ingest:{ingest_port}")
    dns = [(name, sd.get("port")) for job in jobs.values() for sd in job.get("dns_sd_configs", [])
           for name in sd.get("names", [])]
    if ("worker", worker_port) not in dns:
        problems.append(f"prometheus: does not discover every worker replica (dns_sd_configs worker:{worker_port})")
    exported = exported_metric_names()
    for rule_file in config.get("rule_files", []):
        local = mounts.get(rule_file)
        if local is None or not local.is_file():
            problems.append(f"prometheus: rule file {rule_file} is not mounted from the repository")
            continue
        rules = yaml.safe_load(p.prometheus.get(local.name, local.read_text()))
        for group in rules.get("groups", []):
            for rule in group.get("rules", []):
                for metric in re.findall(r"\bkhabar_[a-z_]+", rule.get("expr", "")):
                    base = re.sub(r"_(bucket|count|sum|total|created)$", "", metric)
                    if base not in exported:
                        problems.append(f"prometheus: alert {rule.get('alert')} uses {metric}, "
                                        "which khabar does not export")
    return problems


def exported_metric_names() -> set[str]:
    """Every metric family khabar's processes register (workers, pollers, health)."""
    from prometheus_client import REGISTRY, CollectorRegistry

    import khabar.health.checks  # noqa: F401 - registers its metrics
    import processors.alerts.channels  # noqa: F401
    import processors.metrics  # noqa: F401
    from ingest.health import FeedMetrics

    feed_registry = CollectorRegistry()
    FeedMetrics(feed_registry)
    names = set()
    for registry in (REGISTRY, feed_registry):
        for family in registry.collect():
            names.add(family.name)
    return names


CHECKS: dict[str, Callable[[Project], list[str]]] = {
    fn.__name__: fn for fn in (
        check_schema, check_services, check_images_pinned, check_official_images,
        check_versions_match_local_stack, check_kafka_kraft, check_kafka_in_step,
        check_elasticsearch, check_kibana, check_ports, check_volumes, check_depends_on,
        check_healthchecks, check_one_shots, check_scalable_worker, check_khabar_build,
        check_dockerfile, check_dockerignore, check_khabar_environment, check_commands,
        check_commands_exist_in_cli, check_env_example, check_service_healthchecks,
        check_memory_limits, check_least_privilege, check_monitoring,
    )
}


# --------------------------------------------------------------------------- tests: real files

def test_files_exist() -> None:
    for path in (COMPOSE_FILE, DOCKERFILE, DOCKERIGNORE, ENV_EXAMPLE, COMPOSE_SCHEMA):
        assert path.is_file(), path


def test_env_is_git_ignored_but_example_is_not() -> None:
    """The real passwords (.env) never reach git; the documented example does."""

    def ignored(name: str) -> bool:
        result = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=REPO)
        assert result.returncode in (0, 1), f"git check-ignore failed for {name}"
        return result.returncode == 0

    assert ignored(".env")
    assert not ignored(".env.example")


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_real_files_pass(project: Project, check: str) -> None:
    assert CHECKS[check](project) == []


def test_every_expected_service_is_defined(project: Project) -> None:
    assert set(project.services()) == EXPECTED_SERVICES


def test_compose_needs_the_passwords() -> None:
    """Without a .env, the passwords are missing with a message pointing at .env.example."""
    with pytest.raises(MissingVariable, match="_PASSWORD: set [A-Z_]*PASSWORD in .env"):
        interpolate_tree(load_compose(), {})
    for name in ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "KHABAR_ES_PASSWORD"):
        others = {k: "x" * 8 for k in ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "KHABAR_ES_PASSWORD",
                                       "KIBANA_ENCRYPTION_KEY") if k != name}
        with pytest.raises(MissingVariable, match=f"{name}: set {name} in .env"):
            interpolate_tree(load_compose(), others)


# --------------------------------------------------------------------------- tests: each check can fail

def _service(doc: dict, name: str) -> dict:
    return doc["services"][name]


def _set_env(name: str, key: str, value: Any) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        _service(doc, name).setdefault("environment", {})[key] = value
    return mutate


def _del_env(name: str, key: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        del _service(doc, name)["environment"][key]
    return mutate


def _set(name: str, key: str, value: Any) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        _service(doc, name)[key] = value
    return mutate


def _drop(name: str, key: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        _service(doc, name).pop(key)
    return mutate


def _depend(name: str, target: str, condition: str) -> Callable[[dict], None]:
    def mutate(doc: dict) -> None:
        _service(doc, name).setdefault("depends_on", {})[target] = {"condition": condition}
    return mutate


COMPOSE_BREAKAGES: list[tuple[str, Callable[[dict], None], str]] = [
    ("check_schema", _set("kafka", "imagee", "apache/kafka:4.3.1"), "imagee"),
    ("check_schema", _set("worker", "depends_on", {"kafka": {"condition": "when_ready"}}), "depends_on"),
    ("check_services", lambda d: d["services"].pop("kibana"), "'kibana' is missing"),
    ("check_images_pinned", _set("kafka", "image", "apache/kafka:latest"), "not pinned"),
    ("check_images_pinned", _set("elasticsearch", "image", "docker.elastic.co/elasticsearch/elasticsearch"), "not pinned"),
    ("check_images_pinned", _set("kibana", "image", "docker.elastic.co/kibana/kibana:${STACK_VERSION}"), "with no .env"),
    ("check_official_images", _set("kafka", "image", "bitnami/kafka:4.3.1"), "official"),
    ("check_official_images", _set("kibana", "image", "docker.elastic.co/kibana/kibana:9.0.0"), "versions differ"),
    ("check_versions_match_local_stack", _set("kafka", "image", "apache/kafka:${KAFKA_VERSION:-4.0.0}"), "with no .env"),
    ("check_kafka_kraft", _set_env("kafka", "KAFKA_PROCESS_ROLES", "broker"), "process.roles"),
    ("check_kafka_kraft", _set_env("kafka", "KAFKA_ZOOKEEPER_CONNECT", "zk:2181"), "ZooKeeper"),
    ("check_kafka_kraft", _set_env("kafka", "CLUSTER_ID", "not-a-cluster-id"), "CLUSTER_ID"),
    ("check_kafka_kraft", _set_env("kafka", "KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka:9999"), "voters"),
    ("check_kafka_kraft", _set_env("worker", "KHABAR_KAFKA_BOOTSTRAP", "kafka:29092"), "worker: KHABAR_KAFKA_BOOTSTRAP"),
    ("check_kafka_kraft", _set("kafka", "ports", ["127.0.0.1:9092:9092"]), "HOST listener"),
    ("check_kafka_in_step", _set_env("kafka", "KAFKA_NUM_PARTITIONS", 1), "num.partitions"),
    ("check_kafka_in_step", _del_env("kafka", "KAFKA_AUTO_CREATE_TOPICS_ENABLE"), "auto.create.topics.enable"),
    ("check_kafka_in_step", _set_env("kafka", "KAFKA_HEAP_OPTS", "-Xmx4g"), "KAFKA_HEAP_OPTS"),
    ("check_elasticsearch", _set_env("elasticsearch", "xpack.security.enabled", "false"), "security"),
    ("check_elasticsearch", _set_env("elasticsearch", "ELASTIC_PASSWORD", "hunter22"), "from .env"),
    ("check_elasticsearch", _set_env("elasticsearch", "ES_JAVA_OPTS", "-Xms4g -Xmx4g"), "heap"),
    ("check_elasticsearch", _set_env("elasticsearch", "discovery.type", "multi-node"), "discovery.type"),
    ("check_kibana", _set_env("kibana", "ELASTICSEARCH_USERNAME", "elastic"), "kibana_system"),
    ("check_kibana", _set_env("kibana", "ELASTICSEARCH_PASSWORD", "literal-pass"), "KIBANA_PASSWORD"),
    ("check_kibana", _set_env("kibana", "ELASTICSEARCH_HOSTS", '["http://es:9200"]'), "ELASTICSEARCH_HOSTS"),
    ("check_kibana", _set("es-users", "command", ["echo", "done"]), "kibana_system password"),
    ("check_ports", _set("worker", "ports", ["127.0.0.1:6066:6066"]), "worker: publishes"),
    ("check_ports", _set("elasticsearch", "ports", ["9200:9200"]), "all interfaces"),
    ("check_ports", _set("kibana", "ports", ["127.0.0.1:9200:5601"]), "expected [5601]"),
    ("check_volumes", lambda d: d["volumes"].pop("es-data"), "not declared"),
    ("check_volumes", lambda d: d["volumes"].update({"orphan": None}), "no service uses it"),
    ("check_volumes", _set("worker", "volumes", ["worker-state:/tmp/elsewhere"]), "worker: its data directory"),
    ("check_volumes", _set("kafka", "volumes", ["./kafka:/var/lib/kafka/data"]), "kafka: its data directory"),
    ("check_depends_on", _depend("worker", "zookeeper", HEALTHY), "not a service"),
    ("check_depends_on", _depend("kibana-setup", "kibana", "service_started"), "kibana-setup: depends_on"),
    ("check_depends_on", _depend("ingest", "es-users", HEALTHY), "no healthcheck"),
    ("check_depends_on", _depend("elasticsearch", "khabar-init", DONE), "cycle"),
    ("check_depends_on", _set("khabar-init", "restart", "on-failure"), "restarts"),
    ("check_healthchecks", _drop("kafka", "healthcheck"), "kafka: no healthcheck"),
    ("check_healthchecks", _set("kibana", "healthcheck", {"disable": True}), "kibana: no healthcheck"),
    ("check_one_shots", _set("es-users", "restart", "always"), "must not restart"),
    ("check_one_shots", _drop("ingest", "restart"), "without a restart policy"),
    ("check_scalable_worker", _set("worker", "container_name", "khabar-worker"), "container_name"),
    ("check_scalable_worker", _set("worker", "ports", ["9464:9464"]), "publishes host ports"),
    ("check_scalable_worker", _set_env("worker", "KHABAR_WORKER_ID", "1"), "fixed id"),
    ("check_khabar_build", _set("worker", "build", {"context": ".", "dockerfile": "Dockerfile.dev"}), "Dockerfile"),
    ("check_khabar_build", _set("ingest", "build", {"context": "ingest"}), "not the repository root"),
    ("check_khabar_build", _drop("kibana-setup", "build"), "no build section"),
    ("check_khabar_build", _set("ingest", "image", "khabar:other"), "different images"),
    ("check_khabar_environment", _set_env("worker", "KHABAR_NOT_A_SETTING", "1"), "not a field"),
    ("check_khabar_environment", _set_env("ingest", "ES_URL", "http://x"), "not a khabar setting"),
    ("check_khabar_environment", _del_env("ingest", "KHABAR_ES_URL"), "KHABAR_ES_URL"),
    ("check_khabar_environment", _set_env("worker", "KHABAR_ES_PASSWORD", "literal-pass"), "not taken from .env"),
    ("check_khabar_environment", _set_env("worker", "KHABAR_ES_URL", "http://127.0.0.1:9200"), "es_url"),
    ("check_khabar_environment", _set_env("worker", "KHABAR_METRICS_PORT", "not-a-port"), "do not load"),
    ("check_commands", _set("ingest", "command", ["run"]), "ingest: command"),
    ("check_commands", _set("kibana-setup", "command", ["kibana", "import", "--url", "http://localhost:5601"]), "kibana-setup"),
    ("check_commands_exist_in_cli", _set("worker", "command", ["no-such-command"]), "not a khabar command"),
    ("check_commands_exist_in_cli", _set("ingest", "command", ["run", "--no-such-flag"]), "no option --no-such-flag"),
    ("check_env_example", _set_env("kibana", "SERVER_NAME", "${KIBANA_NAME:?set it}"), "KIBANA_NAME is required"),
    ("check_commands", _set("kibana-setup", "command", ["kibana", "import", "--url", "http://kibana:5601", "--overwrite"]), "kibana-setup"),
    ("check_service_healthchecks", _drop("worker", "healthcheck"), "worker: no healthcheck probing"),
    ("check_service_healthchecks", _set("ingest", "healthcheck", {"test": ["CMD", "true"]}), "ingest: no healthcheck probing"),
    ("check_service_healthchecks", _set_env("worker", "KHABAR_METRICS_PORT", "9500"), "serves on 9500"),
    ("check_service_healthchecks", _set_env("ingest", "KHABAR_METRICS_HOST", "127.0.0.1"), "cannot scrape"),
    ("check_memory_limits", _drop("kibana", "mem_limit"), "kibana: no memory limit"),
    ("check_memory_limits", _set("worker", "mem_limit", "lots"), "worker: memory limit 'lots'"),
    ("check_memory_limits", _set("elasticsearch", "mem_limit", "1g"), "leaves no room"),
    ("check_memory_limits", _set("kafka", "mem_limit", "${KAFKA_MEM_LIMIT}"), "with no .env"),
    ("check_least_privilege", _set_env("worker", "KHABAR_ES_PASSWORD", "${ELASTIC_PASSWORD}"), "worker: knows ELASTIC_PASSWORD"),
    ("check_least_privilege", _set("es-users", "command", ["echo", "done"]), "does not PUT the khabar role"),
    ("check_least_privilege", _set("es-users", "volumes", ["./config:/usr/share/khabar-security:ro"]), "is not config/elasticsearch/security"),
    ("check_least_privilege", _del_env("es-users", "KHABAR_ES_PASSWORD"), "KHABAR_ES_PASSWORD is not taken"),
    ("check_khabar_environment", _set_env("ingest", "KHABAR_ES_USERNAME", "elastic"), "not khabar / KHABAR_ES_PASSWORD"),
    ("check_monitoring", _set("prometheus", "profiles", []), "expected ['monitoring']"),
    ("check_monitoring", _set("worker", "profiles", ["monitoring"]), "worker: in profiles"),
    ("check_monitoring", _set("prometheus", "volumes", []), "no scrape config mounted"),
]


@pytest.mark.parametrize(("check", "breakage", "expected"), COMPOSE_BREAKAGES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(COMPOSE_BREAKAGES)])
def test_check_catches_broken_compose(project: Project, check: str, breakage: Callable[[dict], None],
                                      expected: str) -> None:
    broken = copy.deepcopy(project.raw)
    breakage(broken)
    problems = CHECKS[check](replace(project, raw=broken))
    assert any(expected in problem for problem in problems), problems


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} not in the real file: update this test"
    return text.replace(old, new)


OTHER_BREAKAGES: list[tuple[str, Callable[[Project], Project], str]] = [
    ("check_dockerfile", lambda p: replace(p, dockerfile=_edit(p.dockerfile, "FROM python:3.11-slim", "FROM python:3.12")), "FROM"),
    ("check_dockerfile", lambda p: replace(p, dockerfile=_edit(p.dockerfile, "USER khabar", "USER root")), "runs as root"),
    ("check_dockerfile", lambda p: replace(p, dockerfile=_edit(p.dockerfile, "USER khabar", "")), "runs as root"),
    ("check_dockerfile", lambda p: replace(p, dockerfile=_edit(p.dockerfile, 'ENTRYPOINT ["khabar"]', 'ENTRYPOINT ["python"]')), "ENTRYPOINT"),
    ("check_dockerfile", lambda p: replace(p, dockerfile=_edit(p.dockerfile, "--no-deps", "")), "--no-deps"),
    ("check_dockerfile", lambda p: replace(p, dockerfile=_edit(p.dockerfile, "--requirement requirements.lock", "khabar")), "requirements.lock"),
    ("check_dockerignore", lambda p: replace(p, dockerignore=_edit(p.dockerignore, "\n.env\n", "\n")), ".env is not excluded"),
    ("check_dockerignore", lambda p: replace(p, dockerignore=_edit(p.dockerignore, ".venv\n", "")), ".venv is not excluded"),
    ("check_env_example", lambda p: replace(p, env={k: v for k, v in p.env.items() if k != "KIBANA_PASSWORD"}), "KIBANA_PASSWORD is required"),
    ("check_env_example", lambda p: replace(p, env=p.env | {"STALE_SETTING": "1"}), "STALE_SETTING is not used"),
    ("check_env_example", lambda p: replace(p, env=p.env | {"KIBANA_ENCRYPTION_KEY": "short"}), "32 characters"),
    ("check_env_example", lambda p: replace(p, env=p.env | {"ELASTIC_PASSWORD": "pa$$word"}), "characters other than"),
    ("check_env_example", lambda p: replace(p, env=p.env | {"KIBANA_PASSWORD": "abc"}), "shorter than 6"),
    ("check_env_example", lambda p: replace(p, env=p.env | {"KHABAR_ES_PASSWORD": "abc"}), "KHABAR_ES_PASSWORD shorter than 6"),
    ("check_env_example", lambda p: replace(p, env=p.env | {"STACK_VERSION": "9.0.0"}), "STACK_VERSION"),
    ("check_versions_match_local_stack", lambda p: replace(p, env=p.env | {"STACK_VERSION": "9.0.0"}), "with .env.example"),
    ("check_versions_match_local_stack", lambda p: replace(p, local=p.local | {"kafka_version": "4.9.9"}), "runs 4.9.9"),
    ("check_kafka_in_step", lambda p: replace(p, local=p.local | {"kafka_properties": p.local["kafka_properties"] | {"num.partitions": "12"}}), "num.partitions"),
    ("check_elasticsearch", lambda p: replace(p, local=p.local | {"es_config": p.local["es_config"] | {"cluster.name": "other"}}), "cluster.name"),
    ("check_ports", lambda p: replace(p, env=p.env | {"KIBANA_HOST_PORT": "9200"}), "also published"),
    ("check_least_privilege", lambda p: replace(p, role=p.role.replace('"khabar-*"', '"*"')), "outside khabar-*"),
    ("check_least_privilege", lambda p: replace(p, role=p.role.replace('"monitor",', '"all",')), "cluster privileges ['all']"),
    ("check_least_privilege", lambda p: replace(p, role=p.role.replace('"manage"]', '"all"]')), "index privileges ['all']"),
    ("check_least_privilege", lambda p: replace(p, role=p.role.replace('"allow_restricted_indices": false', '"allow_restricted_indices": true')), "system indices"),
    ("check_monitoring", lambda p: replace(p, prometheus={"prometheus.yml": _prometheus_text().replace("ingest:9463", "ingest:9999")}), "does not scrape ingest:9463"),
    ("check_monitoring", lambda p: replace(p, prometheus={"prometheus.yml": _prometheus_text().replace('names: ["worker"]', 'names: ["workers"]')}), "every worker replica"),
    ("check_monitoring", lambda p: replace(p, prometheus={"khabar-alerts.yml": (PROMETHEUS_DIR / "khabar-alerts.yml").read_text().replace("khabar_consumer_lag", "khabar_consumer_lagg")}), "khabar_consumer_lagg"),
]


def _prometheus_text() -> str:
    return (PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("check", "breakage", "expected"), OTHER_BREAKAGES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(OTHER_BREAKAGES)])
def test_check_catches_broken_files(project: Project, check: str, breakage: Callable[[Project], Project],
                                    expected: str) -> None:
    problems = CHECKS[check](breakage(project))
    assert any(expected in problem for problem in problems), problems


def test_every_check_has_a_breakage() -> None:
    covered = {check for check, _, _ in COMPOSE_BREAKAGES + OTHER_BREAKAGES}
    assert covered == set(CHECKS)


# --------------------------------------------------------------------------- tests: the helpers

def test_interpolate_follows_compose_syntax() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("a-$SET-${SET}-$$SET-$${SET}", env) == "a-x-x-$SET-${SET}"
    assert interpolate("${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} ${SET:-d}", env) == "d d  x"
    assert interpolate("${SET:+alt} ${UNSET:+alt}|", env) == "alt |"
    assert interpolate("${EMPTY?e}|", env) == "|"
    with pytest.raises(MissingVariable, match="EMPTY: give it"):
        interpolate("${EMPTY:?give it}", env)
    with pytest.raises(MissingVariable, match="UNSET"):
        interpolate("${UNSET?}", env)


def test_variables_tell_required_from_defaulted() -> None:
    found = variables({"a": "${A:-1} ${B:?x}", "b": ["$C", "$${NOT_A_VAR}", "${A}"]})
    assert found == {"A": False, "B": False, "C": False}
    assert variables(["${D:-1}", "${D-2}"]) == {"D": True}


def test_parse_env_file() -> None:
    assert parse_env_file("# c\n\nA=1\nB = 'two'\nC=\"3\"\nD=\n") == {"A": "1", "B": "two", "C": "3", "D": ""}
    with pytest.raises(ValueError, match="line 2"):
        parse_env_file("A=1\nnot a pair\n")


def test_split_image_and_ports() -> None:
    assert split_image("docker.elastic.co/kibana/kibana:9.1.10") == ("docker.elastic.co/kibana/kibana", "9.1.10")
    assert split_image("registry:5000/team/app") == ("registry:5000/team/app", None)
    assert split_image("apache/kafka:4.3.1@sha256:abc") == ("apache/kafka", "4.3.1")
    assert published_ports({"ports": ["127.0.0.1:9092:9094", "8080:80/tcp", "6066",
                                      {"target": 1, "published": "2", "host_ip": "127.0.0.1"}]}) == [
        ("127.0.0.1", 9092, 9094), ("", 8080, 80), ("127.0.0.1", 2, 1)]


def test_kafka_properties_follow_the_image_naming() -> None:
    service = {"environment": {"KAFKA_NUM_PARTITIONS": 4, "KAFKA_HEAP_OPTS": "-Xmx1g",
                               "KAFKA_SOME__NAME": "a", "KAFKA_DASHED___NAME": "b", "CLUSTER_ID": "x"}}
    assert kafka_properties(service) == {"num.partitions": "4", "some_name": "a", "dashed-name": "b"}


# --------------------------------------------------------------------------- tests: the probes run

@pytest.mark.parametrize("name", ["ingest", "worker"])
def test_healthcheck_command_follows_readyz(project: Project, name: str) -> None:
    """The container's probe command, run here against a served /readyz: exit 0 only when ready."""
    from khabar.health.server import Readiness, serve

    test = project.services()[name]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"], test
    readiness = Readiness(name, ["kafka"])
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    port = serve(readiness, free, "127.0.0.1")
    command = [sys.executable, *[PROBE_URL.sub(f"http://127.0.0.1:{port}/\\2", arg) for arg in test[2:]]]
    assert subprocess.run(command, capture_output=True, timeout=30).returncode != 0  # 503: not ready
    readiness.set("kafka", True, "connected")
    assert subprocess.run(command, capture_output=True, timeout=30).returncode == 0


def test_role_file_is_what_setup_sends() -> None:
    role = json.loads(ROLE_FILE.read_text(encoding="utf-8"))
    assert role_problems(role) == []
    assert role["indices"][0]["names"] == ["khabar-*"]
