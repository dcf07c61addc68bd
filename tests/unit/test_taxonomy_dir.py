"""KHABAR_TAXONOMY_DIR moves tagging and alerting together (settings.taxonomy_dir).

The tagger used to load a hard-coded config/taxonomy/ while alerting read
`settings.taxonomy_dir`, so a taxonomy elsewhere gave the two stages different entities.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from khabar.models import RawArticle, SourceRef
from khabar.settings import CONFIG_DIR, get_settings
from processors.alerts.places import load_known_ids
from processors.alerts.rules import Rule
from processors.pipeline import OfflinePipeline
from processors.tagging.stage import get_tagger

# known only to the copy: an actor, and a village placed by its district alone (no admin1),
# so a rule on the governorate matches it only through alerting's place index
EXTRA_ACTOR = """
  - id: test_brigade
    name: كتيبة الاختبار
    kind: armed_group
    side: opposition
"""
EXTRA_PLACE = """
  - {id: sy-village-testville, name: تل الاختبار, kind: village, country: SY, admin2: sy-al-hasakah-al-hasakah, lat: 36.4, lon: 40.8}
"""
TEXT = "اندلعت اشتباكات عنيفة بين كتيبة الاختبار وقوات النظام في تل الاختبار صباح اليوم."


@pytest.fixture
def taxonomy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "taxonomy"
    shutil.copytree(CONFIG_DIR / "taxonomy", target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with (target / "actors.yaml").open("a", encoding="utf-8") as f:
        f.write(EXTRA_ACTOR)
    with (target / "places.yaml").open("a", encoding="utf-8") as f:
        f.write(EXTRA_PLACE)
    monkeypatch.setenv("KHABAR_TAXONOMY_DIR", str(target))
    get_settings.cache_clear()
    yield target
    monkeypatch.delenv("KHABAR_TAXONOMY_DIR")
    get_settings.cache_clear()


def test_tagging_and_alerting_read_the_configured_taxonomy(taxonomy_dir: Path) -> None:
    assert get_settings().taxonomy_dir == taxonomy_dir
    known = load_known_ids(get_settings().taxonomy_dir)  # what `khabar rules check` validates against
    assert "test_brigade" in known["actors"] and "sy-village-testville" in known["places"]

    rule = Rule.model_validate({"id": "hasakah-test", "title": "t",
                                "condition": {"actors": ["test_brigade"], "places": ["sy-al-hasakah"]}})
    raw = RawArticle(id="a1", source=SourceRef(id="s"), title="", content=TEXT, content_type="text")
    article = OfflinePipeline(rules=[rule]).process(raw).article

    assert [a.id for a in article.actors if a.id == "test_brigade"] == ["test_brigade"]
    (village,) = [p for p in article.places if p.id == "sy-village-testville"]
    assert village.admin1 is None and village.forms == ["تل الاختبار"]
    assert article.alerts == ["hasakah-test"]  # the place index came from the same directory


def test_the_default_taxonomy_does_not_know_the_test_entities() -> None:
    names = get_tagger().tag_text(TEXT).names
    assert "test_brigade" not in {a.id for a in names.actors}
    assert "sy-village-testville" not in {p.id for p in names.places}
