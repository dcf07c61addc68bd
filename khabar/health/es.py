"""Is Elasticsearch reachable with our credentials, and in what state (one cheap request)."""

from __future__ import annotations

import httpx

from khabar.settings import Settings


def es_check(settings: Settings, timeout_s: float = 3.0) -> tuple[bool, str]:
    """(ok, why): ok for cluster status green/yellow; red, refused credentials or no answer fail."""
    auth = (settings.es_username, settings.es_password or "") if settings.es_username else None
    url = f"{settings.es_url.rstrip('/')}/_cluster/health"
    try:
        resp = httpx.get(url, auth=auth, timeout=timeout_s)
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
