"""What each dashboard panel asks Elasticsearch, read back from the saved-objects NDJSON.

No Kibana runs on the development machines, so the dashboards are checked without it: this
module turns every Lens panel, the map and the saved search into the fields they use and an
equivalent Elasticsearch request (aggregations, KQL filters of the simple `field : "value"`
form), so a test can check each field against the mapping and run each request on the real
local cluster.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khabar.kibana.objects import DEFAULT_PREFIX

_KQL_TERM = re.compile(r'^\s*([\w.@]+)\s*:\s*(?:"([^"]*)"|([^\s"()]+))\s*$')
_METRIC_AGG = {"sum": "sum", "average": "avg", "max": "max", "min": "min", "unique_count": "cardinality",
               "median": "median_absolute_deviation"}
# Which mapping types an operation needs (so a panel on a wrongly typed field is caught).
OPERATION_TYPES = {
    "terms": {"keyword", "integer", "long", "short", "float", "boolean", "ip"},
    "date_histogram": {"date", "date_nanos"},
    "sum": {"integer", "long", "short", "float", "double", "half_float", "scaled_float"},
    "average": {"integer", "long", "short", "float", "double", "half_float", "scaled_float"},
    "max": {"integer", "long", "short", "float", "double", "half_float", "scaled_float", "date"},
    "min": {"integer", "long", "short", "float", "double", "half_float", "scaled_float", "date"},
    "unique_count": {"keyword", "integer", "long", "ip"},
    "geo": {"geo_point", "geo_shape"},
    "column": None,  # any mapped field (saved-search columns)
    "sort": {"date", "keyword", "integer", "long", "float"},
}


@dataclass
class PanelQuery:
    object_type: str
    object_id: str
    title: str
    data_view: str  # the data view's index pattern, e.g. "khabar-articles*"
    fields: list[tuple[str, str]] = field(default_factory=list)  # (field, operation)
    request: dict[str, Any] = field(default_factory=dict)  # body for POST <data_view>/_search


def load_objects(path: Path) -> list[dict[str, Any]]:
    """Parse the NDJSON, one object a line (blank lines ignored); errors name the line."""
    objects = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                objects.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON: {exc}") from None
    return objects


def unresolved_references(objects: list[dict[str, Any]]) -> list[str]:
    """References that point at no object of the file, plus panels whose reference is missing."""
    known = {(o["type"], o["id"]) for o in objects}
    problems = [f"{o['type']}/{o['id']} -> {r['type']}/{r['id']} ({r['name']})"
                for o in objects for r in o.get("references", []) if (r["type"], r["id"]) not in known]
    for o in objects:
        if o["type"] != "dashboard":
            continue
        names = {r["name"] for r in o.get("references", [])}
        for panel in json.loads(o["attributes"]["panelsJSON"]):
            ref = panel.get("panelRefName")
            if ref and f"{panel['panelIndex']}:{ref}" not in names and ref not in names:
                problems.append(f"dashboard/{o['id']} panel {panel['panelIndex']}: no reference {ref}")
    return problems


def kql_to_query(kql: str) -> dict[str, Any]:
    """The KQL the panels use (empty, or `field : "value"`) as an ES query."""
    if not kql.strip():
        return {"match_all": {}}
    m = _KQL_TERM.match(kql)
    if not m:
        raise ValueError(f"KQL not understood by the panel checker: {kql!r}")
    return {"term": {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)}}


def _metric_aggs(metrics: dict[str, dict[str, Any]]) -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for col_id, col in metrics.items():
        op = col["operationType"]
        inner = None if op == "count" else {_METRIC_AGG[op]: {"field": col["sourceField"]}}
        kql = (col.get("filter") or {}).get("query")
        if kql:
            aggs[col_id] = {"filter": kql_to_query(kql), **({"aggs": {"m": inner}} if inner else {})}
        elif inner:
            aggs[col_id] = inner
    return aggs


def _order(col: dict[str, Any], metrics: dict[str, dict[str, Any]]) -> dict[str, str]:
    target = (col["params"].get("orderBy") or {}).get("columnId")
    direction = col["params"].get("orderDirection", "desc")
    m = metrics.get(target)
    if m is None or (m["operationType"] == "count" and not m.get("filter")):
        return {"_count": direction}
    if m.get("filter"):
        return {f"{target}>m" if m["operationType"] != "count" else f"{target}._count": direction}
    return {target: direction}


def lens_query(obj: dict[str, Any], data_views: dict[str, str]) -> PanelQuery:
    state = obj["attributes"]["state"]
    view_id = next(r["id"] for r in obj["references"] if r["type"] == "index-pattern")
    pq = PanelQuery("lens", obj["id"], obj["attributes"]["title"], data_views[view_id])
    layers = state["datasourceStates"]["formBased"]["layers"]
    (layer,) = layers.values()
    columns = layer["columns"]
    order = layer["columnOrder"]
    buckets = [c for c in order if columns[c]["isBucketed"]]
    metrics = {c: columns[c] for c in order if not columns[c]["isBucketed"]}
    for c in order:
        col = columns[c]
        if col.get("sourceField") and col["sourceField"] != "___records___":
            pq.fields.append((col["sourceField"], col["operationType"]))
    leaf = _metric_aggs(metrics)
    aggs = leaf
    for c in reversed(buckets):
        col = columns[c]
        if col["operationType"] == "terms":
            bucket = {"terms": {"field": col["sourceField"], "size": col["params"]["size"],
                                "order": _order(col, metrics)}}
        elif col["operationType"] == "date_histogram":
            bucket = {"date_histogram": {"field": col["sourceField"], "calendar_interval": "1w", "min_doc_count": 0}}
        else:
            raise ValueError(f"{obj['id']}: bucket operation {col['operationType']} not supported by the checker")
        # metrics at every level, so a terms column can be ordered by them
        aggs = {c: {**bucket, "aggs": {**leaf, **aggs}} if (aggs or leaf) else bucket}
    pq.request = {"size": 0, "query": kql_to_query(state["query"].get("query", "")), "aggs": aggs}
    return pq


def map_queries(obj: dict[str, Any], data_views: dict[str, str]) -> list[PanelQuery]:
    refs = {r["name"]: r["id"] for r in obj["references"]}
    out = []
    for layer in json.loads(obj["attributes"]["layerListJSON"]):
        src = layer["sourceDescriptor"]
        geo = src["geoField"]
        pq = PanelQuery("map", obj["id"], f"{obj['attributes']['title']}: {layer['label']}",
                        data_views[refs[src["indexPatternRefName"]]], [(geo, "geo")])
        pq.request = {"size": 0, "query": {"match_all": {}}, "aggs": {"grid": {
            "geotile_grid": {"field": geo, "precision": 6},
            "aggs": {"centroid": {"geo_centroid": {"field": geo}}}}}}
        out.append(pq)
    return out


def search_query(obj: dict[str, Any], data_views: dict[str, str]) -> PanelQuery:
    attrs = obj["attributes"]
    source = json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])
    refs = {r["name"]: r["id"] for r in obj["references"]}
    pq = PanelQuery("search", obj["id"], attrs["title"], data_views[refs[source["indexRefName"]]])
    pq.fields = [(c, "column") for c in attrs["columns"]] + [(f, "sort") for f, _ in attrs["sort"]]
    pq.request = {"size": 20, "query": kql_to_query(source["query"]["query"]),
                  "sort": [{f: d} for f, d in attrs["sort"]], "_source": attrs["columns"]}
    return pq


def panel_queries(objects: list[dict[str, Any]]) -> list[PanelQuery]:
    """One query per Lens panel, map layer and saved search in the file."""
    data_views = {o["id"]: o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    out: list[PanelQuery] = []
    for o in objects:
        if o["type"] == "lens":
            out.append(lens_query(o, data_views))
        elif o["type"] == "map":
            out.extend(map_queries(o, data_views))
        elif o["type"] == "search":
            out.append(search_query(o, data_views))
    return out


def mapping_type(mappings: dict[str, Any], path: str) -> str | None:
    """Type of a field path in a mapping (objects via properties, multi-fields via fields)."""
    node: dict[str, Any] | None = {"properties": mappings.get("properties", {})}
    for part in path.split("."):
        if node is None:
            return None
        nxt = node.get("properties", {}).get(part)
        if nxt is None:
            nxt = node.get("fields", {}).get(part)
        node = nxt
    if node is None:
        return None
    return node.get("type", "object")


def field_problems(pq: PanelQuery, mappings: dict[str, Any]) -> list[str]:
    """Fields a panel uses that the mapping lacks or types wrongly for the operation."""
    problems = []
    for name, op in pq.fields:
        kind = mapping_type(mappings, name)
        allowed = OPERATION_TYPES.get(op, set())
        if kind is None:
            problems.append(f"{pq.title}: field {name} is not in the mapping")
        elif allowed is not None and kind not in allowed:
            problems.append(f"{pq.title}: {op} on {name} needs {sorted(allowed)}, mapping has {kind}")
    return problems


def index_suffix(data_view: str, prefix: str = DEFAULT_PREFIX) -> str:
    """"khabar-articles*" -> "articles" (which template's mapping a data view reads)."""
    return data_view.removeprefix(prefix).rstrip("*")
