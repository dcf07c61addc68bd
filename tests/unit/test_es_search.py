"""`khabar search` query building (the query itself runs in tests/integration/test_es_index.py)."""

from __future__ import annotations

import pytest

from khabar.errors import UserError
from khabar.es.search import build_query, parse_since, tags_line, text_query


@pytest.mark.parametrize(("text", "expected"), [("24h", "now-24h"), ("30m", "now-30m"), (" 7d ", "now-7d"), ("2w", "now-2w")])
def test_since(text, expected):
    assert parse_since(text) == expected


@pytest.mark.parametrize("bad", ["", "24", "h", "0h", "-1d", "1 day", "now-1d"])
def test_bad_since_is_a_user_error(bad):
    with pytest.raises(UserError, match="--since"):
        parse_since(bad)


def test_query_is_normalised_for_the_fallback_fields():
    q = text_query("إسرائيل")
    as_typed, normalised, tags = q["bool"]["should"]
    assert as_typed["multi_match"]["query"] == "إسرائيل"
    assert as_typed["multi_match"]["fields"][0] == "title^3"
    assert normalised["multi_match"]["query"] == "اسراييل"
    assert normalised["multi_match"]["fields"][0] == "match.title^3"
    assert tags["multi_match"]["query"] == "إسرائيل" and "actors.forms" in tags["multi_match"]["fields"]


def test_star_or_empty_matches_everything():
    assert text_query("*") == {"match_all": {}}
    assert text_query("  ") == {"match_all": {}}


def test_filters():
    q = build_query("x", since="24h", place="Aleppo", actor="قسد", event_type="air_drone_strike")
    filters = q["bool"]["filter"]
    assert filters[0] == {"term": {"dedup.status": "original"}}
    assert filters[1] == {"range": {"@timestamp": {"gte": "now-24h"}}}
    place_fields = [next(iter(s["term"])) for s in filters[2]["bool"]["should"]]
    assert place_fields == ["places.id", "places.name", "places.name_en", "places.forms"]
    assert all(s["term"][f]["case_insensitive"] for s, f in zip(filters[2]["bool"]["should"], place_fields, strict=True))
    assert filters[3]["bool"]["should"][1] == {"term": {"actors.name": {"value": "قسد", "case_insensitive": True}}}
    assert filters[4] == {"term": {"event_types": "air_drone_strike"}}


def test_originals_only_even_without_filters():
    assert build_query("x")["bool"]["filter"] == [{"term": {"dedup.status": "original"}}]


def test_tags_line():
    doc = {"places": [{"name": "حلب"}], "actors": [{"name": "قسد"}, {"name": ""}], "event_types": ["armed_clash"]}
    assert tags_line(doc) == "حلب, قسد, armed_clash"
