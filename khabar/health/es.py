"""Is Elasticsearch reachable with our credentials, and in what state (one cheap request)."""

from __future__ import annotations

import ssl
from functools import lru_cache

import httpx

from khabar.settings import Settings


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every check: httpx builds (and loads the CA bundle into) a new one
    per call otherwise, about 1.5 % of a loaded worker's event-loop CPU (issue 11 profile)."""
    return ssl.create_default_context()


def es_check(settings: Settings, timeout_s: float = 3.0) -> tuple[bool, str]:
    """(ok, why): ok for cluster status green/yellow; red, refused credentials or no answer fail."""
    auth = (settings.es_username, settings.es_password or "") if settings.es_username else None
    url = f"{settings.es_url.rstrip('/')}/_cluster/health"
    try:
        resp = httpx.get(url, auth=auth, timeout=timeout_s, verify=_tls_context())
    except httpx.HTTPError as exc:
        return False, f"Elasticsearch not reachable at {settings.es_url}: {type(exc).__name__}"
    if resp.status_code in (401, 403):
        return False, f"Elasticsearch at {settings.es_url} refused our credentials (HTTP {resp.status_code})"
    if resp.status_code != 200:
        return False, f"Elasticsearch at {settings.es_url} answered HTTP {resp.status_code}"
    status = resp.json().get("status", "?")
    if status == "red":
        return False, f"Elasticsearch cluster status red at {settings.es_url}"
    return True, f"connected to {settings.es_url} (cluster {status})"
