"""Per-kind scores of `khabar eval tags` (tag_kinds.py) on a gold file written for this test:
the Syria/abroad split, the 10 km village rule, scoped death figures, pins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.cli.evaluate.tag_kinds import gate_scores, pins_from, write_pins
from khabar.cli.evaluate.tags import evaluate_tags, load_gold
from khabar.yamlconf import ConfigError

DOC = """قصفت طائرات حربية مدينة سراقب في ريف إدلب، وقتل 9 مدنيين، فيما زار وفد بغداد.
ومنذ بداية الحملة قتل 1700 مدني.
"""

GOLD = """
- doc: a.txt
  places:
    - {forms: [سراقب], lat: 35.86, lon: 36.80, country: SY, kind: town}
    - {forms: [إدلب], lat: 35.93, lon: 36.63, country: SY}
    - {forms: [بغداد], lat: 33.31, lon: 44.37, country: IQ, kind: city}
    - {forms: [قرية لا تذكر], lat: 35.9, lon: 36.7, country: SY, kind: village}
  event_types: [air_drone_strike]
  killed: [{count: 9, scope: incident}, {count: 1700, scope: cumulative}]
"""


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text(DOC, encoding="utf-8")
    path = tmp_path / "gold.yaml"
    path.write_text(GOLD, encoding="utf-8")
    return path


def test_scoped_killed_entries_stay_counts(gold: Path) -> None:
    (doc,) = load_gold(gold)
    assert doc.killed == [9, 1700]
    assert doc.killed_scopes == {9: "incident", 1700: "cumulative"}


def test_bad_scope_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("- doc: a.txt\n  killed: [{count: 3, scope: daily}]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_gold(path)


def test_kinds_split_places_and_score_villages(gold: Path) -> None:
    kinds = evaluate_tags(gold, gold.parent)["kinds"]
    assert kinds["places_syria"]["required"] == 3
    assert kinds["places_abroad"]["required"] == 1
    # the village is not in the text the tagger sees, so it can only be missed
    assert kinds["villages"]["required"] == 1
    assert kinds["villages"]["within_10km"] == 0.0
    assert kinds["villages"]["misses"][0]["forms"] == ["قرية لا تذكر"]
    assert kinds["killed"]["scope_labelled"] == 2


def test_pins_floor_and_keep_maxima(gold: Path, tmp_path: Path) -> None:
    assert pins_from({"a.recall": 0.8421, "killed.non_deaths_reported": 2, "b": None}) == {
        "a.recall": 0.83, "killed.non_deaths_reported": 2}
    baseline = tmp_path / "base.json"
    baseline.write_text(json.dumps({"_comment": "keep me", "old": 1}), encoding="utf-8")
    report = evaluate_tags(gold, gold.parent)
    pins = write_pins(report, baseline)
    written = json.loads(baseline.read_text(encoding="utf-8"))
    assert written["_comment"] == "keep me" and "old" not in written
    assert set(pins) <= set(gate_scores(report))
    assert all(written[k] == v for k, v in pins.items())
