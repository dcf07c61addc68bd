"""The tag-kind registry: a new kind of entity is a taxonomy file plus one registration.

The test registers `weapons` in a fresh interpreter (the models are built from the registry
at import) with a `weapons.yaml` in a copy of the taxonomy, and follows it through the
Article model, the tagger, alert conditions and `rules check`, search filters, the index
mapping and the evaluators, none of which name the kind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from khabar.settings import CONFIG_DIR, PROJECT_ROOT
from khabar.tagkinds import EVENT_TYPES, TAG_KINDS, entity_mapping, tag_kind

WEAPONS = """\
weapons:
  - id: barrel-bomb
    name: برميل متفجر
    name_en: barrel bomb
    aliases: [براميل متفجرة, البراميل المتفجرة]
    kind: air_dropped
"""

SCRIPT = textwrap.dedent("""
    import json, sys
    import khabar.tagkinds as tk
    tk.TAG_KINDS = tk.TAG_KINDS + (tk.TagKind("weapons", "weapon", "weapons.yaml", label="Weapon"),)

    from khabar.models import Article, RawArticle, SourceRef
    from khabar.es.search import build_query
    from khabar.es.templates import article_mapping
    from khabar.cli.evaluate.tags import evaluate_tags
    from processors.alerts.places import load_known_ids
    from processors.alerts.rules import Rule, RuleSet, check_references
    from processors.pipeline import OfflinePipeline
    from khabar.settings import get_settings

    rule = Rule.model_validate({"id": "barrels", "title": "t", "condition": {"weapons": ["barrel-bomb"]}})
    raw = RawArticle(id="a1", source=SourceRef(id="s"), content=sys.argv[1], content_type="text")
    article = OfflinePipeline(rules=[rule]).process(raw).article
    bad = Rule.model_validate({"id": "typo", "title": "t", "condition": {"weapons": ["barel-bomb"]}})
    try:
        check_references(RuleSet(path=str(get_settings().rules_file), rules=[bad], channels={}),
                         load_known_ids(get_settings().taxonomy_dir))
        unknown_id = None
    except Exception as exc:
        unknown_id = str(exc)
    filters = build_query("*", tags={"weapons": "barrel bomb"})["bool"]["filter"]
    report = evaluate_tags(sys.argv[2], sys.argv[3])
    print(json.dumps({
        "field": "weapons" in Article.model_fields,
        "tags": [t.model_dump() for t in article.weapons],
        "alerts": article.alerts,
        "unknown_id": unknown_id,
        "filter_fields": [f for flt in filters for f in json.dumps(flt).split('"') if f.startswith("weapons.")],
        "mapping": article_mapping()["properties"].get("weapons"),
        "scores": report["weapons"],
    }, ensure_ascii=False))
""")

TEXT = "ألقت مروحيات النظام براميل متفجرة على بلدة كفرزيتا في ريف حماة الشمالي."


def test_a_new_kind_is_a_taxonomy_file_and_one_registration(tmp_path: Path) -> None:
    taxonomy = tmp_path / "taxonomy"
    shutil.copytree(CONFIG_DIR / "taxonomy", taxonomy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (taxonomy / "weapons.yaml").write_text(WEAPONS, encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "d1.txt").write_text(TEXT, encoding="utf-8")
    gold = tmp_path / "gold.yaml"
    gold.write_text("- doc: d1.txt\n  weapons:\n    - forms: [براميل متفجرة]\n", encoding="utf-8")
    env = {**os.environ, "KHABAR_TAXONOMY_DIR": str(taxonomy)}
    out = subprocess.run([sys.executable, "-c", SCRIPT, TEXT, str(gold), str(docs)], env=env,
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])

    assert result["field"] is True
    assert [(t["id"], t["kind"], t["forms"]) for t in result["tags"]] == [
        ("barrel-bomb", "air_dropped", ["براميل متفجرة"])]
    assert result["alerts"] == ["barrels"]
    assert result["unknown_id"] and "barel-bomb" in result["unknown_id"]
    assert set(result["filter_fields"]) == {"weapons.id", "weapons.name", "weapons.name_en", "weapons.forms"}
    assert result["mapping"]["properties"]["forms"] == {"type": "keyword"}
    assert result["mapping"]["properties"]["mentions"] == {"type": "integer"}
    assert result["scores"]["recall"] == 1.0


def test_the_registry_names_each_kind_once_and_lookups_fail_clearly() -> None:
    fields = [k.field for k in TAG_KINDS]
    assert fields[:3] == ["places", "actors", "persons"] and len(set(fields)) == len(fields)
    assert tag_kind("actors").entry == "actor"
    try:
        tag_kind("weapon")
    except KeyError as exc:
        assert "known: ['places', 'actors', 'persons'" in str(exc)
    else:
        raise AssertionError("an unknown kind must raise")
    assert len(EVENT_TYPES) == len(set(EVENT_TYPES)) == 16


def test_derived_mapping_matches_the_hand_written_ones() -> None:
    """The JSON mapping spells out places/actors/persons; the derivation must agree with it,
    so a new kind gets the same shape."""
    written = json.loads(
        (CONFIG_DIR / "elasticsearch" / "component" / "articles-mappings.json").read_text(encoding="utf-8"))
    props = written["template"]["mappings"]["properties"]
    for kind in TAG_KINDS:
        assert entity_mapping(kind) == props[kind.field], kind.field
