"""The index manager: ask the cluster what it has, then install templates and policies.

Production clusters have the `arabic` analyzer (module analysis-common) and ILM; the bare local
build has neither. Rather than fail there, `ensure_setup` detects both and falls back LOUDLY
(a warning in the log and in the returned report): text gets the standard analyzer and the
documents carry the matching form of their text (see khabar.es.docs), and no lifecycle policy
is installed. Everything is an idempotent PUT, so running it at every worker start is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch

from khabar.errors import UserError
from khabar.es.templates import TEXT_MODE_META, TextMode, build_templates
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger(__name__)

FALLBACK_WARNING = (
    "Elasticsearch has no 'arabic' analyzer (module analysis-common missing, e.g. the bare local "
    "build): title/summary/body use the standard analyzer and documents also index their "
    "matching form in match.*; `khabar search` normalises queries the same way"
)
NO_ILM_WARNING = "Elasticsearch has no ILM: no lifecycle policy installed, indices are kept until deleted by hand"
# Statuses with which a cluster answers an endpoint or analyzer it does not have.
_NOT_AVAILABLE = {400, 404, 405, 410, 501}


@dataclass(frozen=True)
class Capabilities:
    arabic_analyzer: bool
    ilm: bool

    @property
    def text_mode(self) -> TextMode:
        return "arabic" if self.arabic_analyzer else "fallback"


async def has_arabic_analyzer(client: AsyncElasticsearch) -> bool | None:
    """True if the cluster can analyse with the built-in `arabic` analyzer; None if this user
    may not ask (403: the least-privilege `khabar` user of docker-compose.yml lacks the cluster
    privilege an index-less _analyze needs)."""
    try:
        await client.indices.analyze(analyzer="arabic", text="الأخبار")
    except ApiError as exc:
        if exc.status_code in _NOT_AVAILABLE:
            return False
        if exc.status_code == 403:
            return None
        raise
    return True


async def has_ilm(client: AsyncElasticsearch) -> bool:
    """True if the cluster answers the ILM API."""
    try:
        await client.ilm.get_status()
    except ApiError as exc:
        if exc.status_code in _NOT_AVAILABLE:
            return False
        raise
    return True


async def detect_capabilities(client: AsyncElasticsearch, settings: Settings | None = None) -> Capabilities:
    """What the cluster has; a user not allowed to test analyzers keeps what setup installed."""
    arabic = await has_arabic_analyzer(client)
    if arabic is None:
        mode = await _template_text_mode(client, settings) if settings is not None else None
        if mode is None:
            raise UserError(f"user {settings.es_username if settings else '?'!r} may not test Elasticsearch "
                            "analyzers and no khabar templates are installed yet: run `khabar es setup` "
                            "once as an administrator (docker compose: the khabar-init job)")
        arabic = mode == "arabic"
    return Capabilities(arabic_analyzer=arabic, ilm=await has_ilm(client))


async def _template_text_mode(client: AsyncElasticsearch, settings: Settings) -> TextMode | None:
    """The text mode recorded in the installed article template, None if not installed."""
    name = f"{settings.index_prefix}articles-mappings"
    try:
        resp = await client.cluster.get_component_template(name=name)
        mappings = resp["component_templates"][0]["component_template"]["template"]["mappings"]
        mode = mappings.get("_meta", {}).get(TEXT_MODE_META)
        if mode in ("arabic", "fallback"):
            return mode
    except ApiError as exc:
        if exc.status_code != 404:
            raise
    return None


async def installed_text_mode(client: AsyncElasticsearch, settings: Settings) -> TextMode:
    """The text mode the installed article template was built for (detect if not installed)."""
    return await _template_text_mode(client, settings) or (await detect_capabilities(client, settings)).text_mode


async def _bootstrap_write_alias(client: AsyncElasticsearch, alias: str) -> str | None:
    """First rollover generation `<alias>-000001` behind the write alias, unless one exists."""
    if await client.indices.exists_alias(name=alias) or await client.indices.exists(index=alias):
        return None
    first = f"{alias}-000001"
    try:
        await client.indices.create(index=first, aliases={alias: {"is_write_index": True}})
    except ApiError as exc:
        if exc.status_code == 400 and "already_exists" in str(exc.error):
            return None
        raise
    return first


async def _update_existing_mappings(
    client: AsyncElasticsearch, settings: Settings, mappings: dict[str, Any]
) -> list[str]:
    """Add new fields to existing monthly indices; conflicts are reported, not fatal."""
    pattern = f"{settings.index('articles')}-*"
    existing = await client.indices.get(index=pattern, allow_no_indices=True, expand_wildcards="open")
    warnings = []
    for index in sorted(existing.body):
        try:
            await client.indices.put_mapping(index=index, body=mappings)
        except ApiError as exc:
            if exc.status_code != 400:
                raise
            warnings.append(f"{index}: mapping not updated ({exc.message}); new fields apply from the next monthly index")
    return warnings


async def ensure_setup(client: AsyncElasticsearch, settings: Settings) -> dict[str, Any]:
    """Install lifecycle policies (where ILM exists), component and index templates; idempotent.

    Returns a report: text_mode, analyzer, ilm, installed names, bootstrap index, warnings.
    """
    caps = await detect_capabilities(client, settings)
    prefix = settings.index_prefix
    templates = build_templates(prefix, caps.text_mode, ilm=caps.ilm, retention_days=settings.retention_days)
    warnings: list[str] = []
    if not caps.arabic_analyzer:
        warnings.append(FALLBACK_WARNING)
        log.warning("es.fallback_text_analysis", reason=FALLBACK_WARNING, es_url=settings.es_url)
    if not caps.ilm:
        warnings.append(NO_ILM_WARNING)
        log.warning("es.no_ilm", reason=NO_ILM_WARNING, es_url=settings.es_url)

    for name, body in templates.ilm_policies.items():
        await client.ilm.put_lifecycle(name=name, policy=body["policy"])
    for name, body in templates.components.items():
        await client.cluster.put_component_template(name=name, body=body)
    for name, body in templates.index_templates.items():
        await client.indices.put_index_template(name=name, body=body)

    bootstrapped = None
    if caps.ilm:
        bootstrapped = await _bootstrap_write_alias(client, settings.index("alerts"))
    article_mappings = templates.components[f"{prefix}articles-mappings"]["template"]["mappings"]
    warnings += await _update_existing_mappings(client, settings, article_mappings)

    report = {
        "es_url": settings.es_url,
        "text_mode": caps.text_mode,
        "analyzer": "arabic" if caps.arabic_analyzer else "standard + match.* (matching form)",
        "ilm": caps.ilm,
        "ilm_policies": sorted(templates.ilm_policies),
        "component_templates": sorted(templates.components),
        "index_templates": sorted(templates.index_templates),
        "articles_alias": settings.index("articles"),
        "articles_indices": f"{settings.index('articles')}-YYYY.MM",
        "alerts_write_index_created": bootstrapped,
        "warnings": warnings,
    }
    log.info("es.setup_done", text_mode=caps.text_mode, ilm=caps.ilm, prefix=prefix)
    return report
