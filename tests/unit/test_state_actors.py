"""State forces generated for every country with adjectives (config/taxonomy/
build_state_actors.py -> actors_state.yaml): the file is current, curated entries are
extended rather than duplicated, a bad `extend:` fails with file and line, and the tagger
finds them in sentences written for these tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from khabar.settings import CONFIG_DIR
from khabar.textnorm import matching_form
from khabar.yamlconf import ConfigError
from processors.tagging.stage import get_tagger
from processors.tagging.taxonomy import load_taxonomy
from tests.scripts import load_script

TAXONOMY_DIR = CONFIG_DIR / "taxonomy"


def _builder():
    return load_script(TAXONOMY_DIR / "build_state_actors.py")


def test_generated_file_is_what_the_script_makes_today() -> None:
    module = _builder()
    assert (TAXONOMY_DIR / "actors_state.yaml").read_text(encoding="utf-8") == module.render(module.build())


def test_curated_actors_are_extended_not_duplicated() -> None:
    taxonomy = load_taxonomy(TAXONOMY_DIR)
    by_id = {a.id: a for a in taxonomy.actors}
    # a curated Turkish security entry exists: it takes the generated border forms' siblings,
    # and no generated "tr_security_forces" competes with it
    assert "tr_security_forces" not in by_id
    turkish = by_id["turkish_security_forces"]
    assert "قوات الأمن" in turkish.short_forms and "TR" in turkish.context_countries
    # an institution no curated entry covers becomes an actor of its own, with its country
    border = by_id["sy_border_guards"]
    assert border.country == "SY" and border.kind == "state_forces"
    assert "قوات الحدود السورية" in border.names()
    # no name is owned twice (curated names are never generated again)
    owners: dict[str, set[str]] = {}
    for actor in taxonomy.actors:
        for name in actor.names():
            owners.setdefault(matching_form(name), set()).add(actor.id)
    assert not {n: o for n, o in owners.items() if len(o) > 1}


def test_an_extension_of_an_unknown_actor_names_file_and_line(tmp_path: Path) -> None:
    target = tmp_path / "taxonomy"
    shutil.copytree(TAXONOMY_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = target / "actors_state.yaml"
    text = path.read_text(encoding="utf-8").replace("\n  turkish_security_forces:", "\n  no_such_actor:")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "no_such_actor:" in ln)
    with pytest.raises(ConfigError) as err:
        load_taxonomy(target)
    assert f"actors_state.yaml:{line}:" in str(err.value) and "no_such_actor" in str(err.value)


def _actors(text: str) -> dict[str, list[str]]:
    return {a.id: a.forms for a in get_tagger().tag_text(text).names.tags["actors"]}


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("اشتبكت قوات الحدود السورية مع مسلحين قرب الحدود.", "sy_border_guards"),
        ("أعلنت الاستخبارات الأردنية إحباط مخطط لتهريب الأسلحة.", "jo_security_forces"),
        ("قصف الطيران الروسي أطراف البلدة.", "russian_forces"),
    ],
)
def test_state_forces_by_pattern(text: str, actor: str) -> None:
    assert list(_actors(text)) == [actor]


def test_generic_short_form_needs_the_documents_country() -> None:
    # "قوات الأمن" alone is the security forces of the one country the document is in
    found = _actors("فرقت قوات الأمن المتظاهرين في مدينة زاهدان في إيران.")
    assert found == {"iranian_army": ["قوات الأمن"]}  # the curated entry that is Iran's forces
    # with places in two countries nobody is guessed
    assert not _actors("فرقت قوات الأمن المتظاهرين في زاهدان وفي إسطنبول.")


def test_organisation_head_nouns_give_both_extents() -> None:
    forms = _actors("قتلت قوات الجيش السوري عشرة أشخاص.")["syrian_government_forces"]
    assert {"الجيش السوري", "قوات الجيش السوري"} <= set(forms)
    hrw = next(f for a, f in _actors("قالت منظمة هيومن رايتس ووتش إن الهجوم جريمة.").items() if a == "hrw")
    assert {"منظمة هيومن رايتس ووتش", "هيومن رايتس ووتش"} <= set(hrw)
