"""Elasticsearch clients built from settings (credentials come only from the environment)."""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch

from khabar.settings import Settings

REQUEST_TIMEOUT_S = 30.0


def _client_options(settings: Settings, **overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "hosts": [settings.es_url],
        "request_timeout": REQUEST_TIMEOUT_S,
        # The transport retries a failed connection twice on its own; longer outages are the
        # caller's business (ArticleSink waits with backoff for as long as ES is down).
        "max_retries": 2,
        "retry_on_timeout": True,
    }
    if settings.es_username is not None:
        options["basic_auth"] = (settings.es_username, settings.es_password or "")
    options.update(overrides)
    return options


def make_client(settings: Settings, **overrides: Any) -> AsyncElasticsearch:
    """Async client for the workers, the sink and `khabar search`."""
    return AsyncElasticsearch(**_client_options(settings, **overrides))


def make_sync_client(settings: Settings, **overrides: Any) -> Elasticsearch:
    """Sync client for scripts and the raw-bulk baseline of the benchmark."""
    return Elasticsearch(**_client_options(settings, **overrides))
