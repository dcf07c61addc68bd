"""The taxonomy in config/taxonomy/ loads, is consistent, and bad entries fail with file:line."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from khabar.settings import CONFIG_DIR
from khabar.tagkinds import EVENT_TYPES
from khabar.textnorm import matching_form
from khabar.yamlconf import ConfigError
from processors.tagging.names import name_variants
from processors.tagging.taxonomy import load_taxonomy
from tests.scripts import load_script

TAXONOMY_DIR = CONFIG_DIR / "taxonomy"  # the taxonomy shipped in the repository
# Syria's bounding box, a little generous (the Golan, border towns)
SYRIA_LAT, SYRIA_LON = (32.2, 37.4), (35.5, 42.5)


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(TAXONOMY_DIR)


def test_sizes(taxonomy) -> None:
    kinds = defaultdict(int)
    for p in taxonomy.places:
        kinds[p.kind] += 1
    assert kinds["governorate"] == 14 and kinds["district"] == 62 and kinds["subdistrict"] == 272
    assert kinds["city"] + kinds["town"] >= 100
    assert kinds["country"] >= 10
    assert len(taxonomy.actors) >= 60 and len(taxonomy.persons) >= 40


def test_ids_unique_across_each_list(taxonomy) -> None:
    for entries in (taxonomy.places, taxonomy.actors, taxonomy.persons):
        ids = [e.id for e in entries]
        assert len(ids) == len(set(ids))


def test_syrian_places_lie_in_syria_and_seats_nearby(taxonomy) -> None:
    by_id = {p.id: p for p in taxonomy.places}
    for p in taxonomy.places:
        if p.country == "SY" and p.kind != "country":
            assert SYRIA_LAT[0] <= p.lat <= SYRIA_LAT[1], p.id
            assert SYRIA_LON[0] <= p.lon <= SYRIA_LON[1], p.id
            assert p.admin1 is not None or p.kind == "area", p.id
        if p.seat:
            seat = by_id[p.seat]
            assert seat.kind in ("city", "town") and seat.country == p.country, p.id
            if p.kind != "governorate":  # a district's seat is inside or near it
                assert abs(seat.lat - p.lat) < 1.5 and abs(seat.lon - p.lon) < 1.5, p.id


def test_every_governorate_has_its_capital_as_seat(taxonomy) -> None:
    govs = [p for p in taxonomy.places if p.kind == "governorate"]
    assert all(g.seat for g in govs), [g.id for g in govs if not g.seat]


def test_every_admin_reference_exists(taxonomy) -> None:
    by_id = {p.id: p for p in taxonomy.places}
    for p in taxonomy.places:
        if p.admin1:
            assert by_id[p.admin1].kind == "governorate", p.id
        if p.admin2:
            assert by_id[p.admin2].kind == "district", p.id
            assert by_id[p.admin2].admin1 == p.admin1, p.id


def test_every_name_has_a_matching_form(taxonomy) -> None:
    for entries in (taxonomy.places, taxonomy.actors, taxonomy.persons):
        for e in entries:
            for name in e.names() + e.short_forms + getattr(e, "context_aliases", []):
                assert matching_form(name).strip(), (e.id, name)


def test_no_two_entries_share_a_name_unless_marked_ambiguous(taxonomy) -> None:
    owners = defaultdict(set)
    for etype, entries in (("place", taxonomy.places), ("actor", taxonomy.actors),
                           ("person", taxonomy.persons)):
        for e in entries:
            for name in e.names() + getattr(e, "context_aliases", []):
                for form in name_variants(name):
                    owners[form].add((etype, e.id, e.ambiguous))
    clashes = {form: sorted(o) for form, o in owners.items()
               if len({i for _t, i, _a in o}) > 1 and not all(a for _t, _i, a in o)}
    assert not clashes


def test_actor_successors_form_chains(taxonomy) -> None:
    by_id = {a.id: a for a in taxonomy.actors}
    chain, current = [], by_id["jabhat_al_nusra"]
    while current is not None:
        chain.append(current.id)
        current = by_id.get(current.successor) if current.successor else None
    assert chain == ["jabhat_al_nusra", "jabhat_fatah_al_sham", "hayat_tahrir_al_sham"]


def test_event_rules_cover_the_vocabulary(taxonomy) -> None:
    ruled = {r.type for r in taxonomy.events.rules}
    assert ruled | {"government_regains_territory", "non_state_actor_overtakes_territory"} == set(EVENT_TYPES)


def test_generated_admin_places_are_up_to_date(shared_dir: Path) -> None:
    """places_admin.yaml is what build_places.py makes from Open-Syria today."""
    module = load_script(TAXONOMY_DIR / "build_places.py")
    built = module.build(shared_dir / "data" / "opensyria-geography")
    stored = yaml.safe_load((TAXONOMY_DIR / "places_admin.yaml").read_text(encoding="utf-8"))["places"]
    assert built == stored


def test_credit_line_for_open_syria() -> None:
    readme = (TAXONOMY_DIR / "README.md").read_text(encoding="utf-8")
    assert "Open-Syria data-geography" in readme and "CC BY 4.0" in readme
    assert "Open-Syria data-geography" in (TAXONOMY_DIR / "places_admin.yaml").read_text(encoding="utf-8")[:600]


# --- bad entries fail with file and line --------------------------------------------------------

@pytest.fixture
def taxonomy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "taxonomy"
    shutil.copytree(TAXONOMY_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_bad_coordinate_reports_file_and_line(taxonomy_copy: Path) -> None:
    path = taxonomy_copy / "places.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if "id: sy-town-aleppo," in line)
    lines[index] = lines[index].replace("lat: 36.202", "lat: 136.202")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_taxonomy(taxonomy_copy)
    assert f"places.yaml:{index + 1}:" in str(err.value)
    assert "lat" in str(err.value)


def test_unknown_event_type_reports_file_and_line(taxonomy_copy: Path) -> None:
    path = taxonomy_copy / "events.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- type: grenade", "- type: grenades"), encoding="utf-8")
    line = next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if "type: grenades" in ln)
    with pytest.raises(ConfigError) as err:
        load_taxonomy(taxonomy_copy)
    assert f"events.yaml:{line}:" in str(err.value)


def test_dangling_successor_is_an_error(taxonomy_copy: Path) -> None:
    path = taxonomy_copy / "actors.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("successor: hayat_tahrir_al_sham", "successor: no_such_group"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="no_such_group"):
        load_taxonomy(taxonomy_copy)
