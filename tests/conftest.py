"""Shared test fixtures. Integration tests need the real local stack (`khabar stack up`);
`make test` starts it. They fail (never skip) when it is not reachable."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from khabar.settings import PROJECT_ROOT, Settings, load_settings

SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.is_dir(), f"{SHARED} is missing: tests read the shared corpus beside the project"
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "seeds"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def stack() -> Settings:
    """Base settings of the running local stack; fails loudly when it is not up."""
    settings = load_settings()
    host, port = settings.kafka_bootstrap.split(",")[0].rsplit(":", 1)
    assert _reachable(host, int(port)), f"Kafka not reachable at {settings.kafka_bootstrap}: run `khabar stack up`"
    es = urlsplit(settings.es_url)
    assert _reachable(es.hostname or "127.0.0.1", es.port or 9200), (
        f"Elasticsearch not reachable at {settings.es_url}: run `khabar stack up`")
    return settings


@pytest.fixture
def isolated_env(stack: Settings, tmp_path: Path):
    """Environment for one test: its own topic prefix, index prefix and state dir; what the
    test created in Kafka and Elasticsearch is deleted afterwards."""
    tag = uuid.uuid4().hex[:8]
    env = {
        "KHABAR_TOPIC_PREFIX": f"t{tag}.",
        "KHABAR_INDEX_PREFIX": f"t{tag}-",
        "KHABAR_STATE_DIR": str(tmp_path / "state"),
        "KHABAR_FAUST_APP_ID": f"khabar-test-{tag}",
    }
    yield env
    from khabar.cleanup import delete_created

    delete_created(load_settings(env={**os.environ, **env}), extra_topic_prefixes=(f"khabar-test-{tag}-",))


@pytest.fixture
def isolated_settings(isolated_env: dict[str, str]) -> Settings:
    return load_settings(env={**os.environ, **isolated_env})
