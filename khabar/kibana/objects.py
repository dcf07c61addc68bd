"""Build the Kibana saved objects (config/kibana/khabar.ndjson) from a compact description.

Kibana stores Lens state, dashboard panels and map layers as JSON strings inside JSON, which is
unreadable and easy to break by hand; the NDJSON is generated from here instead
(`python -m khabar.kibana.objects > config/kibana/khabar.ndjson`) and a unit test checks
that the committed file is what this module builds. Objects target Kibana 9 (Lens
`formBased` datasource; dashboard panels by reference named `<panel>:panel_<panel>`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

CORE_MIGRATION = "8.8.0"
TYPE_MIGRATION = {"index-pattern": "8.0.0", "lens": "8.9.0", "map": "8.4.0", "search": "8.0.0", "dashboard": "8.9.0"}
DEFAULT_PREFIX = "khabar-"

# Data views: id -> (index pattern suffix, display name). Ids are stable so re-imports overwrite.
DATA_VIEWS = {
    "khabar-articles": ("articles*", "khabar articles"),
    "khabar-alerts": ("alerts*", "khabar alerts"),
    "khabar-feeds": ("feeds*", "khabar feed health"),
}
ORIGINALS_KQL = 'dedup.status : "original"'


# -- Lens columns -------------------------------------------------------------------------

def date_histogram(field_name: str = "@timestamp") -> dict[str, Any]:
    return {"label": field_name, "dataType": "date", "operationType": "date_histogram",
            "sourceField": field_name, "isBucketed": True, "scale": "interval",
            "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False}}


def terms(field_name: str, size: int, order_by: str, label: str | None = None) -> dict[str, Any]:
    return {"label": label or f"Top {size} values of {field_name}", "customLabel": label is not None,
            "dataType": "string", "operationType": "terms", "sourceField": field_name,
            "isBucketed": True, "scale": "ordinal",
            "params": {"size": size, "orderBy": {"type": "column", "columnId": order_by},
                       "orderDirection": "desc", "otherBucket": False, "missingBucket": False,
                       "parentFormat": {"id": "terms"}}}


def count(label: str = "Articles", kql: str | None = None) -> dict[str, Any]:
    column = {"label": label, "customLabel": True, "dataType": "number", "operationType": "count",
              "isBucketed": False, "scale": "ratio", "sourceField": "___records___",
              "params": {"emptyAsNull": False}}
    if kql:
        column["filter"] = {"query": kql, "language": "kuery"}
    return column


def metric(operation: str, field_name: str, label: str, *, data_type: str = "number",
           kql: str | None = None) -> dict[str, Any]:
    """sum | average | max | min | unique_count of a field, optionally on a KQL-filtered subset."""
    column = {"label": label, "customLabel": True, "dataType": data_type, "operationType": operation,
              "sourceField": field_name, "isBucketed": False, "scale": "ratio",
              "params": {"emptyAsNull": True}}
    if kql:
        column["filter"] = {"query": kql, "language": "kuery"}
    return column


# -- Lens charts ----------------------------------------------------------------------------

@dataclass
class Lens:
    id: str
    title: str
    data_view: str
    columns: dict[str, dict[str, Any]]  # column id -> column, in display order
    visualization_type: str
    visualization: dict[str, Any]
    description: str = ""
    query: str = ""

    def saved_object(self) -> dict[str, Any]:
        layer = f"layer-{self.id}"
        visualization = json.loads(json.dumps(self.visualization).replace("LAYER", layer))
        state = {
            "visualization": visualization,
            "query": {"query": self.query, "language": "kuery"},
            "filters": [],
            "datasourceStates": {"formBased": {"layers": {layer: {
                "columns": self.columns, "columnOrder": list(self.columns), "incompleteColumns": {},
            }}}},
            "internalReferences": [],
            "adHocDataViews": {},
        }
        return _saved("lens", self.id, {
            "title": self.title, "description": self.description,
            "visualizationType": self.visualization_type, "state": state,
        }, [{"type": "index-pattern", "id": self.data_view, "name": f"indexpattern-datasource-layer-{layer}"}])


def xy(series: str, x: str, y: list[str], split: str | None = None) -> dict[str, Any]:
    layer = {"layerId": "LAYER", "layerType": "data", "seriesType": series, "xAccessor": x, "accessors": y}
    if split:
        layer["splitAccessor"] = split
    return {"legend": {"isVisible": True, "position": "right"}, "valueLabels": "hide",
            "preferredSeriesType": series, "fittingFunction": "None", "layers": [layer]}


def table(columns: list[str]) -> dict[str, Any]:
    return {"layerId": "LAYER", "layerType": "data", "columns": [{"columnId": c} for c in columns]}


def lens_panels() -> list[Lens]:
    a = "khabar-articles"
    return [
        Lens("khabar-articles-by-source", "Articles over time by source", a,
             {"t": date_histogram(), "n": count(), "s": terms("source.name", 10, "n", "Source")},
             "lnsXY", xy("bar_stacked", "t", ["n"], "s")),
        Lens("khabar-top-actors", "Top actors", a,
             {"k": terms("actors.name", 15, "n", "Actor"), "n": count()},
             "lnsXY", xy("bar_horizontal", "k", ["n"])),
        Lens("khabar-top-places", "Top places", a,
             {"k": terms("places.name", 15, "n", "Place"), "n": count()},
             "lnsXY", xy("bar_horizontal", "k", ["n"])),
        Lens("khabar-event-types", "Event types over time", a,
             {"t": date_histogram(), "n": count(), "e": terms("event_types", 16, "n", "Event type")},
             "lnsXY", xy("bar_stacked", "t", ["n"], "e")),
        Lens("khabar-deaths", "Deaths reported over time (originals)", a,
             {"t": date_histogram(), "d": metric("sum", "casualties.killed_max", "Deaths reported", kql=ORIGINALS_KQL)},
             "lnsXY", xy("line", "t", ["d"]),
             description="Sum of the highest incident death figure of each original article (casualties.killed_max: "
                         "long-run cumulative tolls are left out; copies are not counted twice)."),
        Lens("khabar-duplicate-share", "Share of duplicates", a,
             {"g": terms("dedup.status", 3, "n", "Status"), "n": count()},
             "lnsPie", {"shape": "donut", "layers": [{"layerId": "LAYER", "layerType": "data", "primaryGroups": ["g"],
                                                      "metrics": ["n"], "numberDisplay": "percent",
                                                      "categoryDisplay": "default", "legendDisplay": "default"}]}),
        Lens("khabar-syndication", "Most syndicated stories", a,
             {"k": terms("title.raw", 10, "c", "Story"), "s": terms("source.name", 1, "c", "First published by"),
              "c": metric("max", "dedup.copies", "Copies seen")},
             "lnsDatatable", table(["k", "s", "c"]), query=ORIGINALS_KQL,
             description="Originals with the most later copies (dedup.copies): how far a story travelled."),
        Lens("khabar-recent-alerts", "Recent alerts", "khabar-alerts",
             {"r": terms("rule_id", 20, "l", "Rule"), "v": terms("severity", 3, "l", "Severity"),
              "l": metric("max", "@timestamp", "Last fired", data_type="date"), "n": count("Alerts")},
             "lnsDatatable", table(["r", "v", "l", "n"])),
        Lens("khabar-feed-health", "Feed health", "khabar-feeds",
             {"f": terms("name", 100, "e", "Feed"), "e": metric("max", "error_streak", "Errors in a row"),
              "h": metric("max", "http_status", "HTTP status"),
              "s": metric("max", "last_success", "Last success", data_type="date"),
              "i": metric("max", "items_last_poll", "Items (last poll)"),
              "t": metric("max", "items_total", "Items (total)")},
             "lnsDatatable", table(["f", "e", "h", "s", "i", "t"])),
    ]


# -- other objects --------------------------------------------------------------------------

def _saved(kind: str, obj_id: str, attributes: dict[str, Any], references: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": kind, "id": obj_id, "attributes": attributes, "references": references,
            "coreMigrationVersion": CORE_MIGRATION, "typeMigrationVersion": TYPE_MIGRATION[kind], "managed": False}


def data_view(obj_id: str, prefix: str) -> dict[str, Any]:
    suffix, name = DATA_VIEWS[obj_id]
    return _saved("index-pattern", obj_id, {"title": f"{prefix}{suffix}", "name": name,
                                            "timeFieldName": "@timestamp"}, [])


def places_map() -> dict[str, Any]:
    """Map of tagged places: article counts clustered on places.location."""
    layers = [{
        "sourceDescriptor": {"type": "ES_GEO_GRID", "id": "khabar-places-grid", "geoField": "places.location",
                             "requestType": "point", "resolution": "FINE", "metrics": [{"type": "count"}],
                             "applyGlobalQuery": True, "applyGlobalTime": True, "applyForceRefresh": True,
                             "indexPatternRefName": "layer_0_source_index_pattern"},
        "id": "khabar-places-layer", "label": "Articles by place", "minZoom": 0, "maxZoom": 24, "alpha": 0.8,
        "visible": True, "includeInFitToBounds": True, "type": "GEOJSON_VECTOR", "joins": [],
        "style": {"type": "VECTOR", "isTimeAware": True, "properties": {
            "fillColor": {"type": "DYNAMIC", "options": {"color": "Reds", "field": {"name": "doc_count", "origin": "source"},
                                                          "fieldMetaOptions": {"isEnabled": True, "sigma": 3}}},
            "iconSize": {"type": "DYNAMIC", "options": {"minSize": 6, "maxSize": 32, "field": {"name": "doc_count", "origin": "source"},
                                                         "fieldMetaOptions": {"isEnabled": True, "sigma": 3}}},
            "labelText": {"type": "DYNAMIC", "options": {"field": {"name": "doc_count", "origin": "source"}}},
        }},
    }]
    map_state = {"zoom": 5.5, "center": {"lon": 38.5, "lat": 35.0}, "timeFilters": {"from": "now-7d", "to": "now"},
                 "refreshConfig": {"isPaused": True, "interval": 0}, "query": {"query": "", "language": "kuery"},
                 "filters": [], "settings": {"autoFitToDataBounds": False}}
    return _saved("map", "khabar-places-map", {
        "title": "Map of places", "description": "Articles per tagged place (places.location)",
        "layerListJSON": json.dumps(layers), "mapStateJSON": json.dumps(map_state),
        "uiStateJSON": json.dumps({"isLayerTOCOpen": True, "openTOCDetails": []}),
    }, [{"type": "index-pattern", "id": "khabar-articles", "name": "layer_0_source_index_pattern"}])


def originals_search() -> dict[str, Any]:
    source = {"query": {"query": ORIGINALS_KQL, "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return _saved("search", "khabar-originals", {
        "title": "Originals only", "description": "Articles that are not copies of an earlier one",
        "columns": ["title", "source.name", "places.name", "actors.name", "event_types", "dedup.copies"],
        "sort": [["@timestamp", "desc"]], "grid": {}, "hideChart": False, "isTextBasedQuery": False,
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, ensure_ascii=False)},
    }, [{"type": "index-pattern", "id": "khabar-articles", "name": "kibanaSavedObjectMeta.searchSourceJSON.index"}])


@dataclass
class Panel:
    kind: str
    ref_id: str
    x: int
    y: int
    w: int
    h: int
    index: str = field(default="")


def dashboard_layout() -> list[Panel]:
    return [
        Panel("lens", "khabar-articles-by-source", 0, 0, 32, 12),
        Panel("lens", "khabar-duplicate-share", 32, 0, 16, 12),
        Panel("lens", "khabar-top-actors", 0, 12, 16, 14),
        Panel("lens", "khabar-top-places", 16, 12, 16, 14),
        Panel("map", "khabar-places-map", 32, 12, 16, 14),
        Panel("lens", "khabar-event-types", 0, 26, 24, 12),
        Panel("lens", "khabar-deaths", 24, 26, 24, 12),
        Panel("lens", "khabar-syndication", 0, 38, 24, 14),
        Panel("lens", "khabar-recent-alerts", 24, 38, 24, 14),
        Panel("lens", "khabar-feed-health", 0, 52, 48, 12),
        Panel("search", "khabar-originals", 0, 64, 48, 16),
    ]


def monitoring_dashboard() -> dict[str, Any]:
    panels, references = [], []
    for n, p in enumerate(dashboard_layout(), start=1):
        key = p.index or f"p{n}"
        panels.append({"type": p.kind, "panelIndex": key, "panelRefName": f"panel_{key}",
                       "gridData": {"x": p.x, "y": p.y, "w": p.w, "h": p.h, "i": key}, "embeddableConfig": {}})
        references.append({"name": f"{key}:panel_{key}", "type": p.kind, "id": p.ref_id})
    return _saved("dashboard", "khabar-monitoring", {
        "title": "Monitoring", "description": "khabar: what the feeds report, where, by whom, and how far it travelled",
        "panelsJSON": json.dumps(panels), "timeRestore": True, "timeFrom": "now-7d", "timeTo": "now",
        "refreshInterval": {"pause": False, "value": 60000},
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "syncCursor": True,
                                   "syncTooltips": False, "hidePanelTitles": False}),
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"}, "filter": []})},
    }, references)


def build_saved_objects(prefix: str = DEFAULT_PREFIX) -> list[dict[str, Any]]:
    """Every object, referenced ones before the objects that use them (Kibana imports in order)."""
    objects = [data_view(obj_id, prefix) for obj_id in DATA_VIEWS]
    objects += [lens.saved_object() for lens in lens_panels()]
    objects += [places_map(), originals_search(), monitoring_dashboard()]
    return objects


def to_ndjson(objects: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n" for obj in objects)


if __name__ == "__main__":
    sys.stdout.write(to_ndjson(build_saved_objects(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PREFIX)))
