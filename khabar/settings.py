"""Typed settings: `config/settings.yaml`, overridden by `KHABAR_*` environment variables.

This is the one place that reads the environment. Secrets (passwords, webhook URLs with
tokens) are only ever taken from the environment, never from the YAML file.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from khabar.yamlconf import ConfigError, read_yaml, validate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
ENV_PREFIX = "KHABAR_"


class Settings(BaseModel):
    kafka_bootstrap: str = "127.0.0.1:9092"
    es_url: str = "http://127.0.0.1:9200"
    topic_prefix: str = "khabar."
    index_prefix: str = "khabar-"
    state_dir: Path = PROJECT_ROOT / ".khabar"
    cache_dir: Path = Path.home() / ".cache" / "khabar"
    feeds_file: Path = CONFIG_DIR / "feeds.yaml"
    rules_file: Path = CONFIG_DIR / "rules.yaml"
    taxonomy_dir: Path = CONFIG_DIR / "taxonomy"
    # the workers' consumer group, changelog topics and RocksDB directory; unless set, derived
    # from topic_prefix ("khabar." -> "khabar-processors") so two pipelines with different
    # prefixes on one broker never share state (see derived_app_id)
    faust_app_id: str = "khabar-processors"
    worker_id: str = "0"  # own RocksDB directory per local worker; "auto" = the host name
    metrics_port: int = 9464  # workers (local workers take the next ports)
    ingest_metrics_port: int = 9463  # the pollers of `khabar run`
    metrics_host: str = "127.0.0.1"  # 0.0.0.0 in containers so Prometheus can scrape
    metrics_port_file: Path | None = None  # a worker writes the port it serves on here (`khabar run` reads it)
    ready_max_lag: int = 10000  # /readyz of a worker fails above this lag on its partitions
    health_interval_s: float = 5.0  # how often /readyz checks Kafka, Elasticsearch and lag
    # a worker killed without leaving its group holds its partitions this long; a restarted or
    # surviving worker waits for it (was Faust's 60 s default; a clean stop leaves at once)
    kafka_session_timeout_s: float = Field(default=15.0, ge=6.0, le=300.0)
    dedup_window_days: float = 14.0
    # helper processes a worker runs clean + tag in, beside its event loop (0 = in the loop):
    # one worker process alone uses one core (processors/offload.py)
    clean_processes: int = Field(default=1, ge=0, le=32)
    retention_days: int = 365
    log_format: str = "auto"  # auto | json | console
    log_level: str = "INFO"
    # secrets: environment only (see from_env)
    es_username: str | None = Field(default=None, exclude=True)
    es_password: str | None = Field(default=None, exclude=True)

    def topic(self, name: str) -> str:
        """Full topic name, e.g. topic("articles.raw") -> "khabar.articles.raw"."""
        return f"{self.topic_prefix}{name}"

    def index(self, name: str) -> str:
        """Full index/alias name, e.g. index("articles") -> "khabar-articles"."""
        return f"{self.index_prefix}{name}"

    def resolve(self, p: Path) -> Path:
        return p if p.is_absolute() else PROJECT_ROOT / p


SECRET_FIELDS = {"es_username", "es_password"}


def derived_app_id(topic_prefix: str) -> str:
    """The Faust app id of a pipeline whose topics start with `topic_prefix`."""
    stem = topic_prefix.strip(".-_ ") or "khabar"
    return f"{stem}-processors"


def load_settings(path: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Settings from YAML (if present) then environment overrides; bad values name file/line."""
    env = dict(os.environ if env is None else env)
    path = Path(env.get(f"{ENV_PREFIX}SETTINGS", path or CONFIG_DIR / "settings.yaml"))
    data: dict = {}
    if path.exists():
        parsed = read_yaml(path) or {}
        if not isinstance(parsed, dict):
            raise ConfigError(path, 1, "expected a mapping of setting: value")
        for secret in SECRET_FIELDS & set(parsed):
            raise ConfigError(path, parsed.lines.get(f"__line__{secret}"),
                              f"{secret} is a secret: set {ENV_PREFIX}{secret.upper()} in the environment")
        data = parsed
    settings = validate(Settings, data, path)
    overrides = {}
    for field in Settings.model_fields:
        value = env.get(f"{ENV_PREFIX}{field.upper()}")
        if value is not None:
            overrides[field] = value
    if overrides:
        merged = settings.model_dump() | overrides
        settings = validate(Settings, merged, f"environment ({ENV_PREFIX}*)")
    if "faust_app_id" not in data and "faust_app_id" not in overrides:
        settings.faust_app_id = derived_app_id(settings.topic_prefix)
    for name in ("state_dir", "feeds_file", "rules_file", "taxonomy_dir"):
        setattr(settings, name, settings.resolve(getattr(settings, name)))
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def secret(name: str) -> str | None:
    """A secret (webhook URL, token) by its environment variable name; never read from YAML."""
    return os.environ.get(name) or None
