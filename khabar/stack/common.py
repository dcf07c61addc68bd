"""Shared bits of the local stack: errors, paths from settings, the console.

Everything the stack reads from the user's configuration goes through `stack_paths()`, so
tests can point a whole stack at another state directory with KHABAR_STATE_DIR.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console

from khabar.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
STACK_CONFIG = PROJECT_ROOT / "config" / "stack"
GIB = 1024**3


class StackError(UserError):
    """A stack problem the user can fix (port taken, no Java, a service that died)."""

    exit_code = 1


@dataclass(frozen=True)
class StackPaths:
    """Where things live; derived from settings once per process."""

    state_dir: Path
    cache_dir: Path
    kafka_host: str
    kafka_port: int
    es_url: str
    es_host: str
    es_port: int

    @property
    def kafka_controller_port(self) -> int:
        """KRaft controller listener: the broker port + 1 (9093 by default)."""
        return self.kafka_port + 1

    @property
    def es_transport_port(self) -> int:
        """Node-to-node transport: the HTTP port + 100 (9300 by default), as ES itself does."""
        return self.es_port + 100


def split_hostport(value: str, default_port: int) -> tuple[str, int]:
    """'127.0.0.1:9092' -> ('127.0.0.1', 9092); only the first of a comma list counts."""
    first = value.split(",")[0].strip()
    host, _, port = first.rpartition(":")
    if not host:
        return first or "127.0.0.1", default_port
    return host.strip("[]"), int(port)


def paths_from(state_dir: Path, cache_dir: Path, kafka_bootstrap: str, es_url: str) -> StackPaths:
    """Build StackPaths from raw setting values (kept separate so unit tests need no settings)."""
    khost, kport = split_hostport(kafka_bootstrap, 9092)
    parts = urlsplit(es_url)
    return StackPaths(
        state_dir=Path(state_dir).expanduser().resolve(),
        cache_dir=Path(cache_dir).expanduser().resolve(),
        kafka_host=khost,
        kafka_port=kport,
        es_url=es_url.rstrip("/"),
        es_host=parts.hostname or "127.0.0.1",
        es_port=parts.port or 9200,
    )


def stack_paths() -> StackPaths:
    """StackPaths for the current settings (khabar.settings.get_settings)."""
    from khabar.settings import get_settings

    s = get_settings()
    return paths_from(s.state_dir, s.cache_dir, s.kafka_bootstrap, s.es_url)


@lru_cache(maxsize=1)
def console() -> Console:
    """Progress and messages go to stderr so `status --json` stdout stays pure JSON."""
    return Console(stderr=True, highlight=False)
