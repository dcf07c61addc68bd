"""The template bodies built from config/elasticsearch/ (pure: no cluster needed)."""

from __future__ import annotations

import json
import typing

import pytest
from pydantic import BaseModel

from khabar.es.templates import ES_CONFIG_DIR, article_mapping, build_templates
from khabar.models import Alert, Article, GeoPoint


def _model_paths(model: type[BaseModel], prefix: str = "") -> dict[str, type | None]:
    """Every leaf field path of a pydantic model (by alias), with the leaf model if any."""
    paths: dict[str, type | None] = {}
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        annotation = field.annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
        inner = args[0]
        if typing.get_origin(inner) is list:
            inner = typing.get_args(inner)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel) and inner is not GeoPoint:
            paths.update(_model_paths(inner, key + "."))
        else:
            paths[key] = inner
    return paths


def _mapping_leaf(mapping: dict, path: str) -> dict | None:
    node = mapping
    for part in path.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            return None
    return node


def test_production_template_uses_arabic_analyzer_for_text():
    mapping = article_mapping("khabar-", "arabic")
    for field in ("title", "summary", "body"):
        assert mapping["properties"][field]["analyzer"] == "arabic"
    assert mapping["_meta"]["khabar_text_mode"] == "arabic"


def test_fallback_template_uses_standard_analyzer_and_maps_matching_form():
    mapping = article_mapping("khabar-", "fallback")
    for field in ("title", "summary", "body"):
        assert mapping["properties"][field]["analyzer"] == "standard"
        assert mapping["properties"]["match"]["properties"][field]["type"] == "text"
    assert mapping["_meta"]["khabar_text_mode"] == "fallback"
    assert "ANALYZER" not in json.dumps(mapping)


def test_every_article_field_is_mapped():
    mapping = article_mapping()
    missing = [p for p in _model_paths(Article) if _mapping_leaf(mapping, p) is None]
    assert missing == []


def test_every_alert_field_is_mapped():
    templates = build_templates("khabar-", "arabic", ilm=False, retention_days=30)
    mapping = templates.components["khabar-alerts-mappings"]["template"]["mappings"]
    missing = [p for p in _model_paths(Alert) if _mapping_leaf(mapping, p) is None]
    assert missing == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("id", "keyword"), ("source.id", "keyword"), ("source.name", "keyword"),
        ("language", "keyword"), ("dedup.status", "keyword"), ("dedup.copies", "integer"),
        ("places.name", "keyword"), ("places.location", "geo_point"), ("places.forms", "keyword"),
        ("actors.name", "keyword"), ("persons.name", "keyword"), ("event_types", "keyword"),
        ("casualties.killed_max", "integer"), ("casualties.killed.count", "integer"),
        ("casualties.killed.scope", "keyword"), ("casualties.injured.scope", "keyword"),
        ("casualties.notes", "keyword"),
        ("@timestamp", "date"), ("published_at", "date"), ("alerts", "keyword"),
    ],
)
def test_field_types(path, expected):
    assert _mapping_leaf(article_mapping(), path)["type"] == expected


def test_places_and_actors_are_plain_objects_for_kibana():
    props = article_mapping()["properties"]
    assert "type" not in props["places"]  # object, not nested: Lens terms and maps need it
    assert "type" not in props["actors"]


def test_dynamic_mapping_is_off():
    assert article_mapping()["dynamic"] is False


def test_names_honour_the_index_prefix():
    t = build_templates("t42-", "fallback", ilm=False, retention_days=30)
    assert set(t.index_templates) == {"t42-articles", "t42-alerts", "t42-feeds"}
    articles = t.index_templates["t42-articles"]
    assert articles["index_patterns"] == ["t42-articles-*"]
    assert articles["template"]["aliases"] == {"t42-articles": {}}
    assert articles["composed_of"] == ["t42-common-settings", "t42-articles-mappings"]
    assert set(articles["composed_of"]) <= set(t.components)
    assert "PREFIX" not in json.dumps([t.components, t.index_templates])


def test_comments_are_dropped():
    t = build_templates("khabar-", "arabic", ilm=True, retention_days=30)
    assert "_comment" not in json.dumps([t.components, t.index_templates, t.ilm_policies])


def test_ilm_settings_only_where_ilm_exists():
    without = build_templates("khabar-", "arabic", ilm=False, retention_days=30)
    assert without.ilm_policies == {}
    assert "lifecycle" not in json.dumps(without.index_templates)
    with_ilm = build_templates("khabar-", "arabic", ilm=True, retention_days=30)
    assert set(with_ilm.ilm_policies) == {"khabar-articles", "khabar-rollover"}
    lifecycle = with_ilm.index_templates["khabar-alerts"]["template"]["settings"]["index"]["lifecycle"]
    assert lifecycle == {"name": "khabar-rollover", "rollover_alias": "khabar-alerts"}
    art = with_ilm.index_templates["khabar-articles"]["template"]["settings"]["index"]["lifecycle"]
    assert art == {"name": "khabar-articles"}


def test_retention_days_set_the_delete_phase():
    t = build_templates("khabar-", "arabic", ilm=True, retention_days=90)
    for policy in t.ilm_policies.values():
        assert policy["policy"]["phases"]["delete"]["min_age"] == "90d"
    assert "rollover" in t.ilm_policies["khabar-rollover"]["policy"]["phases"]["hot"]["actions"]


def test_config_files_are_valid_json():
    files = sorted(ES_CONFIG_DIR.rglob("*.json"))
    assert len(files) >= 9
    for path in files:
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict), path
