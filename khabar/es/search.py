"""`khabar search`: originals matching a query, from the terminal, in Arabic or any language.

The query goes to the text fields as typed (analysed by `arabic` where the cluster has it) and,
normalised by khabar.textnorm.matching_form, to the `match.*` fields that the fallback mode
fills. Querying both always works whichever mode the indices were built in.
"""

from __future__ import annotations

import re
from typing import Any

from elastic_transport import ConnectionError, ConnectionTimeout
from elasticsearch import ApiError, AsyncElasticsearch

from khabar.errors import ServiceUnavailable, UserError
from khabar.settings import Settings
from khabar.tagkinds import TAG_KINDS, tag_kind
from khabar.textnorm import matching_form

TEXT_FIELDS = ["title^3", "summary^2", "body"]
# a query that is exactly a tag name or surface form (e.g. "قسد") also finds the tagged articles
TAG_FIELDS = [f for k in TAG_KINDS for f in k.search_fields if not f.endswith(".id")]
MATCH_FIELDS = ["match.title^3", "match.summary^2", "match.body"]
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdwMy])\s*$")


def parse_since(text: str) -> str:
    """"24h" -> "now-24h" (ES date math); units s m h d w M y. Bad input is a UserError."""
    m = _DURATION.match(text)
    if not m or int(m.group(1)) == 0:
        raise UserError(f"--since {text!r}: expected a duration such as 30m, 24h, 7d or 2w")
    return f"now-{int(m.group(1))}{m.group(2)}"


def _any_term(fields: tuple[str, ...], value: str) -> dict[str, Any]:
    """The value in any of the keyword fields, ignoring case (for English names)."""
    should = [{"term": {f: {"value": value, "case_insensitive": True}}} for f in fields]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def text_query(query: str) -> dict[str, Any]:
    """Every query word in the text (as typed) or in its matching form (fallback fields), or the
    whole query as a tag name or form."""
    if not query.strip() or query.strip() == "*":
        return {"match_all": {}}
    return {
        "bool": {
            "should": [
                {"multi_match": {"query": query, "fields": TEXT_FIELDS, "type": "cross_fields", "operator": "and"}},
                {"multi_match": {"query": matching_form(query), "fields": MATCH_FIELDS,
                                 "type": "cross_fields", "operator": "and"}},
                {"multi_match": {"query": query.strip(), "fields": TAG_FIELDS}},
            ],
            "minimum_should_match": 1,
        }
    }


def build_query(
    query: str,
    *,
    since: str | None = None,
    place: str | None = None,
    actor: str | None = None,
    event_type: str | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The ES query: text match, originals only, optional time window and tag filters
    (`tags`: tag kind -> id or name, for any registered kind; `place`/`actor` are short for
    tags={"places": ...} / {"actors": ...})."""
    filters: list[dict[str, Any]] = [{"term": {"dedup.status": "original"}}]
    if since:
        filters.append({"range": {"@timestamp": {"gte": parse_since(since)}}})
    wanted = {**({"places": place} if place else {}), **({"actors": actor} if actor else {}), **(tags or {})}
    for field, value in wanted.items():
        filters.append(_any_term(tag_kind(field).search_fields, value))
    if event_type:
        filters.append({"term": {"event_types": event_type}})
    return {"bool": {"must": [text_query(query)], "filter": filters}}


async def search_originals(
    client: AsyncElasticsearch,
    settings: Settings,
    query: str,
    *,
    since: str | None = None,
    place: str | None = None,
    actor: str | None = None,
    event_type: str | None = None,
    tags: dict[str, str] | None = None,
    limit: int = 20,
    with_body: bool = False,
) -> list[dict[str, Any]]:
    """Matching originals, best first (newest first without a query); `_source` plus `_score`."""
    alias = settings.index("articles")
    excludes = ["match"] if with_body else ["match", "body"]
    sort: list[Any] = ["_score", {"@timestamp": "desc"}] if text_query(query) != {"match_all": {}} \
        else [{"@timestamp": "desc"}]
    try:
        resp = await client.search(
            index=alias,
            query=build_query(query, since=since, place=place, actor=actor, event_type=event_type,
                              tags=tags),
            size=limit,
            sort=sort,
            source_excludes=excludes,
            track_total_hits=False,
        )
    except (ConnectionError, ConnectionTimeout) as exc:
        raise ServiceUnavailable(f"Elasticsearch not reachable at {settings.es_url}: {exc}") from None
    except ApiError as exc:
        if exc.status_code == 404:
            raise UserError(
                f"no index {alias!r} at {settings.es_url}: run `khabar es setup` and index some articles first"
            ) from None
        raise UserError(f"search failed: {exc.message}") from None
    return [{**hit["_source"], "_score": hit.get("_score")} for hit in resp["hits"]["hits"]]


def tags_line(doc: dict[str, Any]) -> str:
    """Places, actors and event types of a hit, for the terminal table."""
    names = [p.get("name") for p in doc.get("places", [])] + [a.get("name") for a in doc.get("actors", [])]
    return ", ".join([n for n in names if n] + list(doc.get("event_types", [])))
