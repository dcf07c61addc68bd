"""evaluate_tags on a small gold file written for this test: the scoring rules themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from khabar.cli.evaluate.tags import evaluate_tags, form_keys, haversine_km
from khabar.errors import UserError
from khabar.yamlconf import ConfigError

DOC_A = """قصفت طائرات حربية مدينة سراقب في ريف إدلب، وقالت هيئة تحرير الشام إن 9 مدنيين قتلوا.
وسيطرت قوات النظام على قرية قريبة، فيما نزح 3000 شخص نحو الحدود التركية.
"""
DOC_B = """دارت اشتباكات في كوباني بين وحدات حماية الشعب وتنظيم داعش، وقال المرصد السوري إن 4 قرى سقطت.
"""

GOLD = """
- doc: a.txt
  places:
    - {forms: [سراقب], lat: 35.86, lon: 36.80}
    - {forms: [إدلب, ادلب], lat: 35.93, lon: 36.63}
    - {forms: [تركيا], lat: 39.0, lon: 35.0}
  actors:
    - {forms: [هيئة تحرير الشام]}
    - {forms: [قوات النظام]}
  persons:
    - {forms: [أبو فلان], optional: true}
  event_types: [air_drone_strike, {any_of: [suicide_bomb, government_regains_territory]}, arrests]
  killed: [9]
  not_killed: [3000]
- doc: b.txt
  places:
    - {forms: [عين العرب, كوباني], lat: 36.89, lon: 38.35}
  actors:
    - {forms: [داعش]}
    - {forms: [وحدات حماية الشعب]}
    - {forms: [المرصد السوري لحقوق الإنسان, المرصد السوري], optional: true}
  event_types: [armed_clash]
  killed: [4]
  not_killed: []
"""


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(DOC_A, encoding="utf-8")
    (docs / "b.txt").write_text(DOC_B, encoding="utf-8")
    path = tmp_path / "gold.yaml"
    path.write_text(GOLD, encoding="utf-8")
    return path


def test_scores(gold: Path) -> None:
    report = evaluate_tags(gold, gold.parent / "docs")
    assert report["documents"] == 2
    # places: سراقب, إدلب (as "ريف إدلب" -> governorate, whose seat is the city), كوباني found;
    # تركيا is not in the text ("التركية" is an adjective) -> a miss
    assert report["places"]["required"] == 4 and report["places"]["found"] == 3
    assert report["misses"]["places"] == [{"doc": "a.txt", "forms": ["تركيا"]}]
    assert report["geotag"]["found"] == 3 and report["geotag"]["accuracy"] == 1.0
    # actors: all four required found; the optional SOHR is a bonus, not a false positive
    assert report["actors"]["recall"] == 1.0 and report["actors"]["optional_found"] == 1
    assert report["actors"]["precision"] == 1.0
    # events: air + the any_of group (regain) + armed_clash found, arrests missed;
    # displacement is a false positive (not in the gold)
    assert (report["event_types"]["tp"], report["event_types"]["fn"]) == (3, 1)
    assert report["false_positives"]["event_types"] == [{"doc": "a.txt", "event_type": "displacement"}]
    # killed: 9 found, 4 (villages) correctly not a death -> a miss of the gold's (wrong) 4
    assert report["killed"]["tp"] == 1 and report["killed"]["fp"] == 0
    assert report["misses"]["killed"] == [{"doc": "b.txt", "count": 4}]


def test_non_death_reported_as_death_is_a_false_positive(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("قتل 12 شخصا في الهجوم.\n", encoding="utf-8")
    (tmp_path / "gold.yaml").write_text(
        "- doc: c.txt\n  killed: []\n  not_killed: [12]\n", encoding="utf-8")
    report = evaluate_tags(tmp_path / "gold.yaml")
    assert report["killed"]["fp"] == 1 and report["killed"]["precision"] == 0.0


def test_split_alias_group_is_not_found(tmp_path: Path) -> None:
    # two entries answer to the two forms: the gold says they are one place
    (tmp_path / "d.txt").write_text("وصل الوفد إلى حمص ثم إلى حماة.\n", encoding="utf-8")
    (tmp_path / "gold.yaml").write_text(
        "- doc: d.txt\n  places:\n    - {forms: [حمص, حماة], lat: 34.7, lon: 36.7}\n",
        encoding="utf-8")
    report = evaluate_tags(tmp_path / "gold.yaml")
    assert report["places"]["found"] == 0
    assert report["places"]["split_alias_groups"][0]["ids"] == ["sy-town-hama", "sy-town-homs"]


def test_form_keys() -> None:
    assert "داعش" in form_keys("لـ«داعش»")
    assert "الامم المتحده" in form_keys("للأمم المتحدة")
    assert "ادلب" in form_keys("محافظة إدلب")
    assert "الجولان" in form_keys("مرتفعات الجولان")


def test_haversine() -> None:
    assert round(haversine_km(33.513, 36.292, 36.202, 37.134)) in range(300, 315)


def test_missing_document_and_bad_gold(tmp_path: Path) -> None:
    (tmp_path / "gold.yaml").write_text("- doc: nope.txt\n", encoding="utf-8")
    with pytest.raises(UserError, match="nope.txt"):
        evaluate_tags(tmp_path / "gold.yaml")
    (tmp_path / "bad.yaml").write_text("- doc: a.txt\n  killed: [many]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+"):
        evaluate_tags(tmp_path / "bad.yaml")
