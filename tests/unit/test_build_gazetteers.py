"""The gazetteer builders (config/taxonomy/build_region.py, build_villages.py) on small
inputs written for these tests: which names they keep and how villages are placed."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

TAXONOMY = Path(__file__).resolve().parents[2] / "config" / "taxonomy"


@pytest.fixture(scope="module")
def builders():
    sys.path.insert(0, str(TAXONOMY))
    try:
        yield importlib.import_module("build_region"), importlib.import_module("build_villages")
    finally:
        sys.path.remove(str(TAXONOMY))


def test_arabic_names_keep_arabic_script_only(builders) -> None:
    region, _ = builders
    names = region._arabic_names(["Kerman", "کرمان", "كرمان", "Керман", "گرمان"], 500_000)
    assert names == ["كرمان"]  # Persian letters (ک, گ) and other scripts dropped


def test_arabic_names_drop_common_words_particles_and_place_words(builders) -> None:
    region, _ = builders
    assert region._arabic_names(["التحالف", "وان", "قوم"], 900_000) == []
    assert region._arabic_names(["قرية البيضاء"], 5_000) == []  # "البيضاء" alone is a word
    assert region._arabic_names(["مدينة بني ياس"], 5_000) == ["بني ياس"]


def test_short_one_word_names_only_for_large_places(builders) -> None:
    region, _ = builders
    assert region._arabic_names(["عدن"], 1_000_000) == ["عدن"]
    assert region._arabic_names(["عدن"], 2_000) == []


def test_localities_reader_and_village_placement(builders, tmp_path: Path) -> None:
    _, villages = builders
    localities = [
        {"id": "sy-hama-x-tremseh", "governorateId": "sy-hama", "kind": "village",
         "name": {"en": "Tremseh", "ar": "التريمسة"},
         "aliases": [{"value": "تريمسة", "language": "ar", "type": "alias"}],
         "centroid": {"latitude": 35.2718, "longitude": 36.5040}},
        {"id": "sy-hama-x-morek", "governorateId": "sy-hama", "kind": "town",  # exists
         "name": {"en": "Morek", "ar": "مورك"}, "aliases": [],
         "centroid": {"latitude": 35.3762, "longitude": 36.6897}},
        {"id": "sy-hama-x-nowhere", "governorateId": "sy-hama", "kind": "village",
         "name": {"en": "No centroid", "ar": "قرية بلا موقع"}, "aliases": [], "centroid": None},
    ]
    path = tmp_path / "localities.json"
    path.write_text(json.dumps(localities, ensure_ascii=False), encoding="utf-8")
    entries = villages.build(villages.opensyria_records(path))
    assert [e["name_en"] for e in entries] == ["Tremseh"]
    tremseh = entries[0]
    assert tremseh["aliases"] == ["التريمسة", "تريمسة"]
    assert tremseh["needs_support"] is True and tremseh["admin1"] == "sy-hama"
    assert tremseh["admin2"].startswith("sy-hama-")
    assert tremseh["source"] == "opensyria:sy-hama-x-tremseh"


def test_wikipedia_rows_kept_only_where_their_governorate_is(builders, tmp_path: Path, capsys) -> None:
    _, villages = builders
    rows = [
        # a village whose article gives coordinates inside its governorate
        ["كفرعويد", "found", "35.6455", "36.5258", "إدلب", "أريحا", "إحسم", "كفرعويد",
         "https://ar.wikipedia.org/wiki/كفرعويد", "35°38′44″N 36°31′33″E"],
        # said to be in Daraa but the point is in Aleppo: a wrong page or a slip, refused
        ["قرية مزعومة", "found", "36.2", "37.1", "درعا", "", "", "", "https://example.org/wiki/X", ""],
        ["لا أثر", "not_found", "", "", "حماة", "", "", "", "", ""],
    ]
    path = tmp_path / "villages_wikipedia.tsv"
    path.write_text("# name_ar status ...\n" + "\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    records = villages.wikipedia_records(path)
    assert [r["names"] for r in records] == [["كفرعويد"]]
    assert records[0]["admin1"] == "sy-idlib" and records[0]["source"].startswith("wikipedia:https://ar.wikipedia.org/")
    assert "villages_wikipedia.tsv:3: قرية مزعومة" in capsys.readouterr().out
    entries = villages.build(records)
    assert len(entries) == 1 and entries[0]["kind"] == "village" and entries[0]["needs_support"] is True
    assert entries[0]["admin2"].startswith("sy-idlib-")
