"""Load the saved objects (data views, Lens panels, map, dashboard, saved search) into a Kibana."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from khabar.errors import ServiceUnavailable, UserError
from khabar.settings import CONFIG_DIR, Settings

SAVED_OBJECTS = CONFIG_DIR / "kibana" / "khabar.ndjson"
IMPORT_TIMEOUT_S = 60.0


def import_url(kibana_url: str, space: str | None = None, overwrite: bool = False) -> str:
    """The saved-objects import endpoint, in a space if one is named.

    Without `overwrite`, objects that already exist (perhaps edited by an analyst) are kept
    and Kibana reports them as conflicts; only new objects are created.
    """
    base = kibana_url.rstrip("/")
    if space and space != "default":
        base = f"{base}/s/{space}"
    return f"{base}/api/saved_objects/_import" + ("?overwrite=true" if overwrite else "")


def _payload(path: Path, prefix: str) -> bytes:
    """The NDJSON to send: the shipped file, with data views renamed for a non-default prefix."""
    from khabar.kibana.objects import DEFAULT_PREFIX, build_saved_objects, to_ndjson

    if path == SAVED_OBJECTS and prefix != DEFAULT_PREFIX:
        return to_ndjson(build_saved_objects(prefix)).encode("utf-8")
    return path.read_bytes()


def import_saved_objects(
    kibana_url: str,
    settings: Settings,
    *,
    space: str | None = None,
    path: Path = SAVED_OBJECTS,
    overwrite: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """POST the NDJSON to Kibana; returns Kibana's answer plus `kept` (existing objects left as
    they are when not overwriting); other errors raise UserError."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    url = import_url(kibana_url, space, overwrite)
    payload = _payload(path, settings.index_prefix)
    auth = (settings.es_username, settings.es_password or "") if settings.es_username else None
    try:
        with httpx.Client(timeout=IMPORT_TIMEOUT_S, auth=auth, transport=transport) as http:
            resp = http.post(
                url,
                headers={"kbn-xsrf": "true"},
                files={"file": (path.name, payload, "application/ndjson")},
            )
    except httpx.TransportError as exc:
        raise ServiceUnavailable(f"Kibana not reachable at {kibana_url}: {exc}") from None
    try:
        body = resp.json()
    except ValueError:
        body = {"raw": resp.text[:500]}
    if resp.status_code >= 400:
        message = body.get("message") if isinstance(body, dict) else None
        raise UserError(f"Kibana import at {url} failed: HTTP {resp.status_code} {message or body}")
    if not isinstance(body, dict):
        raise UserError(f"Kibana import at {url}: unexpected answer {body!r}"[:500])
    errors = body.get("errors") or []
    kept = [f"{e.get('type')}/{e.get('id')}" for e in errors if e.get("error", {}).get("type") == "conflict"]
    failed = [f"{e.get('type')}/{e.get('id')}: {e.get('error', {}).get('type')}" for e in errors
              if e.get("error", {}).get("type") != "conflict"]
    if failed or (not body.get("success", False) and not kept):
        raise UserError(f"Kibana import at {url} reported errors: {'; '.join(failed) or body}")
    return {**body, "success": True, "kept": kept}
