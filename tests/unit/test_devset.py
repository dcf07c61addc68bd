"""The out-of-sample dev sets are internally consistent: set 1 (tests/fixtures/devset/ +
tests/quality/devset-gold.yaml) and the blind held-out set 2 (tests/fixtures/devset2/ +
tests/quality/devset2-gold.yaml). For each set: every annotated form occurs verbatim in its article, coordinates lie
in the annotated country, event types are DESIGN.md §5 vocabulary, and every article has a
source and a licence in the manifest. A slip here would silently skew the quality gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.cli.evaluate.tags import GoldDoc, load_gold

ROOT = Path(__file__).resolve().parents[1]
# (fixtures dir, gold file) of each dev set
SETS = {
    "devset1": (ROOT / "fixtures" / "devset", ROOT / "quality" / "devset-gold.yaml"),
    "devset2": (ROOT / "fixtures" / "devset2", ROOT / "quality" / "devset2-gold.yaml"),
}

# rough bounding boxes (lat_min, lat_max, lon_min, lon_max): a coordinate outside its
# country's box is a typo (swapped lat/lon, wrong sign, another place's numbers)
BOXES = {
    "SY": (32.3, 37.4, 35.6, 42.4), "IQ": (29.0, 37.4, 38.7, 48.6),
    "YE": (12.1, 19.0, 42.5, 54.6), "SA": (16.3, 32.2, 34.5, 55.7),
    "EG": (22.0, 31.7, 24.7, 36.9), "LB": (33.0, 34.7, 35.1, 36.7),
    "TR": (35.8, 42.2, 25.6, 44.9), "IR": (25.0, 39.8, 44.0, 63.4),
    "KW": (28.5, 30.2, 46.5, 48.5), "PS": (31.2, 32.6, 34.2, 35.6),
    "IL": (29.4, 33.4, 34.2, 35.9), "JO": (29.1, 33.4, 34.9, 39.4),
    "BH": (25.5, 26.4, 50.3, 50.9), "QA": (24.4, 26.2, 50.7, 51.7),
    "AE": (22.6, 26.1, 51.5, 56.4), "OM": (16.6, 26.4, 52.0, 59.9),
    "LY": (19.5, 33.2, 9.3, 25.2), "RU": (41.2, 81.9, 19.6, 180.0),
    "US": (18.9, 71.4, -179.9, -66.9), "FR": (41.3, 51.1, -5.2, 9.6),
    "TN": (30.2, 37.6, 7.5, 11.6),
}


@pytest.fixture(scope="module", params=sorted(SETS))
def devset(request) -> tuple[Path, Path]:
    return SETS[request.param]


@pytest.fixture(scope="module")
def docs_dir(devset) -> Path:
    return devset[0]


@pytest.fixture(scope="module")
def gold_path(devset) -> Path:
    return devset[1]


@pytest.fixture(scope="module")
def gold(gold_path) -> list[GoldDoc]:
    return load_gold(gold_path)


@pytest.fixture(scope="module")
def manifest(docs_dir) -> dict[str, dict]:
    items = json.loads((docs_dir / "manifest.json").read_text(encoding="utf-8"))
    return {item["file"]: item for item in items}


def _text(docs_dir: Path, doc: str) -> str:
    return (docs_dir / doc).read_text(encoding="utf-8")


def _vocabulary(shared_dir: Path) -> set[str]:
    design = (shared_dir / "DESIGN.md").read_text(encoding="utf-8")
    section = design.split("## 5.", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("Event types are", 1)[1].split("`")[1::2]
    listing = next(b for b in blocks if "," in b)
    return {t.strip() for t in listing.split(",") if t.strip()}


def test_every_article_is_annotated_once_and_has_a_licensed_source(gold, manifest,
                                                                   docs_dir) -> None:
    docs = [g.doc for g in gold]
    assert len(docs) == len(set(docs)), "a document is annotated twice"
    files = sorted(p.name for p in docs_dir.glob("*.txt"))
    assert sorted(docs) == files, f"gold and {docs_dir}/*.txt differ"
    assert sorted(manifest) == files, f"manifest.json and {docs_dir}/*.txt differ"
    for name, item in manifest.items():
        assert item.get("url", "").startswith("https://"), name
        assert item.get("licence", "").startswith("CC BY"), name
        assert item.get("source") and item.get("category"), name


def test_every_form_occurs_verbatim(gold, docs_dir) -> None:
    missing = []
    for g in gold:
        text = _text(docs_dir, g.doc)
        for kind in ("places", "actors", "persons"):
            for entry in getattr(g, kind):
                missing += [(g.doc, kind, f) for f in entry.forms if f not in text]
    assert not missing, f"annotated forms absent from their article: {missing}"


def test_boilerplate_lines_occur_verbatim(gold_path, docs_dir) -> None:
    import yaml

    raw = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    missing = [(d["doc"], line) for d in raw for line in d.get("boilerplate", [])
               if line not in _text(docs_dir, d["doc"])]
    assert not missing, missing


def test_places_have_plausible_coordinates_and_a_country(gold) -> None:
    bad = []
    for g in gold:
        for p in g.places:
            if p.lat is None or p.lon is None or not p.country:
                bad.append((g.doc, p.forms, "no lat/lon/country"))
                continue
            box = BOXES.get(p.country)
            if box is None:
                ok = -90 <= p.lat <= 90 and -180 <= p.lon <= 180
            else:
                ok = box[0] <= p.lat <= box[1] and box[2] <= p.lon <= box[3]
            if not ok:
                bad.append((g.doc, p.forms, p.country, p.lat, p.lon))
    assert not bad, f"implausible coordinates: {bad}"


def test_villages_are_syrian_or_named_abroad(gold) -> None:
    villages = [(g.doc, p.forms) for g in gold for p in g.places if p.kind == "village"]
    assert villages, "the dev set must exercise the village rule"


def test_event_types_are_design_vocabulary(gold, shared_dir: Path) -> None:
    vocab = _vocabulary(shared_dir)
    assert "armed_clash" in vocab and "displacement" in vocab
    used = set()
    for g in gold:
        for item in g.event_types:
            used.update([item] if isinstance(item, str) else item.any_of)
    assert used <= vocab, f"not in DESIGN.md §5: {used - vocab}"


def test_killed_and_not_killed_do_not_overlap(gold) -> None:
    overlap = [(g.doc, sorted(set(g.killed) & set(g.not_killed))) for g in gold
               if set(g.killed) & set(g.not_killed)]
    assert not overlap, overlap
    for g in gold:
        assert all(isinstance(k, int) and k > 0 for k in g.killed), g.doc
        assert set(g.killed_scopes) <= set(g.killed), g.doc
