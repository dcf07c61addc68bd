"""The shipped Kibana saved objects: parse, references resolve, every panel field is mapped."""

from __future__ import annotations

import json

import pytest

from khabar.es.templates import build_templates
from khabar.kibana.importer import SAVED_OBJECTS, import_url
from khabar.kibana.objects import build_saved_objects, to_ndjson
from khabar.kibana.panels import (
    field_problems,
    index_suffix,
    kql_to_query,
    load_objects,
    mapping_type,
    panel_queries,
    unresolved_references,
)

OBJECTS = load_objects(SAVED_OBJECTS)


def _mappings(suffix: str) -> dict:
    t = build_templates("khabar-", "arabic", ilm=False, retention_days=30)
    return t.components[f"khabar-{suffix}-mappings"]["template"]["mappings"]


def test_committed_file_is_what_the_builder_makes():
    # regenerate with: python -m khabar.kibana.objects > config/kibana/khabar.ndjson
    assert SAVED_OBJECTS.read_text(encoding="utf-8") == to_ndjson(build_saved_objects())


def test_objects_have_unique_ids_and_known_types():
    keys = [(o["type"], o["id"]) for o in OBJECTS]
    assert len(keys) == len(set(keys))
    assert {t for t, _ in keys} == {"index-pattern", "lens", "map", "search", "dashboard"}


def test_references_resolve():
    assert unresolved_references(OBJECTS) == []


def test_a_broken_reference_is_reported():
    broken = json.loads(json.dumps(OBJECTS))
    dash = next(o for o in broken if o["type"] == "dashboard")
    dash["references"][0]["id"] = "nope"
    assert any("nope" in p for p in unresolved_references(broken))


def test_data_views_and_time_field():
    views = {o["id"]: o["attributes"] for o in OBJECTS if o["type"] == "index-pattern"}
    assert {v["title"] for v in views.values()} == {"khabar-articles*", "khabar-alerts*", "khabar-feeds*"}
    assert all(v["timeFieldName"] == "@timestamp" for v in views.values())


def test_dashboard_has_every_panel_the_issue_asks_for():
    dash = next(o for o in OBJECTS if o["type"] == "dashboard")
    assert dash["attributes"]["title"] == "Monitoring"
    titles = {o["id"]: o["attributes"]["title"] for o in OBJECTS}
    shown = {titles[r["id"]] for r in dash["references"]}
    assert shown == {
        "Articles over time by source", "Top actors", "Top places", "Map of places",
        "Event types over time", "Deaths reported over time (originals)", "Share of duplicates",
        "Most syndicated stories", "Recent alerts", "Feed health", "Originals only",
    }
    panels = json.loads(dash["attributes"]["panelsJSON"])
    assert all(p["type"] and 0 <= p["gridData"]["x"] and p["gridData"]["x"] + p["gridData"]["w"] <= 48 for p in panels)


def test_lens_panels_are_lens_and_use_formbased_layers():
    lens = [o for o in OBJECTS if o["type"] == "lens"]
    assert len(lens) == 9
    for o in lens:
        state = o["attributes"]["state"]
        (layer_id,) = state["datasourceStates"]["formBased"]["layers"]
        assert {"type": "index-pattern", "id": o["references"][0]["id"],
                "name": f"indexpattern-datasource-layer-{layer_id}"} in o["references"]
        assert layer_id in json.dumps(state["visualization"])


def test_every_panel_field_exists_in_the_mapping_with_a_fitting_type():
    queries = panel_queries(OBJECTS)
    assert len(queries) == 11  # 9 Lens + 1 map layer + 1 saved search
    problems = [p for q in queries for p in field_problems(q, _mappings(index_suffix(q.data_view)))]
    assert problems == []


def test_panels_read_the_fields_they_are_named_for():
    by_title = {q.title: q for q in panel_queries(OBJECTS)}
    assert ("actors.name", "terms") in by_title["Top actors"].fields
    assert ("places.name", "terms") in by_title["Top places"].fields
    assert ("casualties.killed_max", "sum") in by_title["Deaths reported over time (originals)"].fields
    assert ("dedup.copies", "max") in by_title["Most syndicated stories"].fields
    assert ("places.location", "geo") in by_title["Map of places: Articles by place"].fields
    assert by_title["Recent alerts"].data_view == "khabar-alerts*"
    assert by_title["Feed health"].data_view == "khabar-feeds*"
    assert by_title["Originals only"].request["query"] == {"term": {"dedup.status": "original"}}


def test_field_checker_catches_unmapped_and_mistyped_fields():
    q = next(q for q in panel_queries(OBJECTS) if q.title == "Top actors")
    q.fields = [("actors.nickname", "terms"), ("body", "terms"), ("@timestamp", "date_histogram")]
    problems = field_problems(q, _mappings("articles"))
    assert len(problems) == 2
    assert "actors.nickname" in problems[0] and "body" in problems[1]


def test_mapping_type_follows_objects_and_multi_fields():
    m = _mappings("articles")
    assert mapping_type(m, "title.raw") == "keyword"
    assert mapping_type(m, "places.location") == "geo_point"
    assert mapping_type(m, "places") == "object"
    assert mapping_type(m, "places.nothing") is None


def test_kql_subset():
    assert kql_to_query('dedup.status : "original"') == {"term": {"dedup.status": "original"}}
    assert kql_to_query("severity:high") == {"term": {"severity": "high"}}
    assert kql_to_query("") == {"match_all": {}}
    with pytest.raises(ValueError):
        kql_to_query("a:1 or b:2")


def test_other_prefix_renames_data_views_only():
    objects = build_saved_objects("t9-")
    titles = sorted(o["attributes"]["title"] for o in objects if o["type"] == "index-pattern")
    assert titles == ["t9-alerts*", "t9-articles*", "t9-feeds*"]
    assert unresolved_references(objects) == []


def test_import_url():
    assert import_url("http://k:5601/") == "http://k:5601/api/saved_objects/_import"
    assert import_url("http://k:5601", "ops") == "http://k:5601/s/ops/api/saved_objects/_import"
    assert import_url("http://k:5601", "default", overwrite=True) == "http://k:5601/api/saved_objects/_import?overwrite=true"
